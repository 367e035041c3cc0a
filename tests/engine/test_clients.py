"""Real clients against a served instance: GDAL's OAPIF driver (pyogrio) and OWSLib."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from owslib.ogcapi.features import Features

from opengeodata.settings import Settings
from opengeodata.store import Store

ATTRS = ["gemarkung", "flur", "zaehler", "nenner", "flaeche", "nutzung", "stand"]


def published_gpkg(settings: Settings) -> Path:
    live = Store(settings.data_dir).live_dir("parcels")
    assert live is not None
    return live / "parcels.gpkg"


def reference(settings: Settings, crs: str = "OGC:CRS84") -> gpd.GeoDataFrame:
    """The published GeoPackage, reprojected, indexed by the feature id."""
    frame = pyogrio.read_dataframe(published_gpkg(settings)).to_crs(crs)
    return frame.set_index("kennzeichen", drop=False)


def assert_same(got: gpd.GeoDataFrame, ref: gpd.GeoDataFrame, tol: float) -> None:
    """Same ids, attributes and geometries (coordinates within ``tol``)."""
    got = got.set_index("kennzeichen", drop=False)
    assert sorted(got.index) == sorted(ref.index)
    assert got.index.is_unique
    ref = ref.loc[got.index]
    for col in ATTRS:
        left, right = got[col].tolist(), ref[col].tolist()
        if col == "stand":  # GDAL reads ISO dates as dates
            assert [str(v)[:10] for v in left] == [str(v)[:10] for v in right]
        elif col in ("flaeche", "nenner"):
            assert np.allclose(np.asarray(left, float), np.asarray(right, float), equal_nan=True)
        else:
            assert [str(v) for v in left] == [str(v) for v in right], col
    for g1, g2 in zip(got.geometry, ref.geometry, strict=True):
        assert shapely.equals_exact(shapely.normalize(g1), shapely.normalize(g2), tol)


@pytest.mark.slow
def test_gdal_oapif_reads_every_feature_over_pages(parcels_server: str,
                                                   parcels_settings: Settings) -> None:
    url = f"OAPIF:{parcels_server}/collections/parcels"
    # default: GDAL picks the storage CRS (EPSG:25832) and pages with limit=1000 (3 pages)
    got = pyogrio.read_dataframe(url)
    assert got.crs.to_epsg() == 25832
    assert len(got) == 2500
    assert_same(got, reference(parcels_settings, "EPSG:25832"), 1e-3)
    # in CRS84 with small pages: geometries within 1e-7 degrees
    got84 = pyogrio.read_dataframe(url, CRS="OGC:CRS84", PAGE_SIZE="400")
    assert len(got84) == 2500
    assert_same(got84, reference(parcels_settings), 1e-7)


@pytest.mark.slow
def test_gdal_oapif_bbox_matches_the_geopackage(parcels_server: str,
                                                parcels_settings: Settings) -> None:
    box = (545_000.0, 5_800_000.0, 547_000.0, 5_801_500.0)
    got = pyogrio.read_dataframe(f"OAPIF:{parcels_server}/collections/parcels", bbox=box)
    ref = pyogrio.read_dataframe(published_gpkg(parcels_settings), bbox=box)
    exact = ref[ref.intersects(shapely.box(*box))].set_index("kennzeichen", drop=False)
    assert 20 < len(got) < 2500
    assert_same(got, exact, 1e-3)


def test_owslib_features(parcels_server: str, parcels_settings: Settings) -> None:
    api = Features(parcels_server)
    assert "parcels" in [c["id"] for c in api.collections()["collections"]]
    queryables = api.collection_queryables("parcels")
    assert queryables["properties"]["flur"]["type"] == "integer"
    ref = reference(parcels_settings)
    items = api.collection_items("parcels", limit=300, offset=600)
    assert items["numberMatched"] == 2500 and items["numberReturned"] == 300
    frame = gpd.GeoDataFrame.from_features(items["features"], crs="OGC:CRS84")
    assert frame["kennzeichen"].tolist() == ref.index.tolist()[600:900]  # fid order
    assert_same(frame, ref.loc[frame["kennzeichen"]], 1e-7)
    one = api.collection_item("parcels", "036100-010-000010")
    assert one["id"] == "036100-010-000010"
    assert one["properties"]["nutzung"] == ref.loc["036100-010-000010", "nutzung"]
    filtered = api.collection_items("parcels", limit=2500, nutzung="Wald")
    assert {f["properties"]["nutzung"] for f in filtered["features"]} == {"Wald"}
    assert filtered["numberReturned"] == int((ref["nutzung"] == "Wald").sum())
