"""Cluster: a cached vector tile through nginx's proxy_cache vs nginx serving the same bytes as a
static file (the floor); target: at least 50 % of the floor's requests/s.

The tile URL is the one the TileJSON names (``?f=mvt&v=<live version>``: immutable, cached a
year); the same tile without ``v`` (fresh for a second, then revalidated with its ETag) runs
beside it for comparison.

``stadtbezirke`` is published into a temporary data dir and served by one ``opengeodata serve``
replica behind the cluster's nginx configuration (``opengeodata/cluster/nginx.py``: the same
cache rules as ``make cluster``). The tile's gzip bytes, as served, are also written into
nginx's static folder. wrk (2 threads, 8 connections, ``Accept-Encoding: gzip``) loads both
URLs alternately, BENCH_CLUSTER_ROUNDS rounds of BENCH_CLUSTER_SECONDS each; medians are
reported. Needs nginx (``make cluster-deps``) and wrk (``make bench-deps``).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SECONDS = int(os.environ.get("BENCH_CLUSTER_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_CLUSTER_ROUNDS", "3"))
DATASET = "stadtbezirke"
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s|m)", text)
    assert match, text
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(url: str) -> dict[str, Any]:
    """requests/s, p50 and p99 (ms) and non-2xx of one wrk run."""
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{SECONDS}s", "--latency", "-H",
                          "Accept-Encoding: gzip", url], capture_output=True, text=True,
                         check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    dist = out.split("Latency Distribution", 1)[1]
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", dist, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", dist, re.M).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99,
            "non2xx": int(non2xx.group(1)) if non2xx else 0}


def _get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return round(statistics.median(r[key] for r in runs), 2)


def run(workdir: Path) -> dict[str, Any]:
    """Publish, start a replica and nginx, then load the cached tile and the static file."""
    from opengeodata.cluster import nginx
    from opengeodata.cluster.procs import free_port, spawn, stop_pid, wait_port
    from opengeodata.declaration import load_all
    from opengeodata.settings import Settings
    from opengeodata.store import Store
    from opengeodata.vtiles.archive import Archive
    from pipelines.runner import run_many

    if shutil.which("wrk") is None or (shutil.which("nginx") is None
                                        and not Path("/usr/sbin/nginx").exists()):
        raise RuntimeError("needs wrk and nginx: make bench-deps cluster-deps")
    workdir.chmod(0o755)  # nginx runs as www-data
    datasets = workdir / "datasets"
    shutil.copytree(ROOT / "datasets" / DATASET, datasets / DATASET)
    settings = Settings(data_dir=workdir / "data", datasets_dir=datasets,
                        config_dir=ROOT / "config").resolved()
    [result] = run_many(load_all(datasets), settings)
    if result.status != "published":
        raise RuntimeError(result.message)
    store = Store(settings.data_dir)
    manifest = store.live_manifest(DATASET)
    assert manifest is not None
    from pmtiles.tile import tileid_to_zxy

    archive = Archive(store.blob(DATASET, manifest.version, f"{DATASET}.pmtiles"))
    tile_id, _, _ = max(archive.entries(), key=lambda e: e[2])  # the biggest tile
    z, x, y = tileid_to_zxy(tile_id)
    bare = f"/collections/{DATASET}/tiles/WebMercatorQuad/{z}/{y}/{x}"

    port, nginx_port = free_port(), free_port()
    env = {**os.environ, "OPENGEODATA_DATA_DIR": str(settings.data_dir),
           "OPENGEODATA_DATASETS_DIR": str(datasets), "OPENGEODATA_CONFIG_DIR":
           str(ROOT / "config"), "OPENGEODATA_WORKERS": "2"}
    log = workdir / "server.log"
    server = spawn([sys.executable, "-m", "opengeodata.cli", "serve", "--port", str(port)], log,
                   env=env)
    nginx_root = workdir / "nginx"
    try:
        wait_port(port, "opengeodata serve", log, server, timeout=120)
        nginx.start(nginx_root, nginx_port, [port], workers=1)
        tilejson = json.loads(_get(nginx_port, f"/collections/{DATASET}/tiles/WebMercatorQuad/"
                                                "tilejson.json")[2])
        template = urlsplit(tilejson["tiles"][0])
        path = f"{template.path}?{template.query}".format(z=z, y=y, x=x)
        assert path.startswith(f"{bare}?") and "v=" in path, path
        status, headers, body = _get(nginx_port, path)
        assert status == 200 and headers.get("content-encoding") == "gzip", (status, headers)
        static = nginx_root / "static" / "tile.mvt"
        static.write_bytes(body)
        static.chmod(0o644)
        status, headers, again = _get(nginx_port, path)
        assert headers.get("x-cache") == "HIT" and "immutable" in headers["cache-control"], headers
        assert again == body and _get(nginx_port, bare)[2] == body
        assert _get(nginx_port, "/__static/tile.mvt")[2] == body
        cached, floor, unversioned = [], [], []
        for _ in range(ROUNDS):
            floor.append(wrk(f"http://127.0.0.1:{nginx_port}/__static/tile.mvt"))
            cached.append(wrk(f"http://127.0.0.1:{nginx_port}{path}"))
            unversioned.append(wrk(f"http://127.0.0.1:{nginx_port}{bare}"))
        time.sleep(0.1)
    finally:
        nginx.stop(nginx_root)
        stop_pid(server.pid)
    report: dict[str, Any] = {
        "tile": path, "tile_bytes": len(body), "seconds_per_run": SECONDS, "rounds": ROUNDS,
        "nginx_cached_tile_rps": _median(cached, "rps"),
        "nginx_static_file_rps": _median(floor, "rps"),
        "nginx_cached_tile_p99_ms": _median(cached, "p99_ms"),
        "nginx_static_file_p99_ms": _median(floor, "p99_ms"),
        "nginx_cached_tile_p50_ms": _median(cached, "p50_ms"),
        "nginx_static_file_p50_ms": _median(floor, "p50_ms"),
        "nginx_unversioned_tile_rps": _median(unversioned, "rps"),
        "nginx_unversioned_tile_p99_ms": _median(unversioned, "p99_ms"),
        "non2xx": sum(r["non2xx"] for r in cached + floor + unversioned),
    }
    report["unversioned_vs_static_rps"] = round(report["nginx_unversioned_tile_rps"]
                                                / report["nginx_static_file_rps"], 3)
    report["cached_vs_static_rps"] = round(report["nginx_cached_tile_rps"]
                                           / report["nginx_static_file_rps"], 3)
    report["target_cached_vs_static_rps"] = 0.5
    return report
