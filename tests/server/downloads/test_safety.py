"""Downloads never leak a file that is not named in a manifest: every traversal form is 404."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from opengeodata.manifest import OutputFile
from opengeodata.server import create_app
from opengeodata.settings import Settings
from opengeodata.store import Store
from tests.server.downloads.fixtures import add_output, private_copy

SECRET = b"TOP-SECRET-CONTENT"


@pytest.fixture
def setup(published: Settings, tmp_path: Path) -> tuple[FlaskClient, Store, str]:
    """A private copy with a secret file outside the data folder and traps inside it."""
    settings = private_copy(published, tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_bytes(SECRET)
    store = Store(settings.data_dir)
    live = store.live_dir("stadtbezirke")
    assert live is not None
    # a symlink in the version folder pointing out of the data folder, named in the manifest
    os.symlink(secret, live / "escape.gpkg")
    # a manifest entry whose name itself traverses
    for name in ("escape.gpkg", "../../../../secret.txt", "/etc/passwd", "..\\secret.txt"):
        add_output(store, "stadtbezirke", OutputFile(
            name=name, format="gpkg", media_type="application/octet-stream",
            size=len(SECRET), sha256="0" * 64, tile="trap"))
    version = live.name
    return create_app(settings).test_client(), store, version


PATHS = [
    "/downloads/stadtbezirke/manifest.json",
    "/downloads/stadtbezirke/escape.gpkg",
    "/downloads/stadtbezirke/..%2f..%2f..%2f..%2fsecret.txt",
    "/downloads/stadtbezirke/../../../../secret.txt",
    "/downloads/stadtbezirke/%2e%2e/%2e%2e/secret.txt",
    "/downloads/stadtbezirke/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/downloads/stadtbezirke/..%5c..%5csecret.txt",
    "/downloads/stadtbezirke/..\\..\\secret.txt",
    "/downloads/stadtbezirke//etc/passwd",
    "/downloads/stadtbezirke/%2fetc%2fpasswd",
    "/downloads//etc/passwd",
    "/downloads/%2e%2e/stadtbezirke/stadtbezirke.gpkg",
    "/downloads/stadtbezirke/stadtbezirke.gpkg%00.txt",
    "/downloads/stadtbezirke/stadtbezirke.gpkg%00",
    "/downloads/stadtbezirke/latest/..%2f..%2fsecret.txt",
    "/downloads/stadtbezirke/latest/%2e%2e",
    "/downloads/stadtbezirke/versions/..%2f..%2f/secret.txt",
    "/downloads/stadtbezirke/versions/{v}/escape.gpkg",
    "/downloads/stadtbezirke/versions/{v}/manifest.json",
    "/downloads/stadtbezirke/versions/{v}/..%2fmanifest.json",
    "/downloads/stadtbezirke/versions/%2e%2e/stadtbezirke.gpkg",
    "/downloads/stadtbezirke/versions/{v}%00/stadtbezirke.gpkg",
    "/downloads/stadtbezirke/versions/../live/stadtbezirke.gpkg",
    "/downloads/stadtbezirke/versions/live/stadtbezirke.gpkg",
    "/downloads/unknown/stadtbezirke.gpkg",
    "/downloads/stadtbezirke/",
]


@pytest.mark.parametrize("path", PATHS)
def test_traversal_is_404_and_leaks_nothing(setup: tuple[FlaskClient, Store, str],
                                            path: str) -> None:
    client, _, version = setup
    for method in (client.get, client.head):
        resp = method(path.replace("{v}", version))
        assert resp.status_code == 404, (path, resp.status_code)
        assert SECRET not in resp.data
        assert b"root:" not in resp.data
        assert b'"dataset"' not in resp.data  # no manifest content


def test_raw_nul_and_absolute_paths(setup: tuple[FlaskClient, Store, str]) -> None:
    client, store, _ = setup
    for name in ("stadtbezirke.gpkg\x00", "\x00", str(store.data_dir / "x"), "C:\\secret.txt"):
        resp = client.get("/downloads/stadtbezirke/" + name.replace("/", "%2f"))
        assert resp.status_code == 404
        assert SECRET not in resp.data


def test_traps_did_not_break_real_downloads(setup: tuple[FlaskClient, Store, str]) -> None:
    client, _, version = setup
    assert client.get("/downloads/stadtbezirke/stadtbezirke.gpkg").status_code == 200
    path = f"/downloads/stadtbezirke/versions/{version}/stadtbezirke.gpkg"
    assert client.get(path).status_code == 200


def test_symlink_inside_the_data_folder_is_served(setup: tuple[FlaskClient, Store, str]) -> None:
    """Unchanged files linked from another version are fine: they stay in the data folder."""
    client, store, _ = setup
    live = store.live_dir("stadtbezirke")
    assert live is not None
    other = store.published / "stadtbezirke" / "shared.bin"
    other.write_bytes(b"shared")
    os.symlink(other, live / "linked.bin")
    add_output(store, "stadtbezirke", OutputFile(
        name="linked.bin", format="bin", media_type="application/octet-stream", size=6,
        sha256="1" * 64))
    client = create_app(client.application.extensions["opengeodata"].settings).test_client()
    resp = client.get("/downloads/stadtbezirke/linked.bin")
    assert resp.status_code == 200 and resp.data == b"shared"
