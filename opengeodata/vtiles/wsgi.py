"""OGC API Tiles 1.0 for vector datasets, answered at WSGI level (no Flask, no pygeoapi).

The server's dispatcher routes ``/collections/{id}/tiles/...`` of vector collections and the
dataset-wide ``/tiles`` overview here (its fast routes); raster tiles go elsewhere by kind. A
tile request costs one dict lookup, one binary search in a cached directory and one slice of a
memory map.

Paths (``{base}`` = ``/collections/{id}/tiles`` or ``/tiles``)::

    {base}                                   tilesets (JSON)
    {base}/WebMercatorQuad                   tileset metadata with tileMatrixSetLimits
    {base}/WebMercatorQuad/tilejson.json     TileJSON 3.0
    {base}/WebMercatorQuad/{z}/{row}/{col}   a Mapbox Vector Tile (?f=mvt)

The documents' tile URLs carry the live data version (``&v=<version>``): such a tile is
answered as immutable (cached for a year), one naming another version is redirected to the
live one, an unversioned one keeps the short default lifetime (see :mod:`opengeodata.versioned`).
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from opengeodata import versioned
from opengeodata.blob import as_blob
from opengeodata.ogc import MVT
from opengeodata.published import Collection
from opengeodata.store import Store
from opengeodata.vtiles import documents
from opengeodata.vtiles.archive import ArchiveCache
from opengeodata.vtiles.overview import OVERVIEW_ID, overview_store
from opengeodata.vtiles.tileset import TileSet
from opengeodata.vtiles.tms import TMS_ID

Answer = tuple[str, list[tuple[str, str]], bytes]

MAX_DIGITS = 10
MAX_CACHED_IDS = 10_000
MAX_HITS = 200_000
RECHECK_SECONDS = 1.0


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (RFC 9110 q-values, '*')."""
    gzip_q: float | None = None
    star_q: float | None = None
    for part in header.split(","):
        token, _, params = part.strip().partition(";")
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                q = 0.0
        name = token.strip().lower()
        if name in ("gzip", "x-gzip"):
            gzip_q = q
        elif name == "*":
            star_q = q
    if gzip_q is not None:
        return gzip_q > 0
    return star_q is not None and star_q > 0


def etag_matches(header: str, etag: str) -> bool:
    """If-None-Match: weak comparison against a list of entity tags or '*'."""
    if header.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in header.split(","))


class _Refused(Exception):
    """A request the tile route answers with an error (carries the answer)."""

    def __init__(self, answer: Answer) -> None:
        super().__init__(answer[0])
        self.answer = answer


def _error(status: str, code: str, description: str) -> Answer:
    body = json.dumps({"code": code, "description": description}).encode()
    return status, [("Content-Type", "application/json")], body


def _moved(environ: dict[str, Any], query: str, live: str) -> Answer:
    """302 to the same tile of the live version (``v`` replaced); the redirect never cached."""
    path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    location = versioned.redirect_location(path, query, live)
    body = json.dumps({"code": "VersionNotLive", "description":
                       f"this tile URL names another data version than the live one ({live}): "
                       f"see {location}"}).encode()
    return "302 FOUND", [("Location", location), ("Content-Type", "application/json"),
                         ("Cache-Control", versioned.REDIRECT_CACHE_CONTROL)], body


class VectorTiles:
    """The vector tiles of the published datasets and of the overview, answered at WSGI level.

    Registered as fast routes of the server's dispatcher (``opengeodata.server.dispatch``):
    :meth:`collection_answer` for ``/collections/{id}/tiles/...`` of vector collections and
    :meth:`overview_answer` for ``/tiles/...``; the dispatcher adds the response policy.
    """

    def __init__(self, base_url: str, store: Store | Path, cache_max_age: int) -> None:
        self.base_url = base_url
        #: the datasets' store (or a data dir): the overview's store lies beside it
        self.store = store
        self.cache_control = f"public, max-age={cache_max_age}"
        self._archives = ArchiveCache()
        self._tilesets: dict[tuple[str, str], TileSet] = {}
        self._by_collection: dict[str, tuple[Collection, TileSet]] = {}
        self._overview: TileSet | None = None
        self._overview_link: str | None = None
        self._overview_checked = -RECHECK_SECONDS
        self._gzip_ok: dict[str, bool] = {}
        self._lock = threading.Lock()

    # -- which tileset ------------------------------------------------------------------
    def collection_tileset(self, coll: Collection) -> TileSet | None:
        """The tileset of a published collection, or None if it has no vector tiles."""
        cached = self._by_collection.get(coll.id)
        if cached is not None and cached[0] is coll:
            return cached[1]
        facet = coll.vector_tiles
        if facet is None:
            return None
        key = (coll.id, coll.version)
        ts = self._tilesets.get(key)
        if ts is None:
            ts = TileSet.open(
                self._archives.get(as_blob(facet.source)), version_tag=facet.sha256[:16],
                url=f"{self.base_url}/collections/{coll.id}/tiles", title=coll.title,
                description=coll.description, version=coll.version,
                collection_url=f"{self.base_url}/collections/{coll.id}",
            )
            with self._lock:
                for old in [k for k in self._tilesets if k[0] == coll.id]:
                    del self._tilesets[old]
                self._tilesets[key] = ts
        if len(self._by_collection) < MAX_CACHED_IDS:
            self._by_collection[coll.id] = (coll, ts)
        return ts

    def overview_tileset(self) -> TileSet | None:
        """The live overview tileset (all vector datasets), or None."""
        now = time.monotonic()
        if now - self._overview_checked < RECHECK_SECONDS:
            return self._overview
        self._overview_checked = now
        store = overview_store(self.store)
        version = store.live_version(OVERVIEW_ID)
        if version is None:
            self._overview = None
            return None
        if version != self._overview_link:
            manifest = store.live_manifest(OVERVIEW_ID)
            out = manifest.output("pmtiles") if manifest else None
            if manifest is None or out is None:
                return self._overview
            self._overview = TileSet.open(
                self._archives.get(store.blob(OVERVIEW_ID, manifest.version, out.name)),
                version_tag=out.sha256[:16], url=f"{self.base_url}/tiles",
                title="Alle Datensätze (Übersicht)",
                description="Vector tiles of every published vector dataset, one layer each.",
                version=manifest.version,
            )
            self._overview_link = manifest.version
        return self._overview

    # -- answers ------------------------------------------------------------------------
    def collection_answer(self, coll: Collection | None, rest: list[str],
                          environ: dict[str, Any]) -> Answer:
        """``/collections/{id}/tiles/...`` of a vector collection."""
        ts = self.collection_tileset(coll) if coll is not None else None
        if ts is None:
            return _error("404 NOT FOUND", "NotFound",
                          f"collection {coll.id if coll else ''!r} has no tiles")
        return self.route(ts, rest, environ)

    def overview_answer(self, rest: list[str], environ: dict[str, Any]) -> Answer:
        """``/tiles/...``: the overview of all vector datasets."""
        ts = self.overview_tileset()
        if ts is None:
            return _error("404 NOT FOUND", "NotFound", "no overview vector tiles published yet")
        return self.route(ts, rest, environ)

    def route(self, ts: TileSet, rest: list[str], environ: dict[str, Any]) -> Answer:
        """Dispatch below ``.../tiles``."""
        if rest and rest[0] != TMS_ID:
            return _error("404 NOT FOUND", "NotFound",
                          f"unknown tile matrix set {rest[0]!r}; this tileset offers {TMS_ID}")
        if len(rest) == 4:
            return self.tile(ts, rest[1], rest[2], rest[3], environ)
        query = environ.get("QUERY_STRING", "")
        fmt = parse_qs(query).get("f", ["json"])[-1] if query else "json"
        if fmt not in ("json", "tilejson"):
            return _error("400 BAD REQUEST", "InvalidParameterValue",
                          f"unsupported format f={fmt!r}; use f=json")
        if not rest:
            doc = documents.tilesets(ts, self.base_url)
        elif len(rest) == 1 or rest[1:] == ["metadata"]:
            doc = documents.tileset(ts, self.base_url)
        elif rest[1:] == ["tilejson.json"]:
            doc = documents.tilejson(ts)
        else:
            return _error("404 NOT FOUND", "NotFound", "no such tiles resource")
        # the documents name the live version (their tile URLs carry it): short-cached, and
        # their ETag changes with the version (304 while it is the same)
        etag = f'"{ts.version_tag}-{"-".join(rest) or "tilesets"}"'
        headers = [("Content-Type", "application/json"), ("Cache-Control", self.cache_control),
                   ("ETag", etag)]
        inm = environ.get("HTTP_IF_NONE_MATCH")
        if inm and etag_matches(inm, etag):
            return "304 NOT MODIFIED", headers[1:], b""
        body = json.dumps(doc, ensure_ascii=False).encode()
        return "200 OK", headers, body

    def tile(self, ts: TileSet, z_s: str, row_s: str, col_s: str,
             environ: dict[str, Any]) -> Answer:
        """One tile: 200 (MVT), 204 (empty inside the limits), 304, 400 or 404."""
        query = environ.get("QUERY_STRING")
        cache_control = self.cache_control
        if query and query != "f=mvt":
            args = parse_qs(query, keep_blank_values=True)
            fmt = args.get("f", ["mvt"])[-1]
            if fmt != "mvt":
                return _error("400 BAD REQUEST", "InvalidParameterValue",
                              f"unsupported tile format f={fmt!r}; use f=mvt")
            requested = args.get(versioned.PARAM, [None])[-1]
            kind = versioned.verdict(requested, ts.version)
            if kind == "other":  # not the live version: never answer its URL with our bytes
                return _moved(environ, query, ts.version)
            if kind == "live":
                cache_control = versioned.IMMUTABLE
        key = f"{z_s}/{row_s}/{col_s}"
        hit = ts.hits.get(key)
        if hit is None:
            try:
                hit = self._locate(ts, z_s, row_s, col_s)
            except _Refused as refused:
                return refused.answer
            if len(ts.hits) >= MAX_HITS:
                ts.hits.clear()
            ts.hits[key] = hit
        offset, length, etag_base = hit
        accept = environ.get("HTTP_ACCEPT_ENCODING", "")
        gz = self._gzip_ok.get(accept)
        if gz is None:
            gz = accepts_gzip(accept)
            if len(self._gzip_ok) < 256:
                self._gzip_ok[accept] = gz
        send_gzip = gz and ts.gzipped
        etag = etag_base + ('-gz"' if send_gzip else '"')
        headers = [("ETag", etag), ("Cache-Control", cache_control),
                   ("Vary", "Accept-Encoding")]
        inm = environ.get("HTTP_IF_NONE_MATCH")
        if inm and etag_matches(inm, etag):
            return "304 NOT MODIFIED", headers, b""
        if not length:
            return "204 NO CONTENT", headers, b""
        data = ts.archive.read(offset, length)
        if send_gzip:
            headers.append(("Content-Encoding", "gzip"))
        elif ts.gzipped:
            data = gzip.decompress(data)
        headers.append(("Content-Type", MVT))
        headers.append(("Content-Length", str(len(data))))
        return "200 OK", headers, data

    def _locate(self, ts: TileSet, z_s: str, row_s: str, col_s: str) -> tuple[int, int, str]:
        """Validate a tile address: (offset, length, ETag base); _Refused with a 400/404."""
        for name, value in (("tileMatrix", z_s), ("tileRow", row_s), ("tileCol", col_s)):
            if not (value.isascii() and value.isdigit() and len(value) <= MAX_DIGITS):
                raise _Refused(_error("400 BAD REQUEST", "InvalidParameterValue",
                                      f"{name} must be a non-negative integer, not {value!r}"))
        z, row, col = int(z_s), int(row_s), int(col_s)
        limit = ts.limits.get(z)
        if limit is None:
            minzoom, maxzoom = ts.archive.zooms
            raise _Refused(_error("404 NOT FOUND", "NotFound",
                                  f"tileMatrix {z} is outside the zoom range {minzoom}-{maxzoom}"))
        if not (limit[0] <= row <= limit[1] and limit[2] <= col <= limit[3]):
            raise _Refused(_error("404 NOT FOUND", "NotFound",
                                  f"tile {z}/{row}/{col} is outside the tileMatrixSetLimits"))
        found = ts.archive.locate(z, col, row)
        offset, length = found if found is not None else (0, 0)
        return offset, length, f'"{ts.version_tag}-{z}-{row}-{col}'
