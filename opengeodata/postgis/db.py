"""PostGIS as the feature store: connections, schema names, the live table and NOTIFY.

Each published vector version lives in its own schema ``ogd_<id>_<version>`` (one table named
after the dataset). The meta schema ``ogd`` holds::

    ogd.versions (dataset, version, schema_name, table_name, features, fid_min, fid_max, ...)
    ogd.live     (dataset PRIMARY KEY, version, schema_name, switched_at)

A version's row in ``ogd.versions`` is written in the transaction that finishes its load
(indexes and ANALYZE included), so a reader that sees the row sees a complete schema. The live
switch updates ``ogd.live`` and sends ``NOTIFY ogd_live`` in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from opengeodata.errors import PublishError, SettingsError

META = "ogd"
CHANNEL = "ogd_live"
CONNECT_TIMEOUT = 3
_MAX_IDENT = 63


def check_url(value: str, variable: str) -> str:
    """A libpq URL (``postgresql://...``) or key=value string; SettingsError naming the variable."""
    value = value.strip()
    if not value:
        raise SettingsError(f"{variable} is empty; give a postgresql:// URL or unset it")
    if "://" in value and not value.startswith(("postgresql://", "postgres://")):
        raise SettingsError(f"{variable}={value!r}: not a PostgreSQL URL "
                            "(postgresql://user@host:port/database)")
    try:
        psycopg.conninfo.conninfo_to_dict(value)
    except psycopg.ProgrammingError as exc:
        raise SettingsError(f"{variable}={value!r}: invalid connection string: {exc}") from None
    return value


def connect(url: str, *, autocommit: bool = True, timeout: int = CONNECT_TIMEOUT,
            **kwargs: Any) -> psycopg.Connection[Any]:
    """A connection with a short connect timeout (never hangs on an unreachable host)."""
    return psycopg.connect(url, autocommit=autocommit, connect_timeout=timeout,
                           application_name="opengeodata", **kwargs)


def check_database(url: str, variable: str) -> None:
    """Connect once and check PostGIS is there; SettingsError naming ``variable`` otherwise."""
    try:
        with connect(url) as con:
            row = con.execute(
                "SELECT extversion FROM pg_extension WHERE extname = 'postgis'").fetchone()
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SettingsError(f"{variable}: cannot connect to the database: {first}") from None
    if row is None:
        raise SettingsError(f"{variable}: the database has no PostGIS extension "
                            "(CREATE EXTENSION postgis)")


def schema_name(dataset: str, version: str) -> str:
    """``ogd_<id>_<version>`` as a lower-case identifier of at most 63 characters."""
    name = re.sub(r"[^a-z0-9]+", "_", f"ogd_{dataset}_{version}".lower()).strip("_")
    if len(name) > _MAX_IDENT:
        digest = hashlib.sha256(f"{dataset}\x00{version}".encode()).hexdigest()[:10]
        name = f"{name[:_MAX_IDENT - 11]}_{digest}"
    return name


def table_name(dataset: str) -> str:
    """The table of a dataset inside its version schema."""
    return re.sub(r"[^a-z0-9]+", "_", dataset.lower()).strip("_")[:_MAX_IDENT] or "features"


def ensure_meta(con: psycopg.Connection[Any]) -> None:
    """Create the ``ogd`` meta schema and its tables if missing."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {META}")
    con.execute(f"""CREATE TABLE IF NOT EXISTS {META}.versions (
        dataset text NOT NULL, version text NOT NULL, schema_name text NOT NULL,
        table_name text NOT NULL, features bigint NOT NULL, fid_min bigint, fid_max bigint,
        pk text NOT NULL, geom text NOT NULL, srid integer NOT NULL, columns jsonb NOT NULL,
        features_table text, features_id text,
        loaded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (dataset, version))""")
    for column in ("features_table", "features_id"):  # added after the first release
        con.execute(f"ALTER TABLE {META}.versions ADD COLUMN IF NOT EXISTS {column} text")
    con.execute(f"""CREATE TABLE IF NOT EXISTS {META}.live (
        dataset text PRIMARY KEY, version text NOT NULL, schema_name text NOT NULL,
        switched_at timestamptz NOT NULL DEFAULT now())""")


@contextmanager
def transaction(url: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection inside one transaction (committed on success, rolled back on error)."""
    with connect(url, autocommit=False) as con, con.transaction():
        yield con


def switch_live(url: str, dataset: str, version: str) -> None:
    """Make ``version`` live in one transaction with ``NOTIFY ogd_live``; PublishError if
    the version was never loaded."""
    try:
        with transaction(url) as con:
            ensure_meta(con)
            row = con.execute(f"SELECT schema_name FROM {META}.versions "
                              "WHERE dataset = %s AND version = %s", (dataset, version)).fetchone()
            if row is None:
                raise PublishError(f"{dataset}: version {version} is not loaded into PostGIS; "
                                   "not switching to it")
            con.execute(
                f"INSERT INTO {META}.live (dataset, version, schema_name) VALUES (%s, %s, %s) "
                "ON CONFLICT (dataset) DO UPDATE SET version = EXCLUDED.version, "
                "schema_name = EXCLUDED.schema_name, switched_at = now()",
                (dataset, version, row[0]))
            con.execute("SELECT pg_notify(%s, %s)",
                        (CHANNEL, json.dumps({"dataset": dataset, "version": version})))
    except psycopg.Error as exc:
        raise PublishError(f"{dataset}: PostGIS live switch to {version} failed: {exc}") from exc


def drop_versions(url: str, dataset: str, versions: list[str]) -> None:
    """Drop the schemas and rows of ``versions`` (never the live one)."""
    if not versions:
        return
    with transaction(url) as con:
        ensure_meta(con)
        live = live_versions(con).get(dataset)
        for version in versions:
            if version == live:
                continue
            con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(schema_name(dataset, version))))
            con.execute(f"DELETE FROM {META}.versions WHERE dataset = %s AND version = %s",
                        (dataset, version))


def loaded_versions(con: psycopg.Connection[Any], dataset: str) -> list[str]:
    """Versions of ``dataset`` with a complete schema."""
    if not has_meta(con):
        return []
    return [r[0] for r in con.execute(
        f"SELECT version FROM {META}.versions WHERE dataset = %s ORDER BY version", (dataset,))]


def has_meta(con: psycopg.Connection[Any]) -> bool:
    """True once the ``ogd`` tables exist (the first publish creates them)."""
    row = con.execute("SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
                      (f"{META}.versions", f"{META}.live")).fetchone()
    return bool(row and row[0])


def live_versions(con: psycopg.Connection[Any]) -> dict[str, str]:
    """dataset -> live version from ``ogd.live``."""
    if not has_meta(con):
        return {}
    return {r[0]: r[1] for r in con.execute(f"SELECT dataset, version FROM {META}.live")}


def version_info(con: psycopg.Connection[Any], dataset: str, version: str
                 ) -> dict[str, Any] | None:
    """The ``ogd.versions`` row of a loaded version (None if this database lacks it)."""
    if not has_meta(con):
        return None
    keys = ("schema_name", "table_name", "features", "fid_min", "fid_max", "pk", "geom", "srid",
            "columns", "features_table", "features_id")
    cur = con.execute(f"SELECT {', '.join(keys)} FROM {META}.versions "
                      "WHERE dataset = %s AND version = %s", (dataset, version))
    row = cur.fetchone()
    return None if row is None else dict(zip(keys, row, strict=True))


def replica_lag(con: psycopg.Connection[Any]) -> float | None:
    """Seconds a streaming replica is behind (0 when it has replayed all it received);
    None on a primary."""
    row = con.execute(
        "SELECT pg_is_in_recovery(), CASE WHEN pg_last_wal_receive_lsn() = "
        "pg_last_wal_replay_lsn() THEN 0 ELSE "
        "EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END").fetchone()
    if row is None or not row[0]:
        return None
    return max(0.0, float(row[1] or 0.0))
