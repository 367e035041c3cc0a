"""QA: a dataset.yml being edited (invalid for a moment) never takes the server down."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from opengeodata.declaration import load_all
from opengeodata.server import create_app
from opengeodata.server import state as state_module
from pipelines.runner import run_many
from tests.conftest import make_settings


def test_broken_declaration_is_skipped_not_fatal(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state_module, "RECHECK_SECONDS", 0.0)
    settings = make_settings(tmp_path, ["stadtbezirke"])
    broken = settings.datasets_dir / "kaputt" / "dataset.yml"
    broken.parent.mkdir()
    broken.write_text("id: [\n", encoding="utf-8")  # an edit in progress
    app = create_app(settings)  # starts despite the broken declaration
    client = app.test_client()
    assert client.get("/collections?f=json").status_code == 200

    run_many(load_all(settings.datasets_dir, ["stadtbezirke"]), settings)
    resp = client.get("/collections?f=json")
    assert resp.status_code == 200
    assert "stadtbezirke" in {c["id"] for c in resp.get_json()["collections"]}
    items = client.get("/collections/stadtbezirke/items?f=json")
    assert items.status_code == 200 and items.get_json()["numberReturned"] == 13

    # once the edit is finished the declaration is picked up without a publish
    decl = yaml.safe_load((settings.datasets_dir / "stadtbezirke" / "dataset.yml").read_text(
        encoding="utf-8"))
    decl["id"] = "kaputt"
    shutil.copytree(settings.datasets_dir / "stadtbezirke" / "sample", broken.parent / "sample")
    broken.write_text(yaml.safe_dump(decl, allow_unicode=True), encoding="utf-8")
    assert "kaputt" in app.extensions["opengeodata"].snapshot().datasets
