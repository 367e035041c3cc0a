"""NAS geometry: arcs, circles, rings, holes, surfaces; areas checked analytically."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import shapely

from opengeodata.errors import DataValidationError
from pipelines.cadastral.geometry import arc_points
from pipelines.cadastral.layers import build_layer
from pipelines.cadastral.nas import read_delivery
from tests.pipelines.cadastral.docs import parcel, rect, ring, seg, surface, write_extract

E, N = 550_000.0, 5_800_000.0  # Hannover, EPSG:25832


def _parcels(tmp_path: Path, *features: str):
    path = write_extract(tmp_path / "t.xml", list(features))
    frame, checks = build_layer(read_delivery([path], {"flurstuecke"}), "flurstuecke")
    return frame, checks


def test_arc_chords_stay_within_one_centimetre() -> None:
    r = 50.0
    p1, p2, p3 = np.array([r, 0.0]), np.array([0.0, r]), np.array([-r, 0.0])
    pts = arc_points(p1, p2, p3)
    assert np.array_equal(pts[0], p1) and np.array_equal(pts[-1], p3)
    radii = np.hypot(pts[:, 0], pts[:, 1])
    assert np.allclose(radii, r, atol=1e-9)  # every vertex lies on the circle
    mids = (pts[1:] + pts[:-1]) / 2
    sagitta = r - np.hypot(mids[:, 0], mids[:, 1])
    assert sagitta.max() <= 0.01 + 1e-12
    assert sagitta.max() > 0.005  # not wastefully dense either
    assert (np.diff(np.arctan2(pts[:, 1], pts[:, 0])) > 0).all()  # counter-clockwise via p2


def test_clockwise_arc_goes_through_the_middle_point() -> None:
    pts = arc_points(np.array([0.0, 10.0]), np.array([10.0, 0.0]), np.array([0.0, -10.0]))
    assert pts[:, 0].max() == pytest.approx(10.0, abs=0.011)
    assert pts[:, 0].min() >= -1e-9


def test_parcel_with_semicircle_arc_has_the_analytic_area(tmp_path: Path) -> None:
    # 20 x 10 rectangle with a semicircle of radius 10 on top: 200 + pi * 100 / 2
    boundary = ring(seg("LineStringSegment", E, N, E + 20, N, E + 20, N + 10),
                    seg("Arc", E + 20, N + 10, E + 10, N + 20, E, N + 10),
                    seg("LineStringSegment", E, N + 10, E, N))
    geom = surface(f"<gml:exterior>{boundary}</gml:exterior>")
    frame, checks = _parcels(tmp_path, parcel("DENIAL0100000001", geom, area=357))
    expected = 200 + math.pi * 100 / 2
    value = frame.loc[0, "geometrische_flaeche"]
    # the chords cut off less than 1 cm x arc length
    assert expected - 0.01 * math.pi * 10 <= value <= expected
    assert len(frame.geometry[0].exterior.coords) > 20
    assert checks.counts["amtliche_flaeche_deviates_gt_1pct"] == 0


def test_circle_hole_and_linear_interior(tmp_path: Path) -> None:
    circle = ring(seg("Circle", E + 25, N + 20, E + 20, N + 25, E + 15, N + 20))
    square_hole = ring(rect(E + 2, N + 2, E + 6, N + 6))
    geom = surface(f"<gml:exterior>{ring(rect(E, N, E + 40, N + 40))}</gml:exterior>"
                   f"<gml:interior>{circle}</gml:interior>"
                   f"<gml:interior>{square_hole}</gml:interior>")
    frame, _ = _parcels(tmp_path, parcel("DENIAL0100000002", geom, area=1505))
    polygon = frame.geometry[0]
    assert len(polygon.interiors) == 2
    expected = 1600 - math.pi * 25 - 16
    # the inscribed chords make the hole smaller, by less than 1 cm x circumference
    assert expected <= frame.loc[0, "geometrische_flaeche"] <= expected + 0.01 * 2 * math.pi * 5
    assert polygon.is_valid


def test_polygon_linear_ring_multisurface_and_arcstring(tmp_path: Path) -> None:
    poly = ('<gml:Polygon gml:id="p" srsName="urn:adv:crs:ETRS89_UTM32"><gml:exterior>'
            f"<gml:LinearRing><gml:posList>{E} {N} {E + 10} {N} {E + 10} {N + 10} {E} {N + 10} "
            f"{E} {N}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>")
    member = surface(f"<gml:exterior>{ring(rect(E, N, E + 5, N + 5))}</gml:exterior>")
    member = member.replace(' srsName="urn:adv:crs:ETRS89_UTM32"', "")
    multi = ('<gml:MultiSurface gml:id="m" srsName="urn:adv:crs:ETRS89_UTM32">'
             f"<gml:surfaceMember>{member}</gml:surfaceMember>"
             "<gml:surfaceMember><gml:Polygon gml:id='q'><gml:exterior>"
             "<gml:LinearRing>"
             + "".join(f"<gml:pos>{x} {y}</gml:pos>" for x, y in
                       [(E + 10, N), (E + 13, N), (E + 13, N + 3), (E + 10, N + 3), (E + 10, N)])
             + "</gml:LinearRing></gml:exterior></gml:Polygon></gml:surfaceMember>"
             "</gml:MultiSurface>")
    # ArcString: two half circles of radius 5 closing a full disc
    arcs = seg("ArcString", E + 5, N, E, N + 5, E - 5, N, E, N - 5, E + 5, N)
    disc = surface(f"<gml:exterior>{ring(arcs)}</gml:exterior>")
    frame, _ = _parcels(tmp_path, parcel("DENIAL0100000003", poly, zaehler=3),
                        parcel("DENIAL0100000004", multi, zaehler=4),
                        parcel("DENIAL0100000005", disc, zaehler=5))
    areas = dict(zip(frame["gml_id"], frame["geometrische_flaeche"], strict=True))
    assert areas["DENIAL0100000003"] == pytest.approx(100.0)
    assert frame.geometry[1].geom_type == "MultiPolygon"
    assert areas["DENIAL0100000004"] == pytest.approx(25.0 + 9.0)
    assert areas["DENIAL0100000005"] == pytest.approx(math.pi * 25, abs=0.01 * math.pi * 10)
    assert shapely.is_valid(frame.geometry.values).all()


def test_unclosed_ring_names_file_line_and_feature(tmp_path: Path) -> None:
    open_ring = ring(seg("LineStringSegment", E, N, E + 5, N, E + 5, N + 5))
    geom = surface(f"<gml:exterior>{open_ring}</gml:exterior>")
    with pytest.raises(DataValidationError, match=r"t\.xml: line \d+: AX_Flurstueck "
                                                  r"DENIAL0100000009: geometry: .*not closed"):
        _parcels(tmp_path, parcel("DENIAL0100000009", geom))


def test_arc_with_wrong_point_count_is_refused(tmp_path: Path) -> None:
    bad_arc = ring(seg("Arc", E, N, E + 5, N + 5, E + 10, N, E, N))
    geom = surface(f"<gml:exterior>{bad_arc}</gml:exterior>")
    with pytest.raises(DataValidationError, match="Arc needs exactly 3 points"):
        _parcels(tmp_path, parcel("DENIAL0100000010", geom))
