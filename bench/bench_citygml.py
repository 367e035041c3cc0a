"""CityGML -> CityJSON + footprints for 131,000 LoD2 buildings, next to ogr2ogr (GDAL GML driver).

One generated CityGML 2.0 file (LGLN-like: lod2Solid with xlink:href to the semantic surfaces)
is converted by ``opengeodata convert citygml`` (CityJSON 2.0 + GeoPackage footprints) and read
by ``ogr2ogr`` into a GeoPackage, in the same run. Reports wall and CPU time (the machine is
shared: CPU time is the one-core figure), buildings per second and peak RSS of each, and how many
non-empty geometries ogr2ogr produced. Targets: >= 2,000 buildings/s on one core, RSS < 1 GB.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

from bench.util import run_measured_cpu
from pipelines.citymodel.sample import generate

BUILDINGS = int(os.environ.get("BENCH_CITYGML_BUILDINGS", "131000"))
TARGET_RATE = 2000
TARGET_RSS_MIB = 1024


def _measure(cmd: list[str]) -> dict[str, float]:
    wall, cpu, rss = run_measured_cpu(cmd)
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_rss_mib": rss,
            "buildings_per_s_wall": round(BUILDINGS / wall),
            "buildings_per_s_cpu": round(BUILDINGS / cpu) if cpu else 0}


def run(workdir: Path) -> dict:
    """Generate, convert with ours and with ogr2ogr, compare."""
    started = time.perf_counter()
    source = workdir / "LoD2_hannover.gml"
    generate(workdir / "gen", buildings=BUILDINGS, per_tile=625, single=source)
    generate_s = time.perf_counter() - started
    ours = _measure([sys.executable, "-m", "opengeodata.cli", "convert", "citygml", str(source),
                     "-o", str(workdir / "out.city.json"),
                     "--footprints", str(workdir / "footprints.gpkg")])
    footprints = workdir / "footprints.gpkg"
    import pyogrio

    features = int(pyogrio.read_info(footprints, layer="gebaeude_3d")["features"])
    with (workdir / "out.city.json").open("rb") as fh:
        head = fh.read(400)
    result: dict = {
        "buildings": BUILDINGS,
        "source_mib": round(source.stat().st_size / 2**20),
        "generate_s": round(generate_s, 1),
        "ours": ours,
        "ours_footprints": features,
        "cityjson_mib": round((workdir / "out.city.json").stat().st_size / 2**20),
        "cityjson_head": json.loads(head[: head.index(b',"CityObjects"')] + b"}")["version"],
    }
    if shutil.which("ogr2ogr"):
        result["ogr2ogr"] = _measure(["ogr2ogr", "-f", "GPKG", str(workdir / "ogr.gpkg"),
                                      str(source)])
        # what GDAL made of it: the xlinked lod2Solid stays unresolved by default
        nonempty = pyogrio.read_dataframe(
            workdir / "ogr.gpkg", read_geometry=False,
            sql="SELECT count(*) AS n FROM Building WHERE ST_IsEmpty(geom) = 0")
        result["ogr2ogr_nonempty_geometries"] = int(nonempty["n"].iloc[0])
        result["ratio_wall_ours_vs_ogr2ogr"] = round(
            result["ogr2ogr"]["wall_s"] / ours["wall_s"], 2)
        result["ratio_cpu_ours_vs_ogr2ogr"] = round(
            result["ogr2ogr"]["cpu_s"] / ours["cpu_s"], 2)
    else:
        result["ogr2ogr"] = "not installed (make bench-deps installs gdal-bin)"
    result["target_rate_met_cpu"] = ours["buildings_per_s_cpu"] >= TARGET_RATE
    result["target_rss_met"] = ours["peak_rss_mib"] < TARGET_RSS_MIB
    result["load_average"] = [round(v, 1) for v in os.getloadavg()]
    return result
