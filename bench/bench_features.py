"""OGC API Features on 150,544 parcels: this server vs vanilla pygeoapi (SQLiteGPKG) vs floor.

Same run, same WSGI server (gunicorn with the ``Settings`` defaults of ``opengeodata serve``:
gthread, 2 workers x 2 threads; ``OPENGEODATA_THREADS`` etc. override), 8 connections (wrk):
``items?limit=10``, ``items?bbox=<300 m box>&limit=100``, ``items/{id}``, ``items?limit=1000``
and a CQL2 filter. (a) this server, (b) pygeoapi 0.24 with SQLiteGPKG over the same GeoPackage,
(c) a bare WSGI app returning (a)'s response bytes from memory (the Python floor). Also deep
paging (offset=140000 vs 0) and worker RSS for 150k vs 1.5M parcels (set
``BENCH_FEATURES_BIG=0`` to skip the 1.5M part, ``BENCH_FEATURES_BASELINE=0`` to skip the slow
pygeoapi baseline while tuning). Needs ``make bench-deps`` (wrk, spatialite,
pysqlite3-binary).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyproj

from bench.parcels import publish_parcels
from bench.pygeoapi_baseline import write_config
from opengeodata.server.wsgi import worker_class_uri
from opengeodata.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
N_PARCELS = 150_544  # 388 x 388
DURATION = os.environ.get("BENCH_FEATURES_DURATION", "10s")
_SERVE = Settings()  # the same gunicorn settings as `opengeodata serve` (OPENGEODATA_*)
GUNICORN = ["-w", str(_SERVE.workers), "-k", worker_class_uri(_SERVE), "--threads",
            str(_SERVE.threads), "--timeout", "300"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(url: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=30):
                return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server for {url} did not start") from None
            time.sleep(0.5)


@contextmanager
def server(cmd: list[str], env: dict[str, str], probe: str) -> Iterator[subprocess.Popen[bytes]]:
    """Start a server process group, wait until ``probe`` answers, stop it afterwards."""
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        wait_up(probe, proc)
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def worker_rss_mib(proc: subprocess.Popen[bytes]) -> list[float]:
    """RSS of the gunicorn workers (the children of the master process)."""
    out = subprocess.run(["ps", "-o", "rss=", "--ppid", str(proc.pid)], capture_output=True,
                         text=True, check=False).stdout
    return [round(int(v) / 1024, 1) for v in out.split()]


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s|m)", text)
    assert match, text
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(url: str, duration: str = DURATION) -> dict[str, Any]:
    """wrk with 8 connections: rps, p50, p99 (ms) and non-2xx/errors."""
    out = subprocess.run(["wrk", "-t2", "-c8", f"-d{duration}", "--latency", "--timeout", "60s",
                          url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    dist = out.split("Latency Distribution", 1)[1]
    p50 = _ms(re.search(r"^\s*50%\s+(\S+)", dist, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s*99%\s+(\S+)", dist, re.M).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       out)
    return {"rps": round(rps, 1), "p50_ms": round(p50, 2), "p99_ms": round(p99, 2),
            "requests": total, "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0}


def queries() -> dict[str, str]:
    """The benchmark queries (paths with query strings)."""
    to84 = pyproj.Transformer.from_crs(25832, 4326, always_xy=True)
    x0, y0 = to84.transform(550_000, 5_805_000)
    x1, y1 = to84.transform(550_300, 5_805_300)
    items = "/collections/parcels/items"
    cql = urllib.parse.quote("nutzung = 'Wald' AND flaeche > 3000")
    return {
        "limit10": f"{items}?f=json&limit=10",
        "bbox300m": f"{items}?f=json&bbox={x0:.6f},{y0:.6f},{x1:.6f},{y1:.6f}&limit=100",
        "item": f"{items}/036107-123-075123?f=json",
        "limit1000": f"{items}?f=json&limit=1000",
        "cql2": f"{items}?f=json&filter={cql}&filter-lang=cql2-text&limit=100",
    }


def fetch(url: str) -> tuple[str, bytes, float]:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=300) as resp:
        body = resp.read()
        ctype = resp.headers.get("Content-Type", "application/json")
    return ctype, body, time.perf_counter() - start


def sequential_ms(url: str, repeat: int = 15) -> float:
    """Median latency of sequential requests (after one warm-up)."""
    fetch(url)
    return round(statistics.median(fetch(url)[2] for _ in range(repeat)) * 1000, 2)


def ours(settings_dir: Path, port: int) -> tuple[list[str], dict[str, str]]:
    env = {"OPENGEODATA_DATA_DIR": str(settings_dir / "data"),
           "OPENGEODATA_DATASETS_DIR": str(settings_dir / "datasets"),
           "OPENGEODATA_CONFIG_DIR": str(ROOT / "config"), "OPENGEODATA_BASE_URL": ""}
    return [sys.executable, "-m", "opengeodata.cli", "serve", "--port", str(port)], env


def gunicorn(app: str, port: int) -> list[str]:
    return [sys.executable, "-m", "gunicorn", *GUNICORN, "-b", f"127.0.0.1:{port}", app]


def run(workdir: Path) -> dict[str, Any]:
    """Run the whole comparison once; return the numbers."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is missing: run `make bench-deps`")
    qs = queries()
    started = time.perf_counter()
    settings = publish_parcels(workdir / "small", N_PARCELS)
    publish_s = round(time.perf_counter() - started, 1)
    live = settings.data_dir / "published" / "parcels" / "live"
    gpkg = (live / "parcels.gpkg").resolve()
    stored = gpkg.with_name("parcels.features.sqlite")  # the stored default answers
    result: dict[str, Any] = {"parcels": N_PARCELS, "publish_seconds": publish_s,
                              "gpkg_mib": round(gpkg.stat().st_size / 2**20, 1),
                              "stored_answers_mib": round(stored.stat().st_size / 2**20, 1)
                              if stored.is_file() else None,
                              "connections": 8, "duration": DURATION, "queries": {}}
    # (a) this server
    port_a = free_port()
    cmd, env = ours(workdir / "small", port_a)
    base_a = f"http://127.0.0.1:{port_a}"
    recorded: dict[str, list[str]] = {}
    with server(cmd, env, f"{base_a}/collections?f=json") as proc:
        for name, q in qs.items():
            ctype, body, _ = fetch(base_a + q)
            recorded[q] = [ctype, body.decode()]
            result["queries"][name] = {"query": q, "bytes": len(body), "ours": wrk(base_a + q)}
        items = "/collections/parcels/items?f=json&limit=100"
        result["deep_paging_ms"] = {"offset_0": sequential_ms(f"{base_a}{items}&offset=0"),
                                    "offset_140000": sequential_ms(f"{base_a}{items}"
                                                                   "&offset=140000")}
        result["rss_mib_150k"] = worker_rss_mib(proc)
    # (c) the floor: the same bytes from memory
    floor_file = workdir / "floor.json"
    floor_file.write_text(json.dumps(recorded), encoding="utf-8")
    port_c = free_port()
    probe_c = f"http://127.0.0.1:{port_c}{qs['limit10']}"
    with server(gunicorn("bench.floor_app:create_app()", port_c),
                {"OGD_FLOOR_RESPONSES": str(floor_file)}, probe_c):
        for name, q in qs.items():
            result["queries"][name]["floor"] = wrk(f"http://127.0.0.1:{port_c}{q}")
    # (b) vanilla pygeoapi with SQLiteGPKG over the same file (slow; skip while tuning)
    if os.environ.get("BENCH_FEATURES_BASELINE", "1") != "0":
        baseline(gpkg, workdir, qs, result)
    for entry in result["queries"].values():
        a, b, c = entry["ours"], entry.get("pygeoapi"), entry["floor"]
        if b is not None:
            entry["ratio_ours_vs_pygeoapi"] = round(a["rps"] / b["rps"], 1) if b["rps"] else None
        entry["ratio_ours_vs_floor"] = round(a["rps"] / c["rps"], 2) if c["rps"] else None
    if os.environ.get("BENCH_FEATURES_BIG", "1") != "0":
        result["rss_mib_1_5m"] = big_rss(workdir, qs)
    return result


def baseline(gpkg: Path, workdir: Path, qs: dict[str, str], result: dict[str, Any]) -> None:
    """(b) vanilla pygeoapi with SQLiteGPKG over the same GeoPackage, same load."""
    port_b = free_port()
    base_b = f"http://127.0.0.1:{port_b}"
    cfg, oas = write_config(gpkg, "parcels", "kennzeichen", workdir, base_b,
                            ROOT / "config" / "pygeoapi-base.yml")
    env_b = {"PYGEOAPI_CONFIG": str(cfg), "PYGEOAPI_OPENAPI": str(oas)}
    with server(gunicorn("bench.pygeoapi_baseline:create_app()", port_b), env_b,
                f"{base_b}/collections?f=json"):
        for name, q in qs.items():
            time.sleep(3)  # let requests still running from the previous query drain
            try:
                fetch(base_b + q)  # warm-up
            except OSError as exc:  # pygeoapi answers 500 now and then; wrk counts those
                result["queries"][name]["pygeoapi_warmup_error"] = str(exc)
            result["queries"][name]["pygeoapi"] = wrk(base_b + q)


def big_rss(workdir: Path, qs: dict[str, str]) -> list[float]:
    """Worker RSS after the same load over 1.5M parcels (memory must not grow with size)."""
    publish_parcels(workdir / "big", N_PARCELS * 10)
    port = free_port()
    cmd, env = ours(workdir / "big", port)
    base = f"http://127.0.0.1:{port}"
    with server(cmd, env, f"{base}/collections?f=json") as proc:
        for q in qs.values():
            wrk(base + q, "3s")
        return worker_rss_mib(proc)
