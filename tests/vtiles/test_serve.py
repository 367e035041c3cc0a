"""Serving vector tiles: OGC API Tiles paths, status codes, gzip negotiation, caching."""

from __future__ import annotations

import gzip
import json
import urllib.request

import pytest
from flask.testing import FlaskClient

from opengeodata.server import create_app
from opengeodata.settings import Settings
from opengeodata.store import Store
from opengeodata.vtiles.archive import Archive
from opengeodata.vtiles.wsgi import accepts_gzip
from tests.vtiles.helpers import TILE, decode, mitte, mitte_tile_path

MVT = "application/vnd.mapbox-vector-tile"


@pytest.fixture(scope="module")
def client(published: Settings) -> FlaskClient:
    return create_app(published).test_client()


@pytest.mark.parametrize("z", [8, 12, 16])
def test_tile_at_mitte_holds_mitte_with_its_number(client: FlaskClient, published: Settings,
                                                   z: int) -> None:
    nr, _, _ = mitte(published)
    resp = client.get(mitte_tile_path(published, z) + "?f=mvt",
                      headers={"Accept-Encoding": "gzip, deflate"})
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == MVT
    assert resp.headers["Content-Encoding"] == "gzip"
    assert resp.headers["Cache-Control"] == f"public, max-age={published.cache_max_age}"
    layer = decode(resp.data, gzipped=True)["stadtbezirke"]
    by_name = {f["properties"]["name"]: f["properties"] for f in layer["features"]}
    assert by_name["Mitte"]["bezirk_nr"] == nr
    assert by_name["Mitte"]["flaeche_ha"] > 1000
    assert layer["extent"] == 4096


def test_gzip_only_to_clients_that_accept_it(client: FlaskClient, published: Settings) -> None:
    path = mitte_tile_path(published, 14)
    zipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    plain = client.get(path, headers={"Accept-Encoding": "identity"})
    refused = client.get(path, headers={"Accept-Encoding": "gzip;q=0, br"})
    star = client.get(path, headers={"Accept-Encoding": "*"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers and "Content-Encoding" not in refused.headers
    assert star.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data == refused.data
    assert plain.data[:1] != b"\x1f"  # really decompressed
    assert all(r.headers["Vary"] == "Accept-Encoding" for r in (zipped, plain))
    assert zipped.headers["ETag"] != plain.headers["ETag"]  # one ETag per representation
    assert accepts_gzip("deflate, gzip;q=0.5") and not accepts_gzip("")
    assert not accepts_gzip("*;q=0") and not accepts_gzip("br, *;q=1, gzip;q=0")


def test_status_codes(client: FlaskClient, published: Settings) -> None:
    limits = client.get(f"{TILE}?f=json").get_json()["tileMatrixSetLimits"]
    z16 = next(lim for lim in limits if lim["tileMatrix"] == "16")
    row, col = z16["minTileRow"], z16["minTileCol"]
    assert client.get(f"{TILE}/16/{row - 1}/{col}").status_code == 404  # outside the limits
    assert client.get(f"{TILE}/16/{row}/{z16['maxTileCol'] + 1}").status_code == 404
    assert client.get(f"{TILE}/17/{row * 2}/{col * 2}").status_code == 404  # beyond maxzoom
    assert client.get(f"{TILE}/7/42/67").status_code == 404  # below minzoom
    assert client.get(f"{TILE}/99/1/1").status_code == 404
    for bad in ("12/x/2158", "12/1346/-1", "12/1346/2158.5", "z/1/1", "12/1346/２"):
        resp = client.get(f"{TILE}/{bad}")
        assert resp.status_code == 400, bad
        assert resp.get_json()["code"] == "InvalidParameterValue"
    mitte_path = mitte_tile_path(published, 12)
    assert client.get(f"{mitte_path}?f=png").status_code == 400
    assert client.get("/collections/stadtbezirke/tiles/WorldCRS84Quad").status_code == 404
    assert client.get(
        "/collections/stadtbezirke/tiles/WorldCRS84Quad/3/1/1?f=mvt").status_code == 404
    assert client.get("/collections/stadtbezirke/tiles/WebMercatorQuad/12").status_code == 404
    assert client.post(mitte_path).status_code == 405
    # an empty tile inside the limits: some corner of the z16 limits lies outside the city
    corners = [(z16[r], z16[c]) for r in ("minTileRow", "maxTileRow")
               for c in ("minTileCol", "maxTileCol")]
    codes = [client.get(f"{TILE}/16/{r}/{c}").status_code for r, c in corners]
    assert 204 in codes
    empty = corners[codes.index(204)]
    resp = client.get(f"{TILE}/16/{empty[0]}/{empty[1]}")
    assert resp.data == b"" and resp.headers["ETag"]


def test_etag_and_304(client: FlaskClient, published: Settings) -> None:
    path = mitte_tile_path(published, 13)
    first = client.get(path)
    etag = first.headers["ETag"]
    manifest = Store(published.data_dir).live_manifest("stadtbezirke")
    assert manifest is not None
    out = manifest.output("pmtiles")
    assert out is not None and out.sha256[:16] in etag
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(path, headers={"If-None-Match": f'W/{etag}, "x"'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    other_tile = mitte_tile_path(published, 14)
    assert client.get(other_tile, headers={"If-None-Match": etag}).status_code == 200
    head = client.head(path)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["Content-Length"] == first.headers["Content-Length"]


def test_tileset_metadata_and_tilejson(client: FlaskClient, published: Settings) -> None:
    listing = client.get("/collections/stadtbezirke/tiles?f=json").get_json()
    [tileset_ref] = listing["tilesets"]
    assert tileset_ref["dataType"] == "vector"
    assert tileset_ref["tileMatrixSetURI"].endswith("/WebMercatorQuad")
    meta = client.get("/collections/stadtbezirke/tiles/WebMercatorQuad").get_json()
    assert [lim["tileMatrix"] for lim in meta["tileMatrixSetLimits"]] == [
        str(z) for z in range(8, 17)]
    [layer] = meta["layers"]
    assert layer["id"] == "stadtbezirke" and layer["geometryType"] == "polygons"
    assert layer["propertiesSchema"]["properties"]["bezirk_nr"] == {"type": "string"}
    item = next(link for link in meta["links"] if link["rel"] == "item")
    assert item["type"] == MVT and item["templated"]
    tilejson = client.get(
        "/collections/stadtbezirke/tiles/WebMercatorQuad/tilejson.json").get_json()
    assert tilejson["tilejson"] == "3.0.0"
    assert (tilejson["minzoom"], tilejson["maxzoom"]) == (8, 16)
    assert tilejson["vector_layers"][0]["id"] == "stadtbezirke"
    assert tilejson["vector_layers"][0]["fields"]["name"] == "String"
    # the template resolves to the tile holding Mitte
    want = mitte_tile_path(published, 12)
    z, row, col = want.rsplit("/", 3)[1:]
    url = tilejson["tiles"][0].format(z=z, y=row, x=col)
    assert url == f"http://testserver{want}?f=mvt&v={tilejson['version']}"
    assert client.get(url.removeprefix("http://testserver")).status_code == 200


def test_collection_links_to_its_tiles(client: FlaskClient) -> None:
    coll = client.get("/collections/stadtbezirke?f=json").get_json()
    rels = {link["rel"]: link["href"] for link in coll["links"]}
    tiles = rels["http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector"]
    assert tiles == "http://testserver/collections/stadtbezirke/tiles?f=json"
    pmtiles = next(link for link in coll["links"] if link["type"] == "application/vnd.pmtiles")
    assert client.get(pmtiles["href"].removeprefix("http://testserver")).data[:7] == b"PMTiles"


def test_overview_tiles(client: FlaskClient, published: Settings) -> None:
    meta = client.get("/tiles/WebMercatorQuad").get_json()
    assert [layer["id"] for layer in meta["layers"]] == ["stadtbezirke"]
    tilejson = client.get("/tiles/WebMercatorQuad/tilejson.json").get_json()
    assert tilejson["tiles"][0].startswith("http://testserver/tiles/WebMercatorQuad/{z}/{y}/{x}")
    path = mitte_tile_path(published, 12).replace("/collections/stadtbezirke/tiles", "/tiles")
    resp = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert resp.status_code == 200
    names = {f["properties"]["name"] for f in decode(resp.data, True)["stadtbezirke"]["features"]}
    assert "Mitte" in names
    assert client.get("/tiles/WebMercatorQuad/12/0/0").status_code == 404


def test_other_collections_pass_through(client: FlaskClient) -> None:
    resp = client.get("/collections/unknown/tiles/WebMercatorQuad/12/1/1?f=mvt")
    assert resp.status_code == 404
    assert client.get("/collections/stadtbezirke/items?f=json&limit=1").status_code == 200


def test_refresh_changes_tiles_and_etags_atomically(settings: Settings,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from opengeodata.declaration import load_all
    from opengeodata.server import state as state_module
    from pipelines.runner import run_many

    monkeypatch.setattr(state_module, "RECHECK_SECONDS", 0.0)
    run_many(load_all(settings.datasets_dir), settings)
    client = create_app(settings).test_client()
    path = mitte_tile_path(settings, 12)
    overview_path = path.replace("/collections/stadtbezirke/tiles", "/tiles")
    before = client.get(path)
    before_overview = client.get(overview_path)
    sample = settings.datasets_dir / "stadtbezirke" / "sample" / "stadtbezirke.geojson"
    sample.write_text(sample.read_text(encoding="utf-8").replace('"Mitte"', '"Mitte-Neu"'),
                      encoding="utf-8")
    [result] = run_many(load_all(settings.datasets_dir), settings)
    assert result.status == "published"
    import opengeodata.vtiles.wsgi as vt
    monkeypatch.setattr(vt, "RECHECK_SECONDS", 0.0)
    after = client.get(path)
    names = {f["properties"]["name"] for f in decode(after.data, False)["stadtbezirke"]["features"]}
    assert "Mitte-Neu" in names and "Mitte" not in names
    assert after.data != before.data
    assert after.headers["ETag"] != before.headers["ETag"]
    live = Store(settings.data_dir).live_manifest("stadtbezirke")
    assert live is not None and live.version == result.version
    out = live.output("pmtiles")
    assert out is not None and out.sha256[:16] in after.headers["ETag"]
    old = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert old.status_code == 200 and old.data == after.data
    overview = client.get(overview_path)
    assert overview.headers["ETag"] != before_overview.headers["ETag"]
    assert "Mitte-Neu" in {f["properties"]["name"] for f in
                           decode(overview.data, False)["stadtbezirke"]["features"]}


def test_tile_over_real_http(live_server: str, published: Settings) -> None:
    request = urllib.request.Request(live_server + mitte_tile_path(published, 15),
                                     headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as resp:
        assert resp.headers["Content-Type"] == MVT
        assert resp.headers["Content-Encoding"] == "gzip"
        data = resp.read()
    live = Store(published.data_dir).live_dir("stadtbezirke")
    assert live is not None
    _, lon, lat = mitte(published)
    from opengeodata.vtiles.tms import lonlat_to_tile
    col, row = lonlat_to_tile(lon, lat, 15)
    assert data == Archive(live / "stadtbezirke.pmtiles").get(15, col, row)
    with urllib.request.urlopen(f"{live_server}/tiles/WebMercatorQuad/tilejson.json") as resp:
        assert json.load(resp)["tiles"][0].startswith(live_server)
