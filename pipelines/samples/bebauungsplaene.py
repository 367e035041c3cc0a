"""Write the bundled sample of ``bebauungsplaene``: zoning plans as a GeoPackage.

Plans are irregular quadrilaterals of 1-30 ha across the city with plan number, name, legal
status, date of legal force and a link to the plan document; like real data, one plan has a
self-intersecting outline that the pipeline repairs.

Run: ``python -m pipelines.samples.bebauungsplaene OUT.gpkg`` (default: the dataset's sample)
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from pipelines.samples.places import STREETS, random_points_in_city

COUNT = 160
PURPOSES = ["Wohngebiet", "Gewerbegebiet", "Mischgebiet", "Nahversorgung",
            "Sondergebiet Hochschule", "Gemeinbedarf Schule", "Grünfläche", "Urbanes Gebiet"]
DOCUMENT_URL = "https://opengeodata.hannover-stadt.de/bebauungsplaene/bplan_{nr}.pdf"


def build(seed: int = 1745) -> gpd.GeoDataFrame:
    """The plans in EPSG:25832."""
    rng = np.random.default_rng(seed)
    centres = random_points_in_city(rng, COUNT, margin=800)
    numbers = rng.choice(np.arange(100, 1900), size=COUNT, replace=False)
    records = []
    geoms = []
    for i, (cx, cy) in enumerate(centres):
        half_w, half_h = rng.uniform(50, 280, 2)
        corners = np.array([(-half_w, -half_h), (half_w, -half_h), (half_w, half_h),
                            (-half_w, half_h)]) * rng.uniform(0.8, 1.2, (4, 2))
        turn = rng.uniform(0, np.pi)
        rot = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
        ring = corners @ rot.T + (cx, cy)
        if i == 17:  # a bow-tie outline as found in real deliveries
            ring = ring[[0, 2, 1, 3]]
        geoms.append(shapely.Polygon(np.round(ring, 2)))
        status_roll = rng.random()
        status = ("rechtsverbindlich" if status_roll < 0.8 else
                  "im Verfahren" if status_roll < 0.93 else "aufgehoben")
        in_force = None
        if status != "im Verfahren":
            day = dt.date(1955, 1, 1) + dt.timedelta(days=int(rng.integers(0, 25_000)))
            in_force = day.isoformat()
        nr = str(int(numbers[i]))
        street = STREETS[int(rng.integers(len(STREETS)))]
        purpose = PURPOSES[int(rng.integers(len(PURPOSES)))]
        records.append({
            "PLANNR": nr,
            "PLANNAME": f"{purpose} {street}",
            "STATUS": status,
            "RECHTSKRAFT": in_force,
            "DOKUMENT": DOCUMENT_URL.format(nr=nr),
        })
    return gpd.GeoDataFrame(records, geometry=geoms, crs="EPSG:25832")


def main(argv: list[str]) -> int:
    """Write the GeoPackage to the path given as the only argument."""
    out = Path(argv[0]) if argv else Path(
        "datasets/bebauungsplaene/sample/bebauungsplaene.gpkg")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    pyogrio.write_dataframe(build(), out, layer="bplan_geltungsbereiche", driver="GPKG")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
