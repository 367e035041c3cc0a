"""Write the bundled sample of ``baeume``: street trees as a Shapefile in CP1252 with .cpg.

The tree cadastre (Baumkataster) lists trees along streets with German and Latin species name,
planting year, crown diameter and height; felled trees stay in the cadastre with status
"gefällt" and are filtered out by the dataset declaration (20,000 standing trees remain).

Run: ``python -m pipelines.samples.baeume datasets/baeume/sample/baeume.shp``
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio

from pipelines.samples.places import STREETS, random_points_in_city

STANDING = 20_000
FELLED = 400

#: German name, Latin name, relative frequency, typical max height (m).
SPECIES: list[tuple[str, str, float, float]] = [
    ("Winter-Linde", "Tilia cordata", 14, 25), ("Sommer-Linde", "Tilia platyphyllos", 6, 28),
    ("Silber-Linde", "Tilia tomentosa", 3, 22), ("Spitz-Ahorn", "Acer platanoides", 12, 22),
    ("Berg-Ahorn", "Acer pseudoplatanus", 7, 26), ("Feld-Ahorn", "Acer campestre", 5, 14),
    ("Stiel-Eiche", "Quercus robur", 9, 30), ("Rot-Eiche", "Quercus rubra", 3, 25),
    ("Ahornblättrige Platane", "Platanus × hispanica", 6, 30),
    ("Hainbuche", "Carpinus betulus", 7, 18), ("Gewöhnliche Rosskastanie",
                                               "Aesculus hippocastanum", 5, 24),
    ("Robinie", "Robinia pseudoacacia", 4, 20), ("Gemeine Esche", "Fraxinus excelsior", 3, 28),
    ("Baum-Hasel", "Corylus colurna", 4, 16),
    ("Schwedische Mehlbeere", "Sorbus intermedia", 3, 12),
    ("Japanische Blütenkirsche", "Prunus serrulata", 2, 9),
    ("Vogel-Kirsche", "Prunus avium", 2, 16),
    ("Ginkgo", "Ginkgo biloba", 1, 18), ("Hänge-Birke", "Betula pendula", 2, 20),
    ("Amberbaum", "Liquidambar styraciflua", 1, 15), ("Zerr-Eiche", "Quercus cerris", 1, 22),
    ("Gleditschie", "Gleditsia triacanthos", 1, 15),
]


def build(seed: int = 2026) -> gpd.GeoDataFrame:
    """Standing and felled trees, clustered along street lines, in EPSG:25832."""
    rng = np.random.default_rng(seed)
    total = STANDING + FELLED
    # trees stand in rows: pick row starts, then step 8-12 m along a random direction
    rows = total // 25
    starts = random_points_in_city(rng, rows)
    angle = rng.uniform(0, np.pi, rows)
    per_row = np.full(rows, total // rows)
    per_row[: total - per_row.sum()] += 1
    row_idx = np.repeat(np.arange(rows), per_row)
    step = np.concatenate([np.arange(n) for n in per_row]) * rng.uniform(8, 12, total)
    xs = starts[row_idx, 0] + np.cos(angle[row_idx]) * step + rng.normal(0, 0.3, total)
    ys = starts[row_idx, 1] + np.sin(angle[row_idx]) * step + rng.normal(0, 0.3, total)
    weights = np.array([s[2] for s in SPECIES], dtype=float)
    # one species per row mostly (avenues), some mixed
    row_species = rng.choice(len(SPECIES), size=rows, p=weights / weights.sum())
    species = np.where(rng.random(total) < 0.85, row_species[row_idx],
                       rng.choice(len(SPECIES), size=total, p=weights / weights.sum()))
    year = rng.integers(1900, 2025, total)
    age = 2026 - year
    max_h = np.array([SPECIES[s][3] for s in species])
    height = np.round(np.clip(max_h * (1 - np.exp(-age / 35)) + rng.normal(0, 1.2, total), 2,
                              None), 1)
    crown = np.round(np.clip(height * rng.uniform(0.4, 0.75, total), 1, None), 1)
    status = np.array(["Bestand"] * total, dtype=object)
    status[rng.choice(total, FELLED, replace=False)] = "gefällt"
    street = np.array(STREETS, dtype=object)[rng.integers(0, len(STREETS), rows)][row_idx]
    return gpd.GeoDataFrame(
        {
            "BAUMNR": [f"{i + 1:06d}" for i in range(total)],
            "ART_DEUTSC": [SPECIES[s][0] for s in species],
            "ART_LATEIN": [SPECIES[s][1] for s in species],
            "PFLANZJAHR": year.astype("int32"),
            "KRONE_M": crown,
            "HOEHE_M": height,
            "STRASSE": street,
            "STATUS": status,
        },
        geometry=gpd.points_from_xy(np.round(xs, 2), np.round(ys, 2)),
        crs="EPSG:25832",
    )


def main(argv: list[str]) -> int:
    """Write the Shapefile (CP1252 DBF with .cpg) to the path given as the only argument."""
    out = Path(argv[0]) if argv else Path("datasets/baeume/sample/baeume.shp")
    out.parent.mkdir(parents=True, exist_ok=True)
    pyogrio.write_dataframe(build(), out, encoding="cp1252", layer_options={"RESIZE": "YES"})
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
