"""Vector tile URLs carry the data version: immutable when it is the live one, a never-cached
redirect when it is not, the short default caching without it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient

from opengeodata.server import create_app
from opengeodata.settings import Settings
from opengeodata.store import Store
from opengeodata.versioned import IMMUTABLE
from tests.vtiles.helpers import TILE, decode, mitte_tile_path

DOCS = ("/collections/stadtbezirke/tiles?f=json", f"{TILE}?f=json", f"{TILE}/tilejson.json",
        "/tiles?f=json", "/tiles/WebMercatorQuad?f=json", "/tiles/WebMercatorQuad/tilejson.json")


@pytest.fixture(scope="module")
def client(published: Settings) -> FlaskClient:
    return create_app(published).test_client()


def _live(settings: Settings) -> str:
    manifest = Store(settings.data_dir).live_manifest("stadtbezirke")
    assert manifest is not None
    return manifest.version


def _templates(client: FlaskClient, path: str) -> list[str]:
    doc = client.get(path).get_json()
    found = list(doc.get("tiles", []))
    for links in [doc.get("links", []), *(t["links"] for t in doc.get("tilesets", []))]:
        found += [link["href"] for link in links if link["rel"] == "item"]
    return found


def test_every_tile_link_names_the_live_version(client: FlaskClient, published: Settings,
                                                ) -> None:
    live = _live(published)
    for path in DOCS:
        templates = _templates(client, path)
        assert templates, path
        for template in templates:
            query = parse_qs(urlsplit(template).query)
            assert query["f"] == ["mvt"], template
            if path.startswith("/collections"):
                assert query["v"] == [live], template
            else:  # the overview names its own version
                assert query["v"][0], template


def test_live_version_is_immutable_unversioned_is_short(client: FlaskClient,
                                                        published: Settings) -> None:
    path = mitte_tile_path(published, 12)
    live = _live(published)
    pinned = client.get(f"{path}?f=mvt&v={live}", headers={"Accept-Encoding": "gzip"})
    plain = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert pinned.status_code == plain.status_code == 200
    assert pinned.data == plain.data and pinned.headers["ETag"] == plain.headers["ETag"]
    assert pinned.headers["Cache-Control"] == IMMUTABLE
    assert plain.headers["Cache-Control"] == f"public, max-age={published.cache_max_age}"
    again = client.get(f"{path}?v={live}", headers={"If-None-Match": plain.headers["ETag"],
                                                    "Accept-Encoding": "gzip"})
    assert again.status_code == 304 and again.headers["Cache-Control"] == IMMUTABLE


def test_other_version_redirects_never_cached(client: FlaskClient, published: Settings) -> None:
    path = mitte_tile_path(published, 12)
    live = _live(published)
    for stale in ("20000101T000000.000Z-00000000", "nonsense", ""):
        resp = client.get(f"{path}?f=mvt&v={stale}", headers={"Origin": "http://x.example"})
        assert resp.status_code == 302, stale
        assert resp.headers["Location"] == f"{path}?f=mvt&v={live}"
        assert resp.headers["Cache-Control"] == "no-store"
        assert resp.headers["Access-Control-Allow-Origin"] == "*"  # fetch() may follow it
        assert "ETag" not in resp.headers
    followed = client.get(f"{path}?v=old", follow_redirects=True)
    assert followed.status_code == 200 and followed.headers["Cache-Control"] == IMMUTABLE
    assert client.get(f"{path}?f=png&v={live}").status_code == 400


def test_documents_revalidate_with_an_etag(client: FlaskClient) -> None:
    for path in DOCS:
        first = client.get(path)
        assert first.status_code == 200 and first.headers["ETag"], path
        assert "immutable" not in first.headers["Cache-Control"]
        again = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b"", path
    etags = {client.get(path).headers["ETag"] for path in DOCS}
    assert len(etags) == len(DOCS)  # one per document


def test_a_publish_moves_the_version_in_links_and_redirects(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from opengeodata.declaration import load_all
    from opengeodata.server import state as state_module
    from pipelines.runner import run_many

    monkeypatch.setattr(state_module, "RECHECK_SECONDS", 0.0)
    run_many(load_all(settings.datasets_dir, ["stadtbezirke"]), settings)
    client = create_app(settings).test_client()
    path = mitte_tile_path(settings, 12)
    old = _live(settings)
    before = client.get(f"{TILE}/tilejson.json")
    old_tile = client.get(f"{path}?f=mvt&v={old}")
    assert old_tile.status_code == 200 and old_tile.headers["Cache-Control"] == IMMUTABLE
    sample = settings.datasets_dir / "stadtbezirke" / "sample" / "stadtbezirke.geojson"
    sample.write_text(sample.read_text(encoding="utf-8").replace('"Mitte"', '"Mitte-Neu"'),
                      encoding="utf-8")
    [result] = run_many(load_all(settings.datasets_dir, ["stadtbezirke"]), settings)
    assert result.status == "published" and result.version != old
    new = str(result.version)
    tilejson = client.get(f"{TILE}/tilejson.json",
                          headers={"If-None-Match": before.headers["ETag"]})
    assert tilejson.status_code == 200  # the old ETag no longer matches
    assert tilejson.get_json()["tiles"][0].endswith(f"?f=mvt&v={new}")
    moved = client.get(f"{path}?f=mvt&v={old}")  # the old version's URL: never its old bytes
    assert moved.status_code == 302 and moved.headers["Location"] == f"{path}?f=mvt&v={new}"
    fresh = client.get(moved.headers["Location"])
    assert fresh.status_code == 200 and fresh.headers["Cache-Control"] == IMMUTABLE
    names = {f["properties"]["name"] for f in decode(fresh.data, False)["stadtbezirke"]["features"]}
    assert "Mitte-Neu" in names
