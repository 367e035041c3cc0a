"""WMS GetMap (MapServer) vs OGC API map tiles: 256 px images of the same areas per second.

Builds ``dop20`` from its bundled sample, starts ``opengeodata serve`` (gunicorn, 2 workers) on
127.0.0.1 and requests, for a fixed list of WebMercatorQuad tiles z15-z17 over the orthophoto,
the OGC API map tile (``/collections/dop20/tiles/WebMercatorQuad/{z}/{y}/{x}?f=png``) and a WMS
``GetMap`` of the same area in EPSG:25832 (the tile's bounds transformed, 256 x 256 px, PNG).
Both run in the same process with the same concurrency, alternating passes over several short
rounds so they see the same machine load; the ratio (WMS / tiles) is the median of the per-round
ratios. A WMS request starts one ``mapserv`` process (see ``opengeodata.wms.mapserver``); the
tiles are rendered in the worker by rio-tiler.
"""

from __future__ import annotations

import http.client
import statistics
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import morecantile
from pyproj import Transformer
from rio_tiler.io import Reader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_raster import _start_server, free_port, make_settings  # noqa: E402
from opengeodata.declaration import load_all  # noqa: E402
from opengeodata.store import Store  # noqa: E402
from pipelines.runner import run_many  # noqa: E402

DATASET = "dop20"
ZOOMS = (15, 16, 17)
CONCURRENCY = 2
ROUNDS = 3
MAX_JOBS = 40


def areas(cog: Path) -> list[tuple[str, str]]:
    """(tile path, WMS GetMap path) pairs of the same areas inside the orthophoto."""
    tms = morecantile.tms.get("WebMercatorQuad")
    with Reader(str(cog)) as reader:
        west, south, east, north = reader.get_geographic_bounds(tms.rasterio_geographic_crs)
    to_utm = Transformer.from_crs("EPSG:3857", "EPSG:25832", always_xy=True)
    out = []
    for z in ZOOMS:
        for t in tms.tiles(west, south, east, north, zooms=[z]):
            tb = tms.bounds(t)
            if tb.left < west or tb.right > east or tb.bottom < south or tb.top > north:
                continue  # only tiles inside the raster: both answers draw the same pixels
            b = tms.xy_bounds(t)
            minx, miny, maxx, maxy = to_utm.transform_bounds(b.left, b.bottom, b.right, b.top)
            tile = f"/collections/{DATASET}/tiles/WebMercatorQuad/{z}/{t.y}/{t.x}?f=png"
            wms = (f"/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={DATASET}&STYLES="
                   f"&CRS=EPSG:25832&BBOX={minx:.2f},{miny:.2f},{maxx:.2f},{maxy:.2f}"
                   "&WIDTH=256&HEIGHT=256&FORMAT=image/png")
            out.append((tile, wms))
    step = max(1, len(out) // MAX_JOBS)
    return out[::step][:MAX_JOBS]


class Client:
    """One keep-alive connection per thread; raises on anything but a 200 PNG."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.local = threading.local()

    def __call__(self, path: str) -> None:
        for attempt in (1, 2):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                                    timeout=60)
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError):
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
        if response.status != 200 or not body.startswith(b"\x89PNG"):
            raise RuntimeError(f"{path}: HTTP {response.status} {body[:200]!r}")


def measure(pool: ThreadPoolExecutor, paths: list[str],
            fetch: Callable[[str], None]) -> dict[str, float]:
    """Images per second and latency percentiles of one pass."""
    latencies: list[float] = []
    lock = threading.Lock()

    def timed(path: str) -> None:
        start = time.perf_counter()
        fetch(path)
        with lock:
            latencies.append(time.perf_counter() - start)

    started = time.perf_counter()
    list(pool.map(timed, paths))
    wall = time.perf_counter() - started
    latencies.sort()
    return {"images_per_s": round(len(paths) / wall, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))] * 1000, 1)}


def run(workdir: Path) -> dict[str, object]:
    """Build dop20, serve it, compare WMS GetMap with the map tiles of the same areas."""
    settings = make_settings(workdir)
    [result] = run_many(load_all(settings.datasets_dir), settings)
    if result.status != "published":
        raise RuntimeError(result.message)
    live = Store(settings.data_dir).live_dir(DATASET)
    assert live is not None
    pairs = areas(live / f"{DATASET}.tif")
    tiles, wms = [p[0] for p in pairs], [p[1] for p in pairs]
    port = free_port()
    proc = _start_server(settings, port)
    rounds = []
    try:
        fetch = Client(port)
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            list(pool.map(fetch, tiles[:4] + wms[:4]))  # warm-up: map file, readers
            for _ in range(ROUNDS):
                rounds.append({"wms": measure(pool, wms, fetch),
                               "tiles": measure(pool, tiles, fetch)})
    finally:
        proc.terminate()
        proc.wait(timeout=20)

    def median(kind: str, key: str) -> float:
        return round(statistics.median(r[kind][key] for r in rounds), 1)

    ratios = [r["wms"]["images_per_s"] / r["tiles"]["images_per_s"] for r in rounds]
    return {
        "images": len(pairs), "concurrency": CONCURRENCY, "rounds": ROUNDS,
        "wms_getmap_25832": {k: median("wms", k) for k in ("images_per_s", "p50_ms", "p95_ms")},
        "ogcapi_map_tile": {k: median("tiles", k) for k in ("images_per_s", "p50_ms", "p95_ms")},
        "ratio_wms_to_tiles": round(statistics.median(ratios), 2),
    }
