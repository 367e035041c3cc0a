"""Cadastral datasets end to end: refresh from the bundled sample, NBA updates, convert nas."""

from __future__ import annotations

from pathlib import Path

import pyogrio
import pytest
from click.testing import CliRunner

from opengeodata.cli import main
from opengeodata.declaration import load_all
from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.cadastral.sample import write_delivery
from pipelines.runner import run_many
from tests.conftest import DATASETS, make_settings
from tests.pipelines.cadastral.docs import parcel, rect, ring, surface, write_extract, write_nba

SAMPLE = DATASETS / "flurstuecke" / "sample" / "alkis_hannover_nas.xml"


def _square(x: float, y: float, size: float) -> str:
    return surface(f"<gml:exterior>{ring(rect(x, y, x + size, y + size))}</gml:exterior>")


def _publish(settings: Settings, ids: list[str]) -> list:
    return run_many(load_all(settings.datasets_dir, ids), settings)


def test_bundled_samples_publish_both_layers(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, ["flurstuecke", "gebaeude"])
    results = _publish(settings, ["flurstuecke", "gebaeude"])
    assert [r.status for r in results] == ["published", "published"], results
    store = Store(settings.data_dir)
    parcels_dir = store.live_dir("flurstuecke")
    assert parcels_dir is not None
    info = pyogrio.read_info(parcels_dir / "flurstuecke.gpkg", layer="flurstuecke")
    assert int(info["features"]) == 300
    assert info["crs"] == "EPSG:25832"
    assert list(info["fields"]) == [
        "flurstueckskennzeichen", "land", "gemarkungsnummer", "flurnummer", "zaehler", "nenner",
        "amtliche_flaeche", "geometrische_flaeche", "gemeindeschluessel", "lagebezeichnung",
        "entstehung", "beginnt", "gml_id"]
    frame = pyogrio.read_dataframe(parcels_dir / "flurstuecke.gpkg")
    assert frame["flurstueckskennzeichen"].str.len().eq(20).all()
    assert frame["gemeindeschluessel"].eq("03241001").all()
    assert frame["lagebezeichnung"].notna().mean() > 0.8
    assert frame.geometry.is_valid.all()
    manifest = store.live_manifest("flurstuecke")
    assert manifest is not None
    assert manifest.quality.checks["duplicate_gml_id"] == 0
    assert manifest.quality.checks["unresolved_xlinks"] == 0
    assert manifest.quality.checks["amtliche_flaeche_deviates_gt_1pct"] == 3
    assert any("amtliche_flaeche" in w for w in manifest.quality.warnings)
    # 549-550 km east, 5798 km north: Hannover-Linden
    xmin, ymin, xmax, ymax = manifest.extent.bbox if manifest.extent else (0, 0, 0, 0)
    assert 545_000 < xmin < xmax < 556_000 and 5_797_000 < ymin < ymax < 5_810_000
    buildings = pyogrio.read_dataframe(store.live_dir("gebaeude") / "gebaeude.gpkg")
    assert len(buildings) == 150
    assert buildings["gebaeudefunktion_text"].notna().all()
    assert (buildings.loc[buildings["gebaeudefunktion"] == 1000, "gebaeudefunktion_text"]
            == "Wohngebäude").all()


def _nba_dataset(tmp_path: Path) -> Settings:
    """A `flurstuecke` dataset whose sample is a small extract, published once."""
    settings = make_settings(tmp_path, ["flurstuecke"])
    folder = settings.datasets_dir / "flurstuecke"
    for old in (folder / "sample").glob("*.xml"):
        old.unlink()
    write_extract(folder / "sample" / "01_extract.xml", [
        parcel(f"DENIAL010000000{i}", _square(550_000 + 20 * i, 5_800_000, 10), zaehler=i,
               area=100) for i in range(1, 5)])
    assert [r.status for r in _publish(settings, ["flurstuecke"])] == ["published"]
    return settings


def test_nba_update_applies_to_the_live_version(tmp_path: Path) -> None:
    settings = _nba_dataset(tmp_path)
    store = Store(settings.data_dir)
    first = store.live_manifest("flurstuecke")
    folder = settings.datasets_dir / "flurstuecke" / "sample"
    (folder / "01_extract.xml").unlink()
    write_nba(folder / "02_nba.xml",
              inserts=[parcel("DENIAL0100000009", _square(550_200, 5_800_000, 5), zaehler=9,
                              area=25)],
              replaces=[("DENIAL0100000002",
                         parcel("DENIAL0100000002", _square(550_040, 5_800_000, 12), zaehler=2,
                                area=144))],
              deletes=["DENIAL0100000003"])
    results = _publish(settings, ["flurstuecke"])
    assert [r.status for r in results] == ["published"], results
    live = store.live_dir("flurstuecke")
    frame = pyogrio.read_dataframe(live / "flurstuecke.gpkg").set_index("gml_id")
    assert sorted(frame.index) == ["DENIAL0100000001", "DENIAL0100000002", "DENIAL0100000004",
                                   "DENIAL0100000009"]
    assert frame.loc["DENIAL0100000002", "geometrische_flaeche"] == pytest.approx(144)
    assert frame.loc["DENIAL0100000002", "amtliche_flaeche"] == 144
    assert frame.loc["DENIAL0100000009", "geometrische_flaeche"] == pytest.approx(25)
    assert frame.loc["DENIAL0100000001", "geometrische_flaeche"] == pytest.approx(100)
    manifest = store.live_manifest("flurstuecke")
    assert manifest is not None and first is not None
    assert manifest.version != first.version
    assert manifest.quality.checks["nba_deleted"] == 1
    assert manifest.quality.checks["nba_replaced"] == 1
    assert manifest.quality.checks["nba_inserted"] == 1
    # the previous version is kept unchanged for rollback
    old = store.version_dir("flurstuecke", first.version) / "flurstuecke.gpkg"
    assert int(pyogrio.read_info(old)["features"]) == 4
    assert "DENIAL0100000003" in set(pyogrio.read_dataframe(old)["gml_id"])


def test_nba_without_a_live_version_fails_and_publishes_nothing(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, ["flurstuecke"])
    folder = settings.datasets_dir / "flurstuecke" / "sample"
    for old in folder.glob("*.xml"):
        old.unlink()
    write_nba(folder / "nba.xml", [], [], ["DENIAL0100000003"])
    (result,) = _publish(settings, ["flurstuecke"])
    assert result.status == "failed"
    assert "nba.xml" in result.message and "needs a published version" in result.message
    assert Store(settings.data_dir).live_dir("flurstuecke") is None


def test_billion_laughs_in_a_dataset_publishes_nothing(tmp_path: Path) -> None:
    from tests.pipelines.cadastral.test_nas import BILLION_LAUGHS

    settings = make_settings(tmp_path, ["gebaeude"])
    folder = settings.datasets_dir / "gebaeude" / "sample"
    for old in folder.glob("*.xml"):
        old.unlink()
    (folder / "lol.xml").write_text(BILLION_LAUGHS)
    (result,) = _publish(settings, ["gebaeude"])
    assert result.status == "failed" and "lol.xml: refused" in result.message
    assert Store(settings.data_dir).live_dir("gebaeude") is None


def test_cli_convert_nas_writes_both_layers(tmp_path: Path) -> None:
    first = tmp_path / "part1.xml"
    write_delivery(first, 300, 150, gid="7.1")  # same ids as the 6.0 sample
    out = tmp_path / "out" / "alkis.gpkg"
    out.parent.mkdir()
    result = CliRunner().invoke(main, ["-q", "convert", "nas", str(first), str(SAMPLE),
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    layers = {name for name, _ in pyogrio.list_layers(out)}
    assert layers == {"flurstuecke", "gebaeude"}
    # both files hold the same gml:ids (same generator seed): each parcel is kept once
    parcels = pyogrio.read_dataframe(out, layer="flurstuecke")
    assert len(parcels) == 300 and parcels["gml_id"].is_unique
    assert pyogrio.read_info(out, layer="gebaeude")["crs"] == "EPSG:25832"
    assert "300 duplicate gml_id" in result.output
    assert list(out.parent.iterdir()) == [out]  # no temporary file left


def test_cli_convert_nas_reports_bad_input(tmp_path: Path) -> None:
    out = tmp_path / "x.gpkg"
    result = CliRunner().invoke(main, ["convert", "nas", str(tmp_path / "nope.xml"),
                                       "-o", str(out)])
    assert result.exit_code == 1
    assert "nope.xml: no such file" in result.output
    assert not out.exists()


def test_convert_in_small_chunks_matches_the_in_memory_layer(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines.cadastral import columns, convert
    from pipelines.cadastral.layers import build_layer
    from pipelines.cadastral.nas import read_delivery

    monkeypatch.setattr(columns, "CHUNK", 64)
    copy = tmp_path / "copy.xml"
    copy.write_bytes(SAMPLE.read_bytes())
    result = convert([SAMPLE, copy], tmp_path / "c.gpkg")
    count, checks = result["flurstuecke"]
    assert count == 300
    assert checks.counts["duplicate_gml_id"] == 300
    assert checks.counts["amtliche_flaeche_deviates_gt_1pct"] == 3
    assert sum("amtliche_flaeche" in w for w in checks.warnings) == 1  # one line, not per chunk
    chunked = pyogrio.read_dataframe(tmp_path / "c.gpkg", layer="flurstuecke")
    whole, _ = build_layer(read_delivery([SAMPLE], {"flurstuecke"}), "flurstuecke")
    assert list(chunked["gml_id"]) == list(whole["gml_id"])
    assert list(chunked["lagebezeichnung"].fillna("")) == list(whole["lagebezeichnung"].fillna(""))
    assert chunked.geometry.area.round(2).tolist() == whole.geometry.area.round(2).tolist()
    assert result["gebaeude"][0] == 150
