"""Elevation models: the geoid undulations that turn their heights ellipsoidal.

A terrain model in DHHN2016 gives normal heights H; 3D viewers (CesiumJS) place everything on
the ellipsoid, h = H + N with the geoid undulation N (about 43 m in Hannover). The pipeline
samples N on a coarse grid over the dataset's extent (the geoid changes by centimetres per
kilometre) and stores it in the version's quality report (``checks.terrain``), so the server
answers terrain tiles without geoid grids of its own and states which geoid it used.

The geoid is the one the 3D Tiles of the city model use (:mod:`pipelines.citymodel.placement`:
GCG2016 where PROJ has it, else EGM2008/EGM96; setting ``OPENGEODATA_GEOID_GRID``), so the
buildings stand on the terrain in the viewer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Transformer

from opengeodata.errors import DataValidationError
from opengeodata.manifest import Extent
from pipelines.citymodel.placement import geoid, to_geodetic

#: samples per axis of the stored undulation grid
GRID_SAMPLES = 9


def terrain_checks(extent: Extent, heights: list[float],
                   geoid_grid: Path | None = None) -> dict[str, Any]:
    """``checks.terrain``: vertical datum, geoid model and undulation grid over the extent."""
    grid = geoid(geoid_grid)
    west, south, east, north = extent.bbox_crs84
    lon, lat = np.meshgrid(np.linspace(west, east, GRID_SAMPLES),
                           np.linspace(north, south, GRID_SAMPLES))  # row 0 = north
    x, y = Transformer.from_crs("OGC:CRS84", "EPSG:25832", always_xy=True).transform(
        lon.ravel(), lat.ravel())
    _, _, undulation = to_geodetic(np.asarray(x), np.asarray(y), np.zeros(lon.size), grid)
    values = undulation.reshape(lon.shape)
    if not np.all(np.isfinite(values)) or np.abs(values).max() > 150:
        raise DataValidationError(f"terrain: geoid grid {grid.path} gives no undulation over "
                                  f"{extent.bbox_crs84}")
    return {
        "vertical_datum": "DHHN2016 (normal heights, EPSG:7837)",
        "geoid": grid.label,
        "heights_m": heights,
        "undulation_grid": {
            "bbox_crs84": [west, south, east, north],
            "rows": [[round(float(v), 3) for v in row] for row in values],
        },
    }
