"""HTTP: /collections/{id}/3dtiles/... from the 3tz of the live (or a kept) version."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import pytest
from flask.testing import FlaskClient

from opengeodata.settings import Settings
from opengeodata.store import Store
from opengeodata.tiles3d.glb import property_table, read_glb
from tests.conftest import make_settings
from tests.publish_util import publish_all
from tests.tiles3d_support import leaves

TILESET = "/collections/lod2/3dtiles/tileset.json"
REL = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-3d"


@dataclass
class Site:
    settings: Settings
    client: FlaskClient
    old: str  # a kept version
    live: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """lod2 published twice (two versions kept) plus stadtbezirke (vector, no 3D Tiles)."""
    from opengeodata.server import create_app

    settings = publish_all(make_settings(tmp_path_factory.mktemp("t3dhttp"),
                                         ["lod2", "stadtbezirke"]))
    store = Store(settings.data_dir)
    old = store.live_version("lod2")
    decl = settings.datasets_dir / "lod2" / "dataset.yml"
    decl.write_text(decl.read_text(encoding="utf-8").replace(
        "title: 3D-Stadtmodell LoD2 Hannover", "title: 3D-Stadtmodell LoD2 Hannover (neu)"),
        encoding="utf-8")
    from opengeodata.declaration import load_all
    from pipelines.runner import run_many

    (again,) = run_many(load_all(settings.datasets_dir, ["lod2"]), settings)
    assert again.status == "published", again
    live = store.live_version("lod2")
    assert old and live and old != live
    return Site(settings, create_app(settings).test_client(), old, live)


def _content_url(site: Site) -> tuple[str, dict]:
    res = site.client.get(TILESET)
    assert res.status_code == 200
    uri = leaves(res.get_json()["root"])[0]["content"]["uri"]
    return urlsplit(urljoin(f"http://testserver{TILESET}", uri)), res.get_json()


def test_tileset_of_the_live_version_with_versioned_content_uris(site: Site) -> None:
    res = site.client.get(TILESET, headers={"Origin": "https://viewer.example"})
    assert res.status_code == 200 and res.mimetype == "application/json"
    assert res.headers["Access-Control-Allow-Origin"] == "*"
    assert res.headers["ETag"] and "immutable" not in res.headers["Cache-Control"]
    doc = res.get_json()
    assert doc["asset"]["version"] == "1.1" and doc["asset"]["extras"]["geoid"]
    uris = [t["content"]["uri"] for t in leaves(doc["root"])]
    assert uris and all(u.endswith(f"?v={site.live}") for u in uris)
    again = site.client.get(TILESET, headers={"If-None-Match": res.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Access-Control-Allow-Origin"] == "*"


def test_content_is_a_glb_with_its_buildings_cached_immutable(site: Site) -> None:
    url, _doc = _content_url(site)
    res = site.client.get(f"{url.path}?{url.query}")
    assert res.status_code == 200 and res.mimetype == "model/gltf-binary"
    assert "immutable" in res.headers["Cache-Control"]
    assert res.headers["Access-Control-Allow-Origin"] == "*"
    gltf, binary = read_glb(res.data)
    ids = property_table(gltf, binary)["gml_id"]
    assert ids and all(i.startswith("DENI") for i in ids)
    etag = res.headers["ETag"]
    assert site.client.get(f"{url.path}?{url.query}",
                           headers={"If-None-Match": etag}).status_code == 304
    unversioned = site.client.get(url.path)
    assert unversioned.status_code == 200 and unversioned.data == res.data
    assert "immutable" not in unversioned.headers["Cache-Control"]
    head = site.client.head(url.path)
    assert head.status_code == 200 and int(head.headers["Content-Length"]) == len(res.data)
    part = site.client.get(url.path, headers={"Range": "bytes=0-11"})
    assert part.status_code == 206 and part.data == res.data[:12]


def test_a_kept_version_stays_readable_and_differs_by_etag(site: Site) -> None:
    old = site.client.get(f"{TILESET}?v={site.old}")
    live = site.client.get(TILESET)
    assert old.status_code == 200 and "immutable" in old.headers["Cache-Control"]
    assert old.headers["ETag"] != live.headers["ETag"]
    uri = leaves(old.get_json()["root"])[0]["content"]["uri"]
    assert uri.endswith(f"?v={site.old}")
    content = site.client.get(urljoin(TILESET, uri))
    assert content.status_code == 200 and content.data[:4] == b"glTF"
    current = site.client.get(urljoin(TILESET, uri.replace(site.old, site.live)))
    assert current.data == content.data  # same buildings: same bytes, same tag
    assert current.headers["ETag"] == content.headers["ETag"]


@pytest.mark.parametrize(("path", "needle"), [
    ("/collections/lod2/3dtiles/tiles/9/9/9.glb", "no 3D Tiles content"),
    ("/collections/lod2/3dtiles/../../manifest.json", "no 3D Tiles content"),
    ("/collections/nirgends/3dtiles/tileset.json", "not found"),
    ("/collections/stadtbezirke/3dtiles/tileset.json", "has no 3D Tiles"),
    (f"{TILESET}?v=20000101T000000Z-0000", "has no version"),
])
def test_unknown_things_are_404_with_a_reason(site: Site, path: str, needle: str) -> None:
    res = site.client.get(path, headers={"Accept": "application/json"})
    assert res.status_code == 404, res.data
    assert needle in res.get_json()["description"]
    assert res.headers["Access-Control-Allow-Origin"] == "*"
    assert res.headers["Cache-Control"] == "no-store"


def test_preflight_is_answered(site: Site) -> None:
    res = site.client.options(TILESET, headers={
        "Origin": "https://viewer.example", "Access-Control-Request-Method": "GET"})
    assert res.status_code == 204 and res.headers["Access-Control-Allow-Origin"] == "*"


def test_collection_catalogue_and_openapi_link_the_tileset(site: Site) -> None:
    coll = site.client.get("/collections/lod2?f=json").get_json()
    (link,) = [x for x in coll["links"] if x["href"].endswith("/3dtiles/tileset.json")]
    assert link["rel"] == REL and link["type"] == "application/json"
    assert site.client.get(urlsplit(link["href"]).path).status_code == 200
    other = site.client.get("/collections/stadtbezirke?f=json").get_json()
    assert not [x for x in other["links"] if "3dtiles" in x["href"]]
    record = site.client.get("/collections/catalogue/items/lod2?f=json").get_json()
    assert any(x["href"].endswith(TILESET) and x["rel"] == REL for x in record["links"])
    paths = site.client.get("/openapi?f=json").get_json()["paths"]
    op = paths["/collections/{collectionId}/3dtiles/tileset.json"]["get"]
    assert op["parameters"][0]["schema"]["enum"] == ["lod2"]
    assert "/collections/{collectionId}/3dtiles/{contentPath}" in paths
    page = site.client.get("/catalogue/datasets/lod2").get_data(as_text=True)
    assert "/collections/lod2/3dtiles/tileset.json" in page
