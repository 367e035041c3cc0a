"""Default answers stored at publish time equal what the per-request encoder writes."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from opengeodata.engine.geojson import feature_bytes
from opengeodata.engine.params import parse_items
from opengeodata.engine.source import FeatureSource
from opengeodata.engine.sql import compile_filter
from opengeodata.engine.stored import stored_page
from opengeodata.ogc import EPSG_URI, SUPPORTED_CRS
from opengeodata.providers import gpkg_stored
from opengeodata.providers.gpkg_sql import Layer
from opengeodata.settings import Settings
from opengeodata.store import Store

#: pages whose stored bytes must equal the encoder's (any offset, bbox, filter, sort)
DEFAULT_PAGES = [
    {},
    {"limit": "40", "offset": "7"},
    {"limit": "1000", "offset": "1900"},
    {"bbox": "9.75,52.33,9.78,52.35", "limit": "200"},
    {"bbox": "548000,5800000,552000,5804000", "bbox-crs": EPSG_URI.format(25832),
     "limit": "100", "offset": "5"},
    {"filter": "flaeche > 3000 AND nutzung = 'Wald'", "limit": "50"},
    {"gemarkung": "Linden", "limit": "30", "offset": "60"},
    {"datetime": "2021-01-01/2022-06-30", "sortby": "-flaeche", "limit": "70"},
    {"sortby": "nenner,-kennzeichen", "limit": "90", "offset": "11"},
]
#: requests that must fall back to the encoder
OTHER_PAGES = [
    {"crs": EPSG_URI.format(25832), "limit": "20"},
    {"properties": "flaeche,nutzung", "limit": "20"},
    {"skipGeometry": "true", "limit": "20"},
]


@pytest.fixture(scope="module")
def source(parcels_settings: Settings) -> FeatureSource:
    live = Store(parcels_settings.data_dir).live_dir("parcels")
    assert live is not None
    return FeatureSource(id="parcels", backend=Layer(live / "parcels.gpkg"),
                         id_field="kennzeichen", time_field="stand",
                         storage_crs=EPSG_URI.format(25832), crs_list=list(SUPPORTED_CRS),
                         version="", created=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))


def _encoded(source: FeatureSource, args: dict[str, str]) -> tuple[list[bytes] | None,
                                                                   list[bytes]]:
    """(stored page or None, the encoder's page) for one request."""
    query = parse_items(MultiDict(args), source, 10, 10_000)
    where = compile_filter(source.backend, query.filter, source.storage_crs)
    limit = query.limit or 10
    stored = stored_page(source, query, where, limit)
    names = list(query.names)
    rows = list(source.backend.rows(names, where, query.order, query.offset, limit,
                                    not query.skip_geometry))
    return stored, feature_bytes(source, rows, names, query.crs, query.skip_geometry)


def test_publish_stores_answers_beside_an_unchanged_geopackage(source: FeatureSource) -> None:
    layer = source.backend
    assert isinstance(layer, Layer)
    assert layer.stored == gpkg_stored.stored_path(layer.path) and layer.stored.is_file()
    assert layer.features_id == "kennzeichen"
    # the GeoPackage clients and downloads get holds the one layer GDAL wrote
    assert [name for name, _ in pyogrio.list_layers(layer.path)] == ["parcels"]


@pytest.mark.parametrize("args", DEFAULT_PAGES)
def test_stored_pages_equal_the_encoder(source: FeatureSource, args: dict[str, str]) -> None:
    stored, encoded = _encoded(source, args)
    assert stored is not None and encoded
    assert stored == encoded


@pytest.mark.parametrize("args", OTHER_PAGES)
def test_other_encodings_fall_back_to_the_encoder(source: FeatureSource,
                                                  args: dict[str, str]) -> None:
    stored, encoded = _encoded(source, args)
    assert stored is None and len(encoded) == 20


def test_answers_of_a_changed_layer_are_not_used(source: FeatureSource, tmp_path: Path) -> None:
    layer = source.backend
    assert isinstance(layer, Layer) and layer.stored is not None
    gpkg = tmp_path / "parcels.gpkg"
    shutil.copy(layer.path, gpkg)
    shutil.copy(layer.stored, gpkg_stored.stored_path(gpkg))
    assert Layer(gpkg).features_id == "kennzeichen"
    con = sqlite3.connect(gpkg)
    con.execute("DELETE FROM parcels WHERE fid = 5")
    con.commit()
    con.close()
    assert Layer(gpkg).stored is None and Layer(gpkg).features_id is None


def test_items_bodies_are_the_stored_bytes(parcels_client: FlaskClient,
                                           source: FeatureSource) -> None:
    body = parcels_client.get("/collections/parcels/items?limit=25&offset=3").data
    stored, encoded = _encoded(source, {"limit": "25", "offset": "3"})
    assert stored is not None
    assert body.startswith(b'{"type":"FeatureCollection","features":[' + b",".join(encoded)
                           + b'],"numberMatched":2500,"numberReturned":25,')


def test_stored_answers_are_registered_but_no_download(parcels_client: FlaskClient,
                                                      parcels_settings: Settings) -> None:
    manifest = Store(parcels_settings.data_dir).live_manifest("parcels")
    assert manifest is not None
    [stored] = manifest.server_files
    assert stored.name == "parcels.features.sqlite" and stored.features == 2500
    assert stored.name not in {o.name for o in manifest.outputs}
    assert parcels_client.get(f"/downloads/parcels/{stored.name}").status_code == 404
    assert stored.name.encode() not in parcels_client.get("/collections/parcels?f=json").data


def _ids(client: FlaskClient, query: str) -> tuple[list[str], int | None]:
    doc = client.get(f"/collections/parcels/items?{query}").get_json()
    return [f["id"] for f in doc["features"]], doc.get("numberMatched")


def test_bbox_pages_are_slices_of_the_exact_match_set(parcels_client: FlaskClient,
                                                     parcels_gpkg: gpd.GeoDataFrame) -> None:
    box = (9.70, 52.33, 9.80, 52.40)
    frame = parcels_gpkg.to_crs("OGC:CRS84")
    expected = list(frame.loc[frame.intersects(shapely.box(*box)), "kennzeichen"])
    assert 300 < len(expected) < len(frame)
    bbox = ",".join(map(str, box))
    got: list[str] = []
    for offset in range(0, len(expected) + 200, 200):
        page, matched = _ids(parcels_client, f"bbox={bbox}&limit=200&offset={offset}")
        assert matched == len(expected)
        got += page
    assert got == expected  # in fid order, none twice, none left out


def test_a_bbox_around_everything_is_no_filter(parcels_client: FlaskClient) -> None:
    whole, matched = _ids(parcels_client, "bbox=9.0,52.0,10.5,53.0&limit=300&offset=2300")
    plain, total = _ids(parcels_client, "limit=300&offset=2300")
    assert whole == plain and len(whole) == 200 and matched == total == 2500


@pytest.mark.parametrize(("sortby", "sql"), [("-flaeche", '"flaeche" DESC'),
                                             ("nenner,-kennzeichen",
                                              '"nenner" ASC, "kennzeichen" DESC')])
def test_sorted_pages_follow_sqlite_order(parcels_client: FlaskClient, source: FeatureSource,
                                          sortby: str, sql: str) -> None:
    layer = source.backend
    assert isinstance(layer, Layer)
    con = sqlite3.connect(layer.path)
    expected = [r[0] for r in con.execute(
        f'SELECT kennzeichen FROM parcels ORDER BY {sql}, fid LIMIT 150 OFFSET 2400')]
    con.close()
    got = _ids(parcels_client, f"sortby={sortby}&limit=50&offset=2400")[0]
    got += _ids(parcels_client, f"sortby={sortby}&limit=50&offset=2450")[0]
    assert got == expected and len(got) == 100
