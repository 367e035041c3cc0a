"""WebMercatorQuad (OGC 2D Tile Matrix Set) helpers: tile ranges of a lon/lat box."""

from __future__ import annotations

import math
from typing import Any

TMS_ID = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
CRS_3857 = "http://www.opengis.net/def/crs/EPSG/0/3857"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
MAX_LAT = 85.0511287798066


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    """(col, row) of the tile holding lon/lat at zoom z."""
    n = 1 << z
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    x = (lon + 180.0) / 360.0 * n
    rad = math.radians(lat)
    y = (1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * n
    return min(n - 1, max(0, int(x))), min(n - 1, max(0, int(y)))


def tile_bounds(z: int, col: int, row: int) -> tuple[float, float, float, float]:
    """minlon, minlat, maxlon, maxlat of a tile."""
    n = 1 << z

    def lat(r: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * r / n))))

    return col / n * 360 - 180, lat(row + 1), (col + 1) / n * 360 - 180, lat(row)


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
