"""CRS names found in CityGML deliveries, and the horizontal reprojection to EPSG:25832.

Understood spellings (case-insensitive):

- ``EPSG:25832``, ``EPSG:25832+7837``, ``http(s)://www.opengis.net/def/crs/EPSG/0/25832``
- ``urn:ogc:def:crs:EPSG::25832`` and ``urn:ogc:def:crs:EPSG:6.12:25832``
- compound ``urn:ogc:def:crs,crs:EPSG::25832,crs:EPSG::5783`` (also with versions such as
  ``crs:EPSG:6.12:25833``)
- AdV URNs ``urn:adv:crs:ETRS89_UTM32``, ``urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH``, ...
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from opengeodata.errors import DataValidationError

TARGET_EPSG = 25832
TARGET_URI = "https://www.opengis.net/def/crs/EPSG/0/25832"

#: AdV CRS names (GeoInfoDok) -> EPSG code
ADV_HORIZONTAL = {
    "ETRS89_UTM32": 25832,
    "ETRS89_UTM33": 25833,
    "ETRS89_3GK3": 5677,
    "DE_DHDN_3GK2": 31466,
    "DE_DHDN_3GK3": 31467,
    "DE_DHDN_3GK4": 31468,
    "DE_DHDN_3GK5": 31469,
}
ADV_VERTICAL = {
    "DE_DHHN2016_NH": 7837,
    "DE_DHHN92_NH": 5783,
    "DE_DHHN12_NOH": 5785,
}

_EPSG_CODE = re.compile(r"EPSG:(?:[\d.]*:)?(\d+)", re.IGNORECASE)
_OGC_URL = re.compile(r"^https?://www\.opengis\.net/def/crs/EPSG/[\d.]+/(\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class SourceCrs:
    """A parsed CRS name: horizontal EPSG code, optional vertical EPSG code, the original text."""

    horizontal: int
    vertical: int | None
    name: str

    @property
    def needs_reprojection(self) -> bool:
        """True when x/y must be transformed to EPSG:25832."""
        return self.horizontal != TARGET_EPSG


def _split_horizontal_vertical(codes: list[int], name: str) -> tuple[int, int | None]:
    horizontal: int | None = None
    vertical: int | None = None
    for code in codes:
        try:
            crs = CRS.from_epsg(code)
        except CRSError:
            raise DataValidationError(f"unknown EPSG code {code} in CRS name {name!r}") from None
        if crs.is_compound:
            subs = crs.sub_crs_list
            horizontal = int(subs[0].to_epsg() or code)
            vertical = subs[1].to_epsg() if len(subs) > 1 else None
        elif crs.is_vertical:
            vertical = code
        else:
            horizontal = code
    if horizontal is None:
        raise DataValidationError(f"CRS name {name!r} has no horizontal CRS")
    if not CRS.from_epsg(horizontal).is_projected:
        raise DataValidationError(
            f"CRS name {name!r}: EPSG:{horizontal} is not a projected CRS; "
            "3D city models are read in projected coordinates (e.g. EPSG:25832)"
        )
    return horizontal, vertical


@cache
def parse_crs_name(name: str) -> SourceCrs:
    """Parse one srsName; raise DataValidationError for a name that is not understood."""
    text = name.strip()
    low = text.lower()
    if low.startswith("urn:adv:crs:"):
        parts = text[len("urn:adv:crs:"):].split("*")
        horizontal = ADV_HORIZONTAL.get(parts[0].upper())
        vertical = ADV_VERTICAL.get(parts[1].upper()) if len(parts) > 1 else None
        if horizontal is None or (len(parts) > 1 and vertical is None):
            raise DataValidationError(
                f"unknown AdV CRS {name!r} (known: {', '.join(ADV_HORIZONTAL)}; "
                f"heights {', '.join(ADV_VERTICAL)})"
            )
        return SourceCrs(horizontal, vertical, text)
    url = _OGC_URL.match(text)
    if url:
        codes = [int(url.group(1))]
    elif "+" in text and low.startswith("epsg:"):
        codes = [int(c) for c in re.findall(r"\d+", text)]
    else:
        codes = [int(c) for c in _EPSG_CODE.findall(text)]
    if not codes:
        raise DataValidationError(
            f"CRS name {name!r} is not understood (expected e.g. EPSG:25832, "
            "urn:ogc:def:crs:EPSG::25832 or urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH)"
        )
    horizontal, vertical = _split_horizontal_vertical(codes, text)
    return SourceCrs(horizontal, vertical, text)


@cache
def to_target(horizontal: int) -> Transformer:
    """The x/y transformer from a projected EPSG code to EPSG:25832 (heights are kept)."""
    return Transformer.from_crs(
        CRS.from_epsg(horizontal), CRS.from_epsg(TARGET_EPSG), always_xy=True
    )
