"""Verification of CityJSON outputs counts top-level city objects, streamed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opengeodata.errors import PublishError
from opengeodata.manifest import OutputFile, sha256_file
from pipelines.verify import verify_output


def _doc() -> dict[str, object]:
    return {
        "type": "CityJSON", "version": "2.0",
        "transform": {"scale": [0.001, 0.001, 0.001], "translate": [0, 0, 0]},
        "CityObjects": {
            "b1": {"type": "Building", "children": ["b1p1"]},
            "b1p1": {"type": "BuildingPart", "parents": ["b1"]},
            "b2": {"type": "Building"},
        },
        "vertices": [],
    }


def _output(path: Path, features: int) -> OutputFile:
    return OutputFile(name=path.name, format="cityjson", media_type="application/city+json",
                      size=path.stat().st_size, sha256=sha256_file(path), features=features)


def test_cityjson_counts_buildings_not_parts(tmp_path: Path) -> None:
    path = tmp_path / "x.city.json"
    path.write_text(json.dumps(_doc()))
    verify_output(tmp_path, _output(path, 2), "x")
    with pytest.raises(PublishError, match="holds 2 features"):
        verify_output(tmp_path, _output(path, 3), "x")


def test_not_cityjson_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.city.json"
    path.write_text(json.dumps({**_doc(), "type": "FeatureCollection"}))
    with pytest.raises(PublishError, match="not a CityJSON document"):
        verify_output(tmp_path, _output(path, 2), "x")
