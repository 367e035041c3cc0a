"""bbox is exact: no feature outside the box, in every answer that takes a bbox (issue 13).

The reference is computed independently: the published GeoPackage read with pyogrio, mapped to
CRS84 with GeoPandas and tested against the box with shapely.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
import shapely
from flask.testing import FlaskClient

from opengeodata.providers.crs import CRS84, transform_bbox
from opengeodata.settings import Settings
from opengeodata.store import Store
from tests.conftest import make_settings
from tests.publish_util import publish_all

ITEMS = "/collections/baeume/items"
#: the boxes of issue 13: the first returned a tree at latitude 52.3800283, the second 48 of
#: 3,700 answers outside
BOXES = [(9.73, 52.37, 9.75, 52.38), (9.70, 52.35, 9.80, 52.40)]


@pytest.fixture(scope="module")
def baeume(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return publish_all(make_settings(tmp_path_factory.mktemp("bbox"), ["baeume"]))


@pytest.fixture(scope="module")
def client(baeume: Settings) -> FlaskClient:
    from opengeodata.server import create_app

    return create_app(baeume).test_client()


@pytest.fixture(scope="module")
def trees(baeume: Settings) -> gpd.GeoDataFrame:
    live = Store(baeume.data_dir).live_dir("baeume")
    assert live is not None
    frame = pyogrio.read_dataframe(live / "baeume.gpkg")
    frame["storage"] = frame.geometry
    return frame.to_crs("OGC:CRS84")


def inside(trees: gpd.GeoDataFrame, box: tuple[float, float, float, float]) -> set[str]:
    """baum_nr of the trees intersecting the CRS84 box (the reference)."""
    return set(trees.loc[trees.intersects(shapely.box(*box)), "baum_nr"])


def outside_but_in_envelope(trees: gpd.GeoDataFrame,
                            box: tuple[float, float, float, float]) -> set[str]:
    """Trees outside the box but inside its EPSG:25832 envelope (what the old filter returned)."""
    env = shapely.box(*transform_bbox(box, CRS84, "http://www.opengis.net/def/crs/EPSG/0/25832"))
    in_env = set(trees.loc[gpd.GeoSeries(trees["storage"]).intersects(env), "baum_nr"])
    return in_env - inside(trees, box)


def bbox_text(box: tuple[float, float, float, float]) -> str:
    return ",".join(str(v) for v in box)


def all_pages(client: FlaskClient, url: str) -> tuple[list[str], set[int]]:
    """Follow next links; the ids of every page and the numberMatched values seen."""
    ids: list[str] = []
    matched: set[int] = set()
    while url:
        doc = client.get(url).get_json()
        ids += [f["id"] for f in doc["features"]]
        matched.add(doc["numberMatched"])
        nxt = [link["href"] for link in doc["links"] if link["rel"] == "next"]
        url = nxt[0].removeprefix("http://testserver") if nxt else ""
    return ids, matched


@pytest.mark.parametrize("box", BOXES)
def test_bbox_items_are_inside_the_box(client: FlaskClient, trees: gpd.GeoDataFrame,
                                       box: tuple[float, float, float, float]) -> None:
    expected = inside(trees, box)
    assert outside_but_in_envelope(trees, box), "the box must have trees near its edge"
    doc = client.get(f"{ITEMS}?f=json&limit=10000&bbox={bbox_text(box)}").get_json()
    ids = {f["id"] for f in doc["features"]}
    assert ids == expected
    assert doc["numberMatched"] == doc["numberReturned"] == len(expected)
    area = shapely.box(*box)
    assert all(area.intersects(shapely.geometry.shape(f["geometry"])) for f in doc["features"])
    # the same box as CQL2 S_INTERSECTS
    x0, y0, x1, y1 = box
    cql = client.get(ITEMS, query_string={
        "f": "json", "limit": 10000,
        "filter": f"S_INTERSECTS(geometry, BBOX({x0},{y0},{x1},{y1}))"}).get_json()
    assert {f["id"] for f in cql["features"]} == ids
    assert cql["numberMatched"] == doc["numberMatched"]


def test_bbox_crs_is_exact_too(client: FlaskClient, trees: gpd.GeoDataFrame) -> None:
    box = BOXES[1]
    expected = inside(trees, box)
    lat_lon = f"{box[1]},{box[0]},{box[3]},{box[2]}"  # EPSG:4326 axis order
    doc = client.get(f"{ITEMS}?f=json&limit=10000&bbox={lat_lon}"
                     "&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/4326").get_json()
    assert {f["id"] for f in doc["features"]} == expected
    assert doc["numberMatched"] == len(expected)


def test_bbox_paging_counts_and_hits(client: FlaskClient, trees: gpd.GeoDataFrame) -> None:
    box = BOXES[1]
    expected = inside(trees, box)
    ids, matched = all_pages(client, f"{ITEMS}?f=json&limit=1000&bbox={bbox_text(box)}")
    assert len(ids) == len(set(ids)) and set(ids) == expected
    assert matched == {len(expected)}
    hits = client.get(f"{ITEMS}?f=json&resulttype=hits&bbox={bbox_text(box)}").get_json()
    assert hits["numberMatched"] == len(expected)


@pytest.mark.parametrize("fmt", ["csv", "fgb", "gpkg"])
def test_bbox_result_downloads(client: FlaskClient, trees: gpd.GeoDataFrame, tmp_path: Path,
                               fmt: str) -> None:
    box = BOXES[1]
    expected = inside(trees, box)
    resp = client.get(f"{ITEMS}?f={fmt}&bbox={bbox_text(box)}")
    assert resp.status_code == 200
    if fmt == "csv":
        ids = {line.split(",", 1)[0] for line in
               io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff")).read().splitlines()[1:]}
    else:
        path = tmp_path / f"result.{fmt}"
        path.write_bytes(resp.get_data())
        ids = set(pyogrio.read_dataframe(path)["baum_nr"])
    assert ids == expected


def test_bbox_html_page(client: FlaskClient, trees: gpd.GeoDataFrame) -> None:
    """pygeoapi's HTML items page (through the project's provider) uses the same area."""
    box = BOXES[1]
    expected = inside(trees, box)
    html = client.get(f"{ITEMS}?f=html&limit=10000&bbox={bbox_text(box)}").get_data(as_text=True)
    shown = set(re.findall(r'href="http://testserver/collections/baeume/items/([^"?/]+)"', html))
    assert shown == expected


@pytest.mark.parametrize(("box", "which"), [
    ((-180.0, -90.0, 180.0, 90.0), "all"),        # the whole world: every tree
    ((100.0, 0.0, 101.0, 1.0), "none"),           # far outside EPSG:25832's area
    ((9.70, 52.35, 9.70, 52.40), "line"),         # a flat box is a line
])
def test_bbox_edge_cases(client: FlaskClient, trees: gpd.GeoDataFrame,
                         box: tuple[float, float, float, float], which: str) -> None:
    resp = client.get(f"{ITEMS}?f=json&resulttype=hits&bbox={bbox_text(box)}")
    assert resp.status_code == 200
    expected = {"all": len(trees), "none": 0, "line": len(inside(trees, box))}[which]
    assert resp.get_json()["numberMatched"] == expected
