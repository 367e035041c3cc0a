"""Thematic vector readers end to end: encodings, row filters, GML, KML, CSV, CRS override."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import pytest
import shapely
import yaml

from opengeodata.declaration import load_all
from opengeodata.errors import DataValidationError, DeclarationError, SourceError
from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.encoding import sniff_dbf_encoding
from pipelines.runner import run_dataset
from tests.conftest import ROOT

NAMES = ["Bäume an der Königstraße", "Straße – Grünfläche", "Größe € 5", "Ölmühle"]


def frame(crs: str | None = "EPSG:25832") -> gpd.GeoDataFrame:
    """Four points in Hannover with umlauts, sharp s and CP1252-only characters."""
    return gpd.GeoDataFrame(
        {"NAME": NAMES, "STATUS": ["aktiv", "aktiv", "gefällt", "aktiv"], "NR": [1, 2, 3, 4]},
        geometry=[shapely.Point(550_000 + 100 * i, 5_803_000 + 50 * i) for i in range(4)],
        crs=crs,
    )


def declare(tmp: Path, sample: str, source: dict[str, Any], **extra: Any) -> Settings:
    """A dataset `probe` with the given sample file and source keys; returns its settings."""
    folder = tmp / "datasets" / "probe"
    decl = {
        "id": "probe", "title": "Probe", "description": "Test dataset",
        "licence": {"id": "dl-de/by-2-0", "attribution": "Test"},
        "publisher": {"name": "Test"}, "contact": {"name": "Test"},
        "source": {"sample": f"sample/{sample}", "format": "test", **source},
        "outputs": ["gpkg"], **extra,
    }
    (folder / "dataset.yml").write_text(yaml.safe_dump(decl, allow_unicode=True), "utf-8")
    return Settings(data_dir=tmp / "data", datasets_dir=tmp / "datasets",
                    config_dir=ROOT / "config").resolved()


def publish(settings: Settings) -> gpd.GeoDataFrame:
    """Refresh `probe` and read back the published GeoPackage."""
    [dataset] = load_all(settings.datasets_dir)
    result = run_dataset(dataset, settings, force=True)
    assert result.status == "published", result.message
    live = Store(settings.data_dir).live_dir("probe")
    assert live is not None
    return pyogrio.read_dataframe(live / "probe.gpkg")


@pytest.fixture
def sample_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "datasets" / "probe" / "sample"
    folder.mkdir(parents=True)
    return folder


def write_cp1252_shapefile(folder: Path, *, cpg: bool) -> Path:
    path = folder / "probe.shp"
    pyogrio.write_dataframe(frame(), path, encoding="cp1252")
    dbf = path.with_suffix(".dbf").read_bytes()
    assert "Königstraße".encode("cp1252") in dbf  # really CP1252 bytes, not UTF-8
    if not cpg:
        path.with_suffix(".cpg").unlink()
    return path


def test_cp1252_dbf_with_cpg(tmp_path: Path, sample_dir: Path) -> None:
    write_cp1252_shapefile(sample_dir, cpg=True)
    out = publish(declare(tmp_path, "probe.shp", {}))
    assert list(out["NAME"]) == NAMES


def test_cp1252_dbf_without_cpg_declared(tmp_path: Path, sample_dir: Path) -> None:
    write_cp1252_shapefile(sample_dir, cpg=False)
    out = publish(declare(tmp_path, "probe.shp", {"encoding": "CP1252"}))
    assert list(out["NAME"]) == NAMES


def test_cp1252_dbf_without_cpg_detected(tmp_path: Path, sample_dir: Path) -> None:
    """GDAL alone would read ISO-8859-1 (the euro sign becomes U+0080); we detect CP1252."""
    path = write_cp1252_shapefile(sample_dir, cpg=False)
    assert path.with_suffix(".dbf").read_bytes()[29] == 0  # LDID 0: no code page in header
    raw = pyogrio.read_dataframe(path)
    assert "Größe \x80 5" in list(raw["NAME"])  # the problem being solved
    settings = declare(tmp_path, "probe.shp", {})
    out = publish(settings)
    assert list(out["NAME"]) == NAMES
    manifest = Store(settings.data_dir).live_manifest("probe")
    assert manifest is not None
    assert any("CP1252" in w for w in manifest.quality.warnings)


def test_utf8_dbf_without_cpg_detected(tmp_path: Path, sample_dir: Path) -> None:
    path = sample_dir / "probe.shp"
    pyogrio.write_dataframe(frame(), path, encoding="UTF-8")
    path.with_suffix(".cpg").unlink()
    assert sniff_dbf_encoding(path.with_suffix(".dbf")) == "UTF-8"
    out = publish(declare(tmp_path, "probe.shp", {}))
    assert list(out["NAME"]) == NAMES


def test_dbf_with_ldid_is_left_to_gdal(sample_dir: Path) -> None:
    path = write_cp1252_shapefile(sample_dir, cpg=False)
    dbf = bytearray(path.with_suffix(".dbf").read_bytes())
    dbf[29] = 0x03  # LDID 3: Windows ANSI (CP1252), GDAL honours it
    path.with_suffix(".dbf").write_bytes(bytes(dbf))
    assert sniff_dbf_encoding(path.with_suffix(".dbf")) is None
    assert struct.unpack("<H", dbf[8:10])[0] > 32


def test_row_filter(tmp_path: Path, sample_dir: Path) -> None:
    pyogrio.write_dataframe(frame(), sample_dir / "probe.gpkg")
    settings = declare(tmp_path, "probe.gpkg", {"filter": "STATUS <> 'gefällt' AND NR > 1"})
    out = publish(settings)
    assert list(out["NR"]) == [2, 4]
    manifest = Store(settings.data_dir).live_manifest("probe")
    assert manifest is not None
    assert sum(manifest.quality.dropped.values()) == 2


def test_row_filter_on_cp1252_shapefile(tmp_path: Path, sample_dir: Path) -> None:
    write_cp1252_shapefile(sample_dir, cpg=True)
    out = publish(declare(tmp_path, "probe.shp", {"filter": "NAME = 'Größe € 5'"}))
    assert list(out["NR"]) == [3]


def test_bad_filter_names_the_key(tmp_path: Path, sample_dir: Path) -> None:
    pyogrio.write_dataframe(frame(), sample_dir / "probe.gpkg")
    settings = declare(tmp_path, "probe.gpkg", {"filter": "NOSUCH = 1"})
    [dataset] = load_all(settings.datasets_dir)
    with pytest.raises(DeclarationError, match=r"source\.filter.*NOSUCH"):
        run_dataset(dataset, settings)
    assert Store(settings.data_dir).live_manifest("probe") is None


@pytest.mark.parametrize("expression", [
    "1 = 1; DROP TABLE probe", "NR IN (SELECT 1)", "NR = 1 -- comment", "load_extension('x')",
])
def test_filter_refuses_statements(tmp_path: Path, sample_dir: Path, expression: str) -> None:
    pyogrio.write_dataframe(frame(), sample_dir / "probe.gpkg")
    settings = declare(tmp_path, "probe.gpkg", {"filter": expression})
    [dataset] = load_all(settings.datasets_dir)
    with pytest.raises(DeclarationError, match="not a plain WHERE"):
        run_dataset(dataset, settings)


def test_gml_source(tmp_path: Path, sample_dir: Path) -> None:
    pyogrio.write_dataframe(frame(), sample_dir / "probe.gml", driver="GML",
                            dataset_options={"FORMAT": "GML3.2"})
    out = publish(declare(tmp_path, "probe.gml", {"format": "GML"}))
    assert list(out["NAME"]) == NAMES and out.crs.to_epsg() == 25832


def test_kml_source_is_reprojected(tmp_path: Path, sample_dir: Path) -> None:
    pyogrio.write_dataframe(frame().to_crs("EPSG:4326"), sample_dir / "probe.kml",
                            driver="KML")
    out = publish(declare(tmp_path, "probe.kml", {"format": "KML"}))
    assert list(out["Name"]) == NAMES
    assert out.crs.to_epsg() == 25832
    assert out.geometry.iloc[0].distance(shapely.Point(550_000, 5_803_000)) < 0.01


def test_csv_with_wkt(tmp_path: Path, sample_dir: Path) -> None:
    lines = ["WKT,NAME"] + [f'"{g.wkt}","{n}"' for g, n in zip(frame().geometry, NAMES,
                                                                  strict=True)]
    (sample_dir / "probe.csv").write_text("\n".join(lines) + "\n", "utf-8")
    out = publish(declare(tmp_path, "probe.csv", {
        "format": "CSV", "crs": "EPSG:25832", "open_options": {"GEOM_POSSIBLE_NAMES": "WKT",
                                                             "KEEP_GEOM_COLUMNS": "NO"}}))
    assert list(out["NAME"]) == NAMES
    assert out.geometry.iloc[3].equals(frame().geometry.iloc[3])


def test_csv_with_xy_in_cp1252_and_crs_override(tmp_path: Path, sample_dir: Path) -> None:
    lines = ["name;rechts;hoch"] + [f"{n};{g.x:.2f};{g.y:.2f}".replace(".", ",")
                                    for g, n in zip(frame().geometry, NAMES, strict=True)]
    (sample_dir / "probe.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    out = publish(declare(tmp_path, "probe.csv", {
        "format": "CSV", "crs": "EPSG:25832", "encoding": "CP1252",
        "open_options": {"SEPARATOR": "SEMICOLON", "X_POSSIBLE_NAMES": "rechts",
                         "Y_POSSIBLE_NAMES": "hoch", "KEEP_GEOM_COLUMNS": "NO"}}))
    assert list(out["name"]) == NAMES
    assert list(out.columns) == ["name", "geometry"]
    assert out.geometry.iloc[1].equals(frame().geometry.iloc[1])


def test_csv_without_crs_needs_declaration(tmp_path: Path, sample_dir: Path) -> None:
    (sample_dir / "probe.csv").write_text("x,y,name\n550000,5803000,a\n", "utf-8")
    settings = declare(tmp_path, "probe.csv", {
        "format": "CSV", "open_options": {"X_POSSIBLE_NAMES": "x", "Y_POSSIBLE_NAMES": "y"}})
    [dataset] = load_all(settings.datasets_dir)
    with pytest.raises(DataValidationError, match=r"no CRS.*source\.crs"):
        run_dataset(dataset, settings)


def test_csv_without_geometry_is_a_clear_error(tmp_path: Path, sample_dir: Path) -> None:
    (sample_dir / "probe.csv").write_text("a,b\n1,2\n", "utf-8")
    settings = declare(tmp_path, "probe.csv", {"format": "CSV", "crs": "EPSG:25832"})
    [dataset] = load_all(settings.datasets_dir)
    with pytest.raises(SourceError, match=r"probe\.csv: the source has no geometry"):
        run_dataset(dataset, settings)


def test_value_map_and_layer_selection(tmp_path: Path, sample_dir: Path) -> None:
    path = sample_dir / "probe.gpkg"
    pyogrio.write_dataframe(frame(), path, layer="andere")
    pyogrio.write_dataframe(frame(), path, layer="baeume", append=False)
    settings = declare(tmp_path, "probe.gpkg", {"layer": "baeume"}, fields=[
        {"name": "zustand", "source": "STATUS", "values": {"aktiv": "Bestand"}},
        {"name": "nummer", "source": "NR", "type": "integer"},
    ])
    out = publish(settings)
    assert list(out["zustand"]) == ["Bestand", "Bestand", "gefällt", "Bestand"]
    assert list(out["nummer"]) == [1, 2, 3, 4]
