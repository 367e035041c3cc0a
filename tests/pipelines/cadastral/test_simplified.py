"""Simplified ALKIS deliveries (ALKIS vereinfacht) map to the same layers by declaration."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
import yaml

from opengeodata.declaration import load_all
from opengeodata.store import Store
from pipelines.runner import run_many
from tests.conftest import make_settings

PARCEL_FIELDS = {
    "flurstueckskennzeichen": "FLSTKENNZ", "land": "LAND", "gemarkungsnummer": "GEMARKUNG",
    "flurnummer": "FLUR", "zaehler": "FLSTNRZAE", "nenner": "FLSTNRNEN",
    "amtliche_flaeche": "FLAECHE", "geometrische_flaeche": "geometrische_flaeche",
    "gemeindeschluessel": "GMDSCHL", "lagebezeichnung": "LAGEBEZTXT",
    "entstehung": "ENTSTEHUNG", "beginnt": "AKTUALIT", "gml_id": "OID",
}
BUILDING_FIELDS = {
    "gml_id": "OID", "gebaeudefunktion": "FUNKTION",
    "gebaeudefunktion_text": "gebaeudefunktion_text", "geschosse_oberirdisch": "ANZAHLGS",
    "lagebezeichnung": "LAGEBEZTXT", "beginnt": "AKTUALIT",
}


def _declare(folder: Path, layer: str, mapping: dict[str, str], sample: str) -> None:
    path = folder / "dataset.yml"
    decl = yaml.safe_load(path.read_text())
    decl["source"] = {"kind": "nas", "layer": layer, "sample": sample,
                      "format": "ALKIS vereinfacht (Shapefile)"}
    for spec in decl["fields"]:
        spec["source"] = mapping[spec["name"]]
    path.write_text(yaml.safe_dump(decl, allow_unicode=True))
    for old in (folder / "sample").glob("*.xml"):
        old.unlink()


def test_simplified_shapefiles_publish_the_nas_layers(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, ["flurstuecke", "gebaeude"])
    parcels = settings.datasets_dir / "flurstuecke"
    buildings = settings.datasets_dir / "gebaeude"
    gpd.GeoDataFrame({
        "FLSTKENNZ": ["03410100100012______", "03410100100013______"],
        "LAND": ["03", "03"], "GEMARKUNG": ["4101", "4101"], "FLUR": [1, 1],
        "FLSTNRZAE": [12, 13], "FLSTNRNEN": [None, None], "FLAECHE": [400.0, 120.0],
        "GMDSCHL": ["03241001", "03241001"], "LAGEBEZTXT": ["Limmerstraße 1", None],
        "AKTUALIT": ["2024-01-31", "2024-02-01"], "OID": ["DENIAL01000000AA", "DENIAL01000000AB"],
    }, geometry=[shapely.box(550_000, 5_800_000, 550_020, 5_800_020),
                 shapely.box(550_020, 5_800_000, 550_030, 5_800_010)],
        crs="EPSG:25832").to_file(parcels / "sample" / "flurstueck.shp")
    gpd.GeoDataFrame({
        "OID": ["DENIAL02000000AA"], "FUNKTION": [2463], "ANZAHLGS": [1],
        "LAGEBEZTXT": ["Limmerstraße 1"], "AKTUALIT": ["2024-01-31"],
    }, geometry=[shapely.box(550_002, 5_800_002, 550_008, 5_800_005)],
        crs="EPSG:25832").to_file(buildings / "sample" / "gebaeudebauwerk.shp")
    _declare(parcels, "flurstuecke", PARCEL_FIELDS, "sample/flurstueck.shp")
    _declare(buildings, "gebaeude", BUILDING_FIELDS, "sample/gebaeudebauwerk.shp")
    results = run_many(load_all(settings.datasets_dir), settings)
    assert [r.status for r in results] == ["published", "published"], results
    store = Store(settings.data_dir)
    frame = pyogrio.read_dataframe(store.live_dir("flurstuecke") / "flurstuecke.gpkg")
    assert list(frame.columns[:-1]) == list(PARCEL_FIELDS)
    row = frame.set_index("gml_id").loc["DENIAL01000000AA"]
    assert row["geometrische_flaeche"] == pytest.approx(400.0)
    assert row["flurstueckskennzeichen"] == "03410100100012______"
    assert row["lagebezeichnung"] == "Limmerstraße 1"
    manifest = store.live_manifest("flurstuecke")
    assert manifest is not None
    assert manifest.quality.checks["amtliche_flaeche_deviates_gt_1pct"] == 1  # 120 vs 100 m²
    assert any("ENTSTEHUNG" in w for w in manifest.quality.warnings)
    houses = pyogrio.read_dataframe(store.live_dir("gebaeude") / "gebaeude.gpkg")
    assert houses.loc[0, "gebaeudefunktion_text"] == "Garage"
    assert houses.loc[0, "geschosse_oberirdisch"] == 1
