"""Worker classes side by side: idle requests/s and CPU per request, buffered vs gthread.

``opengeodata serve`` runs once per worker class (``buffered``, the default, and ``gthread``)
at the same time over generated parcels (vector tiles) and ``dop20``. ``wrk`` (8 keep-alive
connections, ``BENCH_WORKERS_DURATION``, default 2s) asks for a cheap request
(``items?limit=1``) and a z14 vector tile, the two classes interleaved and their order swapped
each round (``BENCH_WORKERS_ROUNDS``, default 5); medians of the rounds and ratios
buffered/gthread are reported for requests/s and for the CPU time per request (utime+stime of
the server's processes during the round, which another load on the machine changes less).
Two configurations: 1 worker x 2 threads (the server's own per-request overhead: no luck in
how the 8 connections spread over processes) and 2 workers x 2 threads (the default). Then
the hostile phase of ``bench hostile`` on the default configuration: p99 of both requests,
idle and with 8 slow and 8 costly clients (target < 100 ms under attack). Target for speed:
buffered >= 0.9x gthread.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.bench_features import free_port, ours, server, wrk
from bench.bench_features_settings import tile_query
from bench.bench_hostile import CHEAP, TARGET_MS, _site, hostile_phase

CLASSES = ("buffered", "gthread")
#: (workers, threads)
CONFIGS = ((1, 2), (2, 2))
TARGET_RATIO = 0.9
_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime+stime of a gunicorn master and its workers so far."""
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True, check=False).stdout
    ticks = 0
    for p in [pid, *map(int, out.split())]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / _TICK


def _round(pid: int, url: str, duration: str) -> tuple[float, float]:
    """(requests/s, CPU microseconds per request) of one wrk run."""
    before = cpu_seconds(pid)
    out = wrk(url, duration)
    if out["non2xx"] or out["socket_errors"]:
        raise RuntimeError(f"{url}: {out}")
    return out["rps"], (cpu_seconds(pid) - before) / max(out["requests"], 1) * 1e6


def compare(bases: dict[str, tuple[str, int]], rounds: int, duration: str) -> dict[str, Any]:
    """Interleaved wrk rounds over the running servers; medians and ratios."""
    queries = {"cheap": CHEAP, "tile": tile_query()}
    rps: dict[str, dict[str, list[float]]] = {k: {q: [] for q in queries} for k in bases}
    cpu: dict[str, dict[str, list[float]]] = {k: {q: [] for q in queries} for k in bases}
    for base, _ in bases.values():  # warm-up
        for path in queries.values():
            wrk(base + path, "1s")
    for i in range(rounds):
        order = list(bases) if i % 2 == 0 else list(bases)[::-1]
        for name, path in queries.items():
            for kind in order:
                base, pid = bases[kind]
                r, c = _round(pid, base + path, duration)
                rps[kind][name].append(r)
                cpu[kind][name].append(c)
    out: dict[str, Any] = {}
    for kind in bases:
        out[kind] = {f"{q}_{m}": round(statistics.median(v[kind][q]), 1)
                     for q in queries for m, v in (("rps", rps), ("cpu_us", cpu))}
        out[kind]["rounds_rps"] = rps[kind]
    new, old = out["buffered"], out["gthread"]
    out["buffered_vs_gthread"] = {
        **{f"{q}_rps": round(new[f"{q}_rps"] / old[f"{q}_rps"], 2) for q in queries},
        # > 1: buffered needs less CPU per request
        **{f"{q}_cpu": round(old[f"{q}_cpu_us"] / new[f"{q}_cpu_us"], 2) for q in queries},
    }
    out["target_met"] = all(v >= TARGET_RATIO for k, v in out["buffered_vs_gthread"].items()
                            if k.endswith("_rps"))
    return out


def run(workdir: Path) -> dict[str, Any]:
    """Both worker classes in both configurations, then the hostile phase."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is missing: run `make bench-deps`")
    rounds = int(os.environ.get("BENCH_WORKERS_ROUNDS", "5"))
    duration = os.environ.get("BENCH_WORKERS_DURATION", "2s")
    seconds = float(os.environ.get("BENCH_HOSTILE_SECONDS", "8"))
    _site(workdir)
    result: dict[str, Any] = {"rounds": rounds, "duration": duration, "connections": 8,
                              "target_ratio": TARGET_RATIO, "target_p99_ms": TARGET_MS}
    for workers, threads in CONFIGS:
        with ExitStack() as stack:
            bases: dict[str, tuple[str, int]] = {}
            for kind in CLASSES:
                port = free_port()
                cmd, env = ours(workdir, port)
                env = {**env, "OPENGEODATA_WORKER_CLASS": kind,
                       "OPENGEODATA_WORKERS": str(workers), "OPENGEODATA_THREADS": str(threads)}
                base = f"http://127.0.0.1:{port}"
                proc = stack.enter_context(server(cmd, env, f"{base}/collections?f=json"))
                bases[kind] = (base, proc.pid)
            entry = compare(bases, rounds, duration)
            if (workers, threads) == CONFIGS[-1]:
                entry["hostile"] = {kind: hostile_phase(int(base.rsplit(":", 1)[1]), seconds)
                                    for kind, (base, _) in bases.items()}
        result[f"{workers}x{threads}"] = entry
    return result
