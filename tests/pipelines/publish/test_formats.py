"""Every download format opens with its reader and says what the issue promises."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import geopandas as gpd
import pyarrow.parquet as pq
import pyogrio
import pytest

from opengeodata.declaration import load_all
from opengeodata.manifest import Manifest, sha256_file
from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.runner import run_many
from pipelines.writers import shapefile_names
from tests.conftest import make_settings
from tests.pipelines.publish.util import add_dataset, points, polygons

VERSION = re.compile(r"^\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{8}(-\d+)?$")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Manifest, Path]:
    """A generated polygon dataset with long field names, published once."""
    settings = make_settings(tmp_path_factory.mktemp("formats"), [])
    add_dataset(settings, "flaechen", polygons(5))
    [result] = run_many(load_all(settings.datasets_dir), settings)
    assert result.status == "published", result.message
    store = Store(settings.data_dir)
    live = store.live_dir("flaechen")
    manifest = store.live_manifest("flaechen")
    assert live is not None and manifest is not None
    return settings, manifest, live


def test_manifest_lists_every_output_with_checksum(built: tuple[Settings, Manifest, Path]) -> None:
    _, manifest, live = built
    assert VERSION.match(manifest.version)
    assert {o.format for o in manifest.outputs} == {
        "gpkg", "geojson", "fgb", "shpzip", "csv", "parquet", "pmtiles"}
    for out in manifest.outputs:
        path = live / out.name
        assert out.size == path.stat().st_size and out.sha256 == sha256_file(path)
        assert out.media_type and out.features == 5
    assert manifest.feature_count == 5 and manifest.geometry_type == "Polygon"
    assert [s.name for s in manifest.sources] == ["flaechen.geojson"]
    assert len(manifest.sources[0].sha256) == 64
    assert manifest.pipeline_version.startswith("0.")
    assert manifest.extent is not None
    minx, miny, maxx, _ = manifest.extent.bbox
    assert (minx, miny) == (550_000, 5_800_000) and maxx == 550_000 + 2800 + 50
    lon0, lat0, lon1, lat1 = manifest.extent.bbox_crs84
    assert 9.7 < lon0 < lon1 < 9.8 and 52.3 < lat0 < lat1 < 52.4
    assert [f.name for f in manifest.fields] == [
        "name", "nummer", "beschreibung_lang", "beschreibung_kurz"]
    assert manifest.quality.features_read == manifest.quality.features_written == 5


def test_gpkg_fgb_have_spatial_index_and_storage_crs(
    built: tuple[Settings, Manifest, Path]
) -> None:
    _, _, live = built
    for name in ("flaechen.gpkg", "flaechen.fgb"):
        info = pyogrio.read_info(live / name)
        assert info["features"] == 5
        assert info["capabilities"]["fast_spatial_filter"], name
        frame = pyogrio.read_dataframe(live / name)
        assert frame.crs.to_epsg() == 25832
        assert sorted(frame["name"]) == [f"Fläche {i}" for i in range(5)]
    assert pyogrio.read_info(live / "flaechen.fgb")["driver"] == "FlatGeobuf"


def test_geojson_is_rfc7946(built: tuple[Settings, Manifest, Path]) -> None:
    _, _, live = built
    doc = json.loads((live / "flaechen.geojson").read_text())
    assert "crs" not in doc
    x, y = doc["features"][0]["geometry"]["coordinates"][0][0]
    assert 9 < x < 10 and 52 < y < 53
    assert len(str(x).split(".")[1]) <= 7


def test_shapefile_zip_has_prj_cpg_and_field_mapping(
    built: tuple[Settings, Manifest, Path]
) -> None:
    _, _, live = built
    path = live / "flaechen.shp.zip"
    with zipfile.ZipFile(path) as zf:
        names = sorted(zf.namelist())
        assert names == sorted(f"flaechen{e}" for e in (
            ".shp", ".shx", ".dbf", ".prj", ".cpg", "_fields.csv"))
        assert zf.read("flaechen.cpg").decode().strip() == "UTF-8"
        assert "ETRS_1989_UTM_Zone_32N" in zf.read("flaechen.prj").decode()
        rows = list(csv.DictReader(io.StringIO(zf.read("flaechen_fields.csv").decode())))
    mapping = {r["field"]: r["shapefile_field"] for r in rows}
    assert mapping == {"name": "name", "nummer": "nummer", "beschreibung_lang": "beschreibu",
                       "beschreibung_kurz": "beschrei_1"}
    frame = pyogrio.read_dataframe(f"/vsizip/{path}/flaechen.shp")
    assert frame.crs.to_epsg() == 25832
    assert list(frame.columns) == ["name", "nummer", "beschreibu", "beschrei_1", "geometry"]
    assert "Fläche 3" in set(frame["name"])  # UTF-8 survives


def test_shapefile_names_are_deterministic_and_unique() -> None:
    names = ["Straßenname", "strassenname_alt", "STRASSENNAME", "a", "A", "x" * 30]
    first = shapefile_names(names)
    assert first == shapefile_names(list(names))
    assert first["Straßenname"] == "Strassenna"
    assert all(len(v) <= 10 and v.isascii() for v in first.values())
    assert len({v.lower() for v in first.values()}) == len(names)
    assert first["A"] == "A_1"


def test_csv_has_wkt_in_25832(built: tuple[Settings, Manifest, Path]) -> None:
    _, _, live = built
    rows = list(csv.DictReader((live / "flaechen.csv").open(encoding="utf-8")))
    assert len(rows) == 5
    assert rows[0]["WKT"].startswith("POLYGON ((55")
    assert "lon" not in rows[0]
    assert {r["name"] for r in rows} == {f"Fläche {i}" for i in range(5)}


def test_geoparquet_reads_back(built: tuple[Settings, Manifest, Path]) -> None:
    _, _, live = built
    path = live / "flaechen.parquet"
    geo = json.loads(pq.ParquetFile(path).metadata.metadata[b"geo"])
    assert geo["primary_column"] == "geometry"
    frame = gpd.read_parquet(path)
    assert frame.crs.to_epsg() == 25832 and len(frame) == 5
    assert sorted(frame["nummer"]) == list(range(5))


def test_points_csv_gets_lon_lat(settings: Settings) -> None:
    add_dataset(settings, "baeume", points(3), extra="outputs: [gpkg, csv]\n")
    [result] = run_many(load_all(settings.datasets_dir, ["baeume"]), settings)
    assert result.status == "published", result.message
    live = Store(settings.data_dir).live_dir("baeume")
    assert live is not None
    assert sorted(p.name for p in live.iterdir()) == [
        "baeume.csv", "baeume.features.sqlite", "baeume.gpkg", "manifest.json"]
    rows = list(csv.DictReader((live / "baeume.csv").open(encoding="utf-8")))
    assert rows[0]["WKT"] == "POINT (550000 5800000)"
    assert 9.73 < float(rows[0]["lon"]) < 9.74 and 52.34 < float(rows[0]["lat"]) < 52.35
    assert len(rows[0]["lon"].split(".")[1]) <= 7


def test_download_tiles_on_1km_grid(settings: Settings) -> None:
    extra = "outputs: [gpkg]\ndownload_tiles: {formats: [gpkg, csv]}\n"
    add_dataset(settings, "kacheln", polygons(5), extra=extra)
    [result] = run_many(load_all(settings.datasets_dir, ["kacheln"]), settings)
    assert result.status == "published", result.message
    store = Store(settings.data_dir)
    manifest = store.live_manifest("kacheln")
    live = store.live_dir("kacheln")
    assert manifest is not None and live is not None
    tiles = [o for o in manifest.outputs if o.tile is not None]
    # squares at E 550000 + 700 i, N 5800000 + 300 i (bbox centre +25 m)
    expected = sorted({f"kacheln_32_{(550_025 + 700 * i) // 1000}_{(5_800_025 + 300 * i) // 1000}"
                       for i in range(5)})
    assert sorted({o.tile for o in tiles if o.tile}) == expected
    assert sorted(o.name for o in tiles if o.format == "gpkg") == [f"{t}.gpkg" for t in expected]
    assert sum(o.features or 0 for o in tiles if o.format == "gpkg") == 5
    for out in tiles:
        assert pyogrio.read_info(live / out.name)["features"] == out.features
        e, n = (int(v) * 1000 for v in out.tile.split("_")[-2:])  # type: ignore[union-attr]
        if out.format == "gpkg":
            minx, miny, maxx, maxy = pyogrio.read_dataframe(live / out.name).total_bounds
            assert e <= (minx + maxx) / 2 < e + 1000 and n <= (miny + maxy) / 2 < n + 1000


def test_mixed_geometries_give_one_shapefile_per_family(settings: Settings) -> None:
    collection = json.loads(points(2))
    collection["features"] += json.loads(polygons(3))["features"]
    add_dataset(settings, "gemischt", json.dumps(collection), extra="outputs: [shpzip]\n")
    [result] = run_many(load_all(settings.datasets_dir, ["gemischt"]), settings)
    assert result.status == "published", result.message
    live = Store(settings.data_dir).live_dir("gemischt")
    assert live is not None
    path = live / "gemischt.shp.zip"
    with zipfile.ZipFile(path) as zf:
        shps = sorted(n for n in zf.namelist() if n.endswith(".shp"))
    assert shps == ["gemischt_points.shp", "gemischt_polygons.shp"]
    counts = [pyogrio.read_info(f"/vsizip/{path}/{n}")["features"] for n in shps]
    assert counts == [2, 3]
