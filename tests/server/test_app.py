"""The server: Flask test client and one real HTTP request to a served port."""

from __future__ import annotations

import json
import urllib.request

import pytest
from flask.testing import FlaskClient

from opengeodata.manifest import sha256_file
from opengeodata.server import create_app
from opengeodata.settings import Settings
from opengeodata.store import Store


@pytest.fixture
def client(published: Settings) -> FlaskClient:
    return create_app(published).test_client()


def test_items_return_the_13_districts(client: FlaskClient) -> None:
    resp = client.get("/collections/stadtbezirke/items?f=json&limit=100")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["numberMatched"] == 13 and len(body["features"]) == 13
    names = {f["properties"]["name"] for f in body["features"]}
    assert "Kirchrode-Bemerode-Wülferode" in names
    lon, lat = body["features"][0]["geometry"]["coordinates"][0][0]
    assert 9.6 < lon < 9.95 and 52.3 < lat < 52.47  # CRS84 by default


def test_item_by_id_and_unknown_id(client: FlaskClient) -> None:
    resp = client.get("/collections/stadtbezirke/items/07?f=json")
    assert resp.status_code == 200
    assert resp.get_json()["properties"]["name"] == "Südstadt-Bult"
    assert client.get("/collections/stadtbezirke/items/99?f=json").status_code == 404
    assert client.get("/collections/unknown/items?f=json").status_code == 404


def test_collection_links_enclosure_to_gpkg(client: FlaskClient, published: Settings) -> None:
    coll = client.get("/collections/stadtbezirke?f=json").get_json()
    enclosures = [link for link in coll["links"] if link["rel"] == "enclosure"]
    gpkg = next(link for link in enclosures if link["type"] == "application/geopackage+sqlite3")
    assert gpkg["href"].endswith("/downloads/stadtbezirke/stadtbezirke.gpkg")
    path = "/" + gpkg["href"].split("/", 3)[3]
    resp = client.get(path)
    assert resp.status_code == 200
    live = Store(published.data_dir).live_dir("stadtbezirke")
    assert live is not None
    assert resp.data == (live / "stadtbezirke.gpkg").read_bytes()
    assert gpkg["length"] == len(resp.data)


def test_unknown_download_is_404(client: FlaskClient) -> None:
    assert client.get("/downloads/stadtbezirke/manifest.json").status_code == 404
    assert client.get("/downloads/stadtbezirke/..%2fmanifest.json").status_code == 404


def test_real_http_request_to_served_port(live_server: str, published: Settings) -> None:
    with urllib.request.urlopen(f"{live_server}/collections/stadtbezirke/items?f=json") as resp:
        assert resp.status == 200
        body = json.load(resp)
    assert body["numberMatched"] == 13
    self_link = next(link for link in body["links"] if link["rel"] == "self")
    assert self_link["href"].startswith(live_server)
    with urllib.request.urlopen(f"{live_server}/downloads/stadtbezirke/stadtbezirke.gpkg") as r:
        assert r.read(16).startswith(b"SQLite format 3")
    live = Store(published.data_dir).live_dir("stadtbezirke")
    assert live is not None
    assert r.headers["ETag"].strip('"') == sha256_file(live / "stadtbezirke.gpkg")


def test_default_page_holds_all_13_districts(client: FlaskClient) -> None:
    body = client.get("/collections/stadtbezirke/items?f=json").get_json()
    assert body["numberReturned"] == 13
