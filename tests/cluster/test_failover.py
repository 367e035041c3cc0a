"""Through nginx under load: a publish and a ``kill -9`` of one server replica cost no failed
request, and the new version is served by every replica within 5 s of the live switch."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from opengeodata.cluster import run
from opengeodata.cluster.procs import pid_alive, port_open
from opengeodata.objectstore import connect

MAX_REQUESTS = 6000  # per client thread: the load loop is bounded in count ...
MAX_SECONDS = 150  # ... and in time
TILEJSON = "/collections/stadtbezirke/tiles/WebMercatorQuad/tilejson.json"


def get(port: int, path: str, headers: dict[str, str] | None = None,
        timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """One GET on a fresh connection (so nginx reloads never meet a reused connection)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


class Load:
    """Client threads requesting a mix of cached and uncached URLs through nginx."""

    def __init__(self, port: int, paths: list[tuple[str, dict[str, str], set[int]]],
                 threads: int = 2) -> None:
        self.port = port
        self.paths = paths
        self.stop = threading.Event()
        self.statuses: Counter[int] = Counter()
        self.failures: list[str] = []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self) -> None:
        deadline = time.monotonic() + MAX_SECONDS
        for n in range(MAX_REQUESTS):
            if self.stop.is_set() or time.monotonic() > deadline:
                return
            path, headers, ok = self.paths[n % len(self.paths)]
            try:
                status, _, _ = get(self.port, path, headers)
                failed = None if status in ok else f"{path}: {status}"
            except (OSError, http.client.HTTPException) as exc:
                status, failed = -1, f"{path}: {type(exc).__name__}: {exc}"
            with self._lock:
                self.statuses[status] += 1
                if failed:
                    self.failures.append(failed)

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(timeout=30)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())


def _paths(info: run.ClusterInfo) -> list[tuple[str, dict[str, str], set[int]]]:
    status, _, body = get(info.nginx_port, TILEJSON)
    assert status == 200
    template = json.loads(body)["tiles"][0]
    tile = template.replace(info.url, "").format(z=10, x=539, y=336)
    return [
        # versioned, cached by nginx (after a publish a replica may redirect to the new one)
        (tile, {"Accept-Encoding": "gzip"}, {200, 204, 302, 404}),
        ("/collections/stadtbezirke/items?limit=2&f=json", {}, {200}),
        ("/downloads/stadtbezirke/latest/gpkg", {"Range": "bytes=0-1023"}, {206}),
        ("/collections/stadtbezirke?f=json", {}, {200}),
        ("/collections/dop20/coverage?f=png&scale-size=E(64)", {}, {200}),  # cached by nginx
    ]


def _served_version(port: int) -> str | None:
    try:
        status, _, body = get(port, TILEJSON, timeout=5)
    except (OSError, http.client.HTTPException):
        return None
    return str(json.loads(body)["version"]) if status == 200 else None


def test_publish_under_load_no_failures_and_all_replicas_switch(ogd_cluster: run.ClusterInfo,
                                                                ) -> None:
    info = ogd_cluster
    env = {**os.environ, **info.env}
    objects = connect(info.env["OPENGEODATA_OBJECT_STORE"], info.env)
    before = (objects.get("live/stadtbezirke") or b"").decode()
    assert before and all(_served_version(p) == before for p in info.replica_ports)
    with Load(info.nginx_port, _paths(info)) as load:
        time.sleep(1)
        refresh = subprocess.Popen([sys.executable, "-m", "opengeodata.cli", "refresh", "--force",
                                    "stadtbezirke"], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        switched = None
        deadline = time.monotonic() + 120
        while switched is None and time.monotonic() < deadline:
            if (objects.get("live/stadtbezirke") or b"").decode() != before:
                switched = time.monotonic()
            elif refresh.poll() is not None:
                break
            time.sleep(0.05)
        assert switched is not None, refresh.communicate()[0]
        after = (objects.get("live/stadtbezirke") or b"").decode()
        seen: dict[int, float] = {}
        while len(seen) < len(info.replica_ports) and time.monotonic() - switched < 10:
            for port in info.replica_ports:
                if port not in seen and _served_version(port) == after:
                    seen[port] = time.monotonic() - switched
            time.sleep(0.05)
        assert refresh.wait(timeout=120) == 0
        time.sleep(1)
    assert len(seen) == len(info.replica_ports) and max(seen.values()) < 5, seen
    assert _served_version(info.nginx_port) == after
    assert load.failures == [], load.failures[:10]
    assert load.total > 50 and load.statuses[-1] == 0


def test_kill_9_of_a_replica_costs_no_request(ogd_cluster: run.ClusterInfo) -> None:
    info = ogd_cluster
    root = Path(info.root)
    pid = run.replica_pid(root, 1)
    assert pid is not None and pid_alive(pid)
    port = info.replica_ports[0]
    try:
        with Load(info.nginx_port, _paths(info)) as load:
            time.sleep(1.5)
            served_before = load.total
            os.killpg(pid, signal.SIGKILL)  # the replica: gunicorn master and workers
            deadline = time.monotonic() + 20
            while port_open(port) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not port_open(port), "the killed replica's worker did not exit"
            time.sleep(3)  # the other replica answers everything now
        assert load.failures == [], load.failures[:10]
        assert load.total > served_before + 20
        assert get(info.nginx_port, "/collections/stadtbezirke?f=json")[0] == 200
    finally:
        if not port_open(port):
            run.start_replica(info, 1)
    assert run.replica_pid(root, 1) != pid


@pytest.fixture(autouse=True)
def _both_replicas_up(ogd_cluster: run.ClusterInfo) -> None:
    """Each test starts with both replicas answering."""
    for port in ogd_cluster.replica_ports:
        assert port_open(port), f"replica on {port} is down"


def test_nginx_caches_tiles_and_versioned_downloads(ogd_cluster: run.ClusterInfo) -> None:
    info = ogd_cluster
    tile = _paths(info)[0][0]  # from the TileJSON: carries the live version
    live = json.loads(get(info.replica_ports[0], TILEJSON)[2])["version"]
    assert tile.endswith(f"?f=mvt&v={live}"), tile
    direct = get(info.replica_ports[1], tile, {"Accept-Encoding": "gzip"})
    first = get(info.nginx_port, tile, {"Accept-Encoding": "gzip"})
    second = get(info.nginx_port, tile, {"Accept-Encoding": "gzip"})
    assert first[0] == second[0] == direct[0] == 200
    assert first[2] == second[2] == direct[2]
    assert second[1]["x-cache"] == "HIT" and second[1]["etag"] == direct[1]["etag"]
    assert second[1]["cache-control"] == "public, max-age=31536000, immutable"
    time.sleep(1.5)  # versioned: still fresh, never revalidated
    assert get(info.nginx_port, tile, {"Accept-Encoding": "gzip"})[1]["x-cache"] == "HIT"
    plain = get(info.nginx_port, tile)
    assert plain[0] == 200 and "content-encoding" not in plain[1]  # a separate cache entry
    # unversioned: fresh for a second, then revalidated with the data-versioned ETag
    bare = tile.split("?", 1)[0]
    assert get(info.nginx_port, bare, {"Accept-Encoding": "gzip"})[2] == direct[2]
    time.sleep(1.5)
    again = get(info.nginx_port, bare, {"Accept-Encoding": "gzip"})
    assert again[1]["x-cache"] in ("REVALIDATED", "UPDATING", "HIT"), again[1]
    assert "immutable" not in again[1]["cache-control"]
    # another version in the URL: redirected to the live one, the redirect never cached
    stale = tile.replace(f"v={live}", "v=20000101T000000.000Z-00000000")
    for _ in range(2):
        status, headers, _ = get(info.nginx_port, stale, {"Accept-Encoding": "gzip"})
        assert status == 302 and headers["location"] == tile
        assert headers["x-cache"] != "HIT" and headers["cache-control"] == "no-store"
    # coverages of the live version alike
    cov = f"/collections/dop20/coverage?f=png&scale-size=E(64)&v={_live_of(info, 'dop20')}"
    assert get(info.nginx_port, cov)[0] == 200
    hit = get(info.nginx_port, cov)
    assert hit[0] == 200 and hit[1]["x-cache"] == "HIT" and "immutable" in hit[1]["cache-control"]
    manifest = json.loads(get(info.nginx_port, "/collections/stadtbezirke?f=json")[2])
    assert manifest["id"] == "stadtbezirke"
    url = f"/downloads/stadtbezirke/versions/{live}/stadtbezirke.gpkg"
    whole = get(info.replica_ports[0], url)
    assert whole[0] == 200
    for _ in range(2):
        status, headers, body = get(info.nginx_port, url)
        assert status == 200 and body == whole[2] and headers["etag"] == whole[1]["etag"]
        status, headers, part = get(info.nginx_port, url, {"Range": "bytes=100-199"})
        assert status == 206 and part == whole[2][100:200]
    assert headers["x-cache"] == "HIT"


def _live_of(info: run.ClusterInfo, dataset_id: str) -> str:
    objects = connect(info.env["OPENGEODATA_OBJECT_STORE"], info.env)
    return (objects.get(f"live/{dataset_id}") or b"").decode()
