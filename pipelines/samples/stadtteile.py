"""Write the bundled sample of ``stadtteile``: Hannover's 51 quarters as GML 3.2.

Each district polygon of :func:`pipelines.samples.district_polygons` is split into its real
quarters (Voronoi cells of seed points inside the district, clipped to it), so every quarter
lies inside its district and the quarters of a district tile it exactly.

Run: ``python -m pipelines.samples.stadtteile datasets/stadtteile/sample/stadtteile.gml``
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely
from shapely.geometry import Polygon

from pipelines.samples import district_polygons

#: The 51 quarters (Stadtteile) of each district (Stadtbezirk number).
STADTTEILE: dict[str, list[str]] = {
    "01": ["Mitte", "Calenberger Neustadt", "Oststadt", "Zoo"],
    "02": ["Vahrenwald", "List"],
    "03": ["Bothfeld", "Isernhagen-Süd", "Lahe", "Sahlkamp", "Vahrenheide"],
    "04": ["Groß-Buchholz", "Heideviertel", "Kleefeld"],
    "05": ["Misburg-Nord", "Misburg-Süd", "Anderten"],
    "06": ["Kirchrode", "Bemerode", "Wülferode"],
    "07": ["Südstadt", "Bult"],
    "08": ["Döhren", "Seelhorst", "Waldhausen", "Waldheim", "Wülfel", "Mittelfeld"],
    "09": ["Ricklingen", "Oberricklingen", "Mühlenberg", "Wettbergen", "Bornum"],
    "10": ["Linden-Nord", "Linden-Mitte", "Linden-Süd", "Limmer"],
    "11": ["Ahlem", "Badenstedt", "Davenstedt"],
    "12": ["Herrenhausen", "Burg", "Leinhausen", "Ledeburg", "Stöcken", "Marienwerder",
           "Nordhafen"],
    "13": ["Nordstadt", "Hainholz", "Vinnhorst", "Brink-Hafen"],
}


def _seeds(poly: Polygon, count: int, rng: np.random.Generator) -> list[shapely.Point]:
    """``count`` well-spread points inside ``poly`` (farthest-point sampling of candidates)."""
    minx, miny, maxx, maxy = poly.bounds
    cand = rng.uniform((minx, miny), (maxx, maxy), size=(4000, 2))
    inside = cand[shapely.contains_xy(poly, cand[:, 0], cand[:, 1])]
    centre = np.array(poly.representative_point().coords[0])
    chosen = [centre]
    for _ in range(count - 1):
        dist = np.min(np.linalg.norm(inside[:, None, :] - np.array(chosen)[None], axis=2), axis=1)
        chosen.append(inside[int(np.argmax(dist))])
    return [shapely.Point(p) for p in chosen]


def quarters() -> list[tuple[str, str, str, str, Polygon]]:
    """(quarter number, quarter name, district number, district name, polygon) for all 51."""
    rng = np.random.default_rng(51)
    out = []
    number = 0
    for bezirk_nr, bezirk, poly in district_polygons():
        names = STADTTEILE[bezirk_nr]
        seeds = _seeds(poly, len(names), rng)
        cells = shapely.voronoi_polygons(shapely.MultiPoint(seeds), extend_to=poly.buffer(1000))
        for name, seed in zip(names, seeds, strict=True):
            cell = next(c for c in cells.geoms if c.contains(seed))
            part = shapely.set_precision(cell.intersection(poly), 0.01)
            if part.geom_type != "Polygon":  # keep the part holding the seed
                part = next(g for g in part.geoms if g.buffer(1).contains(seed))
            number += 1
            out.append((f"{number:02d}", name, bezirk_nr, bezirk, part))
    return out


def build() -> gpd.GeoDataFrame:
    """The quarters as a frame with the attribute names of the city's delivery."""
    rows = quarters()
    return gpd.GeoDataFrame(
        {
            "STADTTEIL_NR": [r[0] for r in rows],
            "STADTTEIL": [r[1] for r in rows],
            "STADTBEZIRK_NR": [r[2] for r in rows],
            "STADTBEZIRK": [r[3] for r in rows],
            "FLAECHE_HA": [round(r[4].area / 10_000, 2) for r in rows],
        },
        geometry=[r[4] for r in rows],
        crs="EPSG:25832",
    )


def main(argv: list[str]) -> int:
    """Write the sample as GML 3.2 (with its .xsd) to the path given as the only argument."""
    out = Path(argv[0]) if argv else Path("datasets/stadtteile/sample/stadtteile.gml")
    out.parent.mkdir(parents=True, exist_ok=True)
    for old in (out, out.with_suffix(".xsd"), out.with_suffix(".gfs")):
        old.unlink(missing_ok=True)
    pyogrio.write_dataframe(build(), out, layer="stadtteile", driver="GML",
                            dataset_options={"FORMAT": "GML3.2"})
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
