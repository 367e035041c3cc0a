"""The feature JSON fast route (``opengeodata.server.features_fast``): the same answers as the
Flask views, byte for byte and header for header, without Flask; HTML and the rest stay Flask's."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.test import Client

from opengeodata.server import create_app
from opengeodata.settings import Settings

ITEMS = "/collections/parcels/items"
FEATURE = f"{ITEMS}/036100-001-000001"
GEOJSON = {"Accept": "application/geo+json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}

#: (path, request headers) answered by the fast route
FAST: list[tuple[str, dict[str, str]]] = [
    (f"{ITEMS}?f=json&limit=10", {}),
    (f"{ITEMS}?limit=5", {}),
    (f"{ITEMS}?limit=5", GEOJSON),
    (f"{ITEMS}?limit=5", {"Accept": "application/json"}),
    (f"{ITEMS}?f=geojson&limit=3&offset=7", {}),
    (f"{ITEMS}?f=JSON&limit=2", {}),
    (f"{ITEMS}?f=json&bbox=9.70,52.33,9.75,52.36&limit=100", {}),
    (f"{ITEMS}?f=json&bbox=550000,5805000,550300,5805300&bbox-crs=EPSG:25832", {}),
    (f"{ITEMS}?f=json&limit=1000", {}),
    (f"{ITEMS}?f=json&crs=http://www.opengis.net/def/crs/EPSG/0/25832&limit=4", {}),
    (f"{ITEMS}?f=json&properties=nutzung,flur&skipGeometry=true&sortby=-flaeche", {}),
    (f"{ITEMS}?f=json&filter=nutzung%20%3D%20%27Wald%27&limit=20", {}),
    (f"{ITEMS}?f=json&resulttype=hits", {}),
    (f"{ITEMS}?f=json&datetime=2021-01-01/2021-12-31&gemarkung=Linden", {}),
    (f"{FEATURE}?f=json", {}),
    (f"{FEATURE}?f=geojson", {}),
    (f"{FEATURE}?f=jsonld", {}),
    (FEATURE, {}),
    (FEATURE, GEOJSON),
    (f"{FEATURE}?crs=http://www.opengis.net/def/crs/EPSG/0/3857", {}),
    (f"{FEATURE}?crs=EPSG:25832&properties=flur&skipGeometry=true", {}),
    (f"{ITEMS}/1?f=json", {}),
    # errors: OGC exception JSON
    (f"{ITEMS}/no-such-parcel?f=json", {}),
    (f"{ITEMS}/no-such-parcel", {}),
    (f"{FEATURE}?f=csv", {}),
    (f"{FEATURE}?f=nope", {}),
    (f"{FEATURE}?crs=EPSG:9999", {}),
    (f"{FEATURE}?colour=red", {}),
    (f"{ITEMS}?f=json&limit=0", {}),
    (f"{ITEMS}?f=json&bbox=1,2,3", {}),
    (f"{ITEMS}?f=json&filter=nutzung%20%3D%3D", {}),
]
#: (path, request headers) Flask answers as before (HTML pages, downloads, odd paths)
FLASK: list[tuple[str, dict[str, str]]] = [
    (f"{FEATURE}?f=html", {}),
    (FEATURE, BROWSER),
    (f"{ITEMS}?limit=3", BROWSER),
    (f"{ITEMS}?f=html&limit=3", {}),
    (f"{ITEMS}/no-such-parcel?f=html", {}),
    (f"{ITEMS}/no-such-parcel", BROWSER),
    (f"{ITEMS}?f=csv&limit=5", {}),
    (f"{ITEMS}?f=fgb&limit=5", {}),
    (f"{FEATURE}/", {}),
    (f"{FEATURE}/extra", {}),
    ("/collections/nope/items/1?f=json", {}),
]


def stripped(body: bytes) -> bytes:
    """An answer's body without its timeStamp (the only part that changes per request)."""
    return re.sub(rb'"timeStamp":"[^"]*"', b'"timeStamp":""', body)


def answer(client: Client, path: str, headers: dict[str, str], method: str = "GET"
           ) -> tuple[str, list[tuple[str, str]], bytes]:
    response = client.open(path, method=method, headers=headers)
    return response.status, list(response.headers.items()), stripped(response.get_data())


@pytest.fixture(scope="module")
def app(parcels_settings: Settings) -> Flask:
    return create_app(parcels_settings)


@pytest.fixture
def flask_calls(app: Flask) -> Iterator[list[str]]:
    """The paths of the requests that reached Flask during a test."""
    seen: list[str] = []

    def record() -> None:
        from flask import request

        seen.append(request.full_path)

    app.before_request_funcs.setdefault(None, []).insert(0, record)
    yield seen
    app.before_request_funcs[None].remove(record)


def assert_same_as_flask(app: Flask, requests: list[tuple[str, dict[str, str]]],
                         method: str = "GET") -> int:
    """Every request gets the same status, headers (in order) and body from the fast route as
    from Flask alone; returns how many answered 200."""
    fast = Client(app.wsgi_app)
    flask_only = Client(app.extensions["opengeodata.dispatch"].flask_wsgi)
    ok = 0
    for path, headers in requests:
        got, want = answer(fast, path, headers, method), answer(flask_only, path, headers, method)
        assert got == want, (path, headers)
        ok += got[0].startswith("200")
    return ok


def test_fast_answers_equal_the_flask_answers(app: Flask, flask_calls: list[str]) -> None:
    assert assert_same_as_flask(app, FAST) >= 20
    assert assert_same_as_flask(app, FAST[:6] + FAST[14:20], method="HEAD") >= 10
    flask_calls.clear()
    fast = Client(app.wsgi_app)
    for path, headers in FAST:
        fast.get(path, headers=headers)
    assert flask_calls == []  # none of them went through Flask


def test_html_downloads_and_odd_paths_still_go_to_flask(app: Flask,
                                                       flask_calls: list[str]) -> None:
    assert_same_as_flask(app, FLASK)
    flask_calls.clear()
    fast = Client(app.wsgi_app)
    for path, headers in FLASK:
        fast.get(path, headers=headers)
    assert len(flask_calls) == len(FLASK)
    page = fast.get(f"{FEATURE}?f=html")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert b"036100-001-000001" in page.get_data()  # pygeoapi's feature page
    assert fast.get(FEATURE, headers=BROWSER).mimetype == "text/html"
    missing = fast.get(f"{ITEMS}/no-such-parcel", headers=BROWSER)
    assert missing.status_code == 404 and missing.mimetype == "text/html"


def test_missing_feature_is_an_ogc_exception(app: Flask) -> None:
    fast = Client(app.wsgi_app)
    response = fast.get(f"{ITEMS}/no-such-parcel?f=json")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    doc = response.get_json()
    assert doc["code"] == "NotFound" and "no-such-parcel" in doc["description"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    bad = fast.get(f"{FEATURE}?crs=EPSG:9999")
    assert bad.status_code == 400 and bad.get_json()["code"] == "InvalidParameterValue"


def test_feature_headers_crs_and_caching(app: Flask) -> None:
    fast = Client(app.wsgi_app)
    plain = fast.get(FEATURE)
    assert plain.status_code == 200 and plain.mimetype == "application/geo+json"
    assert plain.headers["Vary"] == "Accept"  # negotiated: no f
    assert plain.headers["Content-Crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    assert plain.headers["X-Content-Type-Options"] == "nosniff"
    assert plain.get_json()["id"] == "036100-001-000001"
    projected = fast.get(f"{FEATURE}?f=json&crs=http://www.opengis.net/def/crs/EPSG/0/25832")
    assert "Vary" not in projected.headers
    assert projected.headers["Content-Crs"] == "<http://www.opengis.net/def/crs/EPSG/0/25832>"
    x, y = projected.get_json()["geometry"]["coordinates"][0][0]
    assert 500_000 < x < 600_000 and 5_700_000 < y < 5_900_000
    etag = plain.headers["ETag"]
    again = fast.get(FEATURE, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    assert assert_same_as_flask(app, [(FEATURE, {"If-None-Match": etag}),
                                      (FEATURE, {"If-Modified-Since":
                                                 plain.headers["Last-Modified"]})]) == 0


def test_other_methods_are_flask_s(app: Flask) -> None:
    fast = Client(app.wsgi_app)
    preflight = fast.options(FEATURE, headers={"Origin": "https://example.org",
                                               "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert_same_as_flask(app, [(FEATURE, {})], method="OPTIONS")
    assert_same_as_flask(app, [(FEATURE, {}), (f"{ITEMS}?f=json", {})], method="DELETE")


def test_single_feature_copies_its_stored_answer(app: Flask,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A default single feature (CRS84, all properties) is the feature's stored bytes, the
    very bytes the encoder writes from its row; other requests still encode the row."""
    from opengeodata.engine.geojson import feature_bytes, read_feature
    from opengeodata.ogc import CRS84

    state = app.extensions["opengeodata"]
    source = app.extensions["opengeodata.features"].collection(
        state.snapshot().published.collections["parcels"])
    assert source.backend.features_id == "kennzeichen"  # stored answers were written
    names = list(source.backend.columns)
    row, cols = read_feature(source, "036100-001-000001", names)
    encoded = feature_bytes(source, [row], cols, CRS84, False, len(names))[0]
    read: list[str] = []
    by_id = source.backend.by_id
    monkeypatch.setattr(source.backend, "by_id",
                        lambda *a, **k: read.append(a[1]) or by_id(*a, **k))
    fast = Client(app.wsgi_app)
    doc = fast.get(f"{FEATURE}?f=json").get_data()
    assert doc.startswith(encoded[:-1] + b',"links":[')
    assert read == []  # copied, not read and encoded
    assert fast.get(f"{FEATURE}?crs=EPSG:25832").status_code == 200
    assert read == ["036100-001-000001"]  # another CRS: encoded from the row
    assert fast.get(f"{ITEMS}/no-such-parcel?f=json").status_code == 404
