"""Fixture data for the web catalogue tests: districts plus a hostile point dataset.

``spielplaetze`` is a small point dataset whose title, description and a feature property carry
script/HTML payloads: every page must show them as text. Both are built by the real pipeline,
vector tiles (``<id>.pmtiles``, layer = dataset id) included.
"""

from __future__ import annotations

import json
from pathlib import Path

from opengeodata.settings import Settings
from opengeodata.store import Store
from tests.conftest import make_settings
from tests.publish_util import publish_all

XSS_TITLE = "<script>alert(1)</script>"
XSS_ATTR = '"><img src=x onerror=alert(1)>'
HOSTILE_ID = "spielplaetze"

#: (name, lon, lat) of the sample playgrounds; the first one is the feature the tests click.
PLAYGROUNDS = [
    (f"Spielplatz Maschpark {XSS_ATTR}", 9.7360, 52.3655),
    ("Spielplatz Eilenriede", 9.7800, 52.3850),
    ("Spielplatz Georgengarten", 9.7050, 52.3880),
    ("Spielplatz Südstadt", 9.7600, 52.3550),
    ("Spielplatz Linden-Nord", 9.7150, 52.3750),
]

HOSTILE_YML = f"""\
id: {HOSTILE_ID}
title: 'Spielplätze {XSS_TITLE}'
title_en: 'Playgrounds {XSS_TITLE}'
description: 'Öffentliche Spielplätze in Hannover. {XSS_ATTR}'
keywords: [Spielplatz, Freizeit, Grünfläche]
theme: environment
licence:
  id: CC-BY-4.0
  attribution: 'Landeshauptstadt Hannover {XSS_ATTR}'
publisher: {{name: Landeshauptstadt Hannover}}
contact: {{name: 'Fachbereich Umwelt und Stadtgrün', email: umwelt@hannover-stadt.de}}
source:
  sample: sample/spielplaetze.geojson
  format: GeoJSON
fields:
  - {{name: name, type: string, description: 'Name des Spielplatzes {XSS_TITLE}'}}
  - {{name: flaeche_m2, type: number, description: Fläche in Quadratmetern}}
tiles: {{minzoom: 8, maxzoom: 14}}
"""


def write_hostile_dataset(datasets_dir: Path) -> None:
    """Declare ``spielplaetze`` with its bundled GeoJSON sample."""
    folder = datasets_dir / HOSTILE_ID
    (folder / "sample").mkdir(parents=True, exist_ok=True)
    (folder / "dataset.yml").write_text(HOSTILE_YML, encoding="utf-8")
    features = [
        {"type": "Feature", "properties": {"name": name, "flaeche_m2": 800 + 100 * i},
         "geometry": {"type": "Point", "coordinates": [lon, lat]}}
        for i, (name, lon, lat) in enumerate(PLAYGROUNDS)
    ]
    sample = {"type": "FeatureCollection", "features": features}
    (folder / "sample" / "spielplaetze.geojson").write_text(json.dumps(sample), encoding="utf-8")


def build_site(tmp: Path, basemap: bool = False) -> Settings:
    """Publish ``stadtbezirke`` and the hostile ``spielplaetze``, both with PMTiles (and with
    ``basemap`` the city map ``stadtkarte``, the base layer of the map previews)."""
    settings = make_settings(tmp, ["stadtbezirke", *(["stadtkarte"] if basemap else [])])
    write_hostile_dataset(settings.datasets_dir)
    publish_all(settings)
    store = Store(settings.data_dir)
    for dataset_id in ("stadtbezirke", HOSTILE_ID):
        manifest = store.live_manifest(dataset_id)
        assert manifest is not None and manifest.output("pmtiles"), f"{dataset_id}: no PMTiles"
    return settings
