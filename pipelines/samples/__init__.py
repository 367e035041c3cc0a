"""Generators of the bundled sample sources (plausible data over Hannover, EPSG:25832)."""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import Polygon

#: Hannover's city centre (Kröpcke, roughly) in EPSG:25832.
CENTRE = (550_300.0, 5_803_800.0)


def city_outline(seed: int = 13) -> Polygon:
    """A plausible, deterministic city boundary around Hannover (about 204 km2)."""
    rng = np.random.default_rng(seed)
    angles = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    radius_x, radius_y = 9_200.0, 7_300.0
    wobble = 1 + 0.06 * np.sin(3 * angles + 0.4) + rng.uniform(-0.025, 0.025, angles.size)
    xs = CENTRE[0] + radius_x * wobble * np.cos(angles)
    ys = CENTRE[1] + radius_y * wobble * np.sin(angles)
    return shapely.Polygon(np.column_stack([xs, ys]))


#: The 13 city districts (Stadtbezirke): number, name, approximate centre in EPSG:25832.
STADTBEZIRKE: list[tuple[str, str, tuple[float, float]]] = [
    ("01", "Mitte", (550_300, 5_803_700)),
    ("02", "Vahrenwald-List", (551_700, 5_806_600)),
    ("03", "Bothfeld-Vahrenheide", (553_600, 5_810_000)),
    ("04", "Buchholz-Kleefeld", (555_600, 5_805_000)),
    ("05", "Misburg-Anderten", (559_500, 5_804_000)),
    ("06", "Kirchrode-Bemerode-Wülferode", (557_000, 5_798_400)),
    ("07", "Südstadt-Bult", (551_900, 5_801_000)),
    ("08", "Döhren-Wülfel", (552_600, 5_797_400)),
    ("09", "Ricklingen", (547_400, 5_798_600)),
    ("10", "Linden-Limmer", (546_800, 5_802_900)),
    ("11", "Ahlem-Badenstedt-Davenstedt", (543_000, 5_801_600)),
    ("12", "Herrenhausen-Stöcken", (545_200, 5_807_600)),
    ("13", "Nord", (548_900, 5_806_900)),
]


def district_polygons() -> list[tuple[str, str, Polygon]]:
    """The 13 districts as Voronoi cells of their centres, clipped to the city outline."""
    outline = city_outline()
    points = shapely.MultiPoint([c for _, _, c in STADTBEZIRKE])
    cells = shapely.voronoi_polygons(points, extend_to=outline.buffer(5_000))
    out = []
    for number, name, centre in STADTBEZIRKE:
        cell = next(c for c in cells.geoms if c.contains(shapely.Point(centre)))
        clipped = shapely.set_precision(cell.intersection(outline), 0.01)
        out.append((number, name, clipped))
    return out
