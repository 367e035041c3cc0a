"""The bundled thematic sample datasets build with the right counts, CRS and contents."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.samples import spielplaetze, stadtteile
from tests.conftest import DATASETS, make_settings
from tests.pipelines.publish.util import publish_all

THEMATIC = ["stadtbezirke", "stadtteile", "baeume", "bebauungsplaene", "spielplaetze"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = make_settings(tmp_path_factory.mktemp("thematic"), THEMATIC)
    return publish_all(settings)


def layer(settings: Settings, dataset: str) -> gpd.GeoDataFrame:
    live = Store(settings.data_dir).live_dir(dataset)
    assert live is not None
    out = pyogrio.read_dataframe(live / f"{dataset}.gpkg", layer=dataset)
    assert out.crs.to_epsg() == 25832
    minx, miny, maxx, maxy = out.total_bounds
    assert 535_000 < minx < maxx < 565_000 and 5_790_000 < miny < maxy < 5_818_000
    return out


def test_stadtteile_nested_in_districts(built: Settings) -> None:
    quarters = layer(built, "stadtteile")
    districts = layer(built, "stadtbezirke").set_index("bezirk_nr")
    assert len(quarters) == 51 and quarters["name"].is_unique
    assert sorted(quarters["bezirk_nr"].unique()) == [f"{i:02d}" for i in range(1, 14)]
    assert {"Linden-Nord", "Groß-Buchholz", "Südstadt", "Stöcken", "Isernhagen-Süd"} <= set(
        quarters["name"])
    for _, quarter in quarters.iterrows():
        district = districts.loc[quarter["bezirk_nr"]]
        assert quarter["bezirk"] == district["name"]
        assert district.geometry.buffer(0.05).contains(quarter.geometry), quarter["name"]
    # the quarters of each district tile it
    for nr, group in quarters.groupby("bezirk_nr"):
        assert group.area.sum() == pytest.approx(districts.loc[nr].geometry.area, rel=1e-5)


def test_baeume(built: Settings) -> None:
    trees = layer(built, "baeume")
    assert len(trees) == 20_000
    assert set(trees.geom_type) == {"Point"}
    assert {"Winter-Linde", "Gewöhnliche Rosskastanie", "Ahornblättrige Platane"} <= set(
        trees["art_deutsch"])
    assert "Platanus × hispanica" in set(trees["art_botanisch"])
    assert trees["pflanzjahr"].between(1900, 2025).all()
    assert (trees["hoehe_m"] > 0).all() and (trees["kronendurchmesser_m"] > 0).all()
    assert any("ß" in s for s in trees["strasse"])
    manifest = Store(built.data_dir).live_manifest("baeume")
    assert manifest is not None
    assert manifest.quality.dropped == {"source.filter: STATUS <> 'gefällt'": 400}


def test_bebauungsplaene(built: Settings) -> None:
    plans = layer(built, "bebauungsplaene")
    assert len(plans) == 160 and plans["plan_nr"].is_unique
    assert set(plans["status"]) == {"rechtsverbindlich", "im Verfahren", "aufgehoben"}
    pending = plans["status"] == "im Verfahren"
    assert plans.loc[pending, "rechtskraft"].isna().all()
    assert plans.loc[~pending, "rechtskraft"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert plans["dokument_url"].str.startswith("https://").all()
    assert plans.is_valid.all()
    manifest = Store(built.data_dir).live_manifest("bebauungsplaene")
    assert manifest is not None and manifest.quality.geometries_repaired == 1


def test_spielplaetze(built: Settings) -> None:
    playgrounds = layer(built, "spielplaetze")
    assert len(playgrounds) == 240
    assert all("," in a or a for a in playgrounds["ausstattung"])
    assert playgrounds["name"].str.contains("ü|ö|ä|ß").any()
    assert str(playgrounds["flaeche_m2"].dtype) == "int64"


def test_samples_are_made_by_the_scripts(tmp_path: Path) -> None:
    assert spielplaetze.to_csv(spielplaetze.rows()) == (
        DATASETS / "spielplaetze" / "sample" / "spielplaetze.csv").read_bytes()
    stadtteile.main([str(tmp_path / "stadtteile.gml")])
    assert (tmp_path / "stadtteile.gml").read_bytes() == (
        DATASETS / "stadtteile" / "sample" / "stadtteile.gml").read_bytes()
