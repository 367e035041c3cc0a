"""Generated parcels over Hannover's extent (EPSG:25832), published through the real pipeline.

``publish_parcels(tmp, n)`` writes a source GeoPackage of ``n`` jittered quadrilateral parcels on
a square grid, a declaration ``parcels`` for it, runs the refresh and returns the settings.
Used by the feature tests (a few thousand parcels) and the benchmark (150,544 = 388 x 388).
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from opengeodata.settings import Settings

EXTENT = (538_000.0, 5_795_000.0, 562_000.0, 5_815_000.0)  # Hannover, EPSG:25832
NUTZUNG = ["Wohnbaufläche", "Gewerbe", "Grünanlage", "Verkehr", "Landwirtschaft", "Wald"]
GEMARKUNGEN = ["Linden", "Döhren", "Kirchrode", "Bothfeld", "Ricklingen", "Vahrenwald"]

DECLARATION = """\
id: parcels
title: Flurstücke (generiert)
description: Generierte Flurstücke über dem Stadtgebiet für Tests und Benchmarks.
licence: {{id: dl-de/by-2-0, attribution: "Landeshauptstadt Hannover"}}
publisher: {{name: Landeshauptstadt Hannover}}
contact: {{name: Geoinformation, email: geoinformation@hannover-stadt.de}}
source:
  kind: vector
  sample: sample/parcels.gpkg
  format: GPKG
id_field: kennzeichen
temporal: {{start: "2020-01-01", field: stand}}
outputs: [{outputs}]
"""


def parcels_frame(n: int, seed: int = 8) -> gpd.GeoDataFrame:
    """``n`` parcels on a grid over EXTENT with typed attributes (some NULLs)."""
    rng = np.random.default_rng(seed)
    side = math.ceil(math.sqrt(n))
    minx, miny, maxx, maxy = EXTENT
    dx, dy = (maxx - minx) / side, (maxy - miny) / side
    idx = np.arange(n)
    col, row = idx % side, idx // side
    x0, y0 = minx + col * dx, miny + row * dy
    jitter = rng.uniform(-0.15, 0.15, size=(n, 4, 2)) * np.array([dx, dy])
    corners = np.stack([
        np.column_stack([x0, y0]), np.column_stack([x0 + dx, y0]),
        np.column_stack([x0 + dx, y0 + dy]), np.column_stack([x0, y0 + dy]),
    ], axis=1) + jitter * 0.5
    rings = np.concatenate([corners, corners[:, :1]], axis=1)
    geoms = shapely.polygons(rings)
    zaehler = rng.integers(1, 999, n)
    nenner = rng.integers(1, 20, n).astype(float)
    nenner[rng.random(n) < 0.3] = np.nan
    days = rng.integers(0, 5 * 365, n)
    stand = (np.datetime64("2020-01-01") + days.astype("timedelta64[D]")).astype(str)
    frame = gpd.GeoDataFrame({
        "kennzeichen": [f"0361{i // 10000:02d}-{i % 1000:03d}-{i:06d}" for i in idx],
        "gemarkung": [GEMARKUNGEN[i % len(GEMARKUNGEN)] for i in idx],
        "flur": (row % 50 + 1).astype("int64"),
        "zaehler": zaehler.astype("int64"),
        "nenner": nenner,
        "flaeche": np.round(shapely.area(geoms), 2),
        "nutzung": rng.choice(NUTZUNG, n),
        "stand": stand,
    }, geometry=geoms, crs="EPSG:25832")
    return frame


def publish_parcels(tmp: Path, n: int, outputs: str = "gpkg",
                    database_url: str | None = None) -> Settings:
    """Publish ``n`` generated parcels as dataset ``parcels`` under ``tmp``; its settings
    (with ``database_url`` also loaded into PostGIS)."""
    from opengeodata.declaration import load_all
    from pipelines.runner import run_many

    root = Path(__file__).resolve().parent.parent
    ds = tmp / "datasets" / "parcels"
    (ds / "sample").mkdir(parents=True, exist_ok=True)
    parcels_frame(n).to_file(ds / "sample" / "parcels.gpkg", layer="parcels", driver="GPKG")
    (ds / "dataset.yml").write_text(DECLARATION.format(outputs=outputs), encoding="utf-8")
    settings = Settings(data_dir=tmp / "data", datasets_dir=tmp / "datasets",
                        config_dir=root / "config", base_url="",
                        database_url=database_url).resolved()
    results = run_many(load_all(settings.datasets_dir), settings)
    if [r.status for r in results] != ["published"]:
        raise RuntimeError(f"publishing parcels failed: {results}")
    return settings
