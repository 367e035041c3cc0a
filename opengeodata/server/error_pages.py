"""Error answers of the project's own views: OGC exception JSON, or HTML for browsers.

A request with ``f=html`` (or a browser's ``Accept: text/html`` and no ``f``) gets pygeoapi's
exception page, like the errors pygeoapi renders itself; everything else gets
``{"code", "description"}`` JSON.
"""

from __future__ import annotations

import json
import logging

from flask import Response
from pygeoapi.l10n import Locale
from pygeoapi.util import render_j2_template
from werkzeug.wrappers import Request

from opengeodata.server.state import ServerState
from opengeodata.server.theme import pygeoapi_templates

SYSTEM_LOCALE = Locale("en", "US")
LOGGER = logging.getLogger(__name__)


def wants_html(req: Request) -> bool:
    """``f=html``, or no ``f`` and an Accept header preferring HTML over JSON."""
    fmt = req.args.get("f")
    if fmt is not None:
        return fmt.lower() == "html"
    best = req.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def error_response(state: ServerState, req: Request | None, status: int, code: str,
                   description: str) -> Response:
    """The error answer for ``req`` (JSON unless the client asked for HTML)."""
    if req is not None and wants_html(req):
        try:
            api = state.snapshot().api
            page = render_j2_template(
                api.tpl_config, pygeoapi_templates(), "exception.html",
                {"code": code, "type": code, "description": description}, SYSTEM_LOCALE)
            return Response(page, status=status, mimetype="text/html")
        except Exception:  # never fail while reporting a failure: fall back to JSON
            LOGGER.exception("cannot render the HTML error page")
    body = json.dumps({"code": code, "description": description})
    return Response(body, status=status, mimetype="application/json")
