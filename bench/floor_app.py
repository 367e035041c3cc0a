"""The Python floor: a bare WSGI app answering recorded response bytes from memory.

``OGD_FLOOR_RESPONSES`` names a JSON file ``{"/path?query": [content_type, body_text]}``.
Run as ``gunicorn 'bench.floor_app:create_app()'``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def create_app() -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI callable."""
    recorded = json.loads(Path(os.environ["OGD_FLOOR_RESPONSES"]).read_text(encoding="utf-8"))
    table = {key: (ctype, body.encode()) for key, (ctype, body) in recorded.items()}

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = environ.get("PATH_INFO", "") + "?" + environ.get("QUERY_STRING", "")
        hit = table.get(key)
        if hit is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not recorded"]
        start_response("200 OK", [("Content-Type", hit[0]),
                                  ("Content-Length", str(len(hit[1])))])
        return [hit[1]]

    return app
