"""Place EPSG:25832 + DHHN2016 normal heights on the ellipsoid (EPSG:4979 / EPSG:4978).

Ellipsoidal height h = normal height H + geoid undulation N. The geoid grid is searched in
PROJ's data directories (``PROJ_DATA``/``PROJ_LIB``, pyproj's own, ``/usr/share/proj``):

1. ``de_bkg_gcg2016.tif`` - the German combined quasigeoid GCG2016 (BKG), the reference surface
   of DHHN2016 (from the full PROJ-data package, when installed);
2. ``us_nga_egm08_25.tif``, ``us_nga_egm96_15.tif``, ``egm96_15.gtx`` - the global EGM2008/EGM96
   geoids (Debian's ``proj-data`` ships ``egm96_15.gtx``; a global model, off the German
   quasigeoid by decimetres up to about a metre - far below the 43 m lost without a geoid).

Without any grid :func:`geoid` raises a DataValidationError: buildings are never silently
placed 40 m too low. The setting ``OPENGEODATA_GEOID_GRID`` may name a grid file.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from pyproj import Transformer

from opengeodata.errors import DataValidationError

#: grid file name -> description written into the manifest
GRIDS = {
    "de_bkg_gcg2016.tif": "GCG2016 (German combined quasigeoid, BKG)",
    "us_nga_egm08_25.tif": "EGM2008 (NGA, 2.5' grid)",
    "us_nga_egm96_15.tif": "EGM96 (NGA, 15' grid)",
    "egm96_15.gtx": "EGM96 (NGA, 15' grid)",
}
A = 6378137.0
F = 1 / 298.257222101  # GRS80 (ETRS89)
E2 = F * (2 - F)


@dataclass(frozen=True)
class Geoid:
    """The geoid grid found: its file and a description for the manifest."""

    path: Path
    name: str

    @property
    def label(self) -> str:
        """e.g. ``EGM96 (NGA, 15' grid) [egm96_15.gtx]``."""
        return f"{self.name} [{self.path.name}]"


def _data_dirs() -> list[Path]:
    dirs: list[Path] = []
    for var in ("PROJ_DATA", "PROJ_LIB"):
        dirs.extend(Path(p) for p in os.environ.get(var, "").split(os.pathsep) if p)
    from pyproj.datadir import get_data_dir, get_user_data_dir

    with contextlib.suppress(Exception):  # pyproj without a data dir: the system ones count
        dirs.extend(Path(p) for p in get_data_dir().split(os.pathsep) if p)
        dirs.append(Path(get_user_data_dir()))
    dirs += [Path("/usr/share/proj"), Path("/usr/local/share/proj")]
    return dirs


@cache
def geoid(explicit: Path | None = None) -> Geoid:
    """The geoid grid ``explicit`` (setting ``OPENGEODATA_GEOID_GRID``) or the best one
    available; DataValidationError when there is none."""
    if explicit is not None:
        if not explicit.is_file():
            raise DataValidationError(f"OPENGEODATA_GEOID_GRID: {explicit} is not a file")
        return Geoid(explicit, GRIDS.get(explicit.name, explicit.name))
    dirs = _data_dirs()
    for name, label in GRIDS.items():
        for folder in dirs:
            if (folder / name).is_file():
                return Geoid(folder / name, label)
    raise DataValidationError(
        "3D Tiles: no geoid grid found (looked for "
        f"{', '.join(GRIDS)} in {', '.join(str(d) for d in dirs)}); without it buildings "
        "would float about 40 m too low. Install Debian's proj-data (make install does) or "
        "set OPENGEODATA_GEOID_GRID")


@cache
def _to_geodetic(grid: str) -> Transformer:
    return Transformer.from_pipeline(
        "+proj=pipeline +step +inv +proj=utm +zone=32 +ellps=GRS80 "
        f"+step +proj=vgridshift +grids={grid} +multiplier=1")


def to_geodetic(x: np.ndarray, y: np.ndarray, z: np.ndarray,
                grid: Geoid) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """EPSG:25832 + normal heights -> longitude, latitude (degrees), ellipsoidal height."""
    lon, lat, h = _to_geodetic(str(grid.path)).transform(x, y, z, errcheck=True)
    return np.asarray(lon), np.asarray(lat), np.asarray(h)


def to_ecef(lon: np.ndarray, lat: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Geodetic (degrees, metres) on GRS80 -> ECEF (EPSG:4978) as an (n, 3) array."""
    lam = np.radians(lon)
    phi = np.radians(lat)
    sin_phi = np.sin(phi)
    cos_phi = np.cos(phi)
    n = A / np.sqrt(1 - E2 * sin_phi * sin_phi)
    return np.column_stack(((n + h) * cos_phi * np.cos(lam), (n + h) * cos_phi * np.sin(lam),
                            (n * (1 - E2) + h) * sin_phi))


def ecef_to_geodetic(xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ECEF -> longitude, latitude (degrees), ellipsoidal height (for checks)."""
    x, y, z = xyz[:, 0], xyz[:, 1], xyz[:, 2]
    lon = np.arctan2(y, x)
    p = np.hypot(x, y)
    lat = np.arctan2(z, p * (1 - E2))
    for _ in range(6):
        n = A / np.sqrt(1 - E2 * np.sin(lat) ** 2)
        h = p / np.cos(lat) - n
        lat = np.arctan2(z, p * (1 - E2 * n / (n + h)))
    n = A / np.sqrt(1 - E2 * np.sin(lat) ** 2)
    h = p / np.cos(lat) - n
    return np.degrees(lon), np.degrees(lat), h
