"""WebMercatorQuad (OGC 2D Tile Matrix Set, morecantile's definition): tiles of a lon/lat box."""

from __future__ import annotations

from functools import cache
from typing import Any

import morecantile

TMS_ID = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
CRS_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@cache
def web_mercator_quad() -> morecantile.TileMatrixSet:
    """morecantile's WebMercatorQuad."""
    return morecantile.tms.get(TMS_ID)


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """(col, row) of the tile holding lon/lat at zoom z (clamped to the matrix)."""
    tms = web_mercator_quad()
    tile = tms.tile(lon, lat, z, truncate=True)
    matrix = tms.matrix(z)
    return (min(matrix.matrixWidth - 1, max(0, tile.x)),
            min(matrix.matrixHeight - 1, max(0, tile.y)))


def tile_bounds(z: int, col: int, row: int) -> tuple[float, float, float, float]:
    """minlon, minlat, maxlon, maxlat of a tile."""
    box = web_mercator_quad().bounds(morecantile.Tile(col, row, z))
    return box.left, box.bottom, box.right, box.top


def limits(bounds: tuple[float, float, float, float], minzoom: int,
           maxzoom: int) -> dict[int, tuple[int, int, int, int]]:
    """zoom -> (min_row, max_row, min_col, max_col) of the tiles covering ``bounds``."""
    minlon, minlat, maxlon, maxlat = bounds
    out = {}
    for z in range(minzoom, maxzoom + 1):
        min_col, min_row = lonlat_to_tile(minlon, maxlat, z)
        max_col, max_row = lonlat_to_tile(maxlon, minlat, z)
        out[z] = (min_row, max_row, min_col, max_col)
    return out


def limits_json(lims: dict[int, tuple[int, int, int, int]]) -> list[dict[str, Any]]:
    """``tileMatrixSetLimits`` as in OGC API Tiles."""
    return [
        {"tileMatrix": str(z), "minTileRow": r0, "maxTileRow": r1, "minTileCol": c0,
         "maxTileCol": c1}
        for z, (r0, r1, c0, c1) in sorted(lims.items())
    ]
