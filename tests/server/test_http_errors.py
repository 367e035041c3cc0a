"""QA regressions: client mistakes found by fuzzing get a 4xx with a clear JSON message."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from opengeodata.server import create_app
from opengeodata.settings import Settings


@pytest.fixture(scope="module")
def client(published: Settings) -> FlaskClient:
    return create_app(published).test_client()


def _error(client: FlaskClient, path: str, status: int, method: str = "GET") -> str:
    resp = client.open(path, method=method)
    assert resp.status_code == status, (path, resp.status_code, resp.get_data()[:300])
    assert resp.mimetype == "application/json"
    if method == "HEAD":
        return ""
    body = resp.get_json()
    assert body["code"] and body["description"]
    return str(body["description"])


def test_records_csv_is_400_not_500(client: FlaskClient) -> None:
    message = _error(client, "/collections/catalogue/items?f=csv", 400)
    assert "f='csv'" in message and "catalogue" in message
    # the formats pygeoapi renders for records still work
    assert client.get("/collections/catalogue/items?f=json").status_code == 200


@pytest.mark.parametrize("path", [
    "/collections/catalogue/tiles",
    "/collections/catalogue/tiles/WebMercatorQuad",
    "/collections/catalogue/tiles/WebMercatorQuad/1/0/0",
    "/collections/catalogue/tiles/WebMercatorQuad/1/0/0?f=mvt",
    "/collections/nope/tiles/WebMercatorQuad/1/0/0",
    "/collections/nope/tiles",
    "/collections/catalogue/coverage",
    "/collections/stadtbezirke/coverage",
    "/collections/nope/coverage",
])
def test_missing_tiles_and_coverage_are_404(client: FlaskClient, path: str) -> None:
    message = _error(client, path, 404)
    assert "collection" in message


def test_unknown_tile_matrix_set_is_404(client: FlaskClient) -> None:
    assert "'Foo'" in _error(client, "/TileMatrixSets/Foo", 404)
    assert client.get("/TileMatrixSets/WebMercatorQuad").status_code == 200


def test_405_names_the_allowed_methods(client: FlaskClient) -> None:
    resp = client.open("/collections/stadtbezirke/items/01", method="TRACE")
    assert resp.status_code == 405
    assert "GET" in resp.headers["Allow"]
    assert resp.get_json()["code"] == "MethodNotAllowed"
    assert "GET" in client.post("/catalogue/dcat").headers["Allow"]


def test_head_items_answers_like_get(client: FlaskClient) -> None:
    get = client.get("/collections/stadtbezirke/items")
    head = client.head("/collections/stadtbezirke/items")
    assert head.status_code == 200 and head.get_data() == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"] == "application/geo+json"
    assert head.headers["ETag"] == get.headers["ETag"]
    _error(client, "/collections/stadtbezirke/items?limit=abc", 400, method="HEAD")


def test_csv_result_has_one_charset(client: FlaskClient) -> None:
    resp = client.get("/collections/stadtbezirke/items?f=csv")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"


@pytest.mark.parametrize("header", ["items=0-5", "garbage"])
def test_download_ignores_a_range_of_unknown_unit(client: FlaskClient, header: str) -> None:
    full = client.get("/downloads/stadtbezirke/stadtbezirke.geojson")
    resp = client.get("/downloads/stadtbezirke/stadtbezirke.geojson", headers={"Range": header})
    assert resp.status_code == 200 and resp.get_data() == full.get_data()
    part = client.get("/downloads/stadtbezirke/stadtbezirke.geojson",
                      headers={"Range": "bytes=0-5"})
    assert part.status_code == 206 and part.get_data() == full.get_data()[:6]
    assert client.get("/downloads/stadtbezirke/stadtbezirke.geojson",
                      headers={"Range": "bytes=99999999-"}).status_code == 416


@pytest.mark.parametrize("path", ["/collections/nope/items?f=html", "/nope?f=html",
                                  "/downloads/nope/x.gpkg?f=html"])
def test_html_errors_for_html_requests(client: FlaskClient, path: str) -> None:
    resp = client.get(path)
    assert resp.status_code == 404 and resp.mimetype == "text/html"
    assert b"<html" in resp.get_data().lower() and b"not" in resp.get_data()
    browser = client.get(path.split("?")[0], headers={"Accept": "text/html,*/*;q=0.8"})
    assert browser.status_code == 404 and browser.mimetype == "text/html"
    api = client.get(path.split("?")[0], headers={"Accept": "*/*"})
    assert api.status_code == 404 and api.mimetype == "application/json"


@pytest.mark.parametrize("path", ["/collections/catalogue?f=json", "/collections?f=json"])
def test_collection_documents_link_only_working_item_formats(client: FlaskClient,
                                                             path: str) -> None:
    doc = client.get(path).get_json()
    collections = doc.get("collections", [doc])
    hrefs = [link["href"] for c in collections for link in c["links"]
             if "/items?" in link["href"]]
    assert any("/collections/catalogue/items?f=json" in h for h in hrefs)
    assert "http://testserver/collections/catalogue/items?f=csv" not in hrefs
    if path == "/collections?f=json":  # feature collections keep their CSV link
        assert "http://testserver/collections/stadtbezirke/items?f=csv" in hrefs
    for href in hrefs:
        assert client.get(href.removeprefix("http://testserver")).status_code == 200, href
