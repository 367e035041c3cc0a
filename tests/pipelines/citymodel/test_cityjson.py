"""CityJSON 2.0 and CityJSONSeq output: official schemas, transform, semantics, tiles."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from pipelines.citymodel.convert import convert
from pipelines.citymodel.sample import generate
from tests.conftest import SHARED_DATA
from tests.pipelines.citymodel.fixtures import write_citygml_1_0

SCHEMAS = SHARED_DATA / "cityjson-schemas-2.0.2"
CITYGML = SHARED_DATA / "citygml"
needs_schemas = pytest.mark.skipif(
    not SCHEMAS.is_dir(), reason=f"official CityJSON schemas not available ({SCHEMAS} is missing)"
)
needs_shared = pytest.mark.skipif(
    not CITYGML.is_dir(), reason=f"real CityGML samples not available ({CITYGML} is missing)"
)


@cache
def _validator(name: str) -> Any:
    import jsonschema

    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return jsonschema.validators.validator_for(schema)(schema)


def assert_valid_cityjson(doc: dict[str, Any]) -> None:
    """Validate against the official CityJSON 2.0.2 schema, listing every error."""
    errors = [f"{list(e.absolute_path)}: {e.message[:300]}"
              for e in _validator("cityjson.min.schema.json").iter_errors(doc)]
    assert not errors, errors[:5]


def assert_valid_seq(path: Path) -> list[dict[str, Any]]:
    """The header against the CityJSON schema, every line against the CityJSONFeature schema."""
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert_valid_cityjson(lines[0])
    feature = _validator("cityjsonfeature.min.schema.json")
    for line in lines[1:]:
        errors = [e.message[:300] for e in feature.iter_errors(line)]
        assert not errors, (line["id"], errors[:5])
    return lines


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    tmp = tmp_path_factory.mktemp("cityjson")
    sources = generate(tmp / "gml", buildings=48, per_tile=12)
    result = convert(sources, cityjson=tmp / "all.city.json", cityjsonseq=tmp / "all.city.jsonl",
                     tiles_dir=tmp, title="test")
    return tmp, result


@needs_schemas
def test_sample_cityjson_is_valid_and_complete(sample_run: tuple[Path, Any]) -> None:
    tmp, result = sample_run
    doc = json.loads((tmp / "all.city.json").read_text(encoding="utf-8"))
    assert_valid_cityjson(doc)
    assert doc["version"] == "2.0"
    assert doc["transform"]["scale"] == [0.001, 0.001, 0.001]
    assert doc["metadata"]["referenceSystem"] == "https://www.opengis.net/def/crs/EPSG/0/25832"
    buildings = [k for k, o in doc["CityObjects"].items() if o["type"] == "Building"]
    parts = [k for k, o in doc["CityObjects"].items() if o["type"] == "BuildingPart"]
    assert len(buildings) == result.buildings == 48
    assert len(parts) == result.city_objects - 48 > 0
    for key in parts:
        (parent,) = doc["CityObjects"][key]["parents"]
        assert key in doc["CityObjects"][parent]["children"]
    # geographicalExtent = extent of the dequantized vertices
    scale, translate = doc["transform"]["scale"], doc["transform"]["translate"]
    real = [[v[i] * scale[i] + translate[i] for i in range(3)] for v in doc["vertices"]]
    extent = [min(p[i] for p in real) for i in range(3)] + [max(p[i] for p in real)
                                                           for i in range(3)]
    assert doc["metadata"]["geographicalExtent"] == pytest.approx(extent, abs=1e-6)
    frame = result.frame
    assert frame.total_bounds[0] == pytest.approx(extent[0], abs=1e-3)
    # semantics: every roof type present, roofs and grounds labelled
    roofs = {o["attributes"]["roofType"] for o in doc["CityObjects"].values()
             if o["type"] == "Building"}
    assert roofs == {"1000", "3100", "3200"}
    first = doc["CityObjects"][buildings[0]]
    (geom,) = first["geometry"]
    assert geom["type"] == "Solid" and geom["lod"] == "2"
    types = {s["type"] for s in geom["semantics"]["surfaces"]}
    assert types == {"GroundSurface", "WallSurface", "RoofSurface"}
    assert first["address"][0]["LocalityName"] == "Hannover"


@needs_schemas
def test_sample_cityjsonseq_and_tiles_are_valid(sample_run: tuple[Path, Any]) -> None:
    tmp, result = sample_run
    lines = assert_valid_seq(tmp / "all.city.jsonl")
    assert lines[0]["type"] == "CityJSON" and lines[0]["CityObjects"] == {}
    assert [line["id"] for line in lines[1:]] == list(result.frame["gml_id"])
    assert set(result.tiles) == set(result.frame["kachel"]) == {
        "LoD2_32_548_5800_1_ni", "LoD2_32_549_5800_1_ni", "LoD2_32_548_5801_1_ni",
        "LoD2_32_549_5801_1_ni"}
    total = 0
    for name, path in result.tiles.items():
        assert path.name == f"{name}.city.json"
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert_valid_cityjson(doc)
        ids = {k for k, o in doc["CityObjects"].items() if o["type"] == "Building"}
        assert ids == set(result.frame.loc[result.frame["kachel"] == name, "gml_id"])
        e, n = (int(v) * 1000 for v in name.split("_")[2:4])
        ext = doc["metadata"]["geographicalExtent"]
        assert e <= ext[0] and ext[3] <= e + 1100 and n <= ext[1] and ext[4] <= n + 1100
        total += len(ids)
    assert total == result.buildings


def test_vertices_round_trip_at_1_mm(tmp_path: Path) -> None:
    path = write_citygml_1_0(tmp_path / "lod1.gml")
    convert([path], cityjson=tmp_path / "out.city.json")
    doc = json.loads((tmp_path / "out.city.json").read_text(encoding="utf-8"))
    scale, translate = doc["transform"]["scale"], doc["transform"]["translate"]
    real = {tuple(round(v[i] * scale[i] + translate[i], 3) for i in range(3))
            for v in doc["vertices"]}
    block = {(x, y, z) for x in (550000, 550010) for y in (5800000, 5800020) for z in (50, 59)}
    part = {(x, y, 50) for x in (550010, 550015) for y in (5800000, 5800005)}
    assert real == {tuple(float(c) for c in p) for p in block | part}
    assert len(doc["vertices"]) == len(real)  # shared vertices are written once
    solid = doc["CityObjects"]["B1"]["geometry"][0]
    assert solid["type"] == "Solid" and len(solid["boundaries"][0]) == 6
    assert doc["CityObjects"]["B1"]["attributes"]["anzahl"] == 7


@needs_schemas
@needs_shared
@pytest.mark.parametrize("name", sorted(p.name for p in CITYGML.glob("*.gml"))
                         if CITYGML.is_dir() else ["(missing)"])
def test_real_files_give_valid_cityjson(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out.city.json"
    result = convert([CITYGML / name], cityjson=out, cityjsonseq=tmp_path / "out.city.jsonl")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert_valid_cityjson(doc)
    assert len(doc["CityObjects"]) == result.city_objects
    assert_valid_seq(tmp_path / "out.city.jsonl")
    ext = doc["metadata"]["geographicalExtent"]
    bounds = result.frame.total_bounds
    assert ext[0] == pytest.approx(bounds[0], abs=2e-3)
    assert ext[1] == pytest.approx(bounds[1], abs=2e-3)
