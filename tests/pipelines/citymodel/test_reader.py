"""The CityGML reader: real public files, CityGML 1.0, xlinks, CRS, safe XML, clear errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from lxml import etree
from pyproj import Transformer

from opengeodata.errors import DataValidationError
from pipelines.citymodel.citygml import iter_buildings
from pipelines.citymodel.convert import convert
from tests.conftest import SHARED_DATA
from tests.pipelines.citymodel.fixtures import CROSS_REFERENCE, ENTITY_BOMB, write_citygml_1_0

CITYGML = SHARED_DATA / "citygml"
needs_shared = pytest.mark.skipif(
    not CITYGML.is_dir(), reason=f"real CityGML samples not available ({CITYGML} is missing)"
)
NS = {"gml": "http://www.opengis.net/gml", "bldg": "http://www.opengis.net/citygml/building/2.0"}


def _shoelace(xs: list[float], ys: list[float]) -> float:
    xs = [x - xs[0] for x in xs]  # relative coordinates keep the precision
    ys = [y - ys[0] for y in ys]
    n = len(xs)
    return abs(sum(xs[i] * ys[(i + 1) % n] - xs[(i + 1) % n] * ys[i] for i in range(n))) / 2


def _ground_rings(path: Path) -> list[list[tuple[float, float, float]]]:
    """Every GroundSurface ring of the file, parsed with plain lxml (independent of the reader)."""
    tree = etree.parse(str(path))
    rings = []
    for pos_list in tree.iterfind(".//bldg:GroundSurface//gml:posList", NS):
        values = [float(v) for v in pos_list.text.split()]
        rings.append([tuple(values[i:i + 3]) for i in range(0, len(values), 3)][:-1])
    return rings


def _all_z(path: Path) -> list[float]:
    tree = etree.parse(str(path))
    zs: list[float] = []
    for building in tree.iterfind(".//bldg:Building", NS):
        for pos_list in building.iterfind(".//gml:posList", NS):
            values = [float(v) for v in pos_list.text.split()]
            zs.extend(values[2::3])
    return zs


def _count(path: Path, local: str) -> int:
    return len(etree.parse(str(path)).findall(f".//bldg:{local}", NS))


@needs_shared
def test_single_lod2_building(tmp_path: Path) -> None:
    path = CITYGML / "v2_Building_LOD2-EPSG25832.gml"
    result = convert([path], cityjson=tmp_path / "out.city.json")
    assert result.buildings == _count(path, "Building") == 1
    assert result.city_objects == 1
    row = result.frame.iloc[0]
    rings = _ground_rings(path)
    expected_area = sum(_shoelace([p[0] for p in r], [p[1] for p in r]) for r in rings)
    assert row.geometry.area == pytest.approx(expected_area, rel=1e-9)
    zs = _all_z(path)
    assert row["hoehe"] == pytest.approx(max(zs) - min(zs), abs=1e-3)
    assert row["gelaendehoehe"] == pytest.approx(min(zs))
    assert row["dachform"] == "1030" and row["dachform_text"] == "Satteldach"
    assert row["lod"] == 2 and row["baujahr"] == 1985 and row["geschosse"] == 1
    assert row["kachel"] == "LoD2_32_458_5438_1_ni"
    # gabled roof: eaves at 115 m, ridge at 117 m, ground at 112 m
    assert (row["hoehe_traufe"], row["hoehe_first"]) == (3.0, 5.0)
    assert row["adresse"] == "Hermann-von-Helmholtz-Platz 1, 76344 Eggenstein-Leopoldshafen"


@needs_shared
def test_building_with_building_part(tmp_path: Path) -> None:
    path = CITYGML / "v2_Building_and_garage_LOD2-EPSG25832.gml"
    result = convert([path], cityjson=tmp_path / "out.city.json")
    assert result.buildings == _count(path, "Building") == 1
    assert result.city_objects == _count(path, "Building") + _count(path, "BuildingPart") == 2
    row = result.frame.iloc[0]
    assert row["gebaeudeteile"] == 1
    # footprint = union of the house and the garage ground surfaces (they touch)
    rings = _ground_rings(path)
    assert len(rings) == 2
    expected_area = sum(_shoelace([p[0] for p in r], [p[1] for p in r]) for r in rings)
    assert row.geometry.area == pytest.approx(expected_area, rel=1e-9)
    assert len(row.geometry.geoms) == 1  # touching parts merge into one outline
    measured = etree.parse(str(path)).find(
        ".//bldg:Building/bldg:measuredHeight", NS).text
    assert row["hoehe"] == pytest.approx(float(measured))
    building = next(iter_buildings(path))[0]
    part = building.parts[0]
    assert part.id == "GMLID_BUI379228_1244_301"
    assert part.attributes["measuredHeight"] == 2.5
    # the garage's solid uses an OrientableSurface (orientation "-") of a house wall
    solid = next(g for g in part.geometries if g.type == "Solid")
    assert len(solid.shells[0]) == 6
    assert all(s.kind for s in solid.shells[0])


@needs_shared
def test_berlin_building_is_reprojected_from_25833(tmp_path: Path) -> None:
    path = CITYGML / "Berlin_Moabit_1Bldg_v2.gml"
    result = convert([path], cityjson=tmp_path / "out.city.json")
    assert result.reprojected == ["urn:ogc:def:crs,crs:EPSG:6.12:25833,crs:EPSG:6.12:5783"]
    row = result.frame.iloc[0]
    to32 = Transformer.from_crs("EPSG:25833", "EPSG:25832", always_xy=True)
    (ring,) = _ground_rings(path)
    xs, ys = to32.transform([p[0] for p in ring], [p[1] for p in ring])
    assert row.geometry.area == pytest.approx(_shoelace(list(xs), list(ys)), rel=1e-9)
    got = sorted(row.geometry.geoms[0].exterior.coords[:-1])
    want = sorted(zip(xs, ys, strict=True))
    for (gx, gy), (wx, wy) in zip(got, want, strict=True):
        assert gx == pytest.approx(wx, abs=1e-6) and gy == pytest.approx(wy, abs=1e-6)
    zs = _all_z(path)
    assert row["gelaendehoehe"] == pytest.approx(min(zs))  # heights are kept
    assert row["hoehe"] == pytest.approx(4.08551, abs=1e-3)  # measuredHeight
    assert row["hoehe_first"] == pytest.approx(max(zs) - min(zs), abs=1e-3)
    assert row["adresse"] == "Hildebrandstr. 18, Berlin"
    assert row["kachel"] == f"LoD2_32_{int(min(xs) // 1000)}_{int(min(ys) // 1000)}_1_ni"
    building = next(iter_buildings(path))[0]
    assert building.attributes["H_First_Max"] == pytest.approx(37.13551)
    assert building.attributes["EIG_KL_PV"] == 3
    assert building.attributes["FOLIE"] == "011"


def test_citygml_1_0_lod1_with_pos_generic_attributes_and_part(tmp_path: Path) -> None:
    path = write_citygml_1_0(tmp_path / "lod1.gml")
    result = convert([path], cityjson=tmp_path / "out.city.json")
    row = result.frame.iloc[0]
    assert (result.buildings, result.city_objects) == (1, 2)
    # no GroundSurface: the outline of the 10 x 20 m block and the 5 x 5 m part
    assert row.geometry.area == pytest.approx(200 + 25)
    assert row["hoehe"] == pytest.approx(9.0)  # max z - min z
    assert pd.isna(row["hoehe_traufe"]) and pd.isna(row["hoehe_first"])  # no RoofSurface
    assert row["lod"] == 1 and row["geschosse"] == 3 and row["baujahr"] == 1975
    assert row["funktion"] == "31001_2020" and row["funktion_text"] == "Bürogebäude"
    assert row["dachform_text"] == "Flachdach"
    assert row["adresse"] == "Trammplatz 2, Hannover"
    building = next(iter_buildings(path))[0]
    assert building.attributes["anzahl"] == 7 and building.attributes["dachneigung"] == 0.0
    assert [g.type for g in building.geometries] == ["Solid"]
    assert [g.type for g in building.parts[0].geometries] == ["MultiSurface"]


def test_xlink_to_polygon_in_another_building_is_resolved(tmp_path: Path) -> None:
    path = tmp_path / "xref.gml"
    path.write_text(CROSS_REFERENCE.replace("{target}", "shared"), encoding="utf-8")
    buildings = {b.id: b for b, _crs in iter_buildings(path)}
    assert set(buildings) == {"A", "B"}
    (geom,) = buildings["B"].geometries
    assert len(geom.shells[0]) == 2
    assert geom.shells[0][0].rings == buildings["A"].geometries[0].shells[0][0].rings


def test_unresolvable_xlink_names_file_building_and_id(tmp_path: Path) -> None:
    path = tmp_path / "xref.gml"
    path.write_text(CROSS_REFERENCE.replace("{target}", "nowhere"), encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"xref.gml: line \d+: building B: .*nowhere"):
        list(iter_buildings(path))


def test_doctype_with_entities_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.gml"
    path.write_text(ENTITY_BOMB, encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"bomb.gml: refused: .*2 entity declarations"):
        list(iter_buildings(path))


def test_malformed_xml_and_bad_coordinates_are_clear_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.gml"
    broken.write_text("<CityModel><cityObjectMember>", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"broken\.gml: not well-formed XML"):
        list(iter_buildings(broken))
    path = tmp_path / "bad.gml"
    text = CROSS_REFERENCE.replace("{target}", "shared")
    path.write_text(text.replace("550010 5800000 50 550000", "550010 5800000 x 550000"),
                    encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"bad.gml: line \d+: building A: .*'x'"):
        list(iter_buildings(path))
    empty = tmp_path / "empty.gml"
    empty.write_text('<CityModel xmlns="http://www.opengis.net/citygml/2.0"/>', encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"empty\.gml: no bldg:Building"):
        list(iter_buildings(empty))


def test_missing_crs_needs_a_declared_one(tmp_path: Path) -> None:
    path = write_citygml_1_0(tmp_path / "nocrs.gml")
    path.write_text(path.read_text().replace(' srsName="EPSG:25832"', ""), encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"nocrs\.gml: .*no CRS"):
        convert([path])
    result = convert([path], crs="urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH")
    assert result.frame.iloc[0].geometry.area == pytest.approx(225)
