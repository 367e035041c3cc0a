"""Hostile clients: p99 of a cheap request and a vector tile, idle and under attack.

Generated parcels (vector tiles) and the ``dop20`` orthophoto are served by
``opengeodata serve`` (2 workers x 2 threads) once per worker class (``buffered``, the
default, and ``gthread``, the previous default) side by side. A probe client asks for a cheap
request (``items?limit=1``) and a z14 vector tile one after another, first on an idle server,
then while 8 slow clients (4 sending one header line per second, 4 reading the COG download a
KiB at a time) and 8 costly clients (``coverage?f=png`` at 2048 x 2048, again and again; a 503
is retried after 0.3 s) run. The target is p99 < 100 ms under attack. ``BENCH_HOSTILE_SECONDS``
(default 8) is the length of each probe phase. The idle throughput of both classes side by
side is ``bench workers`` (which runs this hostile phase too).
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.bench_features import free_port, ours, server
from bench.bench_features_settings import tile_query
from bench.parcels import publish_parcels

ROOT = Path(__file__).resolve().parent.parent
N_PARCELS = 40_000
CLASSES = ("buffered", "gthread")
CHEAP = "/collections/parcels/items?limit=1&f=json"
COG = "/downloads/dop20/dop20.tif"
COSTLY = "/collections/dop20/coverage?f=png&scale-size=E(2048),N(2048)"
TARGET_MS = 100.0


def _get(port: int, path: str, timeout: float = 30) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def probe(port: int, seconds: float) -> dict[str, dict[str, float]]:
    """p50/p99/max (ms) of the cheap request and the tile, asked alternately."""
    paths = {"cheap": CHEAP, "tile": tile_query()}
    lat: dict[str, list[float]] = {name: [] for name in paths}
    failed = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for name, path in paths.items():
            start = time.perf_counter()
            try:
                ok = _get(port, path, timeout=20) in (200, 204)
            except OSError:
                ok = False
            lat[name].append((time.perf_counter() - start) * 1000)
            failed += 0 if ok else 1
        time.sleep(0.02)
    out: dict[str, dict[str, float]] = {}
    for name, values in lat.items():
        values.sort()
        out[name] = {"n": len(values), "p50_ms": round(statistics.median(values), 1),
                     "p99_ms": round(values[max(0, int(len(values) * 0.99) - 1)], 1),
                     "max_ms": round(values[-1], 1)}
    out["failed"] = {"n": failed}
    return out


def _slow_headers(port: int, stop: threading.Event) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /collections HTTP/1.1\r\nHost: x\r\n")
        while not stop.wait(1.0):
            sock.sendall(b"X-Slow: 1\r\n")


def _slow_reader(port: int, stop: threading.Event) -> None:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    with sock:
        sock.sendall(f"GET {COG} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        while not stop.wait(0.2) and sock.recv(1024):
            pass


def _costly(port: int, stop: threading.Event, counts: dict[int, int]) -> None:
    while not stop.is_set():
        try:
            status = _get(port, COSTLY, timeout=120)
        except OSError:
            status = 0
        counts[status] = counts.get(status, 0) + 1
        if status != 200:
            stop.wait(0.3)


@contextmanager
def attack(port: int, counts: dict[int, int]) -> Iterator[None]:
    """8 slow clients and 8 costly clients while the block runs."""
    stop = threading.Event()
    targets: list[tuple[Callable[..., None], tuple[Any, ...]]] = (
        [(_slow_headers, (port, stop))] * 4 + [(_slow_reader, (port, stop))] * 4)
    targets += [(_costly, (port, stop, counts))] * 8
    threads = [threading.Thread(target=fn, args=args, daemon=True) for fn, args in targets]
    for thread in threads:
        thread.start()
    time.sleep(1.5)  # the costly renders are under way
    try:
        yield
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)


def _site(workdir: Path) -> None:
    publish_parcels(workdir, N_PARCELS, "gpkg, pmtiles")
    shutil.copytree(ROOT / "datasets" / "dop20", workdir / "datasets" / "dop20")
    from opengeodata.declaration import load_all
    from opengeodata.settings import Settings
    from pipelines.runner import run_many

    settings = Settings(data_dir=workdir / "data", datasets_dir=workdir / "datasets",
                        config_dir=ROOT / "config", base_url="").resolved()
    results = run_many(load_all(settings.datasets_dir, ["dop20"]), settings)
    if [r.status for r in results] != ["published"]:
        raise RuntimeError(f"publishing dop20 failed: {results}")


def hostile_phase(port: int, seconds: float) -> dict[str, Any]:
    """p99s of a running server idle, then under attack; ratios and the target check."""
    idle = probe(port, seconds)
    counts: dict[int, int] = {}
    with attack(port, counts):
        loaded = probe(port, seconds)
    entry: dict[str, Any] = {"idle": idle, "attacked": loaded, "costly_answers": counts}
    for name in ("cheap", "tile"):
        entry[f"{name}_p99_ratio_attacked_vs_idle"] = round(
            loaded[name]["p99_ms"] / max(idle[name]["p99_ms"], 0.1), 2)
        entry[f"{name}_p99_under_target"] = loaded[name]["p99_ms"] < TARGET_MS
    return entry


def run(workdir: Path) -> dict[str, Any]:
    """Both worker classes, idle and under attack; p99s and ratios."""
    seconds = float(os.environ.get("BENCH_HOSTILE_SECONDS", "8"))
    _site(workdir)
    result: dict[str, Any] = {"parcels": N_PARCELS, "seconds": seconds, "workers": 2,
                              "threads": 2, "target_p99_ms": TARGET_MS, "classes": {}}
    for kind in CLASSES:
        port = free_port()
        cmd, env = ours(workdir, port)
        env = {**env, "OPENGEODATA_WORKER_CLASS": kind, "OPENGEODATA_WORKERS": "2",
               "OPENGEODATA_THREADS": "2"}
        with server(cmd, env, f"http://127.0.0.1:{port}/collections?f=json"):
            result["classes"][kind] = hostile_phase(port, seconds)
    new, old = result["classes"]["buffered"], result["classes"]["gthread"]
    result["buffered_vs_gthread"] = {
        "attacked_cheap_p99": round(new["attacked"]["cheap"]["p99_ms"]
                                    / max(old["attacked"]["cheap"]["p99_ms"], 0.1), 3),
        "attacked_tile_p99": round(new["attacked"]["tile"]["p99_ms"]
                                   / max(old["attacked"]["tile"]["p99_ms"], 0.1), 3),
    }
    return result
