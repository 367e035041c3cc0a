"""One dispatch for ``/collections/{id}/...``: each request is routed once, by the kind of the
collection (:mod:`opengeodata.published`), to the code that owns it.

How a request travels:

1. :meth:`Dispatcher.__call__` (the app's WSGI entry) looks at ``PATH_INFO`` once. A *fast
   route* registered for ``(kind, head)`` (``/collections/{id}/{head}/...``) or for a top-level
   head (``/tiles/...``) answers at WSGI level without Flask (vector tiles); the response policy
   is applied there by :func:`opengeodata.server.policy.wsgi_headers`. A fast route with a
   *Flask fallback* (feature JSON, :mod:`opengeodata.server.features_fast`) sees only GET and
   HEAD, may hand a request on to Flask by answering None, and builds its answers with the Flask
   views' own functions and the policy's rules (:func:`opengeodata.server.policy.plain_headers`
   or ``apply``). Everything else goes on to Flask.
2. Every :class:`SubPath` of :data:`SUBPATHS` is one Flask route whose view is
   :meth:`Dispatcher.view`: it finds the collection in the snapshot's published model and calls
   the handler registered for ``(collection.kind, endpoint)`` with the path's arguments.
   An unknown collection or a kind without that handler is a 404 naming both.
3. :mod:`opengeodata.server.policy` adds CORS, ``Vary``, caching headers and the error format
   to every Flask answer.

Extension points (all in the app factory, :func:`opengeodata.server.app.create_app`):

- a new endpoint outside ``/collections/{id}``: a Flask blueprint route; the policy applies.
- a new sub-path, e.g. 3D tiles: ``dispatcher.add_subpath(SubPath("/3dtiles/<path:rest>",
  "3dtiles"))`` then ``dispatcher.handle("citymodel", "3dtiles", handler)`` where
  ``handler(coll: Collection, rest: str) -> Response`` (Flask's ``request`` is the request).
- a new kind: a rule in :data:`opengeodata.published.KIND_RULES`, then ``dispatcher.handle``
  for each endpoint the kind answers (``collection``, ``items``, ``item``, ...).
- a lean WSGI route (only where speed demands it): ``dispatcher.handle_wsgi(kind, head, fn)``
  with ``fn(coll, rest: list[str], environ) -> (status, headers, body)``, or
  ``dispatcher.handle_wsgi_root(head, fn)`` with ``fn(rest, environ)``;
  ``dispatcher.handle_wsgi(kind, head, fn, flask_fallback=True)`` where ``fn`` may return None
  (Flask answers) and returns answers with the policy applied.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

from flask import Flask, Response

from opengeodata.errors import NotFoundError, OpenGeoDataError
from opengeodata.published import Collection
from opengeodata.server import policy
from opengeodata.server.state import ServerState

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Answer = tuple[str, list[tuple[str, str]], bytes]
Handler = Callable[..., Response]
FastHandler = Callable[[Collection, list[str], dict[str, Any]], Answer]
#: a fast route with a Flask fallback: None hands the request on to Flask
FallbackHandler = Callable[[Collection, list[str], dict[str, Any]], Answer | None]
RootHandler = Callable[[list[str], dict[str, Any]], Answer]
GET = ("GET", "HEAD")


@dataclass(frozen=True)
class SubPath:
    """A route below ``/collections/<collection_id>`` and the endpoint name handlers use."""

    rule: str
    endpoint: str
    methods: tuple[str, ...] = GET
    what: str = ""


#: the sub-paths of a collection (``rule`` is appended to ``/collections/<collection_id>``)
SUBPATHS: tuple[SubPath, ...] = (
    SubPath("", "collection", what="description"),
    SubPath("/items", "items", ("GET", "HEAD", "POST"), "items"),
    SubPath("/items/<item_id>", "item", what="items"),
    SubPath("/queryables", "queryables", what="queryables"),
    SubPath("/schema", "schema", what="schema"),
    SubPath("/coverage", "coverage", what="coverage"),
    SubPath("/tiles", "tiles", what="tiles"),
    SubPath("/tiles/<tms_id>", "tileset", what="tiles"),
    SubPath("/tiles/<tms_id>/metadata", "tileset", what="tiles"),
    SubPath("/tiles/<tms_id>/<tile_matrix>/<tile_row>/<tile_col>", "tile", what="tiles"),
)


class Dispatcher:
    """The app's one router for collections (WSGI fast routes and Flask views)."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.subpaths: list[SubPath] = list(SUBPATHS)
        self._handlers: dict[tuple[str, str], Handler] = {}
        self._fast: dict[tuple[str, str], FastHandler] = {}
        self._fallback: dict[tuple[str, str], FallbackHandler] = {}
        self._roots: dict[str, RootHandler] = {}
        self._app: WSGIApp | None = None
        self._flask: Flask | None = None

    # -- registration --------------------------------------------------------------------
    def add_subpath(self, subpath: SubPath) -> None:
        """A new route below ``/collections/<collection_id>`` (registered with Flask at once if
        :meth:`install` ran already, which Flask allows until the first request)."""
        self.subpaths.append(subpath)
        if self._flask is not None:
            self._add_rule(self._flask, len(self.subpaths) - 1, subpath)

    def handle(self, kind: str, endpoint: str, handler: Handler) -> None:
        """``handler(coll, **path_args)`` answers ``endpoint`` for collections of ``kind``."""
        self._handlers[(kind, endpoint)] = handler

    def handle_wsgi(self, kind: str, head: str, handler: FastHandler | FallbackHandler, *,
                    flask_fallback: bool = False) -> None:
        """A WSGI fast route for ``/collections/{id}/{head}/...`` of collections of ``kind``.

        With ``flask_fallback`` the handler gets GET and HEAD requests only (Flask answers the
        other methods), may return None to hand a request on to Flask, and its answers carry
        the response policy already (:func:`opengeodata.server.policy.plain_headers` or
        ``apply``).
        """
        if flask_fallback:
            self._fallback[(kind, head)] = handler
        else:
            self._fast[(kind, head)] = cast("FastHandler", handler)

    def handle_wsgi_root(self, head: str, handler: RootHandler) -> None:
        """A WSGI fast route for the top-level ``/{head}/...``."""
        self._roots[head] = handler

    def install(self, app: Flask) -> None:
        """Register the Flask routes and put the WSGI entry in front of ``app``."""
        for index, sub in enumerate(self.subpaths):
            self._add_rule(app, index, sub)
        self._flask = app
        self._app = app.wsgi_app
        app.wsgi_app = self  # type: ignore[method-assign]

    def _add_rule(self, app: Flask, index: int, sub: SubPath) -> None:
        def view(collection_id: str, **args: str) -> Response:
            return self.view(sub.endpoint, collection_id, **args)

        app.add_url_rule(f"/collections/<collection_id>{sub.rule}",
                         endpoint=f"collections.{sub.endpoint}.{index}", view_func=view,
                         methods=list(sub.methods))

    # -- Flask views ---------------------------------------------------------------------
    def collection(self, collection_id: str) -> Collection:
        """The collection ``collection_id`` of the current snapshot; 404 if there is none."""
        coll = self.state.snapshot().published.collections.get(collection_id)
        if coll is None or not coll.listed:
            raise NotFoundError(f"collection {collection_id!r} not found")
        return coll

    def view(self, endpoint: str, collection_id: str, **args: str) -> Response:
        """Answer ``endpoint`` of a collection with the handler of its kind."""
        coll = self.collection(collection_id)
        handler = self._handlers.get((coll.kind, endpoint))
        if handler is None:
            what = next((s.what for s in self.subpaths if s.endpoint == endpoint), endpoint)
            raise NotFoundError(f"collection {collection_id!r} has no {what or endpoint} "
                                f"(it is a {coll.kind} collection)")
        return handler(coll, **args)

    @property
    def flask_wsgi(self) -> WSGIApp:
        """The Flask app behind the fast routes (what answers without them)."""
        assert self._app is not None, "Dispatcher.install was not called"
        return self._app

    # -- WSGI ----------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        parts = path.rstrip("/").split("/")
        answer: Answer | None = None
        if len(parts) >= 4 and parts[1] == "collections" and (self._fast or self._fallback):
            try:
                coll = self.state.snapshot().published.collections.get(parts[2])
            except OpenGeoDataError:  # no snapshot read yet: Flask answers (503, the policy)
                coll = None
            if coll is not None:
                key = (coll.kind, parts[3])
                if (fast := self._fast.get(key)) is not None:
                    answer = self._fast_answer(environ, fast, coll, parts[4:])
                elif (lean := self._fallback.get(key)) is not None:
                    if environ.get("REQUEST_METHOD", "GET") in GET:
                        answer = lean(coll, parts[4:], environ)
                    if answer is not None:  # the policy is applied already
                        return self._send(environ, start_response, answer)
        elif len(parts) >= 2 and parts[0] == "" and (root := self._roots.get(parts[1])):
            answer = self._fast_answer(environ, lambda _c, rest, env: root(rest, env), None,
                                       parts[2:])
        if answer is None:
            assert self._app is not None, "Dispatcher.install was not called"
            return self._app(environ, start_response)
        status, headers, body = answer
        return self._send(environ, start_response,
                          (status, policy.wsgi_headers(status, headers), body))

    @staticmethod
    def _send(environ: dict[str, Any], start_response: Callable[..., Any],
              answer: Answer) -> Iterable[bytes]:
        status, headers, body = answer
        start_response(status, headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    @staticmethod
    def _fast_answer(environ: dict[str, Any], handler: Callable[..., Answer],
                     coll: Collection | None, rest: list[str]) -> Answer:
        method = environ.get("REQUEST_METHOD", "GET")
        if method in GET:
            return handler(coll, rest, environ)
        if method == "OPTIONS":
            status, headers, body = policy.wsgi_preflight()
            return status, [h for h in headers if h not in policy.CORS], body
        body = json.dumps({"code": "MethodNotAllowed",
                           "description": f"{method} is not allowed here; use GET"}).encode()
        return "405 METHOD NOT ALLOWED", [("Content-Type", "application/json"),
                                          ("Allow", "GET, HEAD, OPTIONS")], body
