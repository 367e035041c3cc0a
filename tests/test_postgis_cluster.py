"""The local PostgreSQL cluster: primary with PostGIS, a streaming replica, stop/start."""

from __future__ import annotations

import time

import psycopg

from opengeodata.postgis import cluster


def test_replica_streams_what_the_primary_writes(pg_cluster: cluster.PgCluster) -> None:
    assert pg_cluster.replica_url is not None
    with psycopg.connect(pg_cluster.primary_url, autocommit=True) as con:
        assert con.execute("SELECT pg_is_in_recovery()").fetchone() == (False,)
        con.execute("DROP TABLE IF EXISTS cluster_probe")
        con.execute("CREATE TABLE cluster_probe AS SELECT ST_AsText(ST_Point(1, 2)) AS wkt")
    deadline = time.monotonic() + 10
    with psycopg.connect(pg_cluster.replica_url, autocommit=True) as con:
        assert con.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
        while True:
            try:
                row = con.execute("SELECT wkt FROM cluster_probe").fetchone()
                break
            except psycopg.errors.UndefinedTable:
                assert time.monotonic() < deadline, "replica did not receive the table"
                time.sleep(0.1)
    assert row == ("POINT(1 2)",)
    assert set(cluster.pids(pg_cluster.root)) == {"primary", "replica"}


def test_replica_stops_and_starts_again(pg_cluster: cluster.PgCluster) -> None:
    assert pg_cluster.replica_url is not None
    cluster.stop_replica(pg_cluster.root)
    try:
        assert "replica" not in cluster.pids(pg_cluster.root)
        try:
            psycopg.connect(pg_cluster.replica_url, connect_timeout=2).close()
            raise AssertionError("the stopped replica still accepts connections")
        except psycopg.OperationalError:
            pass
    finally:
        again = cluster.start_replica(pg_cluster.root)
    assert again.replica_url == pg_cluster.replica_url
    with psycopg.connect(pg_cluster.replica_url, connect_timeout=5) as con:
        assert con.execute("SELECT pg_is_in_recovery()").fetchone() == (True,)
