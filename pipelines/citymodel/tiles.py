"""The 1x1 km download tile grid named after the LGLN convention (``LoD2_32_<E>_<N>_1_ni``)."""

from __future__ import annotations

import math
import re

#: LGLN tile names: LoD<lod>_<UTM zone>_<E km>_<N km>_<size km>_<state>
LGLN_PATTERN = "LoD{lod}_32_{e}_{n}_{size}_ni"
_NAME = re.compile(r"^LoD(\d)_32_(\d+)_(\d+)_(\d+)_ni$")


def tile_origin(x: float, y: float, size_km: int = 1) -> tuple[int, int]:
    """Lower-left corner of the grid cell holding (x, y), in km."""
    return (math.floor(x / 1000 / size_km) * size_km, math.floor(y / 1000 / size_km) * size_km)


def tile_name(x: float, y: float, *, lod: int = 2, size_km: int = 1,
              pattern: str = LGLN_PATTERN, dataset_id: str = "") -> str:
    """Name of the download tile holding (x, y), e.g. ``LoD2_32_550_5800_1_ni``."""
    e, n = tile_origin(x, y, size_km)
    return pattern.format(lod=lod, e=e, n=n, size=size_km, id=dataset_id)


def parse_tile_name(name: str) -> tuple[int, int, int, int] | None:
    """(lod, E km, N km, size km) of an LGLN tile name, or None."""
    match = _NAME.match(name)
    if not match:
        return None
    lod, e, n, size = (int(g) for g in match.groups())
    return lod, e, n, size


def tile_bounds(e_km: int, n_km: int, size_km: int = 1) -> tuple[float, float, float, float]:
    """(minx, miny, maxx, maxy) of a tile in metres (EPSG:25832)."""
    return (e_km * 1000.0, n_km * 1000.0, (e_km + size_km) * 1000.0, (n_km + size_km) * 1000.0)
