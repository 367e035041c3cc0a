"""The lean WSGI route of feature JSON: ``/collections/{id}/items`` and ``items/{fid}``
without Flask's request machinery.

Registered with the dispatcher as a fast route with a Flask fallback
(:meth:`opengeodata.server.dispatch.Dispatcher.handle_wsgi`) for vector collections. A JSON or
GeoJSON request (items pages, bbox and filter queries, single features; ``f=json``, ``geojson``,
``jsonld`` or negotiated by ``Accept``) is answered by the very functions of the Flask views
(:class:`~opengeodata.server.features.FeaturesAPI`: the same
:class:`~opengeodata.server.features.Document`), with the response policy's own rules
(:func:`~opengeodata.server.policy.plain_headers`, ``apply`` and ``error_answer``), so bodies
and headers are those of the Flask route; only Flask's per-request work (app and request
contexts, URL matching, hooks, signals, Response objects) is skipped.

Everything else is handed on to Flask (the handler answers None): HTML pages (pygeoapi), result
downloads (``f=csv``/``fgb``/``gpkg``: streamed behind the costly-request gate), methods other
than GET and HEAD, paths Flask would route or redirect differently (trailing slash, more
segments, unlisted collections), requests with a body, HTML error pages and unexpected failures
(Flask logs them and answers its 500).
"""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request, Response

from opengeodata.engine.params import parse_format
from opengeodata.errors import OpenGeoDataError
from opengeodata.published import Collection
from opengeodata.server import error_pages, features_download, policy
from opengeodata.server.dispatch import Answer
from opengeodata.server.features import Document, FeaturesAPI


class FastFeatures:
    """The fast route's handler over an app's :class:`FeaturesAPI`."""

    def __init__(self, features: FeaturesAPI) -> None:
        self.features = features
        self.state = features.state
        self.max_age = features.state.settings.cache_max_age

    def answer(self, coll: Collection, rest: list[str], environ: dict[str, Any]
               ) -> Answer | None:
        """The answer to ``/collections/{id}/items[/{fid}]``; None: Flask answers."""
        if (not coll.listed or len(rest) > 1 or environ.get("PATH_INFO", "").endswith("/")
                or environ.get("CONTENT_LENGTH", "") not in ("", "0")):
            return None
        req = Request(environ)
        features = self.features
        answer: Document | Response
        try:
            if features.wants_html(req):
                return None
            if rest:
                # the id as Flask's router decodes it (UTF-8 path, not WSGI's latin-1)
                answer = features.item_answer(req, coll, req.path.split("/")[4])
            elif parse_format(req.args) in features_download.FORMATS:
                return None
            else:
                answer = features.items_answer(req, coll)
        except OpenGeoDataError as error:
            if error_pages.wants_html(req):
                return None
            answer = policy.error_answer(self.state, req, error)
        except Exception:  # Flask runs it again, logs it and answers 500
            return None
        if isinstance(answer, Document):  # the hot path: no Response object
            headers = policy.plain_headers(answer.wsgi_headers(), 200, req, self.max_age)
            return "200 OK", headers, answer.body
        policy.apply(answer, req, self.max_age)  # 304s and errors
        body, status, wsgi_headers = answer.get_wsgi_response(environ)
        return status, wsgi_headers, b"".join(body)
