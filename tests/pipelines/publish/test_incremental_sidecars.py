"""A change in a sidecar file alone (.dbf, .prj, world file) makes the next refresh rebuild."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

from opengeodata.declaration import load_declaration
from opengeodata.manifest import SourceFile
from opengeodata.scaffold import scaffold
from opengeodata.store import Store
from pipelines.runner import run_dataset
from tests.conftest import make_settings


def test_sidecar_change_triggers_rebuild(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "work", [])
    src_dir = tmp_path / "in"
    src_dir.mkdir()
    frame = gpd.GeoDataFrame(
        {"name": ["Maschsee"]}, geometry=[shapely.Point(550_600, 5_800_900)], crs="EPSG:25832"
    )
    pyogrio.write_dataframe(frame, src_dir / "orte.shp")
    path = scaffold(settings.datasets_dir, "orte", src_dir / "orte.shp")
    first = run_dataset(load_declaration(path), settings)
    assert first.status == "published"
    manifest_sources = {s.name for s in _live_sources(settings.data_dir)}
    assert {"orte.shp", "orte.dbf", "orte.shx", "orte.prj"} <= manifest_sources
    assert run_dataset(load_declaration(path), settings).status == "unchanged"
    # rewrite only the attribute table: same geometry file, new name in the .dbf
    sample = settings.datasets_dir / "orte" / "sample"
    shp_before = (sample / "orte.shp").read_bytes()
    frame["name"] = ["Steinhuder"]
    pyogrio.write_dataframe(frame, tmp_path / "new.shp")
    (sample / "orte.dbf").write_bytes((tmp_path / "new.dbf").read_bytes())
    assert (sample / "orte.shp").read_bytes() == shp_before
    second = run_dataset(load_declaration(path), settings)
    assert second.status == "published"
    live = pyogrio.read_dataframe(settings.data_dir / "published" / "orte" / "live" / "orte.gpkg")
    assert list(live["name"]) == ["Steinhuder"]


def _live_sources(data_dir: Path) -> list[SourceFile]:
    manifest = Store(data_dir).live_manifest("orte")
    assert manifest is not None
    return list(manifest.sources)
