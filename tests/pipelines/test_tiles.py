"""Building vector tiles: per-dataset PMTiles in the version, attribute selection, overview."""

from __future__ import annotations

from pathlib import Path

import pytest

from opengeodata.declaration import load_all
from opengeodata.errors import DeclarationError
from opengeodata.settings import Settings
from opengeodata.store import Store
from opengeodata.vtiles.archive import Archive
from opengeodata.vtiles.overview import live_overview
from opengeodata.vtiles.tms import lonlat_to_tile
from pipelines.runner import run_many
from tests.vtiles.helpers import add_point_dataset, decode, mitte, set_tiles


def test_published_version_holds_pmtiles_with_declared_zooms(published: Settings) -> None:
    store = Store(published.data_dir)
    manifest = store.live_manifest("stadtbezirke")
    live = store.live_dir("stadtbezirke")
    assert manifest is not None and live is not None
    out = manifest.output("pmtiles")
    assert out is not None and out.name == "stadtbezirke.pmtiles"
    assert out.media_type == "application/vnd.pmtiles"
    assert sorted(p.name for p in live.iterdir() if p.name.startswith(".")) == []  # no temp
    archive = Archive(live / out.name)
    assert archive.is_mvt and archive.gzipped
    assert archive.zooms == (8, 16)  # declared in datasets/stadtbezirke/dataset.yml
    [layer] = archive.metadata()["vector_layers"]
    assert layer["id"] == "stadtbezirke"
    assert set(layer["fields"]) == {"bezirk_nr", "name", "flaeche_ha", "stand"}
    minlon, minlat, maxlon, maxlat = archive.bounds
    assert 9.55 < minlon < maxlon < 9.95 and 52.28 < minlat < maxlat < 52.47


def test_mitte_tile_in_archive_has_its_attributes(published: Settings) -> None:
    nr, lon, lat = mitte(published)
    live = Store(published.data_dir).live_dir("stadtbezirke")
    assert live is not None
    archive = Archive(live / "stadtbezirke.pmtiles")
    for z in (8, 12, 16):
        col, row = lonlat_to_tile(lon, lat, z)
        data = archive.get(z, col, row)
        assert data is not None, z
        props = [f["properties"] for f in decode(data, True)["stadtbezirke"]["features"]]
        assert {"bezirk_nr": nr, "name": "Mitte"}.items() <= next(
            p for p in props if p["name"] == "Mitte").items()


def test_declared_attributes_only(settings: Settings) -> None:
    set_tiles(settings, "stadtbezirke", attributes=["name"], minzoom=10, maxzoom=12)
    [result] = run_many(load_all(settings.datasets_dir), settings)
    assert result.status == "published", result.message
    live = Store(settings.data_dir).live_dir("stadtbezirke")
    assert live is not None
    archive = Archive(live / "stadtbezirke.pmtiles")
    assert archive.zooms == (10, 12)
    _, lon, lat = mitte(settings)
    col, row = lonlat_to_tile(lon, lat, 12)
    data = archive.get(12, col, row)
    assert data is not None
    for feature in decode(data, True)["stadtbezirke"]["features"]:
        assert set(feature["properties"]) == {"name"}


def test_unknown_tile_attribute_fails_and_publishes_nothing(settings: Settings) -> None:
    path = set_tiles(settings, "stadtbezirke", attributes=["name", "einwohner"])
    [result] = run_many(load_all(settings.datasets_dir), settings)
    assert result.status == "failed"
    assert str(path) in result.message and "tiles.attributes" in result.message
    assert "einwohner" in result.message
    assert Store(settings.data_dir).live_dir("stadtbezirke") is None


def test_reserved_tippecanoe_option_is_a_declaration_error(settings: Settings) -> None:
    path = set_tiles(settings, "stadtbezirke", options=["-o", "/tmp/x.pmtiles"])
    with pytest.raises(DeclarationError, match=r"tiles\.options"):
        load_all(settings.datasets_dir)
    set_tiles(settings, "stadtbezirke", options=["--output=/tmp/x.pmtiles"])
    with pytest.raises(DeclarationError, match="set by the pipeline"):
        load_all(settings.datasets_dir)
    assert path.is_file()


@pytest.mark.slow
def test_overview_has_a_layer_per_dataset_and_points_survive_low_zooms(
        settings: Settings) -> None:
    points = add_point_dataset(settings)
    results = run_many(load_all(settings.datasets_dir), settings)
    assert [r.status for r in results] == ["published", "published"], results
    overview = live_overview(settings.data_dir)
    assert overview is not None
    archive = Archive(overview)
    ids = {layer["id"] for layer in archive.metadata()["vector_layers"]}
    assert ids == {"haltestellen", "stadtbezirke"}
    # at the lowest zoom of the point layer every point is still drawn (no dropping)
    seen: set[int] = set()
    tiles = {lonlat_to_tile(lon, lat, 10) for lon, lat in points}
    for col, row in tiles:
        data = archive.get(10, col, row)
        assert data is not None
        layers = decode(data, True)
        assert "stadtbezirke" in layers
        seen |= {f["properties"]["nr"] for f in layers["haltestellen"]["features"]}
    assert seen == set(range(len(points)))  # tile buffers repeat points near edges
    # unchanged data: the overview is not rebuilt
    version = Path(overview).parent.name
    run_many(load_all(settings.datasets_dir), settings)
    assert Path(str(live_overview(settings.data_dir))).parent.name == version
