"""Write the bundled sample of ``stadtbezirke``: Hannover's 13 city districts.

Run: ``python -m pipelines.samples.stadtbezirke datasets/stadtbezirke/sample/stadtbezirke.geojson``
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import shapely

from pipelines.samples import district_polygons


def build() -> dict[str, object]:
    """The districts as a GeoJSON FeatureCollection in EPSG:25832 (as the city delivers it)."""
    features = []
    for number, name, poly in district_polygons():
        features.append({
            "type": "Feature",
            "properties": {
                "STADTBEZIRK_NR": number,
                "STADTBEZIRK": name,
                "FLAECHE_HA": round(poly.area / 10_000, 2),
                "STAND": "2026-01-01",
            },
            "geometry": json.loads(shapely.to_geojson(poly)),
        })
    return {
        "type": "FeatureCollection",
        "name": "stadtbezirke",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25832"}},
        "features": features,
    }


def main(argv: list[str]) -> int:
    """Write the sample to the path given as the only argument."""
    out = Path(argv[0]) if argv else Path("datasets/stadtbezirke/sample/stadtbezirke.geojson")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(build(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
