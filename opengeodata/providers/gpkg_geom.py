"""GeoPackage geometry blobs and the spatial helpers of the SQL layer (no SQL here)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from shapely.prepared import PreparedGeometry, prep

ENVELOPE_SIZES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def blob_wkb(blob: bytes) -> bytes:
    """The WKB part of a GeoPackage geometry blob."""
    return blob[8 + ENVELOPE_SIZES[(blob[3] >> 1) & 0x07]:]


def decode_blobs(blobs: list[bytes | None]) -> np.ndarray:
    """GeoPackage geometry blobs -> array of shapely geometries (None stays None)."""
    return shapely.from_wkb([None if b is None else blob_wkb(b) for b in blobs])


@lru_cache(maxsize=256)
def inner_box_of(wkb: bytes) -> tuple[float, float, float, float] | None:
    """:func:`inner_box` of a WKB area, cached (the same bbox comes again and again)."""
    return inner_box(shapely.from_wkb(wkb))


@lru_cache(maxsize=256)
def _prepared(wkb: bytes) -> PreparedGeometry:
    return prep(shapely.from_wkb(wkb))


def sql_intersects(blob: bytes | None, wkb: bytes) -> int:
    """SQLite function ``ogd_intersects(geom_blob, filter_wkb)``: exact intersection test."""
    if blob is None:
        return 0
    return int(_prepared(wkb).intersects(shapely.from_wkb(blob_wkb(blob))))


def inner_box(area: shapely.Geometry) -> tuple[float, float, float, float] | None:
    """A large axis-aligned rectangle inside a nearly rectangular ``area``; None if none.

    Each exterior vertex belongs to the nearest side of the bounds; the rectangle stops at the
    innermost vertex of each side or of its neighbours along the ring (so a side of a slightly
    rotated box also counts the corner that ends it) and is checked to lie within ``area``.
    """
    if not isinstance(area, shapely.Polygon) or area.is_empty:
        return None
    coords = shapely.get_coordinates(area.exterior)[:-1]
    minx, miny, maxx, maxy = area.bounds
    dist = np.column_stack([coords[:, 0] - minx, coords[:, 1] - miny,
                            maxx - coords[:, 0], maxy - coords[:, 1]])
    side = dist.argmin(axis=1)
    inner = []
    for k, (axis, pick) in enumerate(((0, np.max), (1, np.max), (0, np.min), (1, np.min))):
        on_side = side == k
        values = coords[on_side | np.roll(on_side, 1) | np.roll(on_side, -1), axis]
        if values.size == 0:
            return None
        inner.append(float(pick(values)))
    box = (inner[0], inner[1], inner[2], inner[3])
    if box[0] >= box[2] or box[1] >= box[3] or not area.contains(shapely.box(*box)):
        return None
    return box
