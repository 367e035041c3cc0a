"""OGC API Features from PostGIS: this server's PostGIS backend vs tipg 1.6 on the same table.

One run, one PostgreSQL 15 + PostGIS primary (``opengeodata.postgis.cluster``), 150,544
generated parcels published once (the publish loads them into PostGIS). Side by side with wrk
(8 connections; per query ``BENCH_POSTGIS_ROUNDS`` alternating rounds, default 3, of
``BENCH_POSTGIS_DURATION``, default 3s, each; medians reported): (a) this server with
``OPENGEODATA_DATABASE_URL`` (gunicorn, the ``serve`` defaults), (b) tipg 1.6 (uvicorn, as many
workers) on the same schema and table, (c) this server on the GeoPackage (today's backend), for
``items`` (limit 10), a 300 m ``bbox``, a single feature and ``limit=1000``. Targets: (a) at
least 2x tipg's requests/s with a lower p99; ``limit=1000`` at least 3x the 80 requests/s of
the GeoPackage server before the GeoJSON writer was sped up. Each server's CPU per request (its
processes and the PostgreSQL backends, from /proc) is reported too: on a shared machine the
requests/s swing with the other load, the CPU a request costs much less. tipg lives in its own venv
(``.venv-tipg``, made by ``make bench-deps``) so its pins never touch the project's.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench.bench_features import ROOT, free_port, ours, queries, server, wrk
from bench.parcels import publish_parcels
from bench.util import tree_cpu_seconds
from opengeodata.postgis import cluster, db

N_PARCELS = 150_544
DURATION = os.environ.get("BENCH_POSTGIS_DURATION", "3s")
ROUNDS = int(os.environ.get("BENCH_POSTGIS_ROUNDS", "3"))
TIPG = ROOT / ".venv-tipg" / "bin" / "uvicorn"
#: limit=1000 GeoJSON requests/s of the GeoPackage server before the writer speed-up (2 cores)
LIMIT1000_BEFORE_RPS = 80.0
#: seconds to wait after a tipg run (its limit=1000 requests take ~2 s each under load)
TIPG_DRAIN_S = 3.0


def _tipg_queries(schema: str, fid: int, ours_q: dict[str, str]) -> dict[str, str]:
    base = f"/collections/{schema}.parcels/items"
    bbox = ours_q["bbox300m"].split("bbox=", 1)[1].split("&", 1)[0]
    return {"limit10": f"{base}?f=geojson&limit=10",
            "bbox300m": f"{base}?f=geojson&bbox={bbox}&limit=100",
            "item": f"{base}/{fid}?f=geojson",
            "limit1000": f"{base}?f=geojson&limit=1000"}


def run(workdir: Path) -> dict[str, Any]:
    """Run the comparison once; return the numbers."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is missing: run `make bench-deps`")
    if not TIPG.exists():
        raise RuntimeError(f"{TIPG} is missing: run `make bench-deps` (tipg's own venv)")
    if (reason := cluster.available()) is not None:
        raise RuntimeError(reason)
    pg_root = Path(tempfile.mkdtemp(prefix="ogd-bench-pg-"))  # traversable by postgres
    try:
        pg = cluster.start(pg_root, replica=False, fast=True)
        return _run(workdir, pg)
    finally:
        cluster.stop(pg_root, remove=True)


def _run(workdir: Path, pg: cluster.PgCluster) -> dict[str, Any]:
    settings = publish_parcels(workdir / "site", N_PARCELS, database_url=pg.primary_url)
    with db.connect(pg.primary_url) as con:
        version = db.live_versions(con)["parcels"]
        schema = db.schema_name("parcels", version)
        row = con.execute(f"SELECT fid FROM {schema}.parcels WHERE kennzeichen = %s",
                          ("036107-123-075123",)).fetchone()
    assert row is not None, "bench feature missing"
    qs = {k: v for k, v in queries().items() if k != "cql2"}
    tq = _tipg_queries(schema, int(row[0]), qs)
    result: dict[str, Any] = {"parcels": N_PARCELS, "duration": DURATION, "rounds": ROUNDS,
                              "connections": 8,
                              "queries": {k: {"ours": v, "tipg": tq[k]} for k, v in qs.items()}}
    bases: dict[str, str] = {}
    pids: dict[str, int] = {}
    postmaster = int((pg.primary_dir / "postmaster.pid").read_text().split()[0])
    with ExitStack() as stack:  # all three up at once; runs alternate, so drift hits all alike
        cmd, env = ours(workdir / "site", free_port())
        bases["postgis"] = f"http://127.0.0.1:{cmd[-1]}"
        pids["postgis"] = stack.enter_context(server(
            cmd, {**env, "OPENGEODATA_DATABASE_URL": pg.primary_url},
            f"{bases['postgis']}/collections?f=json")).pid
        port = free_port()
        bases["tipg"] = f"http://127.0.0.1:{port}"
        tipg_env = {"DATABASE_URL": pg.primary_url, "TIPG_DB_SCHEMAS": f'["{schema}"]',
                    "TIPG_DB_TABLES": f'["{schema}.parcels"]',
                    "TIPG_MAX_FEATURES_PER_QUERY": "10000"}
        pids["tipg"] = stack.enter_context(server(
            [str(TIPG), "tipg.main:app", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(settings.workers), "--no-access-log", "--log-level", "warning"],
            tipg_env, f"{bases['tipg']}{tq['limit10']}")).pid
        cmd, env = ours(workdir / "site", free_port())
        bases["geopackage"] = f"http://127.0.0.1:{cmd[-1]}"
        pids["geopackage"] = stack.enter_context(
            server(cmd, env, f"{bases['geopackage']}/collections?f=json")).pid
        for name, q in qs.items():
            urls = {label: base + (tq[name] if label == "tipg" else q)
                    for label, base in bases.items()}
            for url in urls.values():
                wrk(url, "1s")  # warm-up (prepared statements, caches)
            runs: dict[str, list[dict[str, Any]]] = {label: [] for label in urls}
            cpu = {label: [0.0, 0.0] for label in urls}  # server, postgres CPU seconds
            for _ in range(ROUNDS):
                for label, url in urls.items():
                    before = tree_cpu_seconds([pids[label]]), tree_cpu_seconds([postmaster])
                    runs[label].append(wrk(url, DURATION))
                    cpu[label][0] += tree_cpu_seconds([pids[label]]) - before[0]
                    cpu[label][1] += tree_cpu_seconds([postmaster]) - before[1]
                    if label == "tipg":  # tipg works off queued slow requests after wrk
                        time.sleep(TIPG_DRAIN_S)  # stops: not on the next server's CPU
            for label, got in runs.items():
                key = "tipg_result" if label == "tipg" else label
                result["queries"][name][key] = {
                    "rps": statistics.median(r["rps"] for r in got),
                    "p99_ms": statistics.median(r["p99_ms"] for r in got),
                    "p50_ms": statistics.median(r["p50_ms"] for r in got),
                    "non2xx": sum(r["non2xx"] for r in got),
                    "socket_errors": sum(r["socket_errors"] for r in got),
                    "runs_rps": [r["rps"] for r in got],
                    # CPU per answered request (server processes, PostgreSQL backends): the
                    # cost behind the rps, much less sensitive to other load on the machine
                    "cpu_ms_per_request": {
                        "server": round(cpu[label][0] * 1000 / max(1, sum(
                            r["requests"] for r in got)), 3),
                        "postgres": round(cpu[label][1] * 1000 / max(1, sum(
                            r["requests"] for r in got)), 3)}}
    for entry in result["queries"].values():
        a, t, g = entry["postgis"], entry["tipg_result"], entry["geopackage"]
        entry["ratio_postgis_vs_tipg_rps"] = round(a["rps"] / t["rps"], 2) if t["rps"] else None
        entry["p99_postgis_vs_tipg"] = round(a["p99_ms"] / t["p99_ms"], 2) if t["p99_ms"] else None
        entry["ratio_postgis_vs_geopackage_rps"] = round(a["rps"] / g["rps"], 2) if g["rps"] \
            else None
        ours_cpu, tipg_cpu = (sum(x["cpu_ms_per_request"].values()) for x in (a, t))
        entry["cpu_tipg_vs_postgis"] = round(tipg_cpu / ours_cpu, 2) if ours_cpu else None
    big = result["queries"]["limit1000"]
    result["limit1000_vs_before"] = {
        "before_rps": LIMIT1000_BEFORE_RPS,
        "geopackage_ratio": round(big["geopackage"]["rps"] / LIMIT1000_BEFORE_RPS, 2),
        "postgis_ratio": round(big["postgis"]["rps"] / LIMIT1000_BEFORE_RPS, 2),
        # both backends copy stored answers for default pages (written at publish time)
        "postgis_vs_geopackage_same_run": big["ratio_postgis_vs_geopackage_rps"],
        "target_ratio": 3.0}
    return result


if __name__ == "__main__":
    import json

    with tempfile.TemporaryDirectory(prefix="bench-postgis-") as tmp:
        print(json.dumps(run(Path(tmp)), indent=2))
    sys.exit(0)
