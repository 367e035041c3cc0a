"""CQL2 filters (text and JSON) give exactly the features the same test in pandas/shapely gives."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import geopandas as gpd
import pyproj
import shapely
from flask.testing import FlaskClient

ITEMS = "/collections/parcels/items"


def ids(
    parcels_client: FlaskClient, text: str, lang: str = "cql2-text", extra: str = ""
) -> list[str]:
    resp = parcels_client.get(
        f"{ITEMS}?filter={quote(text)}&filter-lang={lang}&limit=10000&skipGeometry=true{extra}"
    )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    got = sorted(f["id"] for f in body["features"])
    if "numberMatched" in body:
        assert body["numberMatched"] == len(got)
    return got


def expected(frame: gpd.GeoDataFrame) -> list[str]:
    return sorted(frame["kennzeichen"])


def test_comparisons_and_logic(parcels_client: FlaskClient, parcels_gpkg: gpd.GeoDataFrame) -> None:
    g = parcels_gpkg
    med, q9 = float(g.flaeche.median()), float(g.flaeche.quantile(0.9))
    cases: list[tuple[str, Any]] = [
        ("flur = 7", g[g.flur == 7]),
        ("flur <> 7 AND flur < 3", g[(g.flur != 7) & (g.flur < 3)]),
        (f"flaeche >= {med}", g[g.flaeche >= med]),
        (f"flaeche > {med} AND flaeche <= {q9}", g[(g.flaeche > med) & (g.flaeche <= q9)]),
        ("nutzung = 'Wald' OR nutzung = 'Verkehr'", g[g.nutzung.isin(["Wald", "Verkehr"])]),
        ("NOT (nutzung = 'Wald') AND flur = 1", g[(g.nutzung != "Wald") & (g.flur == 1)]),
        ("gemarkung LIKE 'Li%'", g[g.gemarkung.str.startswith("Li")]),
        ("gemarkung LIKE 'li%'", g.iloc[0:0]),  # LIKE is case-sensitive
        ("gemarkung NOT LIKE '%en'", g[~g.gemarkung.str.endswith("en")]),
        ("nutzung IN ('Wald', 'Gewerbe')", g[g.nutzung.isin(["Wald", "Gewerbe"])]),
        ("flur NOT IN (1, 2, 3)", g[~g.flur.isin([1, 2, 3])]),
        ("zaehler BETWEEN 100 AND 200", g[(g.zaehler >= 100) & (g.zaehler <= 200)]),
        ("nenner IS NULL", g[g.nenner.isna()]),
        ("nenner IS NOT NULL AND nenner > 15", g[g.nenner.notna() & (g.nenner > 15)]),
        ("stand > DATE('2023-06-01')", g[g.stand > "2023-06-01"]),
    ]
    for text, frame in cases:
        assert ids(parcels_client, text) == expected(frame), text
        assert len(frame) or "li%" in text


def test_cql2_json(parcels_client: FlaskClient, parcels_gpkg: gpd.GeoDataFrame) -> None:
    g = parcels_gpkg
    doc = {
        "op": "and",
        "args": [
            {"op": "=", "args": [{"property": "nutzung"}, "Wald"]},
            {"op": "between", "args": [{"property": "flur"}, 5, 9]},
            {"op": "not", "args": [{"op": "isNull", "args": [{"property": "nenner"}]}]},
        ],
    }
    ref = g[(g.nutzung == "Wald") & g.flur.between(5, 9) & g.nenner.notna()]
    assert ids(parcels_client, json.dumps(doc), "cql2-json") == expected(ref) and len(ref)
    doc2 = {"op": "in", "args": [{"property": "gemarkung"}, ["Linden", "Döhren"]]}
    ref2 = g[g.gemarkung.isin(["Linden", "Döhren"])]
    assert ids(parcels_client, json.dumps(doc2), "cql2-json") == expected(ref2)
    doc3 = {"op": "like", "args": [{"property": "gemarkung"}, "%ren"]}
    assert ids(parcels_client, json.dumps(doc3), "cql2-json") == expected(
        g[g.gemarkung.str.endswith("ren")]
    )


def to84(x: float, y: float) -> tuple[float, float]:
    lon, lat = pyproj.Transformer.from_crs(25832, 4326, always_xy=True).transform(x, y)
    return lon, lat


def test_s_intersects_point_bbox_polygon(
    parcels_client: FlaskClient, parcels_gpkg: gpd.GeoDataFrame
) -> None:
    g84 = parcels_gpkg.to_crs("OGC:CRS84")
    lon, lat = to84(550_000, 5_805_000)
    point = shapely.Point(lon, lat)
    got = ids(parcels_client, f"S_INTERSECTS(geometry, POINT({lon} {lat}))")
    assert got == expected(g84[g84.intersects(point)]) and len(got) == 1
    (x0, y0), (x1, y1) = to84(545_000, 5_800_000), to84(546_000, 5_801_000)
    box = shapely.box(x0, y0, x1, y1)
    got = ids(parcels_client, f"S_INTERSECTS(geometry, BBOX({x0}, {y0}, {x1}, {y1}))")
    assert got == expected(g84[g84.intersects(box)]) and len(got) > 5
    doc = {"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [x0, y0, x1, y1]}]}
    assert ids(parcels_client, json.dumps(doc), "cql2-json") == got
    tri = shapely.Polygon([(x0, y0), (x1, y0), (x0, y1)])
    got = ids(parcels_client, f"S_INTERSECTS(geometry, {tri.wkt}) AND flur > 0")
    ref = g84[g84.intersects(tri)]
    assert got == expected(ref) and 0 < len(got) < len(
        ids(parcels_client, f"S_INTERSECTS(geometry, {box.wkt})")
    )
    poly_json = {
        "op": "s_intersects",
        "args": [{"property": "geometry"}, json.loads(shapely.to_geojson(tri))],
    }
    assert ids(parcels_client, json.dumps(poly_json), "cql2-json") == expected(ref)
    # the filter geometry in EPSG:25832 via filter-crs
    utm = shapely.Polygon([(545_000, 5_800_000), (546_000, 5_800_000), (545_000, 5_801_000)])
    crs = "http://www.opengis.net/def/crs/EPSG/0/25832"
    got = ids(parcels_client, f"S_INTERSECTS(geometry, {utm.wkt})", extra=f"&filter-crs={crs}")
    assert got == expected(parcels_gpkg[parcels_gpkg.intersects(utm)])


def test_sql_injection_is_only_data(
    parcels_client: FlaskClient, parcels_gpkg: gpd.GeoDataFrame
) -> None:
    evil = "nutzung = 'x\" OR 1=1; DROP TABLE parcels; --'"
    assert ids(parcels_client, evil) == []
    evil_json = {"op": "=", "args": [{"property": "nutzung"}, "Wald' OR '1'='1"]}
    assert ids(parcels_client, json.dumps(evil_json), "cql2-json") == []
    assert (
        parcels_client.get(f"{ITEMS}?nutzung={quote(chr(39) + ' OR 1=1 --')}").get_json()[
            "numberMatched"
        ]
        == 0
    )
    for bad in ['"nutzung; DROP TABLE parcels" = 1', "nutzung = 1); DROP TABLE parcels; --"]:
        assert parcels_client.get(f"{ITEMS}?filter={quote(bad)}").status_code == 400
    resp = parcels_client.get(f"{ITEMS}?sortby={quote('flur; DROP TABLE parcels')}")
    assert resp.status_code == 400
    assert parcels_client.get(f"{ITEMS}?limit=1").get_json()["numberMatched"] == len(parcels_gpkg)


def test_unsupported_operator_is_400(parcels_client: FlaskClient) -> None:
    resp = parcels_client.get(f"{ITEMS}?filter={quote('S_CROSSES(geometry, POINT(1 2))')}")
    assert resp.status_code == 400
    assert "not supported" in resp.get_json()["description"]
