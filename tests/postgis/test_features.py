"""Both feature backends answer the same requests identically (GeoPackage vs PostGIS)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from opengeodata.declaration import load_all
from opengeodata.postgis import cluster
from opengeodata.server import create_app
from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.runner import run_many
from tests.conftest import make_settings
from tests.postgis.fixtures import new_database

DATASETS = ["stadtbezirke", "flurstuecke", "spielplaetze", "bebauungsplaene"]


@pytest.fixture(scope="module")
def backends(pg_cluster: cluster.PgCluster, tmp_path_factory: pytest.TempPathFactory
             ) -> list[tuple[str, FlaskClient, FlaskClient, Settings]]:
    """(dataset, GeoPackage client, PostGIS client, settings) for each compared dataset."""
    from bench.parcels import publish_parcels

    url, _ = new_database(pg_cluster, "features_test")
    bundled = make_settings(tmp_path_factory.mktemp("pg-features"), DATASETS).model_copy(
        update={"database_url": url})
    results = run_many(load_all(bundled.datasets_dir), bundled)
    assert [r.status for r in results] == ["published"] * len(DATASETS), results
    parcels = publish_parcels(tmp_path_factory.mktemp("pg-parcels"), 1200, database_url=url)
    out = []
    for settings, ids in ((bundled, DATASETS), (parcels, ["parcels"])):
        settings = settings.model_copy(update={"base_url": "http://testserver"})
        gpkg = create_app(settings.model_copy(update={"database_url": None})).test_client()
        pg = create_app(settings).test_client()
        out += [(i, gpkg, pg, settings) for i in ids]
    return out


def _requests(dataset: str, settings: Settings) -> list[str]:
    manifest = Store(settings.data_dir).live_manifest(dataset)
    assert manifest is not None and manifest.extent is not None
    fields = {f.name: f.type for f in manifest.fields}
    text = next(n for n, t in fields.items() if t == "string")
    number = next((n for n, t in fields.items() if t in ("integer", "number")), None)
    w, s, e, n = manifest.extent.bbox_crs84
    cx, cy = (w + e) / 2, (s + n) / 2
    x0, y0, x1, y1 = manifest.extent.bbox
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    base = f"/collections/{dataset}/items"
    reqs = [
        f"{base}?f=json",
        f"{base}?limit=7&offset=3",
        f"{base}?limit=1000",
        f"{base}?bbox={w},{s},{cx},{cy}&limit=50",
        f"{base}?bbox={mx - 800},{my - 800},{mx + 900},{my + 700}&bbox-crs=EPSG:25832&limit=40",
        f"{base}?bbox={s},{w},{cy},{cx}&bbox-crs=EPSG:4326&crs=EPSG:4326&limit=30",
        f"{base}?crs=EPSG:25832&limit=20&offset=2",
        f"{base}?crs=EPSG:3857&limit=5",
        f"{base}?sortby=-{text}&limit=25",
        f"{base}?sortby={text},-fid&limit=25&offset=10",
        f"{base}?properties={text}&skipGeometry=true&limit=30",
        f"{base}?resulttype=hits",
        f"{base}?filter={text} LIKE '%a%'&limit=30",
        f"{base}?filter=NOT ({text} IS NULL) AND {text} <> 'x'&sortby=-{text}",
        f"{base}?filter=S_INTERSECTS(geom, BBOX({w},{s},{cx},{cy}))&limit=100",
        f"{base}?filter=S_INTERSECTS(geom, POLYGON(({w} {s}, {cx} {s}, {cx} {n}, {w} {s})))",
        f"{base}?filter=S_INTERSECTS(geom, BBOX({x0},{y0},{mx},{my}))&filter-crs=EPSG:25832",
        f"{base}?filter-lang=cql2-json&filter="
        + json.dumps({"op": "like", "args": [{"property": text}, "%e%"]}),
        f"{base}?filter={text} IN ('a', 'b') OR {text} LIKE 'S%'",
        f"{base}/1",
        f"{base}/2?crs=EPSG:25832&properties={text}",
        f"{base}/3?skipGeometry=true",
        f"{base}/999999",
        f"{base}?filter=nope = 1",
        f"{base}?filter=S_INTERSECTS(geom, BBOX(0,0,1,1))",
    ]
    if number:
        reqs += [f"{base}?filter={number} > 3 AND {number} <= 1000000&sortby={number}",
                 f"{base}?filter={number} BETWEEN 2 AND 500&limit=100",
                 f"{base}?{number}=5", f"{base}?sortby=-{number},{text}&limit=40&offset=5"]
    if dataset == "parcels":
        reqs += [f"{base}?datetime=2021-01-01/2021-06-30&limit=50",
                 f"{base}?datetime=2022-03-03", f"{base}/DENI0001",
                 f"{base}?filter=kennzeichen LIKE 'DENI00%' AND flaeche > 300&limit=60",
                 f"{base}?gemarkung=Linden&sortby=-flaeche&limit=20"]
    return reqs


def _comparable(body: bytes) -> Any:
    doc = json.loads(body)
    if isinstance(doc, dict):
        doc.pop("timeStamp", None)
    return doc


def test_both_backends_answer_identically(
        backends: list[tuple[str, FlaskClient, FlaskClient, Settings]]) -> None:
    checked = statuses = 0
    for dataset, gpkg, pg, settings in backends:
        for req in _requests(dataset, settings):
            a, b = gpkg.get(req), pg.get(req)
            assert a.status_code == b.status_code, (req, a.data[:300], b.data[:300])
            assert _comparable(a.data) == _comparable(b.data), req
            if a.status_code == 200:
                head = a.data.split(b'"timeStamp"')[0]
                assert head == b.data.split(b'"timeStamp"')[0], req  # byte-identical
                assert a.headers["Content-Crs"] == b.headers["Content-Crs"]
                statuses += 1
            checked += 1
    assert checked > 120 and statuses > 100
    # the answers are not trivially empty
    _, gpkg, pg, _ = backends[-1]
    doc = pg.get("/collections/parcels/items?limit=1000").get_json()
    assert doc["numberReturned"] == 1000 and doc["numberMatched"] == 1200


def test_postgis_backend_reads_postgis_not_the_file(
        backends: list[tuple[str, FlaskClient, FlaskClient, Settings]], tmp_path: Path) -> None:
    dataset, _, _, settings = backends[0]
    live = Store(settings.data_dir).live_dir(dataset)
    assert live is not None
    gpkg = live / f"{dataset}.gpkg"
    moved = tmp_path / "moved.gpkg"
    gpkg.rename(moved)
    try:
        client = create_app(settings).test_client()
        assert client.get(f"/collections/{dataset}/items?limit=3").status_code == 200
    finally:
        moved.rename(gpkg)


def test_stored_default_answers_equal_the_computed_ones(
        backends: list[tuple[str, FlaskClient, FlaskClient, Settings]]) -> None:
    from opengeodata.engine import geojson
    from opengeodata.ogc import EPSG_URI
    from opengeodata.providers.gpkg_sql import Where
    from opengeodata.providers.pg_sql import open_pg_layer

    _, _, _, settings = backends[-1]
    assert settings.database_url is not None
    manifest = Store(settings.data_dir).live_manifest("parcels")
    assert manifest is not None
    layer = open_pg_layer(settings.database_url, "parcels", manifest.version)
    assert layer is not None and layer.features_table and layer.features_id == "kennzeichen"
    names = list(layer.columns)
    for where, order in ((Where(), []), (Where(), [("flaeche", True)])):
        stored = layer.default_rows(where, order, 7, 40)
        rows = list(layer.rows(names, where, order, 7, 40))
        computed = geojson.default_features(rows, names, 2 + names.index("kennzeichen"),
                                            EPSG_URI.format(25832), layer.decode)
        assert len(stored) == 40 and stored == computed


def test_fast_route_answers_like_flask_on_postgis(
        backends: list[tuple[str, FlaskClient, FlaskClient, Settings]]) -> None:
    from tests.server.test_features_fast import FAST, FLASK, assert_same_as_flask

    _, gpkg, pg, _ = backends[-1]  # parcels
    assert assert_same_as_flask(pg.application, FAST) >= 20
    assert_same_as_flask(pg.application, FLASK)
    for path, headers in FAST:  # and the PostGIS fast answers are the GeoPackage's
        a, b = gpkg.get(path, headers=headers), pg.get(path, headers=headers)
        assert a.status_code == b.status_code, path
        assert a.data.split(b'"timeStamp"')[0] == b.data.split(b'"timeStamp"')[0], path
        assert list(a.headers.items()) == list(b.headers.items()), path
    from opengeodata.engine.geojson import feature_bytes, read_feature
    from opengeodata.ogc import CRS84

    state = pg.application.extensions["opengeodata"]
    features = pg.application.extensions["opengeodata.features"]
    source = features.collection(state.snapshot().published.collections["parcels"])
    assert source.backend.features_id == "kennzeichen"
    names = list(source.backend.columns)
    for fid in ("036100-001-000001", "036100-777-000777"):  # stored bytes = encoded bytes
        row, cols = read_feature(source, fid, names)
        assert features.feature(source, fid, CRS84, names, False) == \
            feature_bytes(source, [row], cols, CRS84, False, len(names))[0]
