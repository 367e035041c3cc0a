"""Hostile deliveries (issue 17): each refused with an error naming file, record and problem;
the live version stays; nothing on disk grows beyond its bounds."""

from __future__ import annotations

import json
import os
import shutil
import struct
import types
import zipfile
from pathlib import Path

import pytest

from opengeodata.declaration import load_all
from opengeodata.errors import DataValidationError, SourceError
from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.runner import run_dataset, run_many
from tests.conftest import make_settings
from tests.pipelines.publish.util import (
    add_dataset,
    feature_collection,
    live_snapshot,
    polygons,
    square,
)


def allocated_bytes(path: Path) -> int:
    """Bytes a file occupies on disk."""
    return path.stat().st_blocks * 512


def _one(settings: Settings, dataset_id: str) -> object:
    [dataset] = load_all(settings.datasets_dir, [dataset_id])
    return dataset


def _refresh(settings: Settings, dataset_id: str) -> None:
    run_dataset(_one(settings, dataset_id), settings)  # type: ignore[arg-type]


# --- zip bombs -----------------------------------------------------------------------------

def _zip_delivery(tmp_path: Path, bomb: int = 0) -> Settings:
    """stadtkarte delivered as one zip of its tiles, plus a zero-filled member of ``bomb`` B."""
    settings = make_settings(tmp_path, ["stadtkarte"])
    folder = settings.datasets_dir / "stadtkarte"
    with zipfile.ZipFile(folder / "skh1000.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted((folder / "sample").iterdir()):
            archive.write(path, f"kacheln/{path.name}")
        if bomb:
            with archive.open("kacheln/padding.tif", "w", force_zip64=True) as out:
                block = bytes(1 << 20)
                for _ in range(bomb >> 20):
                    out.write(block)
    shutil.rmtree(folder / "sample")
    yml = folder / "dataset.yml"
    yml.write_text(yml.read_text("utf-8").replace("sample/skh1000_*.tif", "skh1000.zip"),
                   "utf-8")
    return settings


def test_zip_bomb_member_is_refused_by_ratio(tmp_path: Path) -> None:
    settings = _zip_delivery(tmp_path, bomb=64 << 20)
    with pytest.raises(SourceError) as err:
        _refresh(settings, "stadtkarte")
    message = str(err.value)
    assert "skh1000.zip" in message and "'kacheln/padding.tif'" in message
    assert "ratio" in message and "OPENGEODATA_ARCHIVE_MAX_RATIO" in message
    assert Store(settings.data_dir).live_manifest("stadtkarte") is None


def test_zip_expanding_beyond_the_size_limit_is_refused(tmp_path: Path) -> None:
    settings = _zip_delivery(tmp_path).model_copy(update={"archive_max_bytes": 100_000})
    with pytest.raises(SourceError, match=r"skh1000\.zip: member 'kacheln/.*': refused: the "
                                          r"archive expands to more than .*MAX_BYTES"):
        _refresh(settings, "stadtkarte")


def test_zip_member_with_a_traversing_name_is_refused(tmp_path: Path) -> None:
    settings = _zip_delivery(tmp_path)
    path = settings.datasets_dir / "stadtkarte" / "skh1000.zip"
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("../../evil.tfw", b"1\n0\n0\n-1\n0\n0\n")
    with pytest.raises(SourceError, match=r"member '\.\./\.\./evil\.tfw': refused"):
        _refresh(settings, "stadtkarte")


def test_zip_delivery_members_are_streamed_into_the_tiles_zip(tmp_path: Path) -> None:
    """A big (legitimate) member is copied block by block, not read whole into memory."""
    import tracemalloc

    from pipelines.raster.build import zip_tiles

    big = tmp_path / "big.zip"
    payload = os.urandom(1 << 20) * 24  # 24 MiB, incompressible-ish per block
    with zipfile.ZipFile(big, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("a/big.tif", payload)

    ctx = types.SimpleNamespace(sources=[big])
    tracemalloc.start()
    zip_tiles(ctx, tmp_path / "out.zip")  # type: ignore[arg-type]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 8 << 20, f"peak {peak} bytes: the member was read whole"
    with zipfile.ZipFile(tmp_path / "out.zip") as out:
        assert out.read("big.tif") == payload


# --- empty or mostly dropped results ----------------------------------------------------------

def _nan_points(n: int, bad: set[int], value: float = float("nan")) -> str:
    return feature_collection([
        {"type": "Feature", "properties": {"name": f"p{i}"},
         "geometry": {"type": "Point",
                      "coordinates": [value if i in bad else 550_000 + i, 5_800_000 + i]}}
        for i in range(n)])


@pytest.fixture
def published_points(tmp_path: Path) -> Settings:
    settings = make_settings(tmp_path, [])
    add_dataset(settings, "punkte", _nan_points(40, set()), extra="outputs: [gpkg]\n")
    csv = "name;x;y\n" + "".join(f"p{i};{550_000 + i};{5_800_000 + i}\n" for i in range(13))
    add_dataset(settings, "tabelle", csv, suffix=".csv", extra="outputs: [gpkg]\n",
                source_extra="  crs: EPSG:25832\n  open_options: {SEPARATOR: SEMICOLON, "
                "X_POSSIBLE_NAMES: x, Y_POSSIBLE_NAMES: y}\n")
    assert {r.status for r in run_many(load_all(settings.datasets_dir), settings)} == {
        "published"}
    return settings


def test_all_nan_coordinates_never_replace_the_live_version(published_points: Settings) -> None:
    settings = published_points
    before = live_snapshot(settings, "punkte")
    sample = settings.datasets_dir / "punkte" / "sample" / "punkte.geojson"
    sample.write_text(_nan_points(13, set(range(13))))
    with pytest.raises(DataValidationError) as err:
        _refresh(settings, "punkte")
    message = str(err.value)
    assert "punkte.geojson" in message and "no feature left to publish (13 read, 0 written)"\
        in message and "NaN" in message and "punkte.geojson feature 0" in message
    assert live_snapshot(settings, "punkte") == before


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_csv_with_nan_or_inf_xy_is_refused(published_points: Settings, value: str) -> None:
    settings = published_points
    before = live_snapshot(settings, "tabelle")
    sample = settings.datasets_dir / "tabelle" / "sample" / "tabelle.csv"
    sample.write_text("name;x;y\n" + "".join(f"p{i};{value};{value}\n" for i in range(13)))
    with pytest.raises(DataValidationError, match=r"tabelle\.csv: refused: no feature left"):
        _refresh(settings, "tabelle")
    assert live_snapshot(settings, "tabelle") == before


def test_more_dropped_than_max_dropped_is_refused_naming_the_features(
        published_points: Settings) -> None:
    settings = published_points
    before = live_snapshot(settings, "punkte")
    sample = settings.datasets_dir / "punkte" / "sample" / "punkte.geojson"
    sample.write_text(_nan_points(40, {7, 9, 30}))  # 7.5 % > default 5 %
    with pytest.raises(DataValidationError) as err:
        _refresh(settings, "punkte")
    message = str(err.value)
    assert "3 of 40 features dropped (7.5%), more than max_dropped 5.0%" in message
    assert "punkte.geojson feature 7, punkte.geojson feature 9, punkte.geojson feature 30" \
        in message
    assert live_snapshot(settings, "punkte") == before
    # a declared max_dropped accepts the share, and the quality report names the features
    yml = settings.datasets_dir / "punkte" / "dataset.yml"
    yml.write_text(yml.read_text() + "max_dropped: 0.1\n")
    _refresh(settings, "punkte")
    manifest = Store(settings.data_dir).live_manifest("punkte")
    assert manifest is not None and manifest.feature_count == 37
    assert manifest.quality.dropped == {"non-finite coordinates (NaN or inf)": 3}
    assert any("punkte.geojson feature 30" in w for w in manifest.quality.warnings)


def test_polygons_with_some_nan_coordinates_name_the_feature(tmp_path: Path) -> None:
    """Was: an unexpected GEOSException 'orientationIndex encountered NaN/Inf numbers'."""
    settings = make_settings(tmp_path, [])
    doc = json.loads(polygons(3))
    doc["features"][1]["geometry"]["coordinates"][0][1][0] = float("nan")
    add_dataset(settings, "flaechen", json.dumps(doc))
    with pytest.raises(DataValidationError, match=r"flaechen\.geojson feature 1\)"):
        _refresh(settings, "flaechen")


def test_shapefile_with_nan_coordinates_names_the_feature(tmp_path: Path) -> None:
    """Was: 'GEOSException: ' with an empty message."""
    import geopandas as gpd
    import shapely

    settings = make_settings(tmp_path, [])
    folder = settings.datasets_dir / "form"
    add_dataset(settings, "form", polygons(2), suffix=".geojson")
    geoms = [shapely.Polygon(square(550_000 + 100 * i, 5_800_000)[0]) for i in range(4)]
    shp = folder / "sample" / "form.shp"
    gpd.GeoDataFrame({"name": list("abcd")}, geometry=geoms, crs="EPSG:25832").to_file(shp)
    data = shp.read_bytes()  # GDAL refuses to write NaN: patch a vertex of record 2
    at = data.rindex(struct.pack("<d", 550_250.0))  # its third vertex
    shp.write_bytes(data[:at] + struct.pack("<d", float("nan")) + data[at + 8:])
    yml = folder / "dataset.yml"
    yml.write_text(yml.read_text().replace("sample/form.geojson", "sample/form.shp")
                   .replace("format: GeoJSON", "format: ESRI Shapefile"))
    with pytest.raises(DataValidationError, match=r"form\.shp feature 2\)"):
        _refresh(settings, "form")


# --- stale sidecars -------------------------------------------------------------------------

def test_a_delivery_without_its_dbf_does_not_reuse_the_previous_one(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, ["baeume"])
    _refresh(settings, "baeume")
    before = live_snapshot(settings, "baeume")
    (settings.datasets_dir / "baeume" / "sample" / "baeume.dbf").unlink()
    (settings.datasets_dir / "baeume" / "sample" / "baeume.cpg").unlink()
    with pytest.raises(Exception) as err:
        _refresh(settings, "baeume")
    assert "STATUS" in str(err.value)  # the filter's field is gone with the .dbf
    sources = settings.data_dir / "sources" / "baeume"
    assert sorted(p.name for p in sources.iterdir() if not p.name.startswith(".")) == [
        "baeume.prj", "baeume.shp", "baeume.shx"]
    assert live_snapshot(settings, "baeume") == before


def test_manifest_names_only_the_files_of_this_delivery(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, ["baeume"])
    yml = settings.datasets_dir / "baeume" / "dataset.yml"
    yml.write_text(yml.read_text().replace("  filter: ", "  # filter: "))
    _refresh(settings, "baeume")
    (settings.datasets_dir / "baeume" / "sample" / "baeume.cpg").unlink()
    _refresh(settings, "baeume")
    manifest = Store(settings.data_dir).live_manifest("baeume")
    assert manifest is not None
    assert [s.name for s in manifest.sources] == [
        "baeume.shp", "baeume.dbf", "baeume.prj", "baeume.shx"]


# --- DTDs anywhere in the prolog ---------------------------------------------------------------

HOSTILE_PROLOG = ('\n<!--' + "x" * 70_000 + '-->\n'
                  '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n')


def _after_declaration(path: Path, insert: str) -> None:
    head, rest = path.read_text("utf-8").split("\n", 1)
    path.write_text(head + insert + rest, "utf-8")


@pytest.mark.parametrize(("dataset_id", "pattern", "padding"), [
    ("lod1", "LoD1_32_548_5800_1_ni.gml", 70_000),
    ("gebaeude", "alkis_hannover_nas.xml", 1_100_000),
    ("stadtteile", "*.gml", 70_000),
])
def test_doctype_after_a_long_comment_is_refused(tmp_path: Path, dataset_id: str, pattern: str,
                                                 padding: int) -> None:
    settings = make_settings(tmp_path, [dataset_id])
    [sample] = sorted((settings.datasets_dir / dataset_id / "sample").glob(pattern))[:1]
    _after_declaration(sample, HOSTILE_PROLOG.replace("x" * 70_000, "x" * padding))
    with pytest.raises(DataValidationError) as err:
        _refresh(settings, dataset_id)
    message = str(err.value)
    assert sample.name in message and "refused" in message and "DTD" in message
    assert "1 entity declaration" in message
    assert Store(settings.data_dir).live_manifest(dataset_id) is None


def test_gml_with_entity_references_through_gdal_is_refused(tmp_path: Path) -> None:
    """GDAL's GML reader turned '&name;' into NULL fields without a word."""
    settings = make_settings(tmp_path, ["stadtteile"])
    [sample] = sorted((settings.datasets_dir / "stadtteile" / "sample").glob("*.gml"))
    _after_declaration(sample, '\n<!DOCTYPE x [<!ENTITY n "Mitte">]>\n')
    text = sample.read_text("utf-8")
    sample.write_text(text.replace("Mitte", "&n;", 1), "utf-8")
    with pytest.raises(DataValidationError, match=r"\.gml: refused: .*DTD.*line \d+"):
        _refresh(settings, "stadtteile")


# --- disk amplification -----------------------------------------------------------------------

def test_sparse_source_is_not_copied_densely_and_quarantine_is_bounded(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, []).model_copy(update={"quarantine_keep": 2})
    sample = add_dataset(settings, "luftig", b"", suffix=".gpkg")
    with sample.open("wb") as fh:  # 256 MiB apparent size, a few KiB on disk
        fh.write(bytes(range(256)) * 16)
        fh.truncate(256 << 20)
    if allocated_bytes(sample) > 1 << 20:
        pytest.skip("this file system does not keep sparse files")
    for _ in range(3):
        with pytest.raises(SourceError):
            _refresh(settings, "luftig")
    copy = settings.data_dir / "sources" / "luftig" / "luftig.gpkg"
    assert copy.stat().st_size == 256 << 20 and allocated_bytes(copy) < 1 << 20
    folders = sorted((settings.data_dir / "quarantine" / "luftig").iterdir())
    assert len(folders) == 2  # quarantine_keep
    for folder in folders:
        assert allocated_bytes(folder / "luftig.gpkg") < 1 << 20


def test_quarantine_over_its_byte_budget_keeps_the_report_and_says_so(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, []).model_copy(update={"quarantine_max_bytes": 1000})
    add_dataset(settings, "gross", os.urandom(64 << 10), suffix=".gpkg")
    results = run_many(load_all(settings.datasets_dir), settings)
    [result] = results
    assert result.status == "failed" and result.quarantine is not None
    assert "not kept (over the budget): gross.gpkg" in result.quarantine_note
    assert not (result.quarantine / "gross.gpkg").exists()
    report = (result.quarantine / "error.txt").read_text()
    assert "not kept (over the quarantine limits: 5 folder(s)" in report


# --- error messages naming the file and the problem --------------------------------------------

def test_random_bytes_dbf_is_not_blamed_on_the_filter(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, ["baeume"])
    dbf = settings.datasets_dir / "baeume" / "sample" / "baeume.dbf"
    dbf.write_bytes(b"\xcc" + os.urandom(dbf.stat().st_size - 1))
    with pytest.raises(SourceError) as err:
        _refresh(settings, "baeume")
    message = str(err.value)
    assert "source.filter" not in message
    assert "baeume.dbf: damaged attribute table: not a dBASE file" in message
