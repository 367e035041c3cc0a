"""Catalogue routes: DCAT-AP.de (``/catalogue/dcat``) and ATOM download feeds (``/atom/...``).

OGC API Records is served by pygeoapi at ``/collections/catalogue/items`` through the project's
record provider over the same catalogue (see :mod:`opengeodata.server.pygeoapi_config`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Blueprint, Response, request

from opengeodata.catalogue.atom import MEDIA_TYPE as ATOM_TYPE
from opengeodata.catalogue.atom import dataset_feed, service_feed
from opengeodata.catalogue.dcat import SERIALIZATIONS, build_graph, serialize
from opengeodata.catalogue.model import Catalogue
from opengeodata.errors import InvalidRequestError, NotFoundError
from opengeodata.server.state import ServerState

#: ``f`` values and Accept media types -> serialization key
F_ALIASES = {"jsonld": "jsonld", "json-ld": "jsonld", "json": "jsonld", "ttl": "ttl",
             "turtle": "ttl", "rdf": "rdf", "xml": "rdf", "rdfxml": "rdf"}
ACCEPT = {"application/ld+json": "jsonld", "application/json": "jsonld", "text/turtle": "ttl",
          "application/x-turtle": "ttl", "application/rdf+xml": "rdf"}


class CatalogueCache:
    """The :class:`Catalogue` of the current snapshot (built once with the snapshot) and its
    rendered documents, remembered until the next publish."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self._lock = threading.Lock()
        self._catalogue: Catalogue | None = None
        self._rendered: dict[tuple[str, ...], tuple[bytes, str]] = {}

    def get(self) -> Catalogue:
        """The catalogue of ``state.snapshot()``."""
        catalogue = self.state.snapshot().catalogue
        with self._lock:
            if self._catalogue is not catalogue:
                self._catalogue = catalogue
                self._rendered = {}
            return catalogue

    def rendered(self, catalogue: Catalogue, key: tuple[str, ...],
                 render: Callable[[Catalogue], tuple[bytes, str]]) -> tuple[bytes, str]:
        """``render(catalogue)``, remembered while ``catalogue`` is current (once per publish)."""
        with self._lock:
            cached = self._rendered.get(key) if self._catalogue is catalogue else None
        if cached is None:
            cached = render(catalogue)
            with self._lock:
                if self._catalogue is catalogue:
                    self._rendered[key] = cached
        return cached


def negotiate_rdf() -> str:
    """Serialization key from ``?f=`` or the Accept header (default JSON-LD)."""
    f = request.args.get("f")
    if f is not None:
        key = F_ALIASES.get(f.lower())
        if key is None:
            raise InvalidRequestError(
                f"f: unsupported format {f!r}; use jsonld, ttl or rdf")
        return key
    best = request.accept_mimetypes.best_match(list(ACCEPT), default="application/ld+json")
    return ACCEPT.get(best or "", "jsonld")


def blueprint(state: ServerState, cache: CatalogueCache | None = None) -> Blueprint:
    """The DCAT-AP.de and ATOM routes (``cache``: the app's shared catalogue cache)."""
    bp = Blueprint("catalogue", __name__)
    cache = cache or CatalogueCache(state)
    max_age = state.settings.cache_max_age

    def respond(body: bytes, media_type: str) -> Response:
        response = Response(body, mimetype=media_type)
        if media_type.startswith(("text/", "application/rdf+xml", ATOM_TYPE)):
            response.headers["Content-Type"] = f"{media_type}; charset=utf-8"
        response.headers["Vary"] = "Accept"
        response.cache_control.public = True
        response.cache_control.max_age = max_age
        response.add_etag()
        response.make_conditional(request)
        return response

    @bp.route("/catalogue/dcat")
    def dcat() -> Response:
        key = negotiate_rdf()
        body, media_type = cache.rendered(
            cache.get(), ("dcat", key), lambda cat: serialize(build_graph(cat), key))
        return respond(body, media_type)

    @bp.route("/catalogue/dcat/<dataset_id>")
    def dcat_dataset(dataset_id: str) -> Response:
        key = negotiate_rdf()
        catalogue = cache.get()
        record = catalogue.record(dataset_id)
        if record is None:
            raise NotFoundError(f"no published dataset {dataset_id!r} in the catalogue")
        body, media_type = cache.rendered(
            catalogue, ("dcat", key, dataset_id),
            lambda cat: serialize(build_graph(cat, [record]), key))
        return respond(body, media_type)

    @bp.route("/atom/service.xml")
    def atom_service() -> Response:
        body, _ = cache.rendered(cache.get(), ("atom",), lambda cat: (service_feed(cat), ATOM_TYPE))
        return respond(body, ATOM_TYPE)

    @bp.route("/atom/<dataset_id>.xml")
    def atom_dataset(dataset_id: str) -> Response:
        catalogue = cache.get()
        record = catalogue.record(dataset_id)
        if record is None:
            raise NotFoundError(f"no ATOM feed: dataset {dataset_id!r} is not published")
        body, _ = cache.rendered(catalogue, ("atom", dataset_id),
                                 lambda cat: (dataset_feed(cat, record), ATOM_TYPE))
        return respond(body, ATOM_TYPE)

    return bp


__all__ = ["SERIALIZATIONS", "CatalogueCache", "blueprint"]
