"""Publish 150,000 parcel polygons to every download format, side by side with GDAL.

Generates parcel-like polygons over Hannover's extent (EPSG:25832, a few attributes) into a
GeoPackage, then times each of our exporters (read + write + SHA-256 registration) against
GDAL doing the same conversion from that GeoPackage (pyogrio read + write), each in a fresh
process, interleaved, median of ``REPEAT`` runs; wall and CPU time are both reported (CPU
time is steadier on a shared machine). Targets: at most 1.3x GDAL per format, peak
RSS of a full publish (all formats + verification) under 1.5 GB.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import shapely

from bench.util import run_measured

N_PARCELS = 150_000
REPEAT = 3
FORMATS = ["gpkg", "geojson", "fgb", "shpzip", "csv", "parquet"]
TARGET_RATIO = 1.3
TARGET_RSS_MIB = 1536
LAYER = "flurstuecke"
#: Hannover in EPSG:25832 (m)
EXTENT = (540_000.0, 5_793_000.0, 562_000.0, 5_815_000.0)


def parcels(n: int = N_PARCELS, seed: int = 32) -> gpd.GeoDataFrame:
    """``n`` irregular, non-overlapping quadrilaterals with a few attributes, like parcels."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = EXTENT
    cols = int(np.ceil(np.sqrt(n * (maxx - minx) / (maxy - miny))))
    rows = int(np.ceil(n / cols))
    cw, ch = (maxx - minx) / cols, (maxy - miny) / rows
    idx = np.arange(n)
    x0 = minx + (idx % cols) * cw
    y0 = miny + (idx // cols) * ch
    jitter = rng.uniform(0.05, 0.3, size=(n, 4, 2)) * np.array([cw, ch])
    corners = np.stack([
        np.stack([x0 + jitter[:, 0, 0], y0 + jitter[:, 0, 1]], axis=1),
        np.stack([x0 + cw - jitter[:, 1, 0], y0 + jitter[:, 1, 1]], axis=1),
        np.stack([x0 + cw - jitter[:, 2, 0], y0 + ch - jitter[:, 2, 1]], axis=1),
        np.stack([x0 + jitter[:, 3, 0], y0 + ch - jitter[:, 3, 1]], axis=1),
    ], axis=1)
    ring = np.concatenate([corners, corners[:, :1]], axis=1).round(2)
    geoms = shapely.polygons(ring)
    gemarkungen = np.array(["Linden", "Döhren", "List", "Kirchrode", "Bothfeld", "Ahlem",
                            "Vahrenwald", "Misburg"])
    nutzung = np.array(["Wohnbaufläche", "Verkehrsfläche", "Grünanlage", "Gewerbe", "Wald"])
    gem = rng.integers(0, len(gemarkungen), n)
    return gpd.GeoDataFrame({
        "flurstueckskennzeichen": [f"03{4000 + g:04d}{i // 1000:03d}{i % 1000:05d}______"
                                   for i, g in zip(idx.tolist(), gem.tolist(), strict=True)],
        "gemarkung": gemarkungen[gem],
        "flur": rng.integers(1, 40, n).astype(np.int32),
        "amtliche_flaeche": shapely.area(geoms).round(1),
        "tatsaechliche_nutzung": nutzung[rng.integers(0, len(nutzung), n)],
    }, geometry=geoms, crs="EPSG:25832")


def _job(workdir: Path, mode: str, fmt: str, gpkg: Path, n: int) -> tuple[float, float, int]:
    """One worker process: (wall seconds, CPU seconds, peak RSS MiB) of read + write."""
    outdir = workdir / f"{mode}-{fmt}-{n}"
    result = workdir / f"{mode}-{fmt}-{n}.json"
    _, peak = run_measured([sys.executable, "-m", "bench.publish_worker", mode, fmt,
                            str(gpkg), str(outdir), str(result)])
    timing = json.loads(result.read_text())
    shutil.rmtree(outdir, ignore_errors=True)
    return float(timing["seconds"]), float(timing["cpu"]), peak


def run(workdir: Path) -> dict:
    """Generate the parcels, time every format against GDAL, measure a full publish."""
    started = time.perf_counter()
    gpkg = workdir / "parcels.gpkg"
    pyogrio.write_dataframe(parcels(), gpkg, layer=LAYER, driver="GPKG", use_arrow=True)
    result: dict = {
        "features": N_PARCELS,
        "source_gpkg_mib": round(gpkg.stat().st_size / 2**20, 1),
        "generate_seconds": round(time.perf_counter() - started, 1),
        "repeat": REPEAT,
        "formats": {},
    }
    for fmt in FORMATS:
        wall: dict[str, list[float]] = {"ours": [], "gdal": []}
        cpu: dict[str, list[float]] = {"ours": [], "gdal": []}
        peaks: dict[str, int] = {"ours": 0, "gdal": 0}
        for n in range(REPEAT):
            for mode in ("ours", "gdal") if n % 2 == 0 else ("gdal", "ours"):
                seconds, cpu_s, peak = _job(workdir, mode, fmt, gpkg, n)
                wall[mode].append(seconds)
                cpu[mode].append(cpu_s)
                peaks[mode] = max(peaks[mode], peak)
        ours, gdal = statistics.median(wall["ours"]), statistics.median(wall["gdal"])
        ours_cpu, gdal_cpu = statistics.median(cpu["ours"]), statistics.median(cpu["gdal"])
        ratio, cpu_ratio = ours / gdal, ours_cpu / gdal_cpu
        result["formats"][fmt] = {
            "ours_s": round(ours, 2), "gdal_s": round(gdal, 2), "ratio": round(ratio, 2),
            "ours_cpu_s": round(ours_cpu, 2), "gdal_cpu_s": round(gdal_cpu, 2),
            "cpu_ratio": round(cpu_ratio, 2),
            "ours_peak_rss_mib": peaks["ours"], "gdal_peak_rss_mib": peaks["gdal"],
            "within_target": ratio <= TARGET_RATIO,
        }
        print(f"   {fmt:8s} wall ours {ours:6.2f} s gdal {gdal:6.2f} s ratio {ratio:4.2f} | "
              f"cpu ours {ours_cpu:6.2f} s gdal {gdal_cpu:6.2f} s ratio {cpu_ratio:4.2f} | "
              f"peak RSS {peaks['ours']} / {peaks['gdal']} MiB", flush=True)
    outdir = workdir / "all"
    timing = workdir / "all.json"
    _, peak = run_measured([sys.executable, "-m", "bench.publish_worker", "all", "-",
                            str(gpkg), str(outdir), str(timing)])
    full = json.loads(timing.read_text())
    result["full_publish"] = {
        "seconds": round(full["seconds"], 2), "export_s": round(full["export"], 2),
        "verify_s": round(full["verify"], 2), "peak_rss_mib": peak,
        "within_target": peak < TARGET_RSS_MIB,
    }
    result["max_ratio"] = max(f["ratio"] for f in result["formats"].values())
    result["all_within_target"] = (
        all(f["within_target"] for f in result["formats"].values())
        and result["full_publish"]["within_target"]
    )
    return result
