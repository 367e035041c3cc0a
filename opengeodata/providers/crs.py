"""Coordinate reference systems of OGC API Features Part 2: URIs, axis order, transformers."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pyproj
import shapely

from opengeodata.errors import InvalidRequestError
from opengeodata.ogc import CRS84, EPSG_URI

_URI = re.compile(r"^https?://www\.opengis\.net/def/crs/(EPSG|OGC)/[^/]+/([A-Za-z0-9]+)$")
_CURIE = re.compile(r"^\[?(EPSG|OGC):(?:[^:]*:)?([A-Za-z0-9]+)\]?$", re.IGNORECASE)

CoordFunc = Callable[[np.ndarray], np.ndarray]


def normalize_uri(value: str) -> str | None:
    """An OGC CRS URI for a URI or CURIE ('EPSG:4326', '[OGC:CRS84]'), or None."""
    value = value.strip()
    match = _URI.match(value) or _CURIE.match(value)
    if not match:
        return None
    authority, code = match.group(1).upper(), match.group(2)
    if authority == "OGC":
        return CRS84 if code.upper() == "CRS84" else None
    return EPSG_URI.format(code)


def parse_crs(value: str, supported: list[str], parameter: str) -> str:
    """The supported CRS URI named by a `crs`/`bbox-crs`/`filter-crs` value; else 400."""
    uri = normalize_uri(value)
    if uri is None or uri not in supported:
        raise InvalidRequestError(
            f"{parameter}={value!r} is not supported; use one of: {', '.join(supported)}"
        )
    return uri


@lru_cache(maxsize=32)
def pyproj_crs(uri: str) -> pyproj.CRS:
    """The pyproj CRS of an OGC CRS URI."""
    if uri == CRS84:
        return pyproj.CRS.from_user_input("OGC:CRS84")
    return pyproj.CRS.from_epsg(int(uri.rsplit("/", 1)[1]))


@lru_cache(maxsize=32)
def lat_first(uri: str) -> bool:
    """True if the CRS's first axis is northing/latitude (EPSG:4326, EPSG:4258)."""
    axes = pyproj_crs(uri).axis_info
    return bool(axes) and axes[0].direction.lower() in ("north", "south")


@lru_cache(maxsize=64)
def xy_transformer(src: str, dst: str) -> pyproj.Transformer:
    """A cached x/y (always_xy) transformer between two CRS URIs."""
    return pyproj.Transformer.from_crs(pyproj_crs(src), pyproj_crs(dst), always_xy=True)


@lru_cache(maxsize=64)
def coord_func(src: str, dst: str) -> CoordFunc | None:
    """A function mapping (N, 2) coordinates from ``src`` to ``dst`` in their axis orders.

    None if nothing changes. Internally always x/y (lon/lat, easting/northing).
    """
    if src == dst:
        return None
    swap_in, swap_out = lat_first(src), lat_first(dst)
    same = pyproj_crs(src).equals(pyproj_crs(dst), ignore_axis_order=True)
    transformer = None if same else xy_transformer(src, dst)
    if transformer is None and swap_in == swap_out:
        return None

    def func(coords: np.ndarray) -> np.ndarray:
        x, y = (coords[:, 1], coords[:, 0]) if swap_in else (coords[:, 0], coords[:, 1])
        if transformer is not None:
            x, y = transformer.transform(x, y)
        return np.column_stack((y, x) if swap_out else (x, y))

    return func


def transform_geoms(geoms: np.ndarray, src: str, dst: str) -> np.ndarray:
    """Transform an array of shapely geometries between CRS URIs (axis order included)."""
    func = coord_func(src, dst)
    return geoms if func is None else shapely.transform(geoms, func)


#: points per edge of a box transformed into another CRS (a 10 km edge deviates < 1 cm)
BOX_EDGE_POINTS = 64
#: degrees a geographic box may reach beyond the area of use of a projected storage CRS
AREA_MARGIN = 5.0


def _box_xy(bbox: tuple[float, float, float, float], src: str
            ) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = bbox
    if lat_first(src):
        minx, miny, maxx, maxy = miny, minx, maxy, maxx
    return (minx, miny, maxx, maxy)


def _same(src: str, dst: str) -> bool:
    return src == dst or pyproj_crs(src).equals(pyproj_crs(dst), ignore_axis_order=True)


@lru_cache(maxsize=1024)
def transform_bbox(bbox: tuple[float, float, float, float], src: str,
                   dst: str) -> tuple[float, float, float, float]:
    """A bbox (in ``src`` axis order) as an x/y envelope in ``dst`` (densified edges)."""
    minx, miny, maxx, maxy = _box_xy(bbox, src)
    if _same(src, dst):
        return (minx, miny, maxx, maxy)
    bounds = xy_transformer(src, dst).transform_bounds(minx, miny, maxx, maxy, densify_pts=21)
    return (bounds[0], bounds[1], bounds[2], bounds[3])


def _clip_to_area(box: tuple[float, float, float, float], src: str, dst: str
                  ) -> tuple[float, float, float, float] | None:
    """A geographic box cut to the area of use of ``dst`` (plus a margin); None if outside.

    A projected CRS is meaningless far outside its area (UTM folds over beyond 90 degrees from
    its meridian); data stored in it lies inside, so the cut box selects the same features.
    """
    area = pyproj_crs(dst).area_of_use
    if not pyproj_crs(src).is_geographic or pyproj_crs(dst).is_geographic or area is None:
        return box
    west, south, east, north = area.bounds
    if west > east:  # crosses the antimeridian: leave the box as it is
        return box
    cut = (max(box[0], west - AREA_MARGIN), max(box[1], south - AREA_MARGIN),
           min(box[2], east + AREA_MARGIN), min(box[3], north + AREA_MARGIN))
    return cut if cut[0] <= cut[2] and cut[1] <= cut[3] else None


@lru_cache(maxsize=1024)
def bbox_polygon(bbox: tuple[float, float, float, float], src: str,
                 dst: str) -> shapely.Geometry:
    """The area of a bbox (``src`` axis order) in ``dst`` x/y: the exact shape of a box filter.

    In another CRS a box is no rectangle (UTM is turned against lon/lat, lines of latitude are
    curved), so its edges are densified (``BOX_EDGE_POINTS`` each) and transformed. An empty
    polygon if the box lies far outside the area of use of ``dst``, a line for a flat box.
    """
    box = _box_xy(bbox, src)
    if _same(src, dst):
        return shapely.box(*box)
    cut = _clip_to_area(box, src, dst)
    if cut is None:
        return shapely.Polygon()
    minx, miny, maxx, maxy = cut
    steps = np.linspace(0.0, 1.0, BOX_EDGE_POINTS, endpoint=False)
    xs = np.concatenate([minx + steps * (maxx - minx), np.full(steps.size, maxx),
                         maxx - steps * (maxx - minx), np.full(steps.size, minx)])
    ys = np.concatenate([np.full(steps.size, miny), miny + steps * (maxy - miny),
                         np.full(steps.size, maxy), maxy - steps * (maxy - miny)])
    tx, ty = xy_transformer(src, dst).transform(xs, ys)
    ring = np.column_stack([tx, ty])
    if not np.isfinite(ring).all():
        return shapely.box(*transform_bbox(bbox, src, dst))  # cannot be mapped: the envelope
    if minx == maxx or miny == maxy:  # a line or a point: no area
        return shapely.LineString(np.vstack([ring, ring[:1]]))
    poly = shapely.Polygon(ring)
    return poly if poly.is_valid else shapely.make_valid(poly)
