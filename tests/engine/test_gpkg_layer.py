"""The SQL engine under the feature views: paging with fid gaps, bounded counts, indexes."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from opengeodata.providers import gpkg_sql
from opengeodata.providers.gpkg_sql import Layer, Where
from opengeodata.settings import Settings
from opengeodata.store import Store


@pytest.fixture
def gpkg(parcels_settings: Settings, tmp_path: Path) -> Path:
    live = Store(parcels_settings.data_dir).live_dir("parcels")
    assert live is not None
    path = tmp_path / "parcels.gpkg"
    shutil.copy(live / "parcels.gpkg", path)
    return path


def test_publish_step_indexed_the_id_and_time_fields(gpkg: Path) -> None:
    con = sqlite3.connect(gpkg)
    plan = " ".join(str(r) for r in con.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM parcels WHERE kennzeichen = ?", ("x",)))
    assert "idx_parcels_kennzeichen" in plan
    names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "idx_parcels_stand" in names


def test_paging_is_exact_with_fid_gaps(gpkg: Path) -> None:
    con = sqlite3.connect(gpkg)
    con.execute("DELETE FROM parcels WHERE fid % 7 = 0")
    con.commit()
    all_fids = [r[0] for r in con.execute("SELECT fid FROM parcels ORDER BY fid")]
    con.close()
    layer = Layer(gpkg)
    assert not layer.contiguous and layer.count == len(all_fids)
    page = [r[0] for r in layer.rows([], Where(), [], 1000, 50, geometry=False)]
    assert page == all_fids[1000:1050]


def test_contiguous_fids_seek_to_the_page(gpkg: Path) -> None:
    layer = Layer(gpkg)
    assert layer.contiguous
    page = [r[0] for r in layer.rows(["flur"], Where(), [], 2400, 10, geometry=False)]
    assert page == list(range(2401, 2411))


def test_expensive_count_is_left_out_not_scanned(gpkg: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    layer = Layer(gpkg)
    where = Where()
    where.add('"nutzung" <> ?', "nichts")
    monkeypatch.setattr(gpkg_sql, "COUNT_BUDGET_STEPS", 1000)
    assert layer.count_matching(where) is None
    monkeypatch.setattr(gpkg_sql, "COUNT_BUDGET_STEPS", 10_000_000)
    assert layer.count_matching(where) is None  # cached per filter for this version
    other = Where()
    other.add('"nutzung" <> ?', "auch nichts")
    assert layer.count_matching(other) == 2500
