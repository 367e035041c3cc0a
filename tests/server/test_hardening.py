"""Hostile requests (issue 17) against a running server: each a 4xx naming the parameter,
never a 500; no redirect to the client's Host header; security headers on every page."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
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


def _cheap_latencies(base: str, seconds: float) -> list[float]:
    """Latencies (s) of cheap requests made one after another for ``seconds``."""
    out: list[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.monotonic()
        status, _, _ = _request(base, "GET", f"{ITEMS}?limit=1&f=json")
        assert status == 200
        out.append(time.monotonic() - start)
        time.sleep(0.1)
    return out


def _slow_header_sender(base: str, stop: threading.Event) -> None:
    url = urllib.parse.urlsplit(base)
    with socket.create_connection((url.hostname, url.port)) as sock:
        sock.sendall(b"GET /collections HTTP/1.1\r\nHost: x\r\n")
        while not stop.wait(1.0):
            sock.sendall(b"X-Slow: 1\r\n")


def _slow_reader(base: str, path: str, stop: threading.Event) -> None:
    url = urllib.parse.urlsplit(base)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((url.hostname, url.port))
    with sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        while not stop.wait(0.2) and sock.recv(1024):
            pass


def test_slow_clients_do_not_stall_other_requests(hardening_server: str) -> None:
    """4 clients trickling headers and 8 reading a COG slowly held every thread (18-20 s)."""
    stop = threading.Event()
    clients = [threading.Thread(target=_slow_header_sender, args=(hardening_server, stop))
               for _ in range(4)]
    clients += [threading.Thread(target=_slow_reader,
                                 args=(hardening_server, "/downloads/dop20/dop20.tif", stop))
                for _ in range(8)]
    for client in clients:
        client.start()
    try:
        time.sleep(1.0)
        latencies = _cheap_latencies(hardening_server, 6.0)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=5)
    assert max(latencies) < 3.0, sorted(latencies)[-5:]


def test_plain_coverage_is_small_and_costly_requests_cannot_take_every_thread(
        hardening_server: str) -> None:
    status, headers, body = _get(hardening_server, COVERAGE, f="png")
    assert status == 200 and "scaled to 1024x1024 px" in headers["ogc-coverage-scaled"]
    status, _, body = _get(hardening_server, COVERAGE, **{"scale-size": "E(4096),N(4096)"})
    assert status == 413 and "pixels" in json.loads(body)["description"]
    answers: list[tuple[int, dict[str, str]]] = []

    def costly(i: int) -> None:
        status, headers, _ = _get(hardening_server, COVERAGE, f="png",
                                  **{"scale-size": f"E({2000 + i}),N(2000)"})
        answers.append((status, headers))

    workers = [threading.Thread(target=costly, args=(i,)) for i in range(8)]
    for worker in workers:
        worker.start()
    latencies = _cheap_latencies(hardening_server, 3.0)
    for worker in workers:
        worker.join(timeout=120)
    assert max(latencies) < 3.0, sorted(latencies)[-5:]
    statuses = sorted(s for s, _ in answers)
    assert len(statuses) == 8 and set(statuses) <= {200, 503} and 200 in statuses, statuses
    for status, headers in answers:
        if status == 503:
            assert headers["retry-after"].isdigit()


def test_openapi_documents_the_limits(hardening_server: str) -> None:
    _, _, body = _get(hardening_server, "/openapi", f="json")
    oas = json.loads(body)
    params = oas["paths"][ITEMS]["get"]["parameters"]
    [filter_param] = [p for p in params if p.get("name") == "filter"]
    assert filter_param["schema"]["maxLength"] == 65_536
    assert "64 predicates" in filter_param["description"]
    assert "1000 values per IN list" in filter_param["description"]
    assert "OPENGEODATA_MAX_BODY_BYTES" in filter_param["description"]
    coverage = oas["paths"][COVERAGE]["get"]
    assert "413" in coverage["responses"] and "4,194,304" in coverage["description"]
