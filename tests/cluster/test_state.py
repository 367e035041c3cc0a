"""A bucket listing that fails for a moment never takes a server down: the last good snapshot
keeps being served (a warning in the log, checked again a second later); only a server that
never read one answers 503."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from opengeodata.objectstore import ObjectStore
from opengeodata.server.state import ServerState
from opengeodata.settings import Settings
from tests.cluster.fixtures import ROOT, app_client


def _settings(env: dict[str, str], data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, datasets_dir=ROOT / "datasets",
                    config_dir=ROOT / "config", base_url="http://testserver",
                    object_store=env["OPENGEODATA_OBJECT_STORE"])


@contextmanager
def refused_keys(objects: ObjectStore) -> Iterator[None]:
    """The real Swift refuses every request of ``objects`` (a wrong secret) until the end."""
    import boto3

    good = objects.client
    objects.client = boto3.session.Session(
        aws_access_key_id="opengeodata:publisher", aws_secret_access_key="wrong",
        region_name=objects.region).client("s3", endpoint_url=objects.endpoint,
                                           config=good.meta.config)
    try:
        yield
    finally:
        objects.client = good


def test_failed_listing_keeps_the_last_snapshot(cluster_env: dict[str, str], tmp_path: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    state = ServerState(_settings(cluster_env, tmp_path))
    good = state.snapshot()
    assert "stadtbezirke" in good.manifests
    assert state.store.objects is not None
    with refused_keys(state.store.objects), caplog.at_level(logging.WARNING):
        state.mark_stale()
        assert state.snapshot() is good  # listing refused: the last good one, no error
        state.mark_stale()
        assert state.snapshot() is good
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "keeping the last good snapshot" in warnings[0], warnings
    state.mark_stale()
    assert state.snapshot() is good  # readable again, nothing changed: same snapshot
    assert any("readable again" in r.getMessage() for r in caplog.records)


def test_no_snapshot_yet_is_503_until_readable(cluster_env: dict[str, str],
                                               tmp_path: Path) -> None:
    settings = _settings(cluster_env, tmp_path)
    healthy = ServerState(settings)  # connects (and checks) the shared client
    assert healthy.store.objects is not None
    with refused_keys(healthy.store.objects):
        client = app_client(settings)  # its first snapshot fails: the app still starts
        for path in ("/collections?f=json", "/collections/stadtbezirke/items?f=json",
                     "/collections/stadtbezirke/tiles/WebMercatorQuad/10/336/539"):
            answer = client.get(path)  # the tile: past the WSGI fast route, the same 503
            assert answer.status_code == 503, (path, answer.data)
            assert answer.json is not None and answer.json["code"] == "StorageUnavailable"
            assert answer.headers["Cache-Control"] == "no-store"
    time.sleep(0.2)  # without a snapshot the store is asked again every 0.1 s
    answer = client.get("/collections?f=json")
    assert answer.status_code == 200
    assert "stadtbezirke" in {c["id"] for c in answer.json["collections"]}
