"""Conversion cases whose outputs are kept in ``golden/`` (written by the converter as it was
before the batch reader): CityJSON, CityJSONSeq, per-tile CityJSON and the footprint rows.

``python -m tests.pipelines.citymodel.golden_cases`` rewrites the golden files (only after a
deliberate change of the output).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from pipelines.citymodel.convert import convert
from pipelines.citymodel.sample import generate
from tests.conftest import SHARED_DATA
from tests.pipelines.citymodel.fixtures import CROSS_REFERENCE, write_citygml_1_0
from tests.pipelines.citymodel.test_quality import LOD4

GOLDEN = Path(__file__).with_name("golden")
SHARED_FILES = ("v2_Building_LOD2-EPSG25832.gml", "v2_Building_and_garage_LOD2-EPSG25832.gml",
                "Berlin_Moabit_1Bldg_v2.gml")


def _sources(case: str, tmp: Path) -> list[Path]:
    if case == "generated":
        return generate(tmp / "gml", buildings=40, per_tile=20)
    if case == "generated_lod1":
        return generate(tmp / "gml1", buildings=8, per_tile=8, lod=1)
    if case == "citygml_1_0":
        return [write_citygml_1_0(tmp / "lod1.gml")]
    if case == "cross_reference":
        path = tmp / "xref.gml"
        path.write_text(CROSS_REFERENCE.replace("{target}", "shared"), encoding="utf-8")
        return [path]
    if case == "lod4":
        path = tmp / "lod4.gml"
        path.write_text(LOD4, encoding="utf-8")
        return [path]
    return [SHARED_DATA / "citygml" / case]


CASES = ("generated", "generated_lod1", "citygml_1_0", "cross_reference", "lod4", *SHARED_FILES)


def run_case(case: str, tmp: Path) -> dict[str, bytes]:
    """The outputs of one case as {file name: bytes} (footprints as JSON rows)."""
    out = tmp / "out"
    out.mkdir(parents=True, exist_ok=True)
    result = convert(_sources(case, tmp), cityjson=out / "all.city.json",
                     cityjsonseq=out / "all.city.jsonl", tiles_dir=out, title="golden")
    files = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    frame = result.frame
    rows: list[dict[str, Any]] = []
    for i in range(len(frame)):
        row = {k: (None if _isna(v) else v) for k, v in frame.iloc[i].items()
               if k != "geometry"}
        geom = frame.geometry.iloc[i]
        row["geometry"] = None if geom is None else geom.normalize().wkt
        rows.append(row)
    files["footprints.json"] = json.dumps(
        {"rows": rows, "quality": result.quality.checks(), "dropped": result.dropped,
         "buildings": result.buildings, "city_objects": result.city_objects},
        indent=1, sort_keys=True, ensure_ascii=False, default=str).encode()
    return files


def _isna(value: Any) -> bool:
    import pandas as pd

    return value is None or (not isinstance(value, (list, dict, str)) and bool(pd.isna(value)))


def main() -> None:
    """Rewrite the golden files."""
    import tempfile

    for case in CASES:
        if case in SHARED_FILES and not (SHARED_DATA / "citygml" / case).is_file():
            sys.exit(f"{case}: shared data missing")
        with tempfile.TemporaryDirectory() as tmp:
            target = GOLDEN / case.removesuffix(".gml")
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            for name, data in run_case(case, Path(tmp)).items():
                (target / name).write_bytes(data)


if __name__ == "__main__":
    main()
