"""OGC API Features behaviour: errors, paging, sorting, selection, CRS, HTTP caching."""

from __future__ import annotations

from email.utils import format_datetime, parsedate_to_datetime

import pytest
import shapely
from flask.testing import FlaskClient

ITEMS = "/collections/parcels/items"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


@pytest.mark.parametrize(
    "query",
    [
        "limit=unlimited",
        "limit=0",
        "limit=-5",
        "limit=1.5",
        "offset=-1",
        "offset=x",
        "bbox=1,2,3",
        "bbox=a,b,c,d",
        "bbox=10,53,9,52",
        "bbox=9,52,200,53",
        "bbox=nan,1,2,3",
        "datetime=yesterday",
        "datetime=2024-13-01",
        "datetime=../..",
        "datetime=2024-05-01/2023-01-01",
        "crs=EPSG:9999",
        "crs=http://www.opengis.net/def/crs/EPSG/0/31467",
        "bbox-crs=foo&bbox=1,2,3,4",
        "filter=nutzung%20%3D%3D",
        "filter=unknown_field%20%3D%201",
        "filter-lang=sql&filter=a",
        "filter-lang=cql2-json&filter=%7Bnot%20json",
        "sortby=nosuchfield",
        "properties=nosuchfield",
        "skipGeometry=maybe",
        "foo=bar",
        "flur=abc",
        "f=xml",
        "limit=10&limit=20",
        "filter=S_INTERSECTS(geometry,POLYGON((1%202)))",
        "flur=99999999999999999999999",
        "filter=flur%20%3D%2099999999999999999999999",
        "filter=S_INTERSECTS(geometry,POINT(1000%201000))",
        "filter=flur%20IN%20()",
        "filter=S_INTERSECTS(geometry,BBOX(9,52,10))",
        "filter=nutzung%20LIKE%205",
    ],
)
def test_client_mistakes_are_400_with_ogc_exception(
    parcels_client: FlaskClient, query: str
) -> None:
    resp = parcels_client.get(f"{ITEMS}?{query}")
    assert resp.status_code == 400, (query, resp.get_data(as_text=True)[:300])
    body = resp.get_json()
    assert body["code"] and body["description"]


def test_unknown_collection_and_feature_are_404(parcels_client: FlaskClient) -> None:
    for path in [
        "/collections/nope/items",
        "/collections/nope/items/1",
        f"{ITEMS}/no-such-id",
        "/collections/nope/queryables",
        "/collections/nope",
    ]:
        resp = parcels_client.get(path + "?f=json")
        assert resp.status_code == 404, path
        assert resp.get_json()["code"]


def test_limit_above_maximum_is_clamped(parcels_client: FlaskClient) -> None:
    body = parcels_client.get(f"{ITEMS}?limit=999999&skipGeometry=true").get_json()
    assert body["numberReturned"] == 2500  # max_items is 10000, all 2500 fit
    body = parcels_client.get(f"{ITEMS}?limit=10001&skipGeometry=true&offset=2490").get_json()
    assert body["numberReturned"] == 10


def test_paging_links_cover_every_feature_once(
    parcels_client: FlaskClient, parcels_gpkg: object
) -> None:
    url = f"{ITEMS}?limit=700&skipGeometry=true&properties=flur"
    seen: list[str] = []
    pages = 0
    while url:
        body = parcels_client.get(url).get_json()
        assert body["numberMatched"] == 2500
        seen += [f["id"] for f in body["features"]]
        assert set(body["features"][0]["properties"]) == {"flur"} if body["features"] else True
        links = {link["rel"]: link["href"] for link in body["links"] if link["rel"] != "alternate"}
        assert "timeStamp" in body and links["self"]
        if pages:
            assert "prev" in links
        url = links.get("next", "").replace("http://localhost", "")
        pages += 1
    assert pages == 4
    assert seen == parcels_gpkg["kennzeichen"].tolist()  # type: ignore[index]


def test_deep_page_equals_the_geopackage_slice(
    parcels_client: FlaskClient, parcels_gpkg: object
) -> None:
    body = parcels_client.get(f"{ITEMS}?offset=2400&limit=50").get_json()
    assert [f["id"] for f in body["features"]] == parcels_gpkg["kennzeichen"].tolist()[2400:2450]  # type: ignore[index]
    last = parcels_client.get(f"{ITEMS}?offset=2499&limit=50").get_json()
    assert last["numberReturned"] == 1
    assert not [lk for lk in last["links"] if lk["rel"] == "next"]
    assert parcels_client.get(f"{ITEMS}?offset=5000").get_json()["numberReturned"] == 0


def test_sortby_properties_skipgeometry_and_equality(
    parcels_client: FlaskClient, parcels_gpkg: object
) -> None:
    body = parcels_client.get(
        f"{ITEMS}?sortby=-flaeche&limit=5&properties=flaeche,nutzung"
    ).get_json()
    areas = [f["properties"]["flaeche"] for f in body["features"]]
    assert areas == sorted(parcels_gpkg["flaeche"], reverse=True)[:5]  # type: ignore[index]
    assert set(body["features"][0]["properties"]) == {"flaeche", "nutzung"}
    body = parcels_client.get(
        f"{ITEMS}?sortby=+stand,kennzeichen&limit=3&skipGeometry=true"
    ).get_json()
    assert body["features"][0]["geometry"] is None
    assert body["features"][0]["properties"]["stand"] == min(parcels_gpkg["stand"])  # type: ignore[index]
    body = parcels_client.get(f"{ITEMS}?flur=3&gemarkung=Linden&limit=1000").get_json()
    ref = parcels_gpkg[(parcels_gpkg["flur"] == 3) & (parcels_gpkg["gemarkung"] == "Linden")]  # type: ignore[index]
    assert body["numberMatched"] == len(ref) > 0
    assert sorted(f["id"] for f in body["features"]) == sorted(ref["kennzeichen"])


def test_datetime_on_the_declared_time_field(
    parcels_client: FlaskClient, parcels_gpkg: object
) -> None:
    stand = parcels_gpkg["stand"]  # type: ignore[index]
    body = parcels_client.get(f"{ITEMS}?datetime=2021-01-01/2021-06-30&limit=10000").get_json()
    assert body["numberMatched"] == int(((stand >= "2021-01-01") & (stand <= "2021-06-30")).sum())
    one_day = stand.iloc[0]
    body = parcels_client.get(f"{ITEMS}?datetime={one_day}&limit=10000").get_json()
    assert body["numberMatched"] == int((stand == one_day).sum())
    body = parcels_client.get(f"{ITEMS}?datetime=../2020-03-01T00:00:00Z&limit=1").get_json()
    assert body["numberMatched"] == int((stand < "2020-03-01T").sum())


def test_bbox_in_crs84_and_other_crs(parcels_client: FlaskClient, parcels_gpkg: object) -> None:
    box = shapely.box(548_000, 5_803_000, 549_000, 5_804_000)
    expected = sorted(parcels_gpkg[parcels_gpkg.intersects(box)]["kennzeichen"])  # type: ignore[attr-defined,index]
    assert 10 < len(expected) < 100
    for crs, text in [(EPSG.format(25832), "548000,5803000,549000,5804000")]:
        body = parcels_client.get(f"{ITEMS}?bbox={text}&bbox-crs={crs}&limit=1000").get_json()
        assert sorted(f["id"] for f in body["features"]) == expected
    import pyproj

    to84 = pyproj.Transformer.from_crs(25832, 4326, always_xy=True)
    x0, y0 = to84.transform(548_000, 5_803_000)
    x1, y1 = to84.transform(549_000, 5_804_000)
    lonlat = parcels_client.get(f"{ITEMS}?bbox={x0},{y0},{x1},{y1}&limit=1000").get_json()
    latlon = parcels_client.get(
        f"{ITEMS}?bbox={y0},{x0},{y1},{x1}&bbox-crs={EPSG.format(4326)}&limit=1000"
    ).get_json()
    ids84 = {f["id"] for f in lonlat["features"]}
    assert ids84 == {f["id"] for f in latlon["features"]}
    assert set(expected) <= ids84 or len(ids84 ^ set(expected)) < 10  # curved edges differ


def test_crs_outputs_axis_order_and_content_crs(
    parcels_client: FlaskClient, parcels_gpkg: object
) -> None:
    fid = parcels_gpkg["kennzeichen"].iloc[7]  # type: ignore[index]
    ref = parcels_gpkg.geometry.iloc[7]  # type: ignore[attr-defined]
    r84 = parcels_client.get(f"{ITEMS}/{fid}")
    assert r84.headers["Content-Crs"] == f"<{CRS84}>"
    lon, lat = r84.get_json()["geometry"]["coordinates"][0][0]
    assert 9.5 < lon < 10 and 52.2 < lat < 52.6
    r4326 = parcels_client.get(f"{ITEMS}/{fid}?crs={EPSG.format(4326)}")
    assert r4326.headers["Content-Crs"] == f"<{EPSG.format(4326)}>"
    assert r4326.get_json()["geometry"]["coordinates"][0][0] == pytest.approx([lat, lon])
    r4258 = parcels_client.get(f"{ITEMS}/{fid}?crs=EPSG:4258").get_json()
    assert r4258["geometry"]["coordinates"][0][0] == pytest.approx([lat, lon], abs=1e-6)
    utm = parcels_client.get(f"{ITEMS}/{fid}?crs={EPSG.format(25832)}").get_json()
    assert shapely.geometry.shape(utm["geometry"]).equals_exact(ref, 1e-6)
    merc = parcels_client.get(f"{ITEMS}?crs={EPSG.format(3857)}&limit=1").get_json()
    x, y = merc["features"][0]["geometry"]["coordinates"][0][0]
    assert 1_000_000 < x < 1_200_000 and 6_800_000 < y < 6_900_000


def test_collection_declares_storage_crs_and_crs_list(parcels_client: FlaskClient) -> None:
    coll = parcels_client.get("/collections/parcels?f=json").get_json()
    assert coll["storageCrs"] == EPSG.format(25832)
    for crs in [CRS84, EPSG.format(4326), EPSG.format(25832), EPSG.format(3857), EPSG.format(4258)]:
        assert crs in coll["crs"]


def test_queryables_have_types(parcels_client: FlaskClient) -> None:
    props = parcels_client.get("/collections/parcels/queryables?f=json").get_json()["properties"]
    assert props["flur"]["type"] == "integer"
    assert props["flaeche"]["type"] == "number"
    assert props["nutzung"]["type"] == "string"


def test_conformance_is_truthful(parcels_client: FlaskClient) -> None:
    classes = parcels_client.get("/conformance?f=json").get_json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in classes
    assert "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json" in classes
    assert "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter" in classes
    assert not [c for c in classes if "create-replace-delete" in c]


@pytest.mark.parametrize(
    "path",
    [
        f"{ITEMS}?limit=3",
        f"{ITEMS}/036100-001-000001",
        "/collections/parcels?f=json",
        "/collections?f=json",
    ],
)
def test_etag_last_modified_and_304(parcels_client: FlaskClient, path: str) -> None:
    first = parcels_client.get(path)
    assert first.status_code == 200
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert "max-age" in first.headers["Cache-Control"]
    again = parcels_client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    assert again.headers["ETag"] == etag
    assert parcels_client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    assert parcels_client.get(path, headers={"If-Modified-Since": modified}).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(modified).replace(year=2000), usegmt=True)
    assert parcels_client.get(path, headers={"If-Modified-Since": earlier}).status_code == 200


def test_etag_differs_per_query(parcels_client: FlaskClient) -> None:
    a = parcels_client.get(f"{ITEMS}?limit=3").headers["ETag"]
    b = parcels_client.get(f"{ITEMS}?limit=4").headers["ETag"]
    assert a != b


def test_html_still_rendered_by_pygeoapi(parcels_client: FlaskClient) -> None:
    resp = parcels_client.get(f"{ITEMS}?f=html&limit=5")
    assert resp.status_code == 200 and b"<html" in resp.data.lower()
    resp = parcels_client.get(f"{ITEMS}/036100-001-000001?f=html")
    assert resp.status_code == 200 and b"036100-001-000001" in resp.data


def test_number_matched_left_out_when_counting_is_expensive(
    parcels_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from opengeodata.providers import gpkg_sql

    monkeypatch.setattr(gpkg_sql, "COUNT_BUDGET_STEPS", 1000)
    body = parcels_client.get(f"{ITEMS}?filter=zaehler%20%3C%3E%20-77&limit=5").get_json()
    assert "numberMatched" not in body and body["numberReturned"] == 5
    assert [lk for lk in body["links"] if lk["rel"] == "next"]


def test_accept_header_negotiates_html_or_geojson(parcels_client: FlaskClient) -> None:
    html = parcels_client.get(f"{ITEMS}?limit=2", headers={"Accept": "text/html,*/*;q=0.8"})
    assert html.status_code == 200 and html.mimetype == "text/html"
    geo = parcels_client.get(f"{ITEMS}?limit=2", headers={"Accept": "application/geo+json"})
    assert geo.mimetype == "application/geo+json"
    assert geo.get_json()["numberReturned"] == 2
