"""Elevation models: checks and the geoid undulations that turn their heights ellipsoidal.

A terrain model in DHHN2016 gives normal heights H; 3D viewers (CesiumJS) place everything on
the WGS84/GRS80 ellipsoid, h = H + N with the geoid undulation N (about 43 m in Hannover). The
pipeline samples N on a coarse grid over the dataset's extent (the geoid changes by centimetres
per kilometre) and stores it in the version's quality report (``checks.terrain``), so the server
answers terrain tiles without geoid grids of its own and states which geoid it used.

The geoid grid is the one the 3D Tiles of the city model use: GCG2016 where PROJ has it, else
EGM2008/EGM96 (Debian's ``proj-data`` ships ``egm96_15.gtx``), see :data:`GRIDS`.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Transformer

from opengeodata.errors import DataValidationError
from opengeodata.manifest import Extent

#: geoid grid file -> model name, best first (the order the 3D Tiles placement uses)
GRIDS = {
    "de_bkg_gcg2016.tif": "GCG2016 (German combined quasigeoid, BKG)",
    "us_nga_egm08_25.tif": "EGM2008 (NGA, 2.5' grid)",
    "us_nga_egm96_15.tif": "EGM96 (NGA, 15' grid)",
    "egm96_15.gtx": "EGM96 (NGA, 15' grid)",
}
#: samples per axis of the stored undulation grid
GRID_SAMPLES = 9


def _data_dirs() -> list[Path]:
    dirs = [Path(p) for var in ("PROJ_DATA", "PROJ_LIB")
            for p in os.environ.get(var, "").split(os.pathsep) if p]
    from pyproj.datadir import get_data_dir, get_user_data_dir

    dirs += [Path(p) for p in get_data_dir().split(os.pathsep) if p]
    dirs += [Path(get_user_data_dir()), Path("/usr/share/proj"), Path("/usr/local/share/proj")]
    return dirs


@cache
def geoid_grid() -> tuple[Path, str]:
    """(file, model name) of the best geoid grid found; DataValidationError without one."""
    dirs = _data_dirs()
    for name, label in GRIDS.items():
        for folder in dirs:
            if (folder / name).is_file():
                return folder / name, label
    raise DataValidationError(
        f"terrain: no geoid grid found (looked for {', '.join(GRIDS)} in "
        f"{', '.join(str(d) for d in dirs)}); install Debian's proj-data")


def undulations(lon: np.ndarray, lat: np.ndarray, grid: Path) -> np.ndarray:
    """Geoid undulation N (m) at the given geographic coordinates (degrees)."""
    shift = Transformer.from_pipeline(
        f"+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
        f"+step +proj=vgridshift +grids={grid} +multiplier=1 "
        f"+step +proj=unitconvert +xy_in=rad +xy_out=deg")
    _, _, h = shift.transform(lon, lat, np.zeros_like(lon), errcheck=True)
    return np.asarray(h, dtype=np.float64)


def terrain_checks(extent: Extent, heights: list[float]) -> dict[str, Any]:
    """``checks.terrain``: vertical datum, geoid model and undulation grid over the extent."""
    grid, model = geoid_grid()
    west, south, east, north = extent.bbox_crs84
    lons = np.linspace(west, east, GRID_SAMPLES)
    lats = np.linspace(north, south, GRID_SAMPLES)  # row 0 = north
    lon, lat = np.meshgrid(lons, lats)
    values = undulations(lon.ravel(), lat.ravel(), grid).reshape(lon.shape)
    if not np.all(np.isfinite(values)) or np.abs(values).max() > 150:
        raise DataValidationError(f"terrain: geoid grid {grid} gives no undulation over "
                                  f"{extent.bbox_crs84}")
    return {
        "vertical_datum": "DHHN2016 (normal heights, EPSG:7837)",
        "geoid": f"{model} [{grid.name}]",
        "heights_m": heights,
        "undulation_grid": {
            "bbox_crs84": [west, south, east, north],
            "rows": [[round(float(v), 3) for v in row] for row in values],
        },
    }
