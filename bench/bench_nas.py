"""ALKIS NAS: Hannover-scale delivery (150,000 parcels) with our converter vs GDAL's NAS driver."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyogrio

from bench.util import run_measured

_CPU_WRAPPER = (
    "import json, resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "w = time.perf_counter() - t\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(json.dumps({'wall': w, 'cpu': u.ru_utime + u.ru_stime, 'rss_kib': u.ru_maxrss,"
    " 'code': p.returncode, 'err': p.stderr.decode(errors='replace')[-2000:]}))\n"
)


def run_cpu_measured(cmd: list[str]) -> dict:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of one command.

    The CPU time is what to compare on a loaded, shared machine: wall time there mostly
    measures the other processes.
    """
    proc = subprocess.run([sys.executable, "-c", _CPU_WRAPPER, *cmd], capture_output=True,
                          text=True, check=True)
    out = json.loads(proc.stdout)
    if out["code"] != 0:
        raise RuntimeError(f"{cmd[0]} failed ({out['code']}): {out['err']}")
    return {"seconds": round(out["wall"], 1), "cpu_seconds": round(out["cpu"], 1),
            "peak_rss_mib": out["rss_kib"] // 1024}

PARCELS = 150_000
BUILDINGS = 60_000
#: The memory target: a 1 GB delivery (about 400,000 parcels) converts with < 1 GB RSS.
LARGE_PARCELS = 400_000
LARGE_BUILDINGS = 160_000


def run(workdir: Path, parcels: int = PARCELS, buildings: int = BUILDINGS) -> dict:
    """Generate the delivery, convert it with both tools in the same run, compare."""
    xml = workdir / "alkis_hannover_nas.xml"
    gen_s, gen_rss = run_measured([sys.executable, "-m", "pipelines.cadastral.sample", str(xml),
                                   "--parcels", str(parcels), "--buildings", str(buildings)])
    result: dict = {
        "parcels": parcels,
        "buildings": buildings,
        "delivery_mib": round(xml.stat().st_size / 2**20, 1),
        "generate_s": round(gen_s, 1),
        "generate_peak_rss_mib": gen_rss,
    }
    ours = workdir / "ours.gpkg"
    measured = run_cpu_measured([sys.executable, "-m", "opengeodata.cli", "-q", "convert",
                                 "nas", str(xml), "-o", str(ours)])
    count = int(pyogrio.read_info(ours, layer="flurstuecke")["features"])
    result["opengeodata"] = {
        **measured,
        "parcels_per_s": round(count / measured["seconds"]),
        "parcels_per_cpu_s": round(count / measured["cpu_seconds"]),
        "parcels_written": count,
        "buildings_written": int(pyogrio.read_info(ours, layer="gebaeude")["features"]),
    }
    ogr2ogr = shutil.which("ogr2ogr")
    if ogr2ogr is None:
        result["gdal"] = "ogr2ogr not installed (run: make bench-deps)"
        return result
    gdal = workdir / "gdal.gpkg"
    measured = run_cpu_measured([ogr2ogr, "-f", "GPKG", str(gdal), str(xml)])
    gdal_count = int(pyogrio.read_info(gdal, layer="AX_Flurstueck")["features"])
    result["gdal_nas"] = {
        **measured,
        "parcels_per_s": round(gdal_count / measured["seconds"]),
        "parcels_per_cpu_s": round(gdal_count / measured["cpu_seconds"]),
        "parcels_written": gdal_count,
    }
    ours_r, gdal_r = result["opengeodata"], result["gdal_nas"]
    result["speed_ratio_ours_vs_gdal"] = {
        "wall": round(ours_r["parcels_per_s"] / gdal_r["parcels_per_s"], 2),
        "cpu": round(ours_r["parcels_per_cpu_s"] / gdal_r["parcels_per_cpu_s"], 2),
    }
    result["targets_met"] = {
        "at_least_as_fast_as_gdal": result["speed_ratio_ours_vs_gdal"]["cpu"] >= 1.0,
        "peak_rss_under_1gb": result["opengeodata"]["peak_rss_mib"] < 1024,
    }
    if os.environ.get("BENCH_NAS_SKIP_1GB"):
        return result
    for path in (xml, ours, gdal):
        path.unlink(missing_ok=True)
    large = workdir / "alkis_1gb_nas.xml"
    run_measured([sys.executable, "-m", "pipelines.cadastral.sample", str(large),
                  "--parcels", str(LARGE_PARCELS), "--buildings", str(LARGE_BUILDINGS)])
    measured = run_cpu_measured([sys.executable, "-m", "opengeodata.cli", "-q", "convert",
                                 "nas", str(large), "-o", str(ours)])
    result["opengeodata_1gb_delivery"] = {
        "delivery_mib": round(large.stat().st_size / 2**20, 1),
        **measured,
        "parcels_per_cpu_s": round(LARGE_PARCELS / measured["cpu_seconds"]),
    }
    result["targets_met"]["1gb_delivery_under_1gb_rss"] = measured["peak_rss_mib"] < 1024
    return result
