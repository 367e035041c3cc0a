"""Publishing into PostGIS: one schema per version, indexes before the switch, one-transaction
live switch with NOTIFY, failed loads change nothing, pruned versions' schemas dropped."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from opengeodata.declaration import load_all
from opengeodata.errors import PublishError
from opengeodata.postgis import cluster, db
from opengeodata.providers.gpkg_sql import blob_wkb
from opengeodata.settings import Settings
from opengeodata.store import Store
from pipelines.runner import run_dataset, switch_database
from tests.conftest import make_settings
from tests.pg_fixtures import new_database


@pytest.fixture(scope="module")
def pg_url(pg_cluster: cluster.PgCluster) -> str:
    return new_database(pg_cluster, "load_test")[0]


def _settings(tmp: Path, url: str, datasets: list[str]) -> Settings:
    return make_settings(tmp, datasets).model_copy(update={"database_url": url})


def _publish(settings: Settings, dataset_id: str, force: bool = True) -> str:
    (dataset,) = load_all(settings.datasets_dir, [dataset_id])
    result = run_dataset(dataset, settings, force=force)
    assert result.status == "published", result
    assert result.version
    return result.version


def test_publish_loads_the_version_with_indexes_and_switches_live(tmp_path: Path,
                                                                   pg_url: str) -> None:
    settings = _settings(tmp_path, pg_url, ["stadtbezirke"])
    with db.connect(pg_url) as listener:
        listener.execute(f"LISTEN {db.CHANNEL}")
        version = _publish(settings, "stadtbezirke")
        notes = list(listener.notifies(timeout=5, stop_after=1))
    assert notes and f'"version": "{version}"' in notes[0].payload
    store = Store(settings.data_dir)
    manifest = store.live_manifest("stadtbezirke")
    assert manifest is not None and manifest.version == version
    gpkg_out = manifest.output("gpkg")
    live = store.live_dir("stadtbezirke")
    assert gpkg_out is not None and live is not None
    schema = db.schema_name("stadtbezirke", version)
    with sqlite3.connect(live / gpkg_out.name) as lite:
        expected = lite.execute("SELECT * FROM stadtbezirke ORDER BY fid").fetchall()
    with db.connect(pg_url) as con:
        assert db.live_versions(con)["stadtbezirke"] == version
        info = db.version_info(con, "stadtbezirke", version)
        assert info is not None and info["features"] == manifest.feature_count == len(expected)
        assert con.execute(f"SELECT max(ST_SRID(geom)) FROM {schema}.stadtbezirke"
                           ).fetchone() == (25832,)
        indexes = {r[0] for r in con.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = %s", (schema,))}
        assert any("USING gist (geom)" in i for i in indexes), indexes
        assert any("(fid)" in i for i in indexes), indexes
        analyzed = con.execute("SELECT last_analyze FROM pg_stat_user_tables "
                               "WHERE schemaname = %s AND relname = 'stadtbezirke'",
                               (schema,)).fetchone()
        assert analyzed and analyzed[0] is not None
        cols = [r[0] for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = 'stadtbezirke' ORDER BY ordinal_position", (schema,))]
        stored = con.execute(f"SELECT count(*) FROM {schema}.stadtbezirke_features "
                             "WHERE ogd_feature LIKE '{\"type\":\"Feature\",%%'").fetchone()
        assert stored == (len(expected),)  # each feature's default answer, written at publish
        select = ", ".join("ST_AsBinary(geom)" if c == "geom" else f'"{c}"' for c in cols)
        rows = con.execute(f"SELECT {select} FROM {schema}.stadtbezirke ORDER BY fid").fetchall()
    geom = cols.index("geom")
    for got, want in zip(rows, expected, strict=True):
        assert bytes(got[geom]) == blob_wkb(want[geom])
        assert got[:geom] + got[geom + 1:] == want[:geom] + want[geom + 1:]


def test_failed_load_changes_nothing_live(tmp_path: Path, pg_url: str,
                                          pg_cluster: cluster.PgCluster) -> None:
    settings = _settings(tmp_path, pg_url, ["stadtbezirke"])
    first = _publish(settings, "stadtbezirke")
    broken = settings.model_copy(update={"database_url": cluster.url(pg_cluster.port, "nope")})
    (dataset,) = load_all(settings.datasets_dir, ["stadtbezirke"])
    with pytest.raises(PublishError, match=r"stadtbezirke: loading version .* PostGIS failed"):
        run_dataset(dataset, broken, force=True)
    store = Store(settings.data_dir)
    assert store.live_version("stadtbezirke") == first
    assert store.versions("stadtbezirke") == [first]
    with db.connect(pg_url) as con:
        assert db.live_versions(con)["stadtbezirke"] == first
        assert db.loaded_versions(con, "stadtbezirke") == [first]


def test_failed_switch_puts_the_files_back(tmp_path: Path, pg_url: str) -> None:
    settings = _settings(tmp_path, pg_url, ["stadtbezirke"])
    first = _publish(settings, "stadtbezirke")
    second = _publish(settings, "stadtbezirke")
    store = Store(settings.data_dir)
    db.drop_versions(pg_url, "stadtbezirke", [first])  # first is no longer loaded
    with pytest.raises(PublishError, match="not loaded into PostGIS"):
        store.switch_live("stadtbezirke", first)
        switch_database(pg_url, store, "stadtbezirke", first, second)
    assert store.live_version("stadtbezirke") == second
    with db.connect(pg_url) as con:
        assert db.live_versions(con)["stadtbezirke"] == second


def test_pruned_versions_lose_their_schemas_and_rollback_switches(tmp_path: Path,
                                                                   pg_url: str) -> None:
    settings = _settings(tmp_path, pg_url, ["stadtteile"])
    versions = [_publish(settings, "stadtteile") for _ in range(4)]  # keep_versions: 3
    store = Store(settings.data_dir)
    assert store.versions("stadtteile") == versions[1:]
    with db.connect(pg_url) as con:
        assert db.loaded_versions(con, "stadtteile") == versions[1:]
        schemas = {r[0] for r in con.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'ogd_stadtteile_%'")}
    assert schemas == {db.schema_name("stadtteile", v) for v in versions[1:]}
    old, new = store.rollback("stadtteile")
    switch_database(pg_url, store, "stadtteile", new, old)
    with db.connect(pg_url) as con:
        assert db.live_versions(con)["stadtteile"] == versions[2]


def test_schema_names_are_identifiers() -> None:
    name = db.schema_name("Straßen-Bäume", "20261201T212119.008Z-92bf22d8")
    assert name == "ogd_stra_en_b_ume_20261201t212119_008z_92bf22d8"
    long = db.schema_name("x" * 80, "20261201T212119.008Z-92bf22d8")
    assert len(long) <= 63 and long != db.schema_name("x" * 81, "20261201T212119.008Z-92bf22d8")


def test_unreachable_database_is_a_clear_error(pg_cluster: cluster.PgCluster) -> None:
    from opengeodata.errors import SettingsError

    with pytest.raises(SettingsError, match="OPENGEODATA_DATABASE_URL: cannot connect"):
        db.check_database("postgresql://postgres@127.0.0.1:1/x", "OPENGEODATA_DATABASE_URL")
    assert psycopg  # the driver is a project dependency
