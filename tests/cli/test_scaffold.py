"""`opengeodata dataset new` on every listed input format."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely

from opengeodata.declaration import load_declaration
from opengeodata.errors import DeclarationError, SourceError
from opengeodata.scaffold import scaffold
from pipelines.runner import run_dataset
from tests.conftest import make_settings


def _frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"Name": ["Maschsee", "Eilenriede"], "Flaeche": [78.0, 640.5], "Nr": [1, 2]},
        geometry=[shapely.Point(550_600, 5_800_900), shapely.Point(553_000, 5_805_000)],
        crs="EPSG:25832",
    )


def _write(tmp: Path, fmt: str) -> Path:
    frame = _frame()
    if fmt == "gpkg":
        path = tmp / "src.gpkg"
        pyogrio.write_dataframe(frame, path, layer="orte")
    elif fmt == "geojson":
        path = tmp / "src.geojson"
        pyogrio.write_dataframe(frame.to_crs(4326), path, driver="GeoJSON")
    elif fmt == "shp":
        path = tmp / "src.shp"
        pyogrio.write_dataframe(frame, path, driver="ESRI Shapefile")
    elif fmt == "fgb":
        path = tmp / "src.fgb"
        pyogrio.write_dataframe(frame, path, driver="FlatGeobuf")
    elif fmt == "csv_wkt":
        path = tmp / "src.csv"
        lines = ["Name,Flaeche,Nr,WKT"] + [
            f'{r.Name},{r.Flaeche},{r.Nr},"{r.geometry.wkt}"' for r in frame.itertuples()
        ]
        path.write_text("\n".join(lines) + "\n")
    else:  # csv_xy in lon/lat
        path = tmp / "src.csv"
        geo = frame.to_crs(4326)
        lines = ["Name;Flaeche;Nr;lon;lat"] + [
            f"{r.Name};{r.Flaeche};{r.Nr};{r.geometry.x:.7f};{r.geometry.y:.7f}"
            for r in geo.itertuples()
        ]
        path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "shp", "fgb", "csv_wkt", "csv_xy"])
def test_dataset_new_scaffolds_a_declaration_that_builds(tmp_path: Path, fmt: str) -> None:
    settings = make_settings(tmp_path / "work", [])
    source_dir = tmp_path / "in"
    source_dir.mkdir()
    source = _write(source_dir, fmt)
    path = scaffold(settings.datasets_dir, "orte", source, title="Orte")
    dataset = load_declaration(path)
    assert dataset.decl.title == "Orte"
    assert [f.source for f in dataset.decl.fields or []] == ["Name", "Flaeche", "Nr"]
    assert {f.name: f.type for f in dataset.decl.fields or []}["nr"] == "integer"
    result = run_dataset(dataset, settings)
    assert result.status == "published", result.message
    frame = pyogrio.read_dataframe(
        settings.data_dir / "published" / "orte" / "live" / "orte.gpkg")
    assert frame.crs.to_epsg() == 25832
    assert sorted(frame["name"]) == ["Eilenriede", "Maschsee"]
    got = frame.set_index("name").geometry["Maschsee"]
    assert got.distance(shapely.Point(550_600, 5_800_900)) < 0.05


def test_dataset_new_refuses_existing_and_bad_ids(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "work", ["stadtbezirke"])
    source = _write(tmp_path, "gpkg")
    with pytest.raises(DeclarationError, match="already exists"):
        scaffold(settings.datasets_dir, "stadtbezirke", source)
    with pytest.raises(DeclarationError, match="lowercase"):
        scaffold(settings.datasets_dir, "Bad-Id", source)
    with pytest.raises(SourceError, match="no such file"):
        scaffold(settings.datasets_dir, "gone", tmp_path / "gone.gpkg")
