"""Coordinate reference systems of OGC API Features Part 2: URIs, axis order, transformers."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pyproj
import shapely

from opengeodata.errors import InvalidRequestError

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"
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


@lru_cache(maxsize=1024)
def transform_bbox(bbox: tuple[float, float, float, float], src: str,
                   dst: str) -> tuple[float, float, float, float]:
    """A bbox (in ``src`` axis order) as an x/y envelope in ``dst`` (densified edges)."""
    minx, miny, maxx, maxy = bbox
    if lat_first(src):
        minx, miny, maxx, maxy = miny, minx, maxy, maxx
    if src == dst or pyproj_crs(src).equals(pyproj_crs(dst), ignore_axis_order=True):
        return (minx, miny, maxx, maxy)
    bounds = xy_transformer(src, dst).transform_bounds(minx, miny, maxx, maxy, densify_pts=21)
    return (bounds[0], bounds[1], bounds[2], bounds[3])
