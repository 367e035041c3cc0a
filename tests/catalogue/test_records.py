"""OGC API Records: the `catalogue` collection served by pygeoapi through the record provider."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from opengeodata.manifest import Manifest
from opengeodata.server import create_app
from opengeodata.settings import Settings
from opengeodata.store import Store
from tests.server.downloads.fixtures import private_copy, publish_changed_version

ITEMS = "/collections/catalogue/items"


@pytest.fixture
def client(published: Settings) -> FlaskClient:
    return create_app(published).test_client()


def items(client: FlaskClient, query: str = "") -> list[str]:
    resp = client.get(f"{ITEMS}?f=json{query}")
    assert resp.status_code == 200, resp.data
    return [f["id"] for f in resp.get_json()["features"]]


def test_catalogue_collection_is_listed(client: FlaskClient) -> None:
    colls = client.get("/collections?f=json").get_json()["collections"]
    cat = next(c for c in colls if c["id"] == "catalogue")
    assert cat["itemType"] == "record"
    assert any(link["href"].endswith("/catalogue/dcat") for link in cat["links"])


def test_record_has_every_required_part(client: FlaskClient, published: Settings) -> None:
    manifest = Store(published.data_dir).live_manifest("stadtbezirke")
    assert manifest is not None
    resp = client.get(f"{ITEMS}/stadtbezirke?f=json")
    assert resp.status_code == 200
    rec = resp.get_json()
    p = rec["properties"]
    assert rec["type"] == "Feature" and rec["id"] == "stadtbezirke"
    assert p["title"] == "Stadtbezirke Hannover"
    assert "13 Stadtbezirke" in p["description"]
    assert "Stadtbezirk" in p["keywords"]
    assert {t["scheme"] for t in p["themes"]} >= {
        "http://publications.europa.eu/resource/authority/data-theme"}
    assert p["extent"]["spatial"]["bbox"][0] == manifest.extent.bbox_crs84  # type: ignore[union-attr]
    assert rec["geometry"]["type"] == "Polygon"
    assert p["license"] == "dl-de/by-2-0"
    assert p["licence"]["uri"] == "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
    assert p["rights"].startswith("Landeshauptstadt Hannover")
    roles = {c["roles"][0]: c for c in p["contacts"]}
    assert roles["publisher"]["organization"] == "Landeshauptstadt Hannover"
    assert roles["pointOfContact"]["emails"][0]["value"] == "geoinformation@hannover-stadt.de"
    assert p["updateFrequency"] == "irregular"
    assert p["updated"] == manifest.created and p["version"] == manifest.version
    assert p["quality"]["features_written"] == 13
    assert p["quality"]["summary"] == manifest.quality.summary()
    rels = {link["rel"]: link for link in rec["links"]}
    assert rels["items"]["href"] == "http://testserver/collections/stadtbezirke/items"
    if manifest.output("pmtiles"):
        assert rels["http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"]
    enclosures = [link for link in rec["links"] if link["rel"] == "enclosure"]
    assert len(enclosures) == len(manifest.outputs)
    for out, link in zip(manifest.outputs, enclosures, strict=True):
        assert link["href"] == f"http://testserver/downloads/stadtbezirke/{out.name}"
        assert (link["type"], link["length"], link["sha256"]) == (
            out.media_type, out.size, out.sha256)


@pytest.mark.parametrize(("query", "expected"), [
    ("&q=stadtbezirk", ["stadtbezirke"]),
    ("&q=FLAECHE", ["stadtbezirke"]),            # "Fläche" in the description
    ("&q=fl%C3%A4che", ["stadtbezirke"]),
    ("&q=verwaltungsgrenze%20hannover", ["stadtbezirke"]),
    ("&q=baumkataster", []),
    ("&keywords=Gebietsgliederung", ["stadtbezirke"]),
    ("&keywords=nothing", []),
    ("&type=dataset", ["stadtbezirke"]),
    ("&type=service", []),
    ("&theme=planning&format=gpkg&license=dl-de/by-2-0", ["stadtbezirke"]),
    ("&format=cityjson", []),
    ("&bbox=9.7,52.35,9.8,52.4", ["stadtbezirke"]),
    ("&bbox=13.3,52.4,13.5,52.6", []),
    ("&datetime=2000-01-01/..", ["stadtbezirke"]),
    ("&datetime=../2000-01-01", []),
    ("&sortby=-updated", ["stadtbezirke"]),
])
def test_search(client: FlaskClient, query: str, expected: list[str]) -> None:
    assert items(client, query) == expected


@pytest.mark.parametrize(("query", "word"), [
    ("&bbox=1,2,3", "bbox"), ("&datetime=soon", "datetime"), ("&sortby=colour", "sortby"),
    ("&sortby=description", "sort"),
])
def test_bad_search_is_400(client: FlaskClient, query: str, word: str) -> None:
    resp = client.get(f"{ITEMS}?f=json{query}")
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["code"] == "InvalidParameterValue" and word in body["description"]


def test_unknown_record_is_404(client: FlaskClient) -> None:
    assert client.get(f"{ITEMS}/nothing?f=json").status_code == 404


def test_html(client: FlaskClient) -> None:
    page = client.get(f"{ITEMS}?f=html")
    assert page.status_code == 200 and b"Stadtbezirke Hannover" in page.data
    one = client.get(f"{ITEMS}/stadtbezirke?f=html")
    assert one.status_code == 200 and b"/downloads/stadtbezirke/stadtbezirke.gpkg" in one.data


def test_records_follow_a_publish(published: Settings, tmp_path: Path) -> None:
    settings = private_copy(published, tmp_path)
    client = create_app(settings).test_client()
    before = client.get(f"{ITEMS}/stadtbezirke?f=json").get_json()["properties"]
    store = Store(settings.data_dir)
    new: Manifest = publish_changed_version(store, "stadtbezirke", "29990101T000000Z",
                                            "stadtbezirke.geojson", b"{}")
    time.sleep(1.1)  # the server rechecks the live pointers at most once a second
    after = client.get(f"{ITEMS}/stadtbezirke?f=json").get_json()["properties"]
    assert before["version"] != after["version"] == new.version
    assert after["versions"][-1] == new.version and before["version"] in after["versions"]
    geojson = next(d for d in after["downloads"] if d["format"] == "geojson")
    assert geojson["size"] == 2 and geojson["versioned"].endswith(
        "/versions/29990101T000000Z/stadtbezirke.geojson")
    # DCAT and ATOM follow too
    ttl = client.get("/catalogue/dcat?f=ttl").data.decode()
    assert "29990101T000000Z" in ttl
    assert b"29990101T000000Z" in client.get("/atom/stadtbezirke.xml").data
    assert json.loads(client.get(ITEMS + "?f=json").data)["numberMatched"] == 1
