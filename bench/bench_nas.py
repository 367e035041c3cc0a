"""ALKIS NAS: Hannover-scale delivery (150,000 parcels) with our converter vs GDAL's NAS driver."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pyogrio

from bench.util import run_measured

PARCELS = 150_000
BUILDINGS = 60_000


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
    wall, rss = run_measured([sys.executable, "-m", "opengeodata.cli", "-q", "convert", "nas",
                              str(xml), "-o", str(ours)])
    count = int(pyogrio.read_info(ours, layer="flurstuecke")["features"])
    result["opengeodata"] = {
        "seconds": round(wall, 1),
        "parcels_per_s": round(count / wall),
        "peak_rss_mib": rss,
        "parcels_written": count,
        "buildings_written": int(pyogrio.read_info(ours, layer="gebaeude")["features"]),
    }
    ogr2ogr = shutil.which("ogr2ogr")
    if ogr2ogr is None:
        result["gdal"] = "ogr2ogr not installed (run: make bench-deps)"
        return result
    gdal = workdir / "gdal.gpkg"
    wall, rss = run_measured([ogr2ogr, "-f", "GPKG", str(gdal), str(xml)])
    gdal_count = int(pyogrio.read_info(gdal, layer="AX_Flurstueck")["features"])
    result["gdal_nas"] = {
        "seconds": round(wall, 1),
        "parcels_per_s": round(gdal_count / wall),
        "peak_rss_mib": rss,
        "parcels_written": gdal_count,
    }
    result["speed_ratio_ours_vs_gdal"] = round(
        result["opengeodata"]["parcels_per_s"] / result["gdal_nas"]["parcels_per_s"], 2)
    result["targets_met"] = {
        "at_least_as_fast_as_gdal": result["speed_ratio_ours_vs_gdal"] >= 1.0,
        "peak_rss_under_1gb": result["opengeodata"]["peak_rss_mib"] < 1024,
    }
    return result
