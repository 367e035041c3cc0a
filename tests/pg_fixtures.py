"""The real PostgreSQL 15 + PostGIS primary and streaming replica, started once per session."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from opengeodata.postgis import cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[cluster.PgCluster]:
    """A primary and one streaming replica on free ports (skipped if PostgreSQL is missing)."""
    reason = cluster.available()
    if reason is not None:
        pytest.skip(f"PostgreSQL/PostGIS cannot run here: {reason}")
    root = Path(tempfile.mkdtemp(prefix="ogd-pg-"))
    pg = cluster.start(root, fast=True)
    try:
        yield pg
    finally:
        cluster.stop(root, remove=True)


def new_database(pg: cluster.PgCluster, name: str) -> tuple[str, str | None]:
    """A fresh PostGIS database ``name`` (dropped first); its (primary, replica) URLs."""
    import psycopg

    with psycopg.connect(pg.primary_url, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        con.execute(f"CREATE DATABASE {name}")
    primary = cluster.url(pg.port, name)
    with psycopg.connect(primary, autocommit=True) as con:
        con.execute("CREATE EXTENSION postgis")
    return primary, cluster.url(pg.replica_port, name) if pg.replica_port else None
