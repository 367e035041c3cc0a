"""The response policy: applied to EVERY answer of the server, in one place.

- CORS: ``Access-Control-Allow-Origin: *`` and ``Access-Control-Expose-Headers`` on every
  answer (data, documents, downloads and their 206/304, errors); an ``OPTIONS`` preflight of
  any route is answered ``204`` with the allowed methods and headers and a ``Max-Age``.
- ``Vary: Accept`` when the answer was negotiated by the Accept header (no ``f`` given).
- ``Cache-Control`` when a view set none: ``public, max-age=<cache_max_age>`` for successful
  GET/HEAD answers, ``no-store`` for errors and other methods.
- Errors: every exception becomes an OGC exception (``{"code", "description"}`` JSON) or, for
  browsers, an HTML page (:mod:`opengeodata.server.error_pages`); never a traceback.
- Security headers: ``X-Content-Type-Options: nosniff`` on every answer; HTML answers (pygeoapi's
  pages and error pages included) get a ``Content-Security-Policy`` with ``frame-ancestors``
  and ``X-Frame-Options`` unless the view set a stricter one (the catalogue pages do).
- Redirects (Werkzeug's ``//`` merge, trailing slashes) point at the configured base URL, never
  at the request's ``Host`` header; request bodies above ``OPENGEODATA_MAX_BODY_BYTES`` are 413.

Two entry points share the same header values, so no answer can miss them:
:func:`install` hooks Flask (``before_request`` for preflights, ``after_request`` for every
answer, error handlers) and :func:`wsgi_headers` / :func:`wsgi_preflight` serve the lean WSGI
fast routes of :mod:`opengeodata.server.dispatch` (vector tiles); the feature JSON fast route
(:mod:`opengeodata.server.features_fast`) calls :func:`plain_headers` (or :func:`apply`) and
:func:`error_answer` itself, as Flask does; :func:`additions` holds the rules of both. A new
Flask endpoint (any blueprint route) gets the policy without doing anything.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.routing import RequestRedirect
from werkzeug.wrappers import Request

from opengeodata.errors import OpenGeoDataError, ServerBusyError, http_status
from opengeodata.server.error_pages import error_response
from opengeodata.server.state import ServerState

LOGGER = logging.getLogger(__name__)
ALLOW_METHODS = "GET, HEAD, POST, OPTIONS"
ALLOW_HEADERS = ("Accept, Accept-Language, Accept-Encoding, Content-Type, Range, If-None-Match, "
                 "If-Modified-Since, If-Match, If-Range, Authorization")
EXPOSE_HEADERS = ("ETag, Last-Modified, Content-Range, Content-Length, Content-Encoding, "
                  "Content-Crs, Content-Disposition, Content-Language, Accept-Ranges, Link, "
                  "Location, Digest, Repr-Digest, OGC-Coverage-Scaled, Vary, Cache-Control")
MAX_AGE = "86400"
#: the CORS headers of every answer
CORS: tuple[tuple[str, str], ...] = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", EXPOSE_HEADERS),
)
#: the headers of a preflight answer (on top of :data:`CORS`)
PREFLIGHT: tuple[tuple[str, str], ...] = (
    ("Access-Control-Allow-Methods", ALLOW_METHODS),
    ("Access-Control-Allow-Headers", ALLOW_HEADERS),
    ("Access-Control-Max-Age", MAX_AGE),
    ("Allow", ALLOW_METHODS),
)
#: HTML answers without a policy of their own (pygeoapi's templates use inline scripts)
HTML_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; worker-src 'self' blob:; connect-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
SECURITY: tuple[tuple[str, str], ...] = (("X-Content-Type-Options", "nosniff"),)
HTML_SECURITY: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", HTML_CSP),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
)
#: answers whose body never depends on the Accept header (fixed media type)
NOT_NEGOTIATED = ("/downloads/", "/static/", "/tiles", "/wms", "/csw")


def wsgi_headers(status: str, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Add the policy's headers to a WSGI fast route's answer (in place, returned)."""
    headers.extend(CORS)
    headers.extend(SECURITY)
    if status[0] in "45":  # errors: never cached (successful answers set their own)
        headers.append(("Cache-Control", "no-store"))
    return headers


def wsgi_preflight() -> tuple[str, list[tuple[str, str]], bytes]:
    """The preflight answer of a WSGI fast route."""
    return "204 NO CONTENT", [*CORS, *PREFLIGHT], b""


def preflight() -> Response:
    """The answer to an ``OPTIONS`` request of an existing route."""
    response = Response(status=204)
    response.headers.extend(PREFLIGHT)
    return response


def negotiated(req: Request) -> bool:
    """True if the answer to ``req`` depends on its Accept header (no ``f``, a negotiated
    path): it gets ``Vary: Accept``."""
    return "f" not in req.args and not req.path.startswith(NOT_NEGOTIATED)


def additions(present: dict[str, str], status: int, method: str, negotiated: bool,
              max_age: int) -> tuple[list[tuple[str, str]], str | None]:
    """The policy's rules, once for both entry points: what an answer whose headers are
    ``present`` (lower-case names) gets: the headers to append, in order, and the new value of
    its existing ``Vary`` header (None: leave it)."""
    add: list[tuple[str, str]] = []
    if "access-control-allow-origin" not in present:
        add.extend(CORS)
    if "x-content-type-options" not in present:
        add.extend(SECURITY)
    if present.get("content-type", "").startswith("text/html"):
        add.extend((k, v) for k, v in HTML_SECURITY if k.lower() not in present)
    if method == "OPTIONS":
        return add, None
    vary_value = None
    if negotiated:
        vary = present.get("vary")
        if vary is None:
            add.append(("Vary", "Accept"))
        elif "accept" not in (v.strip().lower() for v in vary.split(",")):
            vary_value = f"{vary}, Accept"
    if "cache-control" not in present:
        ok = status < 400 and method in ("GET", "HEAD")
        add.append(("Cache-Control", f"public, max-age={max_age}" if ok else "no-store"))
    return add, vary_value


def apply(response: Response, req: Request, max_age: int) -> Response:
    """Add CORS, Vary and default caching headers to ``response`` (in place).

    One pass over the (few) headers, no lookups that raise: this runs for every answer.
    """
    headers = response.headers
    present = {key.lower(): value for key, value in headers}
    add, vary = additions(present, response.status_code, req.method, negotiated(req), max_age)
    if vary is not None:
        headers.set("Vary", vary)
    headers.extend(add)
    return response


def plain_headers(headers: list[tuple[str, str]], status: int, req: Request,
                  max_age: int) -> list[tuple[str, str]]:
    """:func:`apply` for an answer built as a plain header list (a WSGI fast route that
    answers without a Response object); returns the complete list."""
    present = {key.lower(): value for key, value in headers}
    add, vary = additions(present, status, req.method, negotiated(req), max_age)
    if vary is not None:
        at = next(i for i, (key, _) in enumerate(headers) if key.lower() == "vary")
        headers = [*headers[:at], ("Vary", vary),
                   *((k, v) for k, v in headers[at + 1:] if k.lower() != "vary")]
    return headers + add


def error_answer(state: ServerState, req: Request, error: OpenGeoDataError) -> Response:
    """The answer to one of the package's own errors (its HTTP status, JSON or HTML)."""
    response = error_response(state, req, http_status(error), error.code, str(error))
    if isinstance(error, ServerBusyError):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def public_location(location: str, base_url: str) -> str:
    """A redirect target on the configured base URL (path and query kept, host dropped)."""
    parts = urlsplit(location)
    base = urlsplit(base_url)
    path = base.path.rstrip("/") + (parts.path or "/")
    return urlunsplit((base.scheme, base.netloc, path, parts.query, ""))


def install(app: Flask, state: ServerState) -> None:
    """Apply the policy to every answer of ``app``."""
    max_age = state.settings.cache_max_age
    max_body = state.settings.max_body_bytes
    app.config["MAX_CONTENT_LENGTH"] = max_body  # chunked bodies too (Werkzeug's stream limit)

    @app.before_request
    def _preflight() -> Response | None:
        moved = request.routing_exception
        if isinstance(moved, RequestRedirect):  # Werkzeug builds it from the Host header
            answer = Response(status=moved.code)
            answer.headers["Location"] = public_location(moved.new_url, state.base_url)
            return answer
        if request.content_length is not None and request.content_length > max_body:
            raise RequestEntityTooLarge()
        if request.method == "OPTIONS" and request.routing_exception is None:
            return preflight()
        return None

    @app.after_request
    def _policy(response: Response) -> Response:
        return apply(response, request, max_age)

    @app.errorhandler(OpenGeoDataError)
    def _own_error(error: OpenGeoDataError) -> Response:
        return error_answer(state, request, error)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        code = error.code or 500
        name = "NotFound" if code == 404 else error.name.replace(" ", "")
        description = error.description or error.name
        if code == 413:
            description = (f"the request body is larger than {max_body} bytes "
                           "(OPENGEODATA_MAX_BODY_BYTES)")
        response = error_response(state, request, code, name, description)
        for key, value in error.get_headers():  # e.g. Allow on a 405
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

    @app.errorhandler(Exception)
    def _server_error(error: Exception) -> Response:
        LOGGER.exception("%s %s failed", request.method, request.path)
        return error_response(state, request, 500, "ServerError",
                              "internal server error; the failure is logged")
