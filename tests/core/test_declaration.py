"""Dataset declarations: validation errors name file, key and problem."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from opengeodata.declaration import Dataset, json_schema, load_all, load_declaration
from opengeodata.errors import DeclarationError
from tests.conftest import DATASETS


def test_every_bundled_declaration_is_valid() -> None:
    declared = load_all(DATASETS)
    assert "stadtbezirke" in [d.decl.id for d in declared]
    for dataset in declared:
        assert dataset.decl.licence.attribution
        assert len(dataset.sha256) == 64


def _write(tmp_path: Path, mutate: dict[str, object] | None = None,
           drop: str | None = None) -> Path:
    raw = yaml.safe_load((DATASETS / "stadtbezirke" / "dataset.yml").read_text())
    raw.update(mutate or {})
    if drop:
        raw.pop(drop)
    folder = tmp_path / "stadtbezirke"
    (folder / "sample").mkdir(parents=True)
    (folder / "sample" / "stadtbezirke.geojson").write_text("{}")
    path = folder / "dataset.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    return path


@pytest.mark.parametrize(
    ("mutate", "drop", "key", "problem"),
    [
        ({"colour": "red"}, None, "colour", "unknown key"),
        (None, "source", "source", "required key is missing"),
        ({"keep_versions": "many"}, None, "keep_versions", "integer"),
        ({"source": {"sample": "sample/missing.geojson", "format": "GeoJSON"}}, None,
         "source.sample", "does not exist"),
        ({"source": {"format": "GeoJSON"}}, None, "source", "'sample'"),
        ({"licence": {"id": "proprietary", "attribution": "x"}}, None, "licence.id", "Input"),
    ],
)
def test_broken_declaration_names_file_key_problem(
    tmp_path: Path, mutate: dict[str, object] | None, drop: str | None, key: str, problem: str
) -> None:
    path = _write(tmp_path, mutate, drop)
    with pytest.raises(DeclarationError) as info:
        load_declaration(path)
    message = str(info.value)
    assert str(path) in message
    assert f"'{key}'" in message
    assert problem in message


def test_id_must_match_folder(tmp_path: Path) -> None:
    path = _write(tmp_path, {"id": "other"})
    with pytest.raises(DeclarationError, match="folder name"):
        load_declaration(path)


def test_not_yaml(tmp_path: Path) -> None:
    path = _write(tmp_path)
    path.write_text("id: [unclosed")
    with pytest.raises(DeclarationError, match="not valid YAML"):
        load_declaration(path)


def test_schema_command_prints_the_model_schema() -> None:
    out = subprocess.run([sys.executable, "-m", "opengeodata.cli", "schema"],
                         capture_output=True, text=True, check=True).stdout
    schema = json.loads(out)
    assert schema == json.loads(json.dumps(json_schema()))
    assert schema["additionalProperties"] is False
    assert set(Dataset.model_fields) == set(schema["properties"])
    assert "licence" in schema["required"]
