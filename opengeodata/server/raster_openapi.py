"""OpenAPI of raster collections: map tile formats and the coverage parameters.

Called by ``openapi_extra.extend``; pure functions changing the given path items in place.
"""

from __future__ import annotations

from typing import Any

from opengeodata.ogc import GEOTIFF
from opengeodata.server.raster_render import (
    DEFAULT_COVERAGE_SIDE,
    MAX_COVERAGE_PIXELS,
    MAX_COVERAGE_SIDE,
    TILE_FORMATS,
)

TILE_PATH = "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}"
BINARY = {"schema": {"type": "string", "format": "binary"}}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "style": "form", "explode": False, "schema": schema}


def add_map_tiles(paths: dict[str, Any], rasters: list[str], only_rasters: bool) -> None:
    """Document png/jpeg/webp map tiles of ``rasters`` on the collection tile paths."""
    names = ", ".join(rasters)
    for path, item in paths.items():
        op = item["get"]
        if only_rasters:
            op["summary"] = op["description"] = op["summary"].replace("Vector tile", "Map tile")
        if path != TILE_PATH:
            continue
        op["summary"] = op["description"] = (
            "A vector tile (f=mvt) or, for raster collections, a 256 px map tile "
            f"(f=png, jpeg or webp, or by Accept; raster collections: {names})")
        for param in op["parameters"]:
            if param.get("name") == "f":
                enum = [] if only_rasters else param["schema"]["enum"]
                param["schema"]["enum"] = [*enum, *TILE_FORMATS]
                param["description"] = ("Tile format: mvt for vector tiles; png (default), "
                                        "jpeg or webp for map tiles of raster collections.")
        content = op["responses"]["200"]["content"]
        if only_rasters:
            content.clear()
        for mime in TILE_FORMATS.values():
            content[mime] = dict(BINARY)
        op["responses"]["200"]["description"] = (
            "The tile: a Mapbox Vector Tile, or a PNG/JPEG/WebP map tile (transparent outside "
            "the data for PNG and WebP).")


def coverage_parameters() -> list[dict[str, Any]]:
    """The query parameters of ``/collections/{id}/coverage`` of a raster collection."""
    number = {"type": "number"}
    return [
        _query("bbox", "Area as minx,miny,maxx,maxy in bbox-crs (default CRS84).",
               {"type": "array", "minItems": 4, "maxItems": 4, "items": number}),
        _query("bbox-crs", "CRS of bbox (URI or EPSG code; default CRS84).",
               {"type": "string"}),
        _query("subset", "Area in subset-crs as E(low:high),N(low:high) (also x/y, Lon/Lat).",
               {"type": "string"}),
        _query("subset-crs", "CRS of subset (default the raster's CRS, EPSG:25832).",
               {"type": "string"}),
        _query("scale-size", "Output size per axis, e.g. E(512) or E(512),N(256); one axis "
               "keeps the aspect ratio.", {"type": "string"}),
        _query("scale-factor", "Divide the native size by this factor (2 = half); the result "
               f"must fit {MAX_COVERAGE_SIDE} px per side and {MAX_COVERAGE_PIXELS:,} px.",
               {"type": "number", "minimum": 0, "exclusiveMinimum": True}),
        _query("width", "Output width in pixels (aspect kept without height).",
               {"type": "integer", "minimum": 1, "maximum": MAX_COVERAGE_SIDE}),
        _query("height", "Output height in pixels (aspect kept without width).",
               {"type": "integer", "minimum": 1, "maximum": MAX_COVERAGE_SIDE}),
        _query("f", "Encoding (case-insensitive): GTiff (default), png, jpeg; json = the CIS "
               "JSON description of the coverage, html = a page with extent and preview.",
               {"type": "string", "enum": ["GTiff", "png", "jpeg", "json", "html"]}),
        _query("v", "The data version the links name: the live one is answered as immutable "
               "(cached a year); another one is redirected (302) to the live one.",
               {"type": "string"}),
    ]


def document_coverage(paths: dict[str, Any], collection_id: str) -> None:
    """Replace pygeoapi's generic parameters/200 answer of a raster collection's coverage."""
    op = paths.get(f"/collections/{collection_id}/coverage", {}).get("get")
    if op is None:
        return
    op["parameters"] = coverage_parameters()
    op["description"] = (
        f"A subset of the coverage in its CRS. Without scale-size/scale-factor/width/height an "
        f"area larger than {DEFAULT_COVERAGE_SIDE} px per side is scaled down to fit (read "
        "from the COG's overviews; response header OGC-Coverage-Scaled). An explicit size of "
        f"more than {MAX_COVERAGE_SIDE} px per side is a 400, of more than "
        f"{MAX_COVERAGE_PIXELS:,} px in all a 413; bbox/subset values that do not map into the "
        "coverage CRS (non-finite, out of range, another celestial body) are a 400 naming the "
        "parameter. Renders are costly: a worker process runs OPENGEODATA_COSTLY_REQUESTS at "
        "once, more are a 503 with Retry-After.")
    op["responses"]["302"] = {"description": "v names another data version than the live "
                                             "one: the same URL with the live version."}
    op["responses"]["413"] = {"description": "The response would exceed the pixel budget."}
    op["responses"]["503"] = {"description": "Busy with other costly requests; retry."}
    op["responses"]["200"] = {
        "description": "The coverage subset (Content-Crs header), or its description.",
        "content": {GEOTIFF: dict(BINARY), "image/png": dict(BINARY),
                    "image/jpeg": dict(BINARY),
                    "application/json": {"schema": {"type": "object"}},
                    "text/html": {"schema": {"type": "string"}}},
    }
