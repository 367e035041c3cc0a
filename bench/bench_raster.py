"""Raster map tiles: tiles/s and p95 latency through the server vs rio-tiler called directly.

Builds ``dop20`` from its bundled sample, starts ``opengeodata serve`` (gunicorn, 2 workers) on
127.0.0.1 and requests a fixed list of WebMercatorQuad tiles z14-z18 over the sample area with
several concurrent keep-alive connections; then renders the same tiles with rio-tiler directly
(same formats, same concurrency, one Reader per thread) in the same run, alternating server
and direct passes over several rounds so both see the same machine load; the ratio is the
median of the per-round ratios. Target: the server reaches at least 70 % of the direct rate.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import morecantile
from rio_tiler.io import Reader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from opengeodata.declaration import load_all  # noqa: E402
from opengeodata.settings import Settings  # noqa: E402
from opengeodata.store import Store  # noqa: E402
from pipelines.runner import run_many  # noqa: E402

DATASET = "dop20"
ZOOMS = range(14, 19)
CONCURRENCY = 4
ROUNDS = 3
FORMATS = ("png", "jpeg")
TARGET = 0.7


def make_settings(workdir: Path) -> Settings:
    """Settings over a copy of the dataset in ``workdir``."""
    shutil.copytree(ROOT / "datasets" / DATASET, workdir / "datasets" / DATASET)
    return Settings(data_dir=workdir / "data", datasets_dir=workdir / "datasets",
                    config_dir=ROOT / "config").resolved()


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tile_list(reader: Reader) -> list[tuple[int, int, int]]:
    """Every tile z14-z18 that intersects the raster (x, y, z)."""
    tms = morecantile.tms.get("WebMercatorQuad")
    bounds = reader.get_geographic_bounds(tms.rasterio_geographic_crs)
    return [(t.x, t.y, t.z) for z in ZOOMS for t in tms.tiles(*bounds, zooms=[z])]


Job = tuple[int, int, int, str]


def _measure(pool: ThreadPoolExecutor, jobs: list[Job],
             worker: Callable[[Job], None]) -> dict[str, float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def timed(job: Job) -> None:
        start = time.perf_counter()
        worker(job)
        elapsed = time.perf_counter() - start
        with lock:
            latencies.append(elapsed)

    list(pool.map(worker, jobs[:16]))  # warm-up: readers, connections, caches
    started = time.perf_counter()
    list(pool.map(timed, jobs))
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "tiles_per_s": round(len(jobs) / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1),
    }


class Direct:
    """rio-tiler on the same COG: one Reader per thread, same encoding as the server."""

    def __init__(self, cog: Path) -> None:
        self.cog = cog
        self.local = threading.local()

    def __call__(self, job: Job) -> None:
        reader = getattr(self.local, "reader", None)
        if reader is None:
            reader = self.local.reader = Reader(str(self.cog))
        x, y, z, fmt = job
        image = reader.tile(x, y, z, tilesize=256)
        if fmt == "jpeg":
            image.render(img_format="JPEG", add_mask=False, quality=85)
        else:
            image.render(img_format="PNG")

    def close(self, pool: ThreadPoolExecutor, threads: int) -> None:
        """Close each thread's Reader in its own thread (GDAL environments are per thread)."""
        barrier = threading.Barrier(threads)

        def close_mine(_: int) -> None:
            barrier.wait(timeout=60)
            reader = getattr(self.local, "reader", None)
            if reader is not None:
                reader.close()
                self.local.reader = None

        list(pool.map(close_mine, range(threads)))


class Served:
    """Real HTTP to gunicorn on 127.0.0.1, one keep-alive connection per client thread."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.local = threading.local()

    def __call__(self, job: Job) -> None:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                                timeout=60)
        x, y, z, fmt = job
        path = f"/collections/{DATASET}/tiles/WebMercatorQuad/{z}/{y}/{x}?f={fmt}"
        try:
            conn.request("GET", path)
            response = conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):
            # gunicorn closed the idle keep-alive connection: reconnect once
            conn.close()
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                                timeout=60)
            conn.request("GET", path)
            response = conn.getresponse()
        body = response.read()
        if response.status != 200 or not body:
            raise RuntimeError(f"tile {z}/{y}/{x}: HTTP {response.status}")


def _start_server(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "OPENGEODATA_DATA_DIR": str(settings.data_dir),
           "OPENGEODATA_DATASETS_DIR": str(settings.datasets_dir),
           "OPENGEODATA_CONFIG_DIR": str(settings.config_dir), "OPENGEODATA_BASE_URL": ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "opengeodata.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/collections?f=json", timeout=2):
                return proc
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("server did not start") from None
            time.sleep(0.3)


def run(workdir: Path) -> dict[str, object]:
    """Build dop20, serve it, measure server and direct rendering on the same tile list."""
    settings = make_settings(workdir)
    [result] = run_many(load_all(settings.datasets_dir), settings)
    if result.status != "published":
        raise RuntimeError(result.message)
    live = Store(settings.data_dir).live_dir(DATASET)
    assert live is not None
    cog = live / f"{DATASET}.tif"
    with Reader(str(cog)) as reader:
        tiles = tile_list(reader)
    jobs = [(x, y, z, fmt) for fmt in FORMATS for x, y, z in tiles]
    port = free_port()
    proc = _start_server(settings, port)
    rounds: list[dict[str, dict[str, float]]] = []
    sequential: dict[str, dict[str, float]] = {}
    try:
        for threads in (CONCURRENCY, 1):
            direct = Direct(cog)
            with ThreadPoolExecutor(threads) as direct_pool, \
                    ThreadPoolExecutor(threads) as client_pool:
                try:
                    if threads == 1:  # per-request cost without CPU contention between sides
                        some = jobs[::3]
                        sequential = {"server": _measure(client_pool, some, Served(port)),
                                      "direct": _measure(direct_pool, some, direct)}
                        continue
                    for _ in range(ROUNDS):  # alternate: both sides see the same machine load
                        rounds.append({"server": _measure(client_pool, jobs, Served(port)),
                                       "direct": _measure(direct_pool, jobs, direct)})
                finally:
                    direct.close(direct_pool, threads)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    ratios = [r["server"]["tiles_per_s"] / r["direct"]["tiles_per_s"] for r in rounds]

    def median(side: str, key: str) -> float:
        return round(statistics.median(r[side][key] for r in rounds), 1)

    ratio = statistics.median(ratios)
    return {
        "tiles": len(tiles),
        "requests_per_round": len(jobs),
        "rounds": ROUNDS,
        "zooms": f"{ZOOMS.start}-{ZOOMS.stop - 1}",
        "formats": list(FORMATS),
        "concurrency": CONCURRENCY,
        "server": {k: median("server", k) for k in ("tiles_per_s", "p50_ms", "p95_ms")},
        "direct_rio_tiler": {k: median("direct", k) for k in ("tiles_per_s", "p50_ms",
                                                                "p95_ms")},
        "server_vs_direct_rate_per_round": [round(r, 2) for r in ratios],
        "sequential_one_connection": {
            **sequential,
            "server_vs_direct_rate": round(sequential["server"]["tiles_per_s"]
                                           / sequential["direct"]["tiles_per_s"], 2),
        },
        "server_vs_direct_rate": round(ratio, 2),
        "target": TARGET,
        "target_met": ratio >= TARGET,
    }
