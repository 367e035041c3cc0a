"""The one response policy: CORS on every answer, preflights, Vary, caching, error format."""

from __future__ import annotations

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient

from opengeodata.published import VECTOR, Collection
from opengeodata.server import create_app
from opengeodata.server.dispatch import Dispatcher, SubPath
from opengeodata.settings import Settings

ORIGIN = {"Origin": "https://maps.example.org"}
#: every kind of answer: documents, features, records, downloads, feeds, tiles, web pages
PATHS = [
    "/", "/?f=json", "/openapi?f=json", "/conformance?f=json", "/collections",
    "/collections?f=json", "/collections/stadtbezirke?f=json",
    "/collections/stadtbezirke/items?f=json", "/collections/stadtbezirke/items?f=html",
    "/collections/stadtbezirke/items/{fid}?f=json", "/collections/stadtbezirke/queryables",
    "/collections/catalogue/items?f=json", "/collections/catalogue/items/stadtbezirke?f=json",
    "/TileMatrixSets", "/TileMatrixSets/WebMercatorQuad", "/downloads/stadtbezirke/latest/gpkg",
    "/catalogue/dcat", "/catalogue/dcat?f=ttl", "/atom/service.xml", "/atom/stadtbezirke.xml",
    "/collections/stadtbezirke/tiles", "/collections/stadtbezirke/tiles/WebMercatorQuad",
    "/catalogue/",
]
ERRORS = ["/collections/nope/items", "/collections/stadtbezirke/items?bogus=1",
          "/collections/stadtbezirke/items/999999999", "/nope", "/downloads/stadtbezirke/x.zip",
          "/collections/stadtbezirke/tiles/WebMercatorQuad/1/0/0",
          "/collections/stadtbezirke/coverage"]


@pytest.fixture(scope="module")
def client(published: Settings) -> FlaskClient:
    return create_app(published).test_client()


@pytest.fixture(scope="module")
def fid(client: FlaskClient) -> str:
    page = client.get("/collections/stadtbezirke/items?f=json&limit=1").json
    return str(page["features"][0]["id"])


def assert_cors(response: Response, path: str) -> None:
    assert response.headers.get("Access-Control-Allow-Origin") == "*", path
    exposed = {h.strip().lower() for h in
               response.headers.get("Access-Control-Expose-Headers", "").split(",")}
    assert {"etag", "content-range", "content-crs", "link", "ogc-coverage-scaled"} <= exposed, path


@pytest.mark.parametrize("path", PATHS)
def test_every_answer_allows_any_origin(client: FlaskClient, fid: str, path: str) -> None:
    response = client.get(path.format(fid=fid), headers=ORIGIN)
    assert response.status_code in (200, 303), (path, response.status_code)
    assert_cors(response, path)


@pytest.mark.parametrize("path", ERRORS)
def test_errors_allow_any_origin_and_are_ogc_exceptions(client: FlaskClient, path: str) -> None:
    response = client.get(path, headers=ORIGIN)
    assert 400 <= response.status_code < 500, path
    assert_cors(response, path)
    body = response.get_json()
    assert set(body) >= {"code", "description"}, path
    assert response.headers["Cache-Control"] == "no-store", path


def test_errors_are_html_for_browsers(client: FlaskClient) -> None:
    response = client.get("/collections/nope/items", headers={**ORIGIN, "Accept": "text/html"})
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert_cors(response, "html error")
    assert "Accept" in response.headers["Vary"]


def test_partial_and_not_modified_downloads_allow_any_origin(client: FlaskClient) -> None:
    path = "/downloads/stadtbezirke/latest/gpkg"
    partial = client.get(path, headers={**ORIGIN, "Range": "bytes=0-99"})
    assert partial.status_code == 206 and len(partial.data) == 100
    assert_cors(partial, "206")
    etag = partial.headers["ETag"]
    again = client.get(path, headers={**ORIGIN, "If-None-Match": etag})
    assert again.status_code == 304
    assert_cors(again, "304")


def test_vector_tiles_fast_path_has_the_same_policy(client: FlaskClient) -> None:
    tilejson = client.get("/collections/stadtbezirke/tiles/WebMercatorQuad/tilejson.json").json
    z = tilejson["minzoom"]
    template = tilejson["tiles"][0]
    from opengeodata.vtiles.tms import lonlat_to_tile

    lon = (tilejson["bounds"][0] + tilejson["bounds"][2]) / 2
    lat = (tilejson["bounds"][1] + tilejson["bounds"][3]) / 2
    col, row = lonlat_to_tile(lon, lat, z)
    path = template.split("testserver", 1)[1].format(z=z, x=col, y=row)
    tile = client.get(path, headers=ORIGIN)
    assert tile.status_code == 200 and tile.mimetype == "application/vnd.mapbox-vector-tile"
    assert_cors(tile, path)
    assert_cors(client.get("/tiles", headers=ORIGIN), "/tiles")


@pytest.mark.parametrize("path", [
    "/collections/stadtbezirke/items", "/collections/stadtbezirke/items/1", "/collections",
    "/", "/openapi", "/downloads/stadtbezirke/latest/gpkg", "/catalogue/dcat",
    "/atom/service.xml", "/collections/catalogue/items", "/TileMatrixSets",
    "/collections/stadtbezirke/tiles/WebMercatorQuad/12/2692/2154", "/tiles",
])
def test_preflight_is_answered_for_every_route(client: FlaskClient, path: str) -> None:
    response = client.options(path, headers={
        **ORIGIN, "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "Range, If-None-Match"})
    assert response.status_code == 204, path
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "range" in allowed and "if-none-match" in allowed, path
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert int(response.headers["Access-Control-Max-Age"]) > 0


def test_negotiated_answers_vary_on_accept(client: FlaskClient) -> None:
    for path in ("/collections/stadtbezirke/items", "/collections", "/conformance"):
        response = client.get(path)
        assert "Accept" in response.headers.get("Vary", ""), path
        assert response.headers.get("Cache-Control", "").startswith("public"), path


def test_a_new_endpoint_cannot_forget_the_policy(published: Settings) -> None:
    app: Flask = create_app(published)

    @app.route("/brand-new")
    def brand_new() -> Response:
        return Response("{}", mimetype="application/json")

    client = app.test_client()
    assert_cors(client.get("/brand-new"), "/brand-new")
    assert client.options("/brand-new").status_code == 204


def test_a_new_sub_path_is_dispatched_by_kind(published: Settings) -> None:
    app = create_app(published)
    dispatcher: Dispatcher = app.extensions["opengeodata.dispatch"]
    dispatcher.add_subpath(SubPath("/extras/<path:rest>", "extras", what="extras"))

    def extras(coll: Collection, rest: str) -> Response:
        return Response(f"{coll.id}:{rest}", mimetype="text/plain")

    dispatcher.handle(VECTOR, "extras", extras)
    client = app.test_client()
    answer = client.get("/collections/stadtbezirke/extras/x/y.json")
    assert answer.status_code == 200 and answer.text == "stadtbezirke:x/y.json"
    assert_cors(answer, "extras")
    missing = client.get("/collections/catalogue/extras/x.json")
    assert missing.status_code == 404 and "has no extras" in missing.json["description"]
