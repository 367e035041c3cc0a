"""gunicorn settings for the feature API: worker class, workers and threads side by side.

The same 150,544 parcels and the ``bbox300m`` and ``item`` queries of ``bench_features`` plus a
z14 vector tile of the same area (tiles share the server), 8 connections (wrk), served by
``opengeodata serve`` under each candidate setting (``OPENGEODATA_WORKER_CLASS``,
``OPENGEODATA_WORKERS``, ``OPENGEODATA_THREADS``). The settings take turns for
``BENCH_SETTINGS_ROUNDS`` rounds (default 3) of ``BENCH_SETTINGS_DURATION`` (default 5s) per
query, so that load from elsewhere on the machine hits all of them alike; the result is the
median rps, p50 and p99 per setting and query. ``BENCH_SETTINGS`` picks the candidates, e.g.
``gthread:2:4,gthread:2:1`` (class:workers:threads).
"""

from __future__ import annotations

import math
import os
import statistics
from pathlib import Path
from typing import Any

import pyproj

from bench.bench_features import N_PARCELS, free_port, ours, queries, server, wrk
from bench.parcels import publish_parcels

DEFAULT = "buffered:2:2,gthread:2:4,gthread:2:2,gthread:2:1,sync:2:1"
QUERIES = ("bbox300m", "item", "tile")
TILE_ZOOM = 14


def tile_query() -> str:
    """A z14 vector tile in the middle of the bbox300m box (vector tiles use the same server)."""
    lon, lat = pyproj.Transformer.from_crs(25832, 4326, always_xy=True).transform(550_150,
                                                                                5_805_150)
    n = 2**TILE_ZOOM
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return f"/collections/parcels/tiles/WebMercatorQuad/{TILE_ZOOM}/{y}/{x}?f=mvt"


def candidates() -> list[tuple[str, int, int]]:
    """(worker class, workers, threads) to compare."""
    out = []
    for spec in os.environ.get("BENCH_SETTINGS", DEFAULT).split(","):
        kind, workers, threads = spec.strip().split(":")
        out.append((kind, int(workers), int(threads)))
    return out


def run(workdir: Path) -> dict[str, Any]:
    """Compare the candidate settings; return medians per setting and query."""
    rounds = int(os.environ.get("BENCH_SETTINGS_ROUNDS", "3"))
    duration = os.environ.get("BENCH_SETTINGS_DURATION", "5s")
    publish_parcels(workdir, N_PARCELS, "gpkg, pmtiles")
    qs = {**queries(), "tile": tile_query()}
    samples: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for _ in range(rounds):
        for kind, workers, threads in candidates():
            name = f"{kind} workers={workers} threads={threads}"
            port = free_port()
            cmd, env = ours(workdir, port)
            env = {**env, "OPENGEODATA_WORKER_CLASS": kind, "OPENGEODATA_WORKERS": str(workers),
                   "OPENGEODATA_THREADS": str(threads)}
            base = f"http://127.0.0.1:{port}"
            with server(cmd, env, f"{base}/collections?f=json"):
                for q in QUERIES:
                    wrk(base + qs[q], "2s")  # warm-up: connections, caches
                    samples.setdefault(name, {}).setdefault(q, []).append(wrk(base + qs[q],
                                                                              duration))
    result: dict[str, Any] = {"parcels": N_PARCELS, "connections": 8, "rounds": rounds,
                              "duration": duration, "settings": {}}
    for name, per_query in samples.items():
        result["settings"][name] = {
            q: {key: statistics.median(s[key] for s in runs)
                for key in ("rps", "p50_ms", "p99_ms")}
               | {"non2xx": sum(s["non2xx"] + s["socket_errors"] for s in runs)}
            for q, runs in per_query.items()
        }
    return result
