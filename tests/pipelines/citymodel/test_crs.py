"""CRS spellings of CityGML deliveries, tile names and code lists."""

from __future__ import annotations

import pytest

from opengeodata.errors import DataValidationError
from pipelines.citymodel.codelists import function_label, roof_type_label
from pipelines.citymodel.crs import parse_crs_name
from pipelines.citymodel.tiles import parse_tile_name, tile_bounds, tile_name


@pytest.mark.parametrize(
    ("name", "horizontal", "vertical"),
    [
        ("EPSG:25832", 25832, None),
        ("urn:ogc:def:crs:EPSG::25832", 25832, None),
        ("urn:ogc:def:crs:EPSG:6.12:25833", 25833, None),
        ("urn:ogc:def:crs,crs:EPSG::25832,crs:EPSG::5783", 25832, 5783),
        ("urn:ogc:def:crs,crs:EPSG:6.12:25833,crs:EPSG:6.12:5783", 25833, 5783),
        ("urn:adv:crs:ETRS89_UTM32*DE_DHHN2016_NH", 25832, 7837),
        ("urn:adv:crs:ETRS89_UTM32", 25832, None),
        ("urn:adv:crs:ETRS89_UTM33*DE_DHHN92_NH", 25833, 5783),
        ("https://www.opengis.net/def/crs/EPSG/0/25832", 25832, None),
        ("EPSG:25832+7837", 25832, 7837),
        ("EPSG:7415", 28992, 5709),  # a compound EPSG code
    ],
)
def test_crs_spellings(name: str, horizontal: int, vertical: int | None) -> None:
    crs = parse_crs_name(name)
    assert (crs.horizontal, crs.vertical) == (horizontal, vertical)
    assert crs.needs_reprojection == (horizontal != 25832)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("urn:adv:crs:GK_FANTASY", "unknown AdV CRS"),
        ("local-engineering-grid", "not understood"),
        ("EPSG:4326", "not a projected CRS"),
        ("EPSG:99999999", "unknown EPSG code"),
    ],
)
def test_bad_crs_names_are_clear_errors(name: str, message: str) -> None:
    with pytest.raises(DataValidationError, match=message):
        parse_crs_name(name)


def test_tile_names_follow_lgln() -> None:
    assert tile_name(550999.9, 5800000.0) == "LoD2_32_550_5800_1_ni"
    assert tile_name(551000.0, 5799999.99, lod=1) == "LoD1_32_551_5799_1_ni"
    assert tile_name(551500, 5801500, size_km=2) == "LoD2_32_550_5800_2_ni"
    assert parse_tile_name("LoD2_32_550_5800_1_ni") == (2, 550, 5800, 1)
    assert parse_tile_name("lod2.city") is None
    assert tile_bounds(550, 5800) == (550000.0, 5800000.0, 551000.0, 5801000.0)


def test_roof_type_and_function_labels() -> None:
    assert roof_type_label("3100") == "Satteldach"
    assert roof_type_label("3200") == "Walmdach"
    assert roof_type_label("3300") == "Krüppelwalmdach"
    assert roof_type_label("1000") == "Flachdach"
    assert roof_type_label("9999") == "Sonstiges"
    sig3d = "http://www.sig3d.org/codelists/standard/building/2.0/_AbstractBuilding_roofType.xml"
    assert roof_type_label("1030", sig3d) == "Satteldach"
    assert roof_type_label("1234") is None
    assert function_label("31001_1000") == "Wohngebäude"
    assert function_label("2463") == "Garage"
    assert function_label("1000", "http://www.sig3d.org/codelists/x.xml") is None
