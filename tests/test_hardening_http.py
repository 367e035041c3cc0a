"""Hostile requests (issue 17) against a running server: each a 4xx naming the parameter,
never a 500; no redirect to the client's Host header; security headers on every page."""

from __future__ import annotations

import http.client
import json
import urllib.parse
from typing import Any

import pytest

MARS = ('GEOGCS["Mars 2000",DATUM["Mars",SPHEROID["Mars",3396190,169.894447223612]],'
        'PRIMEM["Reference meridian",0],UNIT["degree",0.0174532925199433]]')


def _request(base: str, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def _get(base: str, path: str, **params: str) -> tuple[int, dict[str, str], bytes]:
    query = urllib.parse.urlencode(params)
    return _request(base, "GET", f"{path}?{query}" if query else path)


def _not(depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"op": "=", "args": [{"property": "name"}, "Mitte"]}
    for _ in range(depth):
        node = {"op": "not", "args": [node]}
    return node


ITEMS = "/collections/stadtbezirke/items"
COVERAGE = "/collections/dop20/coverage"

#: case -> (query parameters of GET items, the parameter the message must name)
FILTER_CASES: dict[str, dict[str, str]] = {
    "90 AND terms": {"filter": " AND ".join(["flaeche_ha = 1"] * 90)},
    "46 nested not": {"filter": json.dumps(_not(46)), "filter-lang": "cql2-json"},
    "unknown geometry type": {"filter": json.dumps({"op": "s_intersects", "args": [
        {"property": "geometry"}, {"type": "Foo", "coordinates": [9.7, 52.4]}]}),
        "filter-lang": "cql2-json"},
    "in with a scalar": {"filter": json.dumps({"op": "in", "args": [{"property": "name"}, 5]}),
                         "filter-lang": "cql2-json"},
    "in with a string": {"filter": json.dumps({"op": "in", "args": [{"property": "name"},
                                                                    "Mitte"]}),
                         "filter-lang": "cql2-json"},
    "bbox literal with NaN": {"filter": '{"op": "s_intersects", "args": [{"property": '
                              '"geometry"}, {"bbox": [NaN, 52, 10, 53]}]}',
                              "filter-lang": "cql2-json"},
}


@pytest.mark.parametrize("case", sorted(FILTER_CASES))
def test_filter_beyond_the_limits_is_400(hardening_server: str, case: str) -> None:
    status, headers, body = _get(hardening_server, ITEMS, **FILTER_CASES[case])
    assert status == 400, (case, status, body[:300])
    assert headers["content-type"].startswith("application/json")
    assert "filter" in json.loads(body)["description"]


def test_filters_within_the_limits_still_work(hardening_server: str) -> None:
    status, _, body = _get(hardening_server, ITEMS,
                           filter=" AND ".join(["flaeche_ha > 0"] * 64), limit="100")
    assert status == 200 and json.loads(body)["numberReturned"] == 13
    status, _, body = _get(hardening_server, ITEMS, **{"filter": json.dumps(_not(10)),
                                                       "filter-lang": "cql2-json"})
    assert status == 200 and json.loads(body)["numberReturned"] == 1  # ten NOTs: name = Mitte


def _post_filter(base: str, node: Any, path: str = ITEMS) -> tuple[int, dict[str, str], bytes]:
    body = node if isinstance(node, bytes) else json.dumps(node).encode()
    return _request(base, "POST", path, body, {"Content-Type": "application/query-cql-json"})


@pytest.mark.parametrize("node", [
    {"op": "like", "args": [{"property": "name"}, "a%" * 25_000]},
    {"op": "in", "args": [{"property": "name"}, ["x"] * 5_000]},
    _not(46),
    {"op": "in", "args": [{"property": "name"}, 5]},
], ids=["like 50,000 chars", "in 5,000 values", "46 nested not", "in scalar"])
def test_post_items_filter_beyond_the_limits_is_400(hardening_server: str,
                                                    node: dict[str, Any]) -> None:
    status, _, body = _post_filter(hardening_server, node)
    assert status == 400, (status, body[:300])
    assert b"filter" in body.lower() or b"cql json" in body.lower()  # pygeoapi's POST view


def test_post_body_has_a_size_limit(hardening_server: str) -> None:
    """300,000 IN values (2.4 MB): refused before anything parses it."""
    node = {"op": "in", "args": [{"property": "name"}, ["abcdef"] * 300_000]}
    status, headers, body = _post_filter(hardening_server, node)
    assert status == 413, (status, body[:300])
    assert headers["content-type"].startswith("application/json")
    assert "OPENGEODATA_MAX_BODY_BYTES" in json.loads(body)["description"]


@pytest.mark.parametrize("bbox", ["nan,52,10,53", "9,52,inf,53", "-inf,-inf,inf,inf"])
@pytest.mark.parametrize("how", ["html", "post"])
def test_nan_or_inf_bbox_is_400_for_html_and_post_items(hardening_server: str, bbox: str,
                                                        how: str) -> None:
    if how == "html":
        status, _, body = _get(hardening_server, ITEMS, f="html", bbox=bbox)
    else:
        status, _, body = _post_filter(
            hardening_server, {"op": "=", "args": [{"property": "name"}, "Mitte"]},
            f"{ITEMS}?{urllib.parse.urlencode({'bbox': bbox})}")
    assert status == 400, (status, body[:300])
    assert b"bbox" in body


@pytest.mark.parametrize(("params", "name"), [
    ({"scale-factor": "5e-324"}, "scale-factor"),
    ({"scale-factor": "1e-300", "f": "png"}, "scale-factor"),
    ({"bbox": "-1e308,-1e308,1e308,1e308"}, "bbox"),
    ({"bbox": "-1e308,0,1,1"}, "bbox"),
    ({"bbox": "0,0,1,1", "bbox-crs": MARS}, "bbox-crs"),
    ({"subset": "Lon(0:1),Lat(0:1)", "subset-crs": MARS}, "subset-crs"),
])
def test_hostile_coverage_parameters_are_400(hardening_server: str, params: dict[str, str],
                                             name: str) -> None:
    status, _, body = _get(hardening_server, COVERAGE, **params)
    assert status == 400, (params, status, body[:300])
    assert name in json.loads(body)["description"]


@pytest.mark.parametrize("path", ["/collections//stadtbezirke", "//collections/stadtbezirke"])
def test_redirects_ignore_the_host_header(hardening_server: str, path: str) -> None:
    status, headers, _ = _request(hardening_server, "GET", path, headers={"Host": "evil.example"})
    if status in (301, 302, 307, 308):
        location = headers["location"]
        assert "evil.example" not in location
        assert location.startswith(hardening_server), location
    else:
        assert status in (200, 404), status


@pytest.mark.parametrize("path", [
    "/collections/stadtbezirke?f=html", "/collections/stadtbezirke/items?f=html",
    "/collections?f=html", "/?f=html", "/conformance?f=html", "/openapi?f=html",
    "/collections/nope?f=html", "/collections/stadtbezirke/items?f=html&limit=x",
])
def test_html_pages_and_error_pages_send_security_headers(hardening_server: str,
                                                          path: str) -> None:
    status, headers, _ = _request(hardening_server, "GET", path)
    assert headers["content-type"].startswith("text/html"), (path, status)
    assert headers["x-content-type-options"] == "nosniff"
    csp = headers["content-security-policy"]
    assert "frame-ancestors" in csp and "default-src 'self'" in csp and "object-src 'none'" in csp


@pytest.mark.parametrize("path", [
    "/collections/stadtbezirke/items?f=json", "/collections/nope",
    "/collections/stadtbezirke/tiles/WebMercatorQuad/12/1345/2170?f=mvt",
    "/collections/dop20/tiles/WebMercatorQuad/16/21535/34722?f=png",
])
def test_every_answer_says_nosniff(hardening_server: str, path: str) -> None:
    _, headers, _ = _request(hardening_server, "GET", path)
    assert headers["x-content-type-options"] == "nosniff", path
