"""Helpers for the publishing tests: small generated datasets, CLI runs, live snapshots."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from opengeodata.manifest import sha256_file
from opengeodata.settings import Settings
from opengeodata.store import Store

DECLARATION = """\
id: {id}
title: Test {id}
description: Generated test data.
licence: {{id: dl-de/by-2-0, attribution: Test}}
publisher: {{name: Test}}
contact: {{name: Test}}
source:
  sample: {sample}
  format: GeoJSON
{source_extra}{extra}
"""


def square(x: float, y: float, size: float = 50.0) -> list[list[list[float]]]:
    """A closed square ring around (x, y) in metres."""
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def feature_collection(features: list[dict[str, Any]], crs: str = "EPSG:25832") -> str:
    """GeoJSON text with a named CRS (GDAL reads it) for coordinates in ``crs``."""
    code = crs.split(":")[1]
    return json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{code}"}},
        "features": features,
    })


def polygons(n: int = 5, x0: float = 550_000, y0: float = 5_800_000) -> str:
    """``n`` squares in Hannover (EPSG:25832) with a name, a number and an umlaut."""
    return feature_collection([
        {"type": "Feature",
         "properties": {"name": f"Fläche {i}", "nummer": i, "beschreibung_lang": f"b{i}",
                        "beschreibung_kurz": f"k{i}"},
         "geometry": {"type": "Polygon", "coordinates": square(x0 + 700 * i, y0 + 300 * i)}}
        for i in range(n)
    ])


def points(n: int = 4) -> str:
    """``n`` points in Hannover (EPSG:25832)."""
    return feature_collection([
        {"type": "Feature", "properties": {"name": f"Baum {i}"},
         "geometry": {"type": "Point", "coordinates": [550_000 + 10 * i, 5_800_000 + 10 * i]}}
        for i in range(n)
    ])


def add_dataset(settings: Settings, dataset_id: str, content: str | bytes,
                extra: str = "", suffix: str = ".geojson", source_extra: str = "") -> Path:
    """Write ``datasets/<id>/dataset.yml`` and its sample; returns the sample path."""
    folder = settings.datasets_dir / dataset_id
    (folder / "sample").mkdir(parents=True, exist_ok=True)
    sample = folder / "sample" / f"{dataset_id}{suffix}"
    if isinstance(content, bytes):
        sample.write_bytes(content)
    else:
        sample.write_text(content, encoding="utf-8")
    (folder / "dataset.yml").write_text(DECLARATION.format(
        id=dataset_id, sample=f"sample/{sample.name}", extra=extra, source_extra=source_extra,
    ))
    return sample


def cli_env(settings: Settings) -> dict[str, str]:
    """This process's environment pointing ``opengeodata`` at the test data and datasets dirs."""
    return {**os.environ, "OPENGEODATA_DATA_DIR": str(settings.data_dir),
            "OPENGEODATA_DATASETS_DIR": str(settings.datasets_dir)}


def cli(settings: Settings, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``opengeodata`` in a subprocess against the test data and datasets dirs."""
    env = {**cli_env(settings), "OPENGEODATA_SOURCE_MODE": settings.source_mode}
    return subprocess.run([sys.executable, "-m", "opengeodata.cli", *args], capture_output=True,
                          text=True, env=env, timeout=timeout)


def publish_all(settings: Settings) -> Settings:
    """Refresh every dataset declared in ``settings``; assert each one was published."""
    from opengeodata.declaration import load_all
    from pipelines.runner import run_many

    declared = load_all(settings.datasets_dir)
    results = run_many(declared, settings)
    assert [r.status for r in results] == ["published"] * len(declared), results
    return settings


def live_snapshot(settings: Settings, dataset_id: str) -> dict[str, str]:
    """File name -> SHA-256 of every file of the live version (plus its version name)."""
    live = Store(settings.data_dir).live_dir(dataset_id)
    assert live is not None, f"{dataset_id} has no live version"
    snap = {p.name: sha256_file(p) for p in sorted(live.iterdir())}
    snap["@version"] = live.name
    return snap
