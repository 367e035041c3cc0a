"""A server on PostGIS: start-up checks of the settings, /health, NOTIFY, the replica gate."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from opengeodata.declaration import load_all
from opengeodata.errors import SettingsError
from opengeodata.postgis import cluster
from opengeodata.server import create_app, state
from opengeodata.settings import Settings, from_environment
from pipelines.runner import run_dataset
from tests.conftest import make_settings
from tests.pg_fixtures import new_database


@pytest.fixture(scope="module")
def urls(pg_cluster: cluster.PgCluster) -> tuple[str, str]:
    primary, replica = new_database(pg_cluster, "server_test")
    assert replica is not None
    return primary, replica


@pytest.fixture(scope="module")
def site(urls: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Settings:
    settings = make_settings(tmp_path_factory.mktemp("pg-server"), ["stadtbezirke"])
    settings = settings.model_copy(update={"database_url": urls[0]})
    _publish(settings)
    return settings.model_copy(update={"database_read_url": urls[1]})


def _publish(settings: Settings) -> str:
    (dataset,) = load_all(settings.datasets_dir, ["stadtbezirke"])
    result = run_dataset(dataset, settings, force=True)
    assert result.status == "published" and result.version, result
    return result.version


def _wait_for(predicate, timeout: float = 10.0) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < timeout, "condition not reached in time"
        time.sleep(0.05)
    return time.monotonic() - started


def test_unreachable_or_bad_databases_fail_at_start(tmp_path: Path, urls: tuple[str, str],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_settings(tmp_path, ["stadtbezirke"])
    dead = "postgresql://postgres@127.0.0.1:1/opengeodata"
    started = time.monotonic()
    with pytest.raises(SettingsError, match="OPENGEODATA_DATABASE_URL: cannot connect"):
        create_app(settings.model_copy(update={"database_url": dead}))
    assert time.monotonic() - started < 10
    with pytest.raises(SettingsError, match="OPENGEODATA_DATABASE_READ_URL: cannot connect"):
        create_app(settings.model_copy(update={"database_url": urls[0],
                                               "database_read_url": dead}))
    with pytest.raises(SettingsError, match="OPENGEODATA_DATABASE_READ_URL is set without"):
        create_app(settings.model_copy(update={"database_read_url": urls[1]}))
    no_postgis = urls[0].rsplit("/", 1)[0] + "/postgres"
    with pytest.raises(SettingsError, match=r"OPENGEODATA_DATABASE_URL: .*no PostGIS"):
        create_app(settings.model_copy(update={"database_url": no_postgis}))
    monkeypatch.setenv("OPENGEODATA_DATABASE_URL", "mysql://db.example/x")
    with pytest.raises(SettingsError, match=re.escape("OPENGEODATA_DATABASE_URL='mysql://db.example/x'")):
        from_environment()
    monkeypatch.setenv("OPENGEODATA_DATABASE_URL", "postgresql://a b c")
    with pytest.raises(SettingsError, match="OPENGEODATA_DATABASE_URL"):
        from_environment()


def test_health_geopackage(published: Settings) -> None:
    answer = create_app(published).test_client().get("/health")
    assert answer.status_code == 200
    doc = answer.get_json()
    assert doc["status"] == "ok" and doc["features_backend"] == "geopackage"
    assert doc["object_store"] is None and "database" not in doc
    assert list(doc["datasets"]) == ["stadtbezirke"]
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["Cache-Control"] == "no-store"


def test_publish_is_served_at_once_through_notify(site: Settings,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state, "RECHECK_SECONDS", 3600.0)  # no polling: only NOTIFY can tell
    primary_only = site.model_copy(update={"database_read_url": None})
    client = create_app(primary_only).test_client()
    first = client.get("/health").get_json()
    listener = client.application.extensions["opengeodata"]._listener
    assert listener is not None and listener.connected.wait(5)
    new = _publish(primary_only)
    assert first["datasets"]["stadtbezirke"] != new
    took = _wait_for(lambda: client.get("/health").get_json()["datasets"]["stadtbezirke"] == new)
    assert took < 5
    doc = client.get("/health").get_json()
    assert doc["features_backend"] == "postgis" and doc["database"]["replica"] is False
    assert doc["database"]["live"]["stadtbezirke"] == new
    items = client.get("/collections/stadtbezirke/items?limit=2")
    assert items.status_code == 200 and items.get_json()["numberReturned"] == 2


def test_replica_health_lag_outage_and_gate(site: Settings, pg_cluster: cluster.PgCluster
                                            ) -> None:
    client = create_app(site).test_client()
    doc = client.get("/health").get_json()
    assert client.get("/health").status_code == 200
    assert doc["database"]["replica"] is True
    assert 0 <= doc["database"]["replica_lag_seconds"] < 60
    served = doc["datasets"]["stadtbezirke"]
    cluster.stop_replica(pg_cluster.root)
    try:
        started = time.monotonic()
        down = client.get("/health")
        assert down.status_code == 503 and time.monotonic() - started < 5
        assert down.get_json()["status"] == "unavailable"
        assert "read database unreachable" in down.get_json()["database"]["error"]
        assert client.get("/collections/stadtbezirke/items").status_code == 503
        # a publish while the replica is down: the server keeps the version it can read
        new = _publish(site.model_copy(update={"database_read_url": None}))
        time.sleep(1.2)
        assert client.get("/health").get_json()["datasets"]["stadtbezirke"] == served
    finally:
        cluster.start_replica(pg_cluster.root)
    took = _wait_for(lambda: client.get("/health").get_json()["datasets"]["stadtbezirke"] == new)
    assert took < 5
    assert client.get("/health").status_code == 200
    assert client.get("/collections/stadtbezirke/items?limit=1").status_code == 200
