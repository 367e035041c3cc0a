"""OGC API Features items and item views: validated parameters, lean GeoJSON, HTTP caching.

The dispatcher routes items of vector collections here (``opengeodata.server.ogcapi``); HTML
(``f=html``) goes to pygeoapi's templates, JSON, GeoJSON and the result downloads (``f=csv``,
``f=fgb``, ``f=gpkg``) are answered here by the feature engine (:mod:`opengeodata.engine`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from typing import Any, cast
from urllib.parse import urlencode

from flask import Response
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request

from opengeodata.engine.geojson import dumps, feature_bytes, parse_id, read_feature
from opengeodata.engine.params import (
    ITEM_PARAMS,
    check_unknown,
    parse_bool,
    parse_format,
    parse_items,
    parse_names,
)
from opengeodata.engine.query import Filter, ItemsQuery
from opengeodata.engine.source import Backend, FeatureSource, Sources, open_gpkg
from opengeodata.engine.sql import compile_filter
from opengeodata.engine.stored import stored_page
from opengeodata.errors import DatabaseUnavailableError, InvalidRequestError, NotFoundError
from opengeodata.ogc import CRS84, GEOJSON
from opengeodata.providers.crs import parse_crs
from opengeodata.providers.pg_sql import open_pg_layer
from opengeodata.published import Collection as PublishedCollection
from opengeodata.server import features_download
from opengeodata.server.costly import Gate
from opengeodata.server.state import ServerState

#: result downloads with more rows than this take a costly-request slot
COSTLY_LIMIT = 10_000


@dataclass(frozen=True)
class Document:
    """A GeoJSON answer: its body and the headers the view sets after Content-Type and
    Content-Length (Content-Crs, ETag, Last-Modified, Cache-Control), in order."""

    body: bytes
    headers: list[tuple[str, str]]

    def response(self) -> Response:
        """As a Flask response."""
        response = Response(self.body, mimetype=GEOJSON)
        for key, value in self.headers:
            response.headers[key] = value
        return response

    def wsgi_headers(self) -> list[tuple[str, str]]:
        """The headers :meth:`response` sends, as a WSGI list (before the policy's)."""
        return [("Content-Type", GEOJSON), ("Content-Length", str(len(self.body))),
                *self.headers]


@lru_cache(maxsize=64)
def http_date(moment: dt.datetime) -> str:
    """An HTTP date (``Last-Modified``) of an aware datetime."""
    return format_datetime(moment.astimezone(dt.UTC), usegmt=True)


def wants_html(req: Request, fmt: str | None) -> bool:
    """True if the client asked for HTML (``f=html`` or a browser's Accept header)."""
    if fmt is not None:
        return fmt == "html"
    best = req.accept_mimetypes.best_match([GEOJSON, "application/json",
                                            "text/html"])
    return best == "text/html"


class FeaturesAPI:
    """The feature views of one app; collection facts cached per published version."""

    def __init__(self, state: ServerState, costly: Gate | None = None) -> None:
        self.state = state
        self.costly = costly or Gate(state.settings.costly_requests)
        self._sources = Sources(self.layer)

    # -- collections -------------------------------------------------------------------
    def collection(self, coll: PublishedCollection) -> FeatureSource:
        """The engine's source of a published feature collection (opened once per version)."""
        return self._sources.get(coll)

    def layer(self, coll: PublishedCollection) -> Backend:
        """The feature layer of a version: its PostGIS schema (a read database is configured)
        or its GeoPackage file."""
        settings = self.state.settings
        if settings.read_database_url:
            pg = open_pg_layer(settings.read_database_url, coll.id, coll.version)
            if pg is None:
                raise DatabaseUnavailableError(
                    f"collection {coll.id!r}: version {coll.version} is not in the read "
                    "database yet")
            return pg
        return open_gpkg(coll)

    def limits(self) -> tuple[int, int]:
        """(default, maximum) items per page."""
        published = self.state.snapshot().published
        return published.default_limit, published.max_limit

    @staticmethod
    def wants_html(req: Request) -> bool:
        """True if the client asked for HTML (``f=html`` or a browser's Accept header);
        400 for an unknown ``f``."""
        return wants_html(req, parse_format(req.args))

    # -- caching -----------------------------------------------------------------------
    def not_modified(self, req: Request, etag: str, modified: dt.datetime) -> Response | None:
        """304 if the client's copy is current."""
        inm = req.headers.get("If-None-Match")
        if inm is not None:
            tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
            if f'"{etag}"' in tags or "*" in tags:
                return self.cached(Response(status=304), etag, modified)
            return None
        ims = req.headers.get("If-Modified-Since")
        if ims:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                return None
            if since.tzinfo and modified.replace(microsecond=0) <= since:
                return self.cached(Response(status=304), etag, modified)
        return None

    def caching(self, etag: str, modified: dt.datetime) -> list[tuple[str, str]]:
        """ETag, Last-Modified and Cache-Control of an answer."""
        return [("ETag", f'"{etag}"'), ("Last-Modified", http_date(modified)),
                ("Cache-Control", f"public, max-age={self.state.settings.cache_max_age}")]

    def cached(self, response: Response, etag: str, modified: dt.datetime) -> Response:
        """Add ETag, Last-Modified and Cache-Control."""
        for key, value in self.caching(etag, modified):
            response.headers[key] = value
        return response

    @staticmethod
    def etag(*parts: str) -> str:
        """A strong validator from the data version and the request."""
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]

    # -- views -------------------------------------------------------------------------
    def items(self, req: Request, published: PublishedCollection) -> Response:
        """``/collections/{id}/items`` as GeoJSON or a result download (f=csv/fgb/gpkg)."""
        answer = self.items_answer(req, published)
        return answer.response() if isinstance(answer, Document) else answer

    def items_answer(self, req: Request, published: PublishedCollection
                     ) -> Document | Response:
        """:meth:`items`: the GeoJSON document, or a 304 or result download response."""
        coll = self.collection(published)
        args: MultiDict[str, str] = req.args
        default_limit, max_limit = self.limits()
        query = parse_items(args, coll, default_limit, max_limit)
        where = compile_filter(coll.backend, query.filter, coll.storage_crs)
        etag = self.etag(coll.version, req.path, req.query_string.decode("latin-1"),
                         query.fmt or "json")
        if (early := self.not_modified(req, etag, coll.created)) is not None:
            return early
        if query.fmt in features_download.FORMATS:
            response = features_download.response(coll, query, where)
            total = getattr(coll.backend, "count", None)  # rows of the layer, if known
            rows = min(query.limit or 2**62, total if isinstance(total, int) else 2**62)
            if rows > COSTLY_LIMIT:  # a big result download is costly
                stream = cast("Iterable[bytes]", response.response)
                response.response = self.costly.stream(f"f={query.fmt}", stream)
            return self.cached(response, etag, coll.created)
        body = self.items_body(coll, query, where, self.base_url(), args)
        return Document(body, [("Content-Crs", f"<{query.crs}>"),
                               *self.caching(etag, coll.created)])

    def item(self, req: Request, published: PublishedCollection, item_id: str) -> Response:
        """``/collections/{id}/items/{fid}`` as GeoJSON."""
        answer = self.item_answer(req, published, item_id)
        return answer.response() if isinstance(answer, Document) else answer

    def item_answer(self, req: Request, published: PublishedCollection, item_id: str
                    ) -> Document | Response:
        """:meth:`item`: the GeoJSON document, or a 304 response."""
        coll = self.collection(published)
        collection_id = coll.id
        args: MultiDict[str, str] = req.args
        check_unknown(args, ITEM_PARAMS)
        if parse_format(args) not in (None, "json", "geojson", "jsonld"):
            raise InvalidRequestError("a single feature is available as f=json or f=html")
        crs = parse_crs(args.get("crs") or CRS84, coll.crs_list, "crs")
        names = parse_names(args.get("properties"), coll.backend, "properties")
        skip = parse_bool(args.get("skipGeometry"), "skipGeometry")
        etag = self.etag(coll.version, req.path, req.query_string.decode("latin-1"))
        if (early := self.not_modified(req, etag, coll.created)) is not None:
            return early
        props = list(coll.backend.columns) if names is None else names
        feature = self.feature(coll, item_id, crs, props, skip)
        if feature is None:
            raise NotFoundError(f"collection {collection_id!r} has no feature {item_id!r}")
        base = f"{self.base_url()}/collections/{collection_id}/items/{item_id}"
        links = [
            {"rel": "self", "type": GEOJSON, "title": "This document as GeoJSON",
             "href": f"{base}?f=json"},
            {"rel": "alternate", "type": "text/html", "title": "This document as HTML",
             "href": f"{base}?f=html"},
            {"rel": "collection", "type": "application/json", "title": "The collection",
             "href": f"{self.base_url()}/collections/{collection_id}?f=json"},
        ]
        body = feature[:-1] + b',"links":' + dumps(links) + b"}"
        return Document(body, [("Content-Crs", f"<{crs}>"), *self.caching(etag, coll.created)])

    @staticmethod
    def feature(coll: FeatureSource, item_id: str, crs: str, props: list[str], skip: bool
                ) -> bytes | None:
        """The Feature bytes of ``item_id`` (None if there is none): its stored default
        answer when the request asks for the default encoding, else encoded from its row."""
        value = parse_id(coll, item_id)
        if value is None:
            return None
        one = ItemsQuery(fmt=None, limit=1, offset=0, crs=crs, names=props, skip_geometry=skip)
        where = compile_filter(coll.backend, Filter(equals=[(coll.id_field, value)]),
                               coll.storage_crs)
        stored = stored_page(coll, one, where, 1)
        if stored is not None:
            return stored[0] if stored else None
        row, cols = read_feature(coll, item_id, props, not skip)
        return None if row is None else feature_bytes(coll, [row], cols, crs, skip,
                                                      len(props))[0]

    def base_url(self) -> str:
        """The public base URL (no trailing slash)."""
        return self.state.base_url.rstrip("/")

    def items_body(self, coll: FeatureSource, query: ItemsQuery, where: Any, base_url: str,
                   args: MultiDict[str, str]) -> bytes:
        """The FeatureCollection document of an items query."""
        backend = coll.backend
        names = list(query.names)
        extra = coll.id_field not in names and coll.id_field != backend.pk
        cols = [*names, coll.id_field] if extra else names
        limit = query.limit or 10
        matched = backend.count_matching(where)
        feats: list[bytes] = []
        more = False
        if query.hits:
            pass
        elif (stored := stored_page(coll, query, where, limit + 1)) is not None:
            # the default answer: each feature's bytes were written at publish time
            more = len(stored) > limit
            feats = stored[:limit]
        else:
            rows = list(backend.rows(cols, where, query.order, query.offset, limit + 1,
                                     not query.skip_geometry))
            more = len(rows) > limit
            feats = feature_bytes(coll, rows[:limit], cols, query.crs, query.skip_geometry,
                                  len(names))
        links = self.page_links(coll, base_url, args, query, more, len(feats))
        head = b'{"type":"FeatureCollection","features":[' + b",".join(feats) + b"]"
        tail: dict[str, Any] = {}
        if matched is not None:
            tail["numberMatched"] = matched
        tail["numberReturned"] = len(feats)
        tail["links"] = links
        tail["timeStamp"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return head + b"," + dumps(tail)[1:]

    def page_links(self, coll: FeatureSource, base_url: str, args: MultiDict[str, str],
                   query: ItemsQuery, more: bool, returned: int) -> list[dict[str, Any]]:
        """self, alternate, collection, next and prev links."""
        href = f"{base_url}/collections/{coll.id}/items"
        kept = urlencode([(k, v) for k, v in args.items(multi=True)
                          if k not in ("f", "offset")])
        prefix = f"{href}?{kept}&f=" if kept else f"{href}?f="

        def url(fmt: str, offset: int | None = None) -> str:
            return f"{prefix}{fmt}&offset={offset}" if offset else f"{prefix}{fmt}"

        links: list[dict[str, Any]] = [
            {"rel": "self", "type": GEOJSON, "title": "This document as GeoJSON",
             "href": url("json", query.offset)},
            {"rel": "alternate", "type": "text/html", "title": "This document as HTML",
             "href": url("html", query.offset)},
            {"rel": "alternate", "type": "text/csv", "title": "This result as CSV",
             "href": url("csv", query.offset)},
            {"rel": "alternate", "type": "application/flatgeobuf",
             "title": "This result as FlatGeobuf", "href": url("fgb", query.offset)},
            {"rel": "alternate", "type": "application/geopackage+sqlite3",
             "title": "This result as GeoPackage", "href": url("gpkg", query.offset)},
            {"rel": "collection", "type": "application/json", "title": "The collection",
             "href": f"{base_url}/collections/{coll.id}?f=json"},
        ]
        limit = query.limit or 10
        if more and not query.hits:
            links.append({"rel": "next", "type": GEOJSON, "title": "Next page",
                          "href": url("json", query.offset + limit)})
        if query.offset > 0:
            links.append({"rel": "prev", "type": GEOJSON, "title": "Previous page",
                          "href": url("json", max(0, query.offset - limit)) if
                          query.offset - limit > 0 else url("json")})
        return links

