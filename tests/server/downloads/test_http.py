"""Downloads: headers, Range, conditional requests, latest and versioned URLs."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from opengeodata.manifest import Manifest
from opengeodata.server import create_app
from opengeodata.settings import Settings
from opengeodata.store import Store
from tests.server.downloads.fixtures import private_copy, publish_changed_version

GEOJSON = "/downloads/stadtbezirke/stadtbezirke.geojson"


@pytest.fixture
def client(published: Settings) -> FlaskClient:
    return create_app(published).test_client()


@pytest.fixture
def live(published: Settings) -> tuple[Path, Manifest]:
    store = Store(published.data_dir)
    folder = store.live_dir("stadtbezirke")
    assert folder is not None
    return folder, Manifest.read(folder)


def test_every_output_downloads_with_headers(client: FlaskClient,
                                             live: tuple[Path, Manifest]) -> None:
    folder, manifest = live
    assert manifest.outputs
    for out in manifest.outputs:
        resp = client.get(f"/downloads/stadtbezirke/{out.name}")
        assert resp.status_code == 200, out.name
        assert hashlib.sha256(resp.data).hexdigest() == out.sha256
        assert int(resp.headers["Content-Length"]) == out.size == len(resp.data)
        assert resp.headers["ETag"] == f'"{out.sha256}"'
        assert resp.headers["Last-Modified"]
        assert resp.headers["Content-Type"].startswith(out.media_type)
        assert resp.headers["Content-Disposition"] == f"attachment; filename={out.name}"
        assert resp.headers["Accept-Ranges"] == "bytes"
        digest = base64.b64encode(bytes.fromhex(out.sha256)).decode()
        assert resp.headers["Repr-Digest"] == f"sha-256=:{digest}:"
        assert resp.data == (folder / out.name).read_bytes()


def test_head_has_headers_and_no_body(client: FlaskClient, live: tuple[Path, Manifest]) -> None:
    out = next(o for o in live[1].outputs if o.format == "geojson")
    resp = client.head(GEOJSON)
    assert resp.status_code == 200 and resp.data == b""
    assert int(resp.headers["Content-Length"]) == out.size
    assert resp.headers["ETag"] == f'"{out.sha256}"'


def test_range_requests(client: FlaskClient, live: tuple[Path, Manifest]) -> None:
    out = next(o for o in live[1].outputs if o.format == "geojson")
    whole = (live[0] / out.name).read_bytes()
    resp = client.get(GEOJSON, headers={"Range": "bytes=0-99"})
    assert resp.status_code == 206 and resp.data == whole[:100]
    assert resp.headers["Content-Range"] == f"bytes 0-99/{out.size}"
    assert resp.headers["Content-Length"] == "100"
    resp = client.get(GEOJSON, headers={"Range": "bytes=-10"})
    assert resp.status_code == 206 and resp.data == whole[-10:]
    resp = client.get(GEOJSON, headers={"Range": f"bytes={out.size}-"})
    assert resp.status_code == 416
    assert resp.headers["Content-Range"] == f"bytes */{out.size}"
    # If-Range with the current ETag honours the range, with an old one sends everything
    resp = client.get(GEOJSON, headers={"Range": "bytes=0-9", "If-Range": f'"{out.sha256}"'})
    assert resp.status_code == 206 and len(resp.data) == 10
    resp = client.get(GEOJSON, headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert resp.status_code == 200 and resp.data == whole


def test_conditional_requests(client: FlaskClient, live: tuple[Path, Manifest]) -> None:
    out = next(o for o in live[1].outputs if o.format == "geojson")
    resp = client.get(GEOJSON, headers={"If-None-Match": f'"{out.sha256}"'})
    assert resp.status_code == 304 and resp.data == b""
    last_modified = client.head(GEOJSON).headers["Last-Modified"]
    assert client.get(GEOJSON, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get(GEOJSON, headers={"If-None-Match": '"other"'}).status_code == 200


def test_latest_url_per_format(client: FlaskClient, live: tuple[Path, Manifest]) -> None:
    folder, manifest = live
    for fmt in {o.format for o in manifest.outputs}:
        out = manifest.output(fmt)
        assert out is not None
        resp = client.get(f"/downloads/stadtbezirke/latest/{fmt}")
        assert resp.status_code == 200
        assert resp.data == (folder / out.name).read_bytes()
        assert resp.headers["Content-Disposition"] == f"attachment; filename={out.name}"
        assert f"/versions/{manifest.version}/{out.name}>" in resp.headers["Link"]
    resp = client.get("/downloads/stadtbezirke/latest/dwg")
    assert resp.status_code == 404
    assert "gpkg" in resp.get_json()["description"]


def test_versioned_url_keeps_working_after_a_refresh(published: Settings,
                                                     tmp_path: Path) -> None:
    settings = private_copy(published, tmp_path)
    store = Store(settings.data_dir)
    old = store.live_manifest("stadtbezirke")
    assert old is not None
    old_bytes = (store.live_dir("stadtbezirke") / "stadtbezirke.geojson").read_bytes()  # type: ignore[operator]
    new = publish_changed_version(store, "stadtbezirke", "29990101T000000Z",
                                  "stadtbezirke.geojson", b'{"type":"FeatureCollection"}')
    client = create_app(settings).test_client()

    old_url = f"/downloads/stadtbezirke/versions/{old.version}/stadtbezirke.geojson"
    resp = client.get(old_url)
    assert resp.status_code == 200 and resp.data == old_bytes
    assert "immutable" in resp.headers["Cache-Control"]
    new_url = f"/downloads/stadtbezirke/versions/{new.version}/stadtbezirke.geojson"
    assert client.get(new_url).data == b'{"type":"FeatureCollection"}'
    assert client.get(GEOJSON).data == b'{"type":"FeatureCollection"}'
    assert client.get("/downloads/stadtbezirke/latest/geojson").data == (
        b'{"type":"FeatureCollection"}')
    assert client.get(GEOJSON).headers["ETag"] == f'"{hashlib.sha256(b"{\"type\":\"FeatureCollection\"}").hexdigest()}"'  # noqa: E501
    # a pruned version is gone
    store.prune("stadtbezirke", keep=1)
    assert client.get(old_url).status_code == 404
    missing = "/downloads/stadtbezirke/versions/2000/stadtbezirke.geojson"
    assert client.get(missing).status_code == 404


def test_every_collection_lists_every_output_as_enclosure(client: FlaskClient,
                                                          published: Settings) -> None:
    from opengeodata.catalogue.vocab import FORMAT_NAMES

    store = Store(published.data_dir)
    collections = client.get("/collections?f=json").get_json()["collections"]
    datasets = [c for c in collections if c["id"] != "catalogue"]
    assert datasets
    for coll in datasets:
        manifest = store.live_manifest(coll["id"])
        assert manifest is not None
        enclosures = [link for link in coll["links"] if link["rel"] == "enclosure"]
        assert len(enclosures) == len(manifest.outputs)
        for out, link in zip(manifest.outputs, enclosures, strict=True):
            assert link["type"] == out.media_type and link["length"] == out.size
            assert FORMAT_NAMES[out.format].split(" ")[0] in link["title"], link
            assert link["href"].endswith(f"/downloads/{coll['id']}/{out.name}")


@pytest.mark.parametrize(("fmt", "title", "tile", "expected"), [
    ("gpkg", "GeoPackage (EPSG:25832)", None, "GeoPackage (EPSG:25832)"),
    ("fgb", "EPSG:25832", None, "FlatGeobuf – EPSG:25832"),
    ("csv", "", None, "CSV"),
    ("citygml", "CityGML 2.0", "32_550_5800", "CityGML 2.0, Kachel 32_550_5800"),
])
def test_download_titles_always_name_the_format(fmt: str, title: str, tile: str | None,
                                                expected: str) -> None:
    from opengeodata.catalogue.build import download_title

    assert download_title(fmt, title, tile) == expected
