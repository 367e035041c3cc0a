"""3D Tiles and CityJSON from CityGML for the 131,000-building city, next to the bare XML parse.

One generated CityGML 2.0 file (LGLN-like LoD2, as in ``bench_citygml``) is read three ways in
separate processes, each timed for CPU (user + system; the one-core figure on a shared machine)
and peak RSS:

- ``floor``: lxml ``iterparse`` over every ``cityObjectMember``, clearing as it goes - the
  floor of any approach built on lxml;
- ``cityjson``: ``opengeodata convert citygml IN -o OUT.city.json``;
- ``cityjson_3dtiles``: the same plus ``--3dtiles OUT.3tz`` (3D Tiles 1.1 archive).

Reports buildings per CPU-second of each, the ratios to the floor (target: CityJSON >= 50 % of
the floor), the marginal cost of the 3D Tiles, peak RSS (target < 1 GB) and the tileset's size
(tiles, largest tile; target < 1 MB). ``BENCH_3DTILES_BUILDINGS`` sets the city size (default
131000; smaller values are a subset and say so in the result).
"""

from __future__ import annotations

import json
import os
import sys
import time
import zipfile
from pathlib import Path

from bench.util import run_measured_cpu
from pipelines.citymodel.sample import generate

CITY = 131_000
BUILDINGS = int(os.environ.get("BENCH_3DTILES_BUILDINGS", str(CITY)))
TARGET_RATIO = 0.5
TARGET_RSS_MIB = 1024
TARGET_TILE_BYTES = 1 << 20
FLOOR = (
    "import sys\n"
    "from lxml import etree\n"
    "n = 0\n"
    "tags = ['{http://www.opengis.net/citygml/2.0}cityObjectMember',\n"
    "        '{http://www.opengis.net/citygml/1.0}cityObjectMember']\n"
    "for _e, el in etree.iterparse(sys.argv[1], events=('end',), tag=tags,\n"
    "                              resolve_entities=False, no_network=True, huge_tree=True):\n"
    "    n += 1\n"
    "    el.clear()\n"
    "    while el.getprevious() is not None:\n"
    "        del el.getparent()[0]\n"
    "print(n)\n"
)


def _measure(cmd: list[str]) -> dict[str, float]:
    wall, cpu, rss = run_measured_cpu(cmd)
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_rss_mib": rss,
            "buildings_per_cpu_s": round(BUILDINGS / cpu) if cpu else 0}


def _tiles(archive: Path) -> dict[str, int]:
    with zipfile.ZipFile(archive) as zf:
        sizes = [i.file_size for i in zf.infolist() if i.filename.endswith(".glb")]
    return {"tiles": len(sizes), "largest_tile_bytes": max(sizes, default=0),
            "median_tile_bytes": sorted(sizes)[len(sizes) // 2] if sizes else 0,
            "archive_mib": round(archive.stat().st_size / 2**20, 1)}


def run(workdir: Path) -> dict:
    """Generate the city, then floor / CityJSON / CityJSON + 3D Tiles side by side."""
    started = time.perf_counter()
    source = workdir / "LoD2_hannover.gml"
    generate(workdir / "gen", buildings=BUILDINGS, per_tile=625, single=source)
    generate_s = round(time.perf_counter() - started, 1)
    cli = [sys.executable, "-m", "opengeodata.cli", "convert", "citygml", str(source)]
    floor = _measure([sys.executable, "-c", FLOOR, str(source)])
    cityjson = _measure([*cli, "-o", str(workdir / "a.city.json")])
    both = _measure([*cli, "-o", str(workdir / "b.city.json"), "--3dtiles",
                     str(workdir / "b.3tz")])
    extra_cpu = max(both["cpu_s"] - cityjson["cpu_s"], 1e-6)
    floor_rate = floor["buildings_per_cpu_s"]
    result: dict = {
        "buildings": BUILDINGS,
        "subset_of_city": None if BUILDINGS >= CITY else (
            f"{BUILDINGS} of {CITY} buildings; rates are per CPU-second and scale linearly "
            f"(streaming), so the city takes about {CITY / BUILDINGS:.1f}x the CPU time"),
        "source_mib": round(source.stat().st_size / 2**20),
        "generate_s": generate_s,
        "floor_lxml_iterparse": floor,
        "cityjson": cityjson,
        "cityjson_3dtiles": both,
        "3dtiles_marginal_buildings_per_cpu_s": round(BUILDINGS / extra_cpu),
        "ratio_cityjson_to_floor": round(cityjson["buildings_per_cpu_s"] / floor_rate, 3),
        "ratio_cityjson_3dtiles_to_floor": round(both["buildings_per_cpu_s"] / floor_rate, 3),
        "tileset": _tiles(workdir / "b.3tz"),
    }
    with zipfile.ZipFile(workdir / "b.3tz") as zf:
        result["tileset"]["geoid"] = json.loads(zf.read("tileset.json"))["asset"]["extras"][
            "geoid"]
    result["target_cityjson_half_floor_met"] = result["ratio_cityjson_to_floor"] >= TARGET_RATIO
    result["target_rss_met"] = max(cityjson["peak_rss_mib"],
                                   both["peak_rss_mib"]) < TARGET_RSS_MIB
    result["target_tile_size_met"] = result["tileset"]["largest_tile_bytes"] < TARGET_TILE_BYTES
    result["load_average"] = [round(v, 1) for v in os.getloadavg()]
    return result
