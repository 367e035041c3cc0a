"""OGC API Tiles (map tiles) and Coverages for raster collections, read live from the COG.

The dispatcher (``opengeodata.server.dispatch``) routes the ``tiles``, ``tileset``, ``tile``
and ``coverage`` sub-paths of collections of kind ``raster`` here (:func:`register`).

- ``/collections/{id}/tiles`` and ``/collections/{id}/tiles/WebMercatorQuad``: tileset list and
  metadata (``dataType: map``).
- ``/collections/{id}/tiles/WebMercatorQuad/{z}/{y}/{x}?f=png|jpeg|webp`` (or Accept): a
  256 px map tile. Malformed indexes: 400. A tile of the matrix that does not touch the data
  (or is too deep) : 404, as OGC API Tiles allows; tiles on the edge are transparent outside
  the data (PNG, WebP). ETag per COG checksum, tile and format; Cache-Control. The links'
  tile URLs carry the live version (``&v=``): immutable; another version is redirected
  (:mod:`opengeodata.versioned`); coverage and terrain URLs with ``v`` alike.
- ``/collections/{id}/coverage?bbox=..&bbox-crs=..&subset=E(a:b),N(c:d)&subset-crs=..
  &scale-size=E(w),N(h)|scale-factor=f|width=&height=&f=GTiff|png|jpeg``: a subset in the
  raster's CRS (EPSG:25832). Without scale-size/scale-factor/width/height an area above the
  size limit is scaled down to fit (header ``OGC-Coverage-Scaled``), so the plain links work.
  ``f=json`` / ``f=html``: the coverage description (CIS 1.1 JSON) / an HTML page of it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import Response, request
from rio_tiler.io import Reader

from opengeodata import versioned
from opengeodata.blob import as_blob
from opengeodata.declaration import RasterSettings
from opengeodata.errors import InvalidRequestError, NotFoundError
from opengeodata.ogc import EPSG_URI, TMS_URI
from opengeodata.published import RASTER, Collection
from opengeodata.server.costly import Gate
from opengeodata.server.dispatch import Dispatcher, SubPath
from opengeodata.server.raster_describe import describe, describe_html, domain_set, range_type
from opengeodata.server.raster_render import (
    CRS84,
    CRS84_RIO,
    DEFAULT_COVERAGE_SIDE,
    TILE_FORMATS,
    TMS_ID,
    Cog,
    ReaderCache,
    coverage_args,
    coverage_request,
    render_coverage,
    render_tile,
    tile_format,
    tile_index,
    tileset_limits,
)
from opengeodata.server.raster_terrain import (
    HEIGHTMAP_MEDIA_TYPE,
    Terrain,
    heightmap_tile,
    render_hillshade,
    terrain_index,
    terrain_metadata,
)
from opengeodata.server.state import ServerState

#: set when a coverage request without scaling was scaled down to the size limit
SCALED_HEADER = "OGC-Coverage-Scaled"


def cog_of(coll: Collection) -> Cog:
    """The COG of a raster collection."""
    cov = coll.coverage
    if cov is None:
        raise NotFoundError(f"collection {coll.id!r} has no coverage")
    blob = as_blob(cov.source)
    return Cog(coll.id, blob.gdal_path, cov.sha256, cov.crs,
               tuple(sorted(blob.gdal_options().items())))


def _cached(body: bytes, mimetype: str, etag: str, max_age: int | str) -> Response:
    """An answer with ETag (304 on a match); ``max_age`` seconds or a whole Cache-Control."""
    response = Response(body, mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Cache-Control"] = (max_age if isinstance(max_age, str)
                                         else f"public, max-age={max_age}")
    response.make_conditional(request)
    return response


def pinned(coll: Collection, max_age: int) -> int | str | Response:
    """The caching of this request by its ``v`` (see :mod:`opengeodata.versioned`): the
    immutable Cache-Control for the live version, ``max_age`` without ``v``, else the
    never-cached redirect to the live version (to be returned as the answer)."""
    kind = versioned.verdict(request.args.get(versioned.PARAM), coll.version)
    if kind == "live":
        return versioned.IMMUTABLE
    if kind == "unversioned":
        return max_age
    response = Response(status=302)
    response.headers["Location"] = versioned.redirect_location(
        request.path, request.query_string.decode("utf-8", "replace"), coll.version)
    response.headers["Cache-Control"] = versioned.REDIRECT_CACHE_CONTROL
    return response


#: coverage responses above this many pixels are costly requests (see server.costly)
COSTLY_COVERAGE_PIXELS = 1024 * 1024


def register(dispatcher: Dispatcher, state: ServerState, costly: Gate | None = None) -> None:
    """Map tiles, tileset metadata and coverages of raster collections."""
    readers = ReaderCache()
    state.on_close(readers.close)  # at worker exit, before the interpreter's shutdown
    gate = costly or Gate(state.settings.costly_requests)
    max_age = state.settings.cache_max_age

    def base(dataset_id: str) -> str:
        return f"{state.base_url}/collections/{dataset_id}"

    def tileset(cog: Cog, version: str) -> dict[str, Any]:
        reader = readers.get(cog)
        bounds = reader.get_geographic_bounds(CRS84_RIO)
        href = f"{base(cog.dataset)}/tiles/{TMS_ID}"
        return {
            "title": f"{cog.dataset} ({TMS_ID})",
            "dataType": "map",
            "crs": EPSG_URI.format(3857),
            "tileMatrixSetURI": TMS_URI,
            "tileMatrixSetLimits": tileset_limits(reader),
            "boundingBox": {"lowerLeft": list(bounds[:2]), "upperRight": list(bounds[2:]),
                            "crs": CRS84},
            "links": [
                {"rel": "self", "type": "application/json", "href": href,
                 "title": "this tileset"},
                {"rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme",
                 "type": "application/json", "href": f"{state.base_url}/TileMatrixSets/{TMS_ID}",
                 "title": TMS_ID},
                *({"rel": "item", "type": mime, "templated": True,
                   "title": f"map tiles ({fmt.upper()})",
                   "href": versioned.with_version(
                       f"{href}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}?f={fmt}", version)}
                  for fmt, mime in TILE_FORMATS.items()),
            ],
        }

    def collection_tiles(coll: Collection) -> Response:
        cog, collection_id = cog_of(coll), coll.id
        body = {
            "links": [{"rel": "self", "type": "application/json",
                       "href": f"{base(collection_id)}/tiles"}],
            "tilesets": [tileset(cog, coll.version)],
        }
        return _json(body)

    def collection_tiles_metadata(coll: Collection, tms_id: str) -> Response:
        cog = cog_of(coll)
        if tms_id != TMS_ID:
            raise NotFoundError(f"tile matrix set {tms_id!r} is not offered; use {TMS_ID}")
        return _json(tileset(cog, coll.version))

    def collection_tile(coll: Collection, tms_id: str, tile_matrix: str, tile_row: str,
                        tile_col: str) -> Response:
        cog = cog_of(coll)
        if tms_id != TMS_ID:
            raise NotFoundError(f"tile matrix set {tms_id!r} is not offered; use {TMS_ID}")
        z, y, x = tile_index(tile_matrix, tile_row, tile_col)
        fmt = tile_format(request.args.get("f"), request.headers.get("Accept"))
        caching = pinned(coll, max_age)
        if isinstance(caching, Response):
            return caching
        etag = f"{cog.sha256[:20]}-{z}-{y}-{x}-{fmt}"
        if etag in request.if_none_match:
            return _cached(b"", TILE_FORMATS[fmt], etag, caching)
        if raster_settings(coll).render == "hillshade":
            body = render_hillshade(readers.get(cog), z, y, x, fmt)
        else:
            body = render_tile(readers.get(cog), z, y, x, fmt)
        response = _cached(body, TILE_FORMATS[fmt], etag, caching)
        if not request.args.get("f"):
            response.headers["Vary"] = "Accept"
        return response

    def collection_coverage(coll: Collection) -> Response:
        cog, collection_id = cog_of(coll), coll.id
        args = coverage_args(request.args)
        reader = readers.get(cog)
        fmt = (args.get("f") or "").strip().lower()
        if fmt in ("json", "html"):
            href = f"{base(collection_id)}/coverage"
            desc = describe(reader, cog.crs, href, collection_id, coll.version)
            if fmt == "json":
                return _json(desc)
            return Response(describe_html(desc, collection_id), mimetype="text/html")
        caching = pinned(coll, max_age)
        if isinstance(caching, Response):
            return caching
        req = coverage_request(args, reader, cog.crs)
        query = hashlib.sha256(repr(req).encode()).hexdigest()[:16]
        etag = f"{cog.sha256[:20]}-{query}"
        if etag in request.if_none_match:
            return _cached(b"", req.media_type, etag, caching)
        if req.width * req.height > COSTLY_COVERAGE_PIXELS:  # big renders take a slot
            with gate.slot("coverage"):
                body = render_coverage(reader, req, cog.crs)
        else:  # block-sized requests (GDAL's OGCAPI driver asks in parallel) are cheap
            body = render_coverage(reader, req, cog.crs)
        response = _cached(body, req.media_type, etag, caching)
        code = cog.crs.split(":")[-1]
        response.headers["Content-Crs"] = f"<{EPSG_URI.format(code)}>"
        response.headers["Content-Disposition"] = (
            f'inline; filename="{collection_id}_coverage.{req.extension}"')
        if req.scaled_from is not None:
            native_w, native_h = req.scaled_from
            response.headers[SCALED_HEADER] = (
                f"{native_w}x{native_h} px scaled to {req.width}x{req.height} px (without "
                f"scale-size a response has at most {DEFAULT_COVERAGE_SIDE} px per side; use "
                "subset/bbox or scale-size)")
        return response

    def collection_terrain(coll: Collection) -> Response:
        cog, terrain = _terrain_of(coll)
        return _json(terrain_metadata(readers.get(cog), terrain, base(coll.id), coll.version))

    def collection_terrain_tile(coll: Collection, level: str, tile_x: str,
                                tile_y: str) -> Response:
        cog, terrain = _terrain_of(coll)
        z, x, y = terrain_index(level, tile_x, tile_y)
        caching = pinned(coll, max_age)
        if isinstance(caching, Response):
            return caching
        etag = f"{cog.sha256[:20]}-t{z}-{x}-{y}"
        if etag in request.if_none_match:
            return _cached(b"", HEIGHTMAP_MEDIA_TYPE, etag, caching)
        body = heightmap_tile(readers.get(cog), z, x, y, terrain.undulation, terrain.floor)
        return _cached(body, HEIGHTMAP_MEDIA_TYPE, etag, caching)

    dispatcher.handle(RASTER, "tiles", collection_tiles)
    dispatcher.handle(RASTER, "tileset", collection_tiles_metadata)
    dispatcher.handle(RASTER, "tile", collection_tile)

    def coverage_part(part: Callable[[Reader, Cog], dict[str, Any]]) -> Callable[..., Response]:
        """A handler answering one part of the coverage description as JSON."""

        def view(coll: Collection) -> Response:
            cog = cog_of(coll)
            args = coverage_args(request.args)
            if (args.get("f") or "json").lower() != "json" or set(args) - {"f", "lang"}:
                raise InvalidRequestError("the domain set and range type are JSON (f=json) "
                                          "and take no other parameter")
            return _cached(json.dumps(part(readers.get(cog), cog)).encode(),
                           "application/json", f"{cog.sha256[:20]}-{part.__name__}", max_age)
        return view

    def domainset(reader: Reader, cog: Cog) -> dict[str, Any]:
        return domain_set(reader, cog.crs)

    def rangetype(reader: Reader, cog: Cog) -> dict[str, Any]:
        return range_type(reader)

    dispatcher.handle(RASTER, "coverage", collection_coverage)
    for name, part in (("domainset", domainset), ("rangetype", rangetype)):
        dispatcher.add_subpath(SubPath(f"/coverage/{name}", f"coverage-{name}",
                                       what="coverage"))
        dispatcher.handle(RASTER, f"coverage-{name}", coverage_part(part))
    dispatcher.add_subpath(SubPath("/terrain", "terrain", what="terrain"))
    dispatcher.add_subpath(SubPath("/terrain/<level>/<tile_x>/<tile_y>", "terrain_tile",
                                   what="terrain"))
    dispatcher.handle(RASTER, "terrain", collection_terrain)
    dispatcher.handle(RASTER, "terrain_tile", collection_terrain_tile)


def raster_settings(coll: Collection) -> RasterSettings:
    """The declared raster settings of a collection (defaults without a declaration)."""
    return coll.dataset.decl.raster if coll.dataset is not None else RasterSettings()


def _terrain_of(coll: Collection) -> tuple[Cog, Terrain]:
    if coll.manifest is None or not raster_settings(coll).terrain:
        raise NotFoundError(f"collection {coll.id!r} has no terrain tiles (only elevation "
                            "models declared with raster.terrain have)")
    return cog_of(coll), Terrain.from_manifest(coll.id, coll.manifest)


def _json(body: dict[str, Any]) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
