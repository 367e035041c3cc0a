"""The converter's outputs stay byte-identical to the golden files (see ``golden_cases``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA
from tests.pipelines.citymodel.golden_cases import CASES, GOLDEN, SHARED_FILES, run_case


@pytest.mark.parametrize("case", CASES)
def test_outputs_match_golden(case: str, tmp_path: Path) -> None:
    if case in SHARED_FILES and not (SHARED_DATA / "citygml" / case).is_file():
        pytest.skip(f"real CityGML sample {case} not available ({SHARED_DATA} is missing)")
    expected_dir = GOLDEN / case.removesuffix(".gml")
    got = run_case(case, tmp_path)
    assert sorted(got) == sorted(p.name for p in expected_dir.iterdir())
    for name, data in got.items():
        expected = (expected_dir / name).read_bytes()
        if name == "footprints.json":
            assert json.loads(data) == json.loads(expected), name
        else:
            assert data == expected, f"{case}/{name} differs from the golden output"
