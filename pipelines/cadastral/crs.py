"""CRS of NAS geometries: AdV URNs (``urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH``) and EPSG URNs."""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import shapely
from pyproj import Transformer

from opengeodata.errors import DataValidationError

#: Horizontal AdV CRS names -> EPSG code (heights after ``*`` are ignored for 2D output).
ADV_CRS: dict[str, int] = {
    "ETRS89_UTM32": 25832,
    "ETRS89_UTM33": 25833,
    "DE_DHDN_3GK2": 31466,
    "DE_DHDN_3GK3": 31467,
    "DE_DHDN_3GK4": 31468,
    "DE_DHDN_3GK5": 31469,
    "ETRS89_3GK3": 5677,
    "DE_42-83_3GK4": 2398,
    "DE_42-83_3GK5": 2399,
    "ETRS89_LatLon": 4258,
}
#: Height systems accepted after ``*`` in compound AdV names.
ADV_HEIGHTS = {"DE_DHHN2016_NH", "DE_DHHN92_NH", "DE_DHHN12_NOH", "DE_DHSN82_NH"}

OUTPUT_EPSG = 25832

_EPSG_PATTERNS = (
    re.compile(r"^urn:ogc:def:crs:EPSG:[\d.]*:(\d+)$", re.IGNORECASE),
    re.compile(r"^urn:ogc:def:crs,crs:EPSG:[\d.]*:(\d+)", re.IGNORECASE),
    re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/\d+/(\d+)$", re.IGNORECASE),
    re.compile(r"^EPSG:(\d+)$", re.IGNORECASE),
)


@cache
def epsg_from_srs_name(srs_name: str) -> int:
    """The horizontal EPSG code of an ``srsName``; DataValidationError if unknown."""
    name = srs_name.strip()
    for pattern in _EPSG_PATTERNS:
        match = pattern.match(name)
        if match:
            return int(match.group(1))
    body = name[len("urn:adv:crs:"):] if name.lower().startswith("urn:adv:crs:") else name
    horizontal, _, height = body.partition("*")
    if height and height not in ADV_HEIGHTS:
        raise DataValidationError(f"unknown height system {height!r} in srsName {srs_name!r}")
    if horizontal in ADV_CRS:
        return ADV_CRS[horizontal]
    # regional realisations such as DE_DHDN_3GK3_NI100 belong to their zone
    for key, code in ADV_CRS.items():
        if horizontal.startswith(key + "_"):
            return code
    raise DataValidationError(
        f"unsupported srsName {srs_name!r} (AdV CRS known: {', '.join(sorted(ADV_CRS))}; "
        "or an EPSG URN)"
    )


@cache
def _transformer(source_epsg: int, target_epsg: int) -> Transformer:
    return Transformer.from_crs(source_epsg, target_epsg, always_xy=True)


def transform_geometries(
    geoms: np.ndarray, source_epsg: int, target_epsg: int = OUTPUT_EPSG
) -> np.ndarray:
    """Reproject an array of shapely geometries (coordinates east, north as NAS writes them)."""
    if source_epsg == target_epsg or len(geoms) == 0:
        return geoms
    transformer = _transformer(source_epsg, target_epsg)

    def _apply(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    out: np.ndarray = shapely.transform(geoms, _apply)
    return out
