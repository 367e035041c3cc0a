"""Vector tiles: PMTiles build vs tippecanoe alone; serving (a) opengeodata, (b) vanilla pygeoapi
MVT-tippecanoe, (c) a bare WSGI app, all under gunicorn with wrk (8 connections).

150,544 generated parcels (a jittered 388 x 388 grid over Hannover, EPSG:25832) are refreshed
as dataset ``flurstuecke_bench`` (tiles z12-z16). A fixed list of tile addresses that hold data
is loaded by wrk (``bench/tiles_wrk.lua``) against each server in turn, same gunicorn settings
(2 gthread workers x 4 threads, no access log). Needs ``wrk`` (``make bench-deps``).
"""

from __future__ import annotations

import gzip
import json
import os
import pickle
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATASET = "flurstuecke_bench"
GRID = int(os.environ.get("BENCH_TILES_GRID", "388"))  # 388 * 388 = 150,544 parcels
WORKERS = 2
THREADS = 4
CONNECTIONS = 8
DURATION = int(os.environ.get("BENCH_TILES_SECONDS", "15"))
ZOOMS = range(12, 17)
PER_ZOOM = 60


def make_parcels(path: Path) -> int:
    """A jittered grid of quadrilateral parcels over Hannover (shared vertices, no gaps)."""
    rng = np.random.default_rng(42)
    xs = np.linspace(540_000, 562_000, GRID + 1)
    ys = np.linspace(5_793_000, 5_815_000, GRID + 1)
    gx, gy = np.meshgrid(xs, ys)
    cell = xs[1] - xs[0]
    gx[1:-1, 1:-1] += rng.uniform(-cell / 5, cell / 5, (GRID - 1, GRID - 1))
    gy[1:-1, 1:-1] += rng.uniform(-cell / 5, cell / 5, (GRID - 1, GRID - 1))
    rings = np.stack([
        np.stack([gx[:-1, :-1], gy[:-1, :-1]], -1), np.stack([gx[:-1, 1:], gy[:-1, 1:]], -1),
        np.stack([gx[1:, 1:], gy[1:, 1:]], -1), np.stack([gx[1:, :-1], gy[1:, :-1]], -1),
        np.stack([gx[:-1, :-1], gy[:-1, :-1]], -1),
    ], axis=2).reshape(-1, 5, 2)
    geoms = shapely.polygons(rings)
    n = len(geoms)
    rows, cols = np.divmod(np.arange(n), GRID)
    frame = gpd.GeoDataFrame({
        "flurstueck": [f"0327{r // 40:02d}-{r:03d}-{c:05d}"
                       for r, c in zip(rows, cols, strict=True)],
        "gemarkung": [f"Gemarkung {r // 40:02d}" for r in rows],
        "flaeche": np.round(shapely.area(geoms), 1),
    }, geometry=geoms, crs="EPSG:25832")
    frame.to_file(path, driver="GPKG", layer="flurstuecke")
    return n


def declare(datasets: Path) -> None:
    folder = datasets / DATASET
    (folder / "sample").mkdir(parents=True)
    make_parcels(folder / "sample" / "flurstuecke.gpkg")
    decl = {
        "id": DATASET, "title": "Flurstücke (Benchmark)", "description": "Generated parcels.",
        "licence": {"id": "dl-de/by-2-0", "attribution": "Benchmark"},
        "publisher": {"name": "Benchmark"}, "contact": {"name": "Benchmark"},
        "source": {"sample": "sample/flurstuecke.gpkg", "format": "GPKG"},
        "outputs": ["gpkg", "pmtiles"],
        "tiles": {"minzoom": 12, "maxzoom": 16},
    }
    (folder / "dataset.yml").write_text(yaml.safe_dump(decl, allow_unicode=True))


def time_build(settings: Any, workdir: Path) -> dict[str, float]:
    """The exporter (stream GeoJSONSeq + tippecanoe) vs tippecanoe alone on the same sequence."""
    from opengeodata.declaration import load_all
    from opengeodata.store import Store
    from pipelines.context import RunContext
    from pipelines.tiles import export_pmtiles, tile_frame, tippecanoe_command, write_geojsonseq

    [dataset] = load_all(settings.datasets_dir)
    live = Store(settings.data_dir).live_dir(DATASET)
    assert live is not None
    frame = gpd.read_file(live / f"{DATASET}.gpkg")
    staging = workdir / "build"
    staging.mkdir()
    ctx = RunContext(dataset=dataset, settings=settings, staging=staging)
    cpu0 = cpu_seconds()
    start = time.perf_counter()
    export_pmtiles(ctx, frame)
    build = time.perf_counter() - start
    build_cpu = cpu_seconds() - cpu0
    alone_dir = workdir / "alone"
    alone_dir.mkdir()
    ctx_alone = RunContext(dataset=dataset, settings=settings, staging=alone_dir)
    seq = alone_dir / "input.geojsonl"
    write_geojsonseq(tile_frame(ctx_alone, frame), seq)
    cmd = tippecanoe_command(ctx_alone, seq, alone_dir / "alone.pmtiles")
    cpu0 = cpu_seconds()
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    alone = time.perf_counter() - start
    alone_cpu = cpu_seconds() - cpu0
    shutil.rmtree(staging)
    shutil.rmtree(alone_dir)
    return {"build_s": round(build, 2), "tippecanoe_alone_s": round(alone, 2),
            "build_vs_tippecanoe": round(build / alone, 3),
            "build_cpu_s": round(build_cpu, 2), "tippecanoe_alone_cpu_s": round(alone_cpu, 2),
            "build_vs_tippecanoe_cpu": round(build_cpu / alone_cpu, 3)}


def cpu_seconds() -> float:
    """CPU time of this process plus its finished children (tippecanoe), user + system."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def pick_tiles(archive_path: Path) -> list[tuple[int, int, int]]:
    """A fixed list of (z, x, y) that hold data, up to PER_ZOOM per zoom level."""
    from pmtiles.tile import tileid_to_zxy

    from opengeodata.vtiles.archive import Archive

    by_zoom: dict[int, list[tuple[int, int, int]]] = {z: [] for z in ZOOMS}
    for tile_id, _, length in Archive(archive_path).entries():
        z, x, y = tileid_to_zxy(tile_id)
        if z in by_zoom and length > 0:
            by_zoom[z].append((z, x, y))
    rng = random.Random(1)
    out = []
    for tiles in by_zoom.values():
        out += rng.sample(tiles, min(PER_ZOOM, len(tiles)))
    return out


def export_directory(archive_path: Path, tiles_dir: Path) -> None:
    """All tiles as uncompressed {z}/{x}/{y}.pbf plus metadata.json (tippecanoe -e layout)."""
    from pmtiles.tile import tileid_to_zxy

    from opengeodata.vtiles.archive import Archive

    archive = Archive(archive_path)
    for tile_id, offset, length in archive.entries():
        z, x, y = tileid_to_zxy(tile_id)
        path = tiles_dir / str(z) / str(x) / f"{y}.pbf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.decompress(archive.read(offset, length)))
    meta = archive.metadata()
    minzoom, maxzoom = archive.zooms
    (tiles_dir / "metadata.json").write_text(json.dumps({
        "name": DATASET, "format": "pbf", "minzoom": str(minzoom), "maxzoom": str(maxzoom),
        "bounds": ",".join(map(str, archive.bounds)),
        "json": json.dumps({"vector_layers": meta.get("vector_layers", [])}),
    }))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gunicorn(app: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    cmd = [str(Path(sys.executable).parent / "gunicorn"), app, "-b", f"127.0.0.1:{port}",
           "-w", str(WORKERS), "-k", "gthread", "--threads", str(THREADS), "--timeout", "120"]
    return subprocess.Popen(cmd, env={**os.environ, **env}, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def wait_ready(proc: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (OSError, urllib.error.HTTPError):
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode()[-2000:] if proc.stderr else ""
                raise RuntimeError(f"server did not start: {err}") from None
            time.sleep(0.3)


def tree_pids(pid: int) -> list[int]:
    """A process and its children (gunicorn master + workers)."""
    pids = [pid]
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return pids


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process tree (robust to other load on the machine)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in tree_pids(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / ticks


def tree_rss_mib(pid: int) -> float:
    """RSS of a process and its children (gunicorn master + workers), in MiB."""
    total = 0
    for p in tree_pids(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def non_2xx(base: str, paths: list[str]) -> int:
    """Request every path once; count answers that are not 2xx."""
    bad = 0
    for path in paths:
        req = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                resp.read()
                bad += not 200 <= resp.status < 300
        except urllib.error.HTTPError:
            bad += 1
    return bad


def load(base: str, urls_file: Path) -> dict[str, Any]:
    """wrk with the URL list: requests/s, p50 and p99 latency in ms, errors."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed: run `make bench-deps`")
    env = {**os.environ, "BENCH_URLS": str(urls_file)}
    script = str(HERE / "tiles_wrk.lua")
    subprocess.run([wrk, "-t2", f"-c{CONNECTIONS}", "-d3s", "-s", script, base],
                   env=env, capture_output=True, check=True)  # warm-up
    out = subprocess.run([wrk, "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "-s", script,
                          base], env=env, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT"))
    requests, duration_us, status_err, sock_err, p50, p99 = map(int, line.split()[1:])
    return {"requests": requests,
            "rps": round(requests / (duration_us / 1e6), 1), "p50_ms": round(p50 / 1000, 2),
            "p99_ms": round(p99 / 1000, 2), "status_errors": status_err,
            "socket_errors": sock_err}


def serve_and_load(name: str, app: str, env: dict[str, str], paths: list[str],
                   workdir: Path) -> dict[str, Any]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = gunicorn(app, port, env)
    try:
        wait_ready(proc, base + paths[0])
        bad = non_2xx(base, paths)
        urls = workdir / f"urls-{name}.txt"
        urls.write_text("\n".join(paths) + "\n")
        cpu_before = tree_cpu_seconds(proc.pid)
        result = load(base, urls)
        cpu = tree_cpu_seconds(proc.pid) - cpu_before
        result["server_cpu_us_per_request"] = round(cpu / result.pop("requests") * 1e6, 1)
        result["non_2xx_existing_tiles"] = bad
        result["server_rss_mib"] = tree_rss_mib(proc.pid)
        return result
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def run(workdir: Path) -> dict[str, Any]:
    """Build, then serve the same tiles three ways under the same load."""
    from opengeodata.declaration import load_all
    from opengeodata.settings import Settings
    from opengeodata.store import Store
    from pipelines.runner import run_many

    datasets = workdir / "datasets"
    declare(datasets)
    settings = Settings(data_dir=workdir / "data", datasets_dir=datasets,
                        config_dir=ROOT / "config").resolved()
    start = time.perf_counter()
    [result] = run_many(load_all(datasets), settings)
    refresh_s = time.perf_counter() - start
    if result.status != "published":
        raise RuntimeError(result.message)
    report: dict[str, Any] = {"parcels": GRID * GRID, "refresh_s": round(refresh_s, 1)}
    report.update(time_build(settings, workdir))

    live = Store(settings.data_dir).live_dir(DATASET)
    assert live is not None
    archive = live / f"{DATASET}.pmtiles"
    tiles = pick_tiles(archive)
    paths = [f"/collections/{DATASET}/tiles/WebMercatorQuad/{z}/{y}/{x}?f=mvt" for z, x, y in tiles]
    report["tile_addresses"] = len(paths)

    tiles_dir = workdir / "tiles" / DATASET
    export_directory(archive, tiles_dir)
    from opengeodata.vtiles.archive import Archive
    reader = Archive(archive)
    memory = {p.split("?")[0]: reader.get(z, x, y) for p, (z, x, y) in zip(paths, tiles,
                                                                          strict=True)}
    pickle_path = workdir / "tiles.pickle"
    pickle_path.write_bytes(pickle.dumps(memory))

    base_cfg = yaml.safe_load((ROOT / "config" / "pygeoapi-base.yml").read_text())
    bench_cfg = yaml.safe_load((HERE / "pygeoapi-tiles.yml").read_text())
    bench_cfg["resources"][DATASET]["providers"][0]["data"] = str(tiles_dir)
    base_cfg["server"].update({"bind": {"host": "127.0.0.1", "port": 5000},
                               "url": "http://127.0.0.1:5000", "mimetype": "application/json"})
    config = {**base_cfg, **bench_cfg}
    cfg_path = workdir / "pygeoapi.yml"
    cfg_path.write_text(yaml.safe_dump(config, allow_unicode=True))
    oas_path = workdir / "openapi.yml"
    subprocess.run([str(Path(sys.executable).parent / "pygeoapi"), "openapi", "generate",
                    str(cfg_path), "--output-file", str(oas_path)], check=True,
                   capture_output=True)

    ogd_env = {"OPENGEODATA_DATA_DIR": str(settings.data_dir),
               "OPENGEODATA_DATASETS_DIR": str(datasets),
               "OPENGEODATA_CONFIG_DIR": str(ROOT / "config"),
               "OPENGEODATA_BASE_URL": "http://127.0.0.1"}
    servers = {
        "a_opengeodata": ("opengeodata.server.app:create_app()", ogd_env),
        "b_pygeoapi": ("pygeoapi.flask_app:APP", {"PYGEOAPI_CONFIG": str(cfg_path),
                                                  "PYGEOAPI_OPENAPI": str(oas_path)}),
        "c_bare_wsgi": ("bench.tiles_bare_wsgi:app", {"BENCH_TILES_PICKLE": str(pickle_path)}),
    }
    for name, (app, env) in servers.items():
        report[name] = serve_and_load(name, app, env, paths, workdir)
    a, b, c = (report[k]["rps"] for k in servers)
    report["a_vs_b"] = round(a / b, 2)
    report["a_vs_c"] = round(a / c, 3)
    report["targets_met"] = {
        "a >= 1.5x b": a >= 1.5 * b, "a >= 80% of c": a >= 0.8 * c,
        "zero non-2xx": all(report[k]["non_2xx_existing_tiles"] == 0 for k in servers),
        "build within 1.2x tippecanoe (wall)": report["build_vs_tippecanoe"] <= 1.2,
        "build within 1.2x tippecanoe (cpu)": report["build_vs_tippecanoe_cpu"] <= 1.2,
    }
    return report
