"""The `lod2` dataset end to end and `opengeodata convert citygml`."""

from __future__ import annotations

import json
from pathlib import Path

import pyogrio
import pytest
from click.testing import CliRunner

from opengeodata.cli import main
from opengeodata.declaration import load_all
from opengeodata.settings import Settings
from opengeodata.store import Store
from opengeodata.tiles3d.tileset import count_features
from pipelines.runner import run_many
from tests.citymodel_fixtures import ENTITY_BOMB, write_citygml_1_0
from tests.conftest import DATASETS, make_settings
from tests.publish_util import publish_all


@pytest.fixture(scope="module")
def lod2(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = make_settings(tmp_path_factory.mktemp("lod2"), ["lod2"])
    return publish_all(settings)


def test_bundled_sample_is_small_and_tiled() -> None:
    files = sorted((DATASETS / "lod2" / "sample").glob("*.gml"))
    assert len(files) >= 4
    assert all(f.name.startswith("LoD2_32_") and f.name.endswith("_1_ni.gml") for f in files)
    assert sum(f.stat().st_size for f in files) < 5_000_000


def test_lod2_publishes_3d_outputs_and_footprints(lod2: Settings) -> None:
    store = Store(lod2.data_dir)
    manifest = store.live_manifest("lod2")
    assert manifest is not None
    live = store.live_dir("lod2")
    by_format: dict[str, list] = {}
    for out in manifest.outputs:
        by_format.setdefault(out.format, []).append(out)
        assert (live / out.name).stat().st_size == out.size
    sources = sorted(p.name for p in (DATASETS / "lod2" / "sample").glob("*.gml"))
    tiles = sorted(p[:-4] for p in sources)
    assert sorted(o.name for o in by_format["citygml"]) == sources
    assert sorted(o.tile for o in by_format["citygml"]) == tiles
    assert sorted(o.tile for o in by_format["cityjson"] if o.tile) == tiles
    assert [o.name for o in by_format["cityjson"] if not o.tile] == ["lod2.city.json"]
    assert [o.name for o in by_format["cityjsonseq"]] == ["lod2.city.jsonl"]
    assert by_format["cityjsonseq"][0].features == 300
    assert by_format["cityjson"][0].media_type == "application/city+json"
    assert not list(live.glob("*.part"))
    doc = json.loads((live / "lod2.city.json").read_text(encoding="utf-8"))
    buildings = [o for o in doc["CityObjects"].values() if o["type"] == "Building"]
    assert manifest.feature_count == len(buildings) == 300
    assert manifest.quality.checks["buildings"] == 300
    assert manifest.layer == "lod2" and manifest.geometry_type == "MultiPolygon"
    frame = pyogrio.read_dataframe(live / "lod2.gpkg", layer="lod2")
    assert frame.crs.to_epsg() == 25832 and len(frame) == 300
    assert set(frame["dachform_text"]) == {"Flachdach", "Satteldach", "Walmdach"}
    assert set(frame["kachel"]) == set(tiles)
    assert (frame["hoehe"] > 2).all() and (frame["hoehe_first"] >= frame["hoehe_traufe"]).all()
    flat = frame[frame["dachform"] == "1000"]
    assert (flat["hoehe_first"] == flat["hoehe_traufe"]).all()
    gabled = frame[frame["dachform"] == "3100"]
    assert (gabled["hoehe_first"] > gabled["hoehe_traufe"]).all()
    assert frame["adresse"].str.endswith("Hannover").all()
    fields = {f.name: f for f in manifest.fields}
    assert fields["hoehe"].type == "number" and fields["geschosse"].type == "integer"
    assert fields["dachform_text"].description


def test_lod2_publishes_3d_tiles_with_the_geoid_in_the_manifest(lod2: Settings) -> None:
    store = Store(lod2.data_dir)
    manifest = store.live_manifest("lod2")
    assert manifest is not None
    (out,) = [o for o in manifest.outputs if o.format == "3dtiles"]
    assert out.name == "lod2.3tz" and out.features == 300 and out.crs == "EPSG:4978"
    assert out.media_type == "application/vnd.maxar.archive.3tz+zip"
    assert out.geoid is not None and ("EGM96" in out.geoid or "GCG2016" in out.geoid)
    assert count_features(store.live_dir("lod2") / out.name) == 300
    checks = manifest.quality.checks
    assert checks["tiles3d"]["buildings"] == 300 and checks["tiles3d"]["geoid"] == out.geoid
    assert checks["tiles3d"]["max_tile_bytes"] < 1 << 20
    assert checks["measured_height"]["checked"] >= 300


def test_bad_citygml_fails_and_keeps_the_live_version(lod2: Settings, tmp_path: Path) -> None:
    before = Store(lod2.data_dir).live_manifest("lod2")
    assert before is not None
    sample = lod2.datasets_dir / "lod2" / "sample"
    bad = sample / "LoD2_32_550_5800_1_ni.gml"
    bad.write_text(ENTITY_BOMB, encoding="utf-8")
    try:
        (result,) = run_many(load_all(lod2.datasets_dir), lod2)
    finally:
        bad.unlink()
    assert result.status == "failed"
    assert "LoD2_32_550_5800_1_ni.gml" in result.message and "entity" in result.message
    after = Store(lod2.data_dir).live_manifest("lod2")
    assert after is not None and after.version == before.version


def test_convert_citygml_command(tmp_path: Path) -> None:
    source = write_citygml_1_0(tmp_path / "in.gml")
    out = tmp_path / "out" / "model.city.json"
    gpkg = tmp_path / "out" / "fp.gpkg"
    runner = CliRunner()
    result = runner.invoke(main, ["convert", "citygml", str(source), "-o", str(out),
                                  "--footprints", str(gpkg)])
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert set(doc["CityObjects"]) == {"B1", "B1_p"}
    assert pyogrio.list_layers(gpkg)[:, 0].tolist() == ["gebaeude_3d"]
    frame = pyogrio.read_dataframe(gpkg, layer="gebaeude_3d")
    assert frame["gml_id"].tolist() == ["B1"] and frame.geometry.area.iloc[0] == pytest.approx(225)
    seq = tmp_path / "model.city.jsonl"
    result = runner.invoke(main, ["convert", "citygml", str(source), "-o", str(seq)])
    assert result.exit_code == 0, result.output
    assert len(seq.read_text(encoding="utf-8").splitlines()) == 2


def test_convert_citygml_reports_bad_input_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gml"
    bad.write_text("not xml", encoding="utf-8")
    out = tmp_path / "x.city.json"
    result = CliRunner().invoke(main, ["convert", "citygml", str(bad), "-o", str(out)])
    assert result.exit_code == 1
    assert "bad.gml: not well-formed XML" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() and not list(tmp_path.glob("*.part"))


def test_lod1_dataset_publishes_block_model(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, ["lod1"])
    (result,) = run_many(load_all(settings.datasets_dir), settings)
    assert result.status == "published", result.message
    store = Store(settings.data_dir)
    manifest = store.live_manifest("lod1")
    assert manifest is not None and manifest.feature_count == 200
    live = store.live_dir("lod1")
    tiles = sorted(o.tile for o in manifest.outputs if o.format == "cityjson" and o.tile)
    assert tiles == sorted(p.name[:-4] for p in (DATASETS / "lod1" / "sample").glob("*.gml"))
    assert all(t.startswith("LoD1_32_") for t in tiles)
    frame = pyogrio.read_dataframe(live / "lod1.gpkg", layer="lod1")
    assert (frame["lod"] == 1).all() and "dachform" not in frame.columns
    assert set(frame["kachel"]) == set(tiles)
    doc = json.loads((live / "lod1.city.json").read_text(encoding="utf-8"))
    solid = next(iter(doc["CityObjects"].values()))["geometry"][0]
    assert (solid["type"], solid["lod"]) == ("Solid", "1") and "semantics" not in solid
    assert len(solid["boundaries"][0]) == 6
