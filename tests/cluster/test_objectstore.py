"""Files from the object store (Swift's S3 API) answer exactly like the same files on disk:
downloads (bytes, SHA-256, ETag, Range 206/416, 304), vector tiles, raster tiles, coverages."""

from __future__ import annotations

import hashlib

import pytest
from flask.testing import FlaskClient

from opengeodata.manifest import Manifest

pytestmark = pytest.mark.usefixtures("ogd_cluster")

#: headers that must be identical (Date/Expires only differ by the clock)
SAME = ("ETag", "Content-Length", "Content-Range", "Accept-Ranges", "Content-Type",
        "Content-Disposition", "Last-Modified", "Repr-Digest", "Cache-Control", "Link",
        "Content-Encoding", "Vary")


def _compare(local: FlaskClient, remote: FlaskClient, path: str, method: str = "GET",
             **headers: str) -> tuple[int, bytes]:
    a = local.open(path, method=method, headers=headers)
    b = remote.open(path, method=method, headers=headers)
    assert (a.status_code, a.data) == (b.status_code, b.data), (path, headers)
    for name in SAME:
        assert a.headers.get(name) == b.headers.get(name), (path, headers, name)
    return b.status_code, b.data


def _manifests(remote: FlaskClient) -> dict[str, Manifest]:
    state = remote.application.extensions["opengeodata"]
    return dict(state.snapshot().manifests)


def test_remote_app_reads_only_the_object_store(local_and_remote: tuple[FlaskClient,
                                                                       FlaskClient]) -> None:
    _, remote = local_and_remote
    state = remote.application.extensions["opengeodata"]
    assert state.store.reads_remote
    assert not (state.settings.data_dir / "published").exists()
    assert {"stadtbezirke", "dop20"} <= set(_manifests(remote))


def test_downloads_identical(local_and_remote: tuple[FlaskClient, FlaskClient]) -> None:
    local, remote = local_and_remote
    checked = 0
    for dataset_id, manifest in _manifests(remote).items():
        for out in manifest.outputs:
            path = f"/downloads/{dataset_id}/{out.name}"
            status, body = _compare(local, remote, path)
            assert status == 200 and len(body) == out.size
            assert hashlib.sha256(body).hexdigest() == out.sha256
            etag = f'"{out.sha256}"'
            assert remote.head(path).headers["ETag"] == etag
            _compare(local, remote, path, method="HEAD")
            status, part = _compare(local, remote, path, Range="bytes=10-99")
            assert status == 206 and part == body[10:100]
            status, part = _compare(local, remote, path, Range="bytes=-7")
            assert status == 206 and part == body[-7:]
            assert _compare(local, remote, path, Range=f"bytes={out.size}-")[0] == 416
            assert _compare(local, remote, path, **{"If-None-Match": etag})[0] == 304
            modified = remote.head(path).headers["Last-Modified"]
            assert _compare(local, remote, path, **{"If-Modified-Since": modified})[0] == 304
            assert _compare(local, remote, path, Range="bytes=0-3",
                            **{"If-Range": etag})[0] == 206
            assert _compare(local, remote, path, Range="bytes=0-3",
                            **{"If-Range": '"other"'})[0] == 200
            versioned = f"/downloads/{dataset_id}/versions/{manifest.version}/{out.name}"
            assert _compare(local, remote, versioned, Range="bytes=5-9")[0] == 206
            checked += 1
        _compare(local, remote, f"/downloads/{dataset_id}/no-such-file.gpkg")
    assert checked >= 5


def test_vector_tiles_identical(local_and_remote: tuple[FlaskClient, FlaskClient]) -> None:
    from pmtiles.tile import tileid_to_zxy

    from opengeodata.vtiles.archive import Archive

    local, remote = local_and_remote
    state = local.application.extensions["opengeodata"]
    manifest = _manifests(remote)["stadtbezirke"]
    blob = state.store.blob("stadtbezirke", manifest.version, "stadtbezirke.pmtiles")
    entries = list(Archive(blob).entries())
    assert entries
    for tile_id, _, _ in entries[:: max(1, len(entries) // 8)]:
        z, x, y = tileid_to_zxy(tile_id)
        for base in ("/collections/stadtbezirke/tiles", "/tiles"):
            path = f"{base}/WebMercatorQuad/{z}/{y}/{x}"
            status, body = _compare(local, remote, path)
            assert status == 200 and body
            status, _ = _compare(local, remote, path, **{"Accept-Encoding": "gzip"})
            etag = remote.get(path).headers["ETag"]
            assert _compare(local, remote, path, **{"If-None-Match": etag})[0] == 304
    _compare(local, remote, "/collections/stadtbezirke/tiles/WebMercatorQuad/tilejson.json")


def test_raster_tiles_and_coverages_identical(
        local_and_remote: tuple[FlaskClient, FlaskClient]) -> None:
    local, remote = local_and_remote
    doc = remote.get("/collections/dop20/tiles/WebMercatorQuad?f=json").get_json()
    limits = {int(lim["tileMatrix"]): lim for lim in doc["tileMatrixSetLimits"]}
    z = max(limits)
    lim = limits[z]
    row = (lim["minTileRow"] + lim["maxTileRow"]) // 2
    col = (lim["minTileCol"] + lim["maxTileCol"]) // 2
    path = f"/collections/dop20/tiles/WebMercatorQuad/{z}/{row}/{col}"
    status, body = _compare(local, remote, f"{path}?f=png")
    assert status == 200 and body.startswith(b"\x89PNG")
    for query in ("f=png&scale-size=E(256)", "f=tif&scale-size=E(300)",
                  "f=png&subset=E(548200:548700),N(5800100:5800600)"):
        status, body = _compare(local, remote, f"/collections/dop20/coverage?{query}")
        assert status == 200 and len(body) > 100
    etag = remote.get("/collections/dop20/coverage?f=png&scale-size=E(256)").headers["ETag"]
    assert _compare(local, remote, "/collections/dop20/coverage?f=png&scale-size=E(256)",
                    **{"If-None-Match": etag})[0] == 304


def test_wms_maps_identical(local_and_remote: tuple[FlaskClient, FlaskClient]) -> None:
    """MapServer draws the same maps from the object store's files (local copies)."""
    import shutil

    if shutil.which("mapserv") is None:
        pytest.skip("mapserv not installed (make wms-deps)")
    local, remote = local_and_remote
    caps = remote.get("/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0")
    assert caps.status_code == 200 and b"dop20" in caps.data and b"stadtbezirke" in caps.data
    for layer, bbox in (("dop20", "548000,5800000,549000,5801000"),
                        ("stadtbezirke", "540000,5795000,560000,5815000")):
        path = (f"/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layer}&STYLES="
                f"&CRS=EPSG:25832&BBOX={bbox}&WIDTH=128&HEIGHT=128&FORMAT=image/png")
        a, b = local.get(path), remote.get(path)
        assert a.status_code == b.status_code == 200
        assert b.data.startswith(b"\x89PNG") and a.data == b.data
