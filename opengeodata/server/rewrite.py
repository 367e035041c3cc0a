"""Helpers for views that adjust pygeoapi's JSON answers before they are sent."""

from __future__ import annotations

import json
from typing import Any

from flask import Response


def json_document(response: Response) -> Any | None:
    """The parsed body of a 200 ``application/json`` answer; None for any other answer."""
    media_type = str(response.headers.get("Content-Type", "")).split(";")[0].strip()
    if response.status_code != 200 or media_type != "application/json":
        return None
    return json.loads(response.get_data())


def set_document(response: Response, doc: Any) -> Response:
    """Replace the body of ``response`` with ``doc`` as JSON (non-ASCII kept as is)."""
    response.set_data(json.dumps(doc, ensure_ascii=False))
    return response
