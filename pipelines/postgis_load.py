"""Load a published version's GeoPackage layer into PostGIS (when ``database_url`` is set).

One schema per dataset version (``ogd_<id>_<version>``) with one table: the GeoPackage fid as
primary key, the attribute columns with types that answer like SQLite (text ``COLLATE "C"``,
so sorting is byte order as in the GeoPackage; booleans as 0/1 ``smallint``; dates as their
text), the geometry as ``geometry(Geometry, <srid>)``. Rows go in with one binary ``COPY``
(EWKB geometries), then the GiST and id indexes and ``ANALYZE``; the version's row in
``ogd.versions`` is committed last. Nothing here touches ``ogd.live``: the switch is
:func:`opengeodata.postgis.db.switch_live`, called after the files are published.
"""

from __future__ import annotations

import sqlite3
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.adapt import Dumper
from psycopg.pq import Format
from psycopg.types import TypeInfo
from psycopg.types.json import Jsonb

from opengeodata.engine.geojson import default_features
from opengeodata.errors import PublishError
from opengeodata.manifest import Manifest
from opengeodata.ogc import EPSG_URI
from opengeodata.postgis import db
from opengeodata.providers import gpkg_stored
from opengeodata.providers.gpkg_sql import ENVELOPE_SIZES, decode_blobs, quote

_PG_TYPES = {"INTEGER": "bigint", "MEDIUMINT": "bigint", "SMALLINT": "bigint",
             "TINYINT": "bigint", "INT": "bigint", "BOOLEAN": "smallint", "REAL": "float8",
             "DOUBLE": "float8", "FLOAT": "float8"}
_EWKB_SRID = 0x20000000


class _Ewkb(bytes):
    """Geometry bytes for the binary COPY (dumped as PostGIS ``geometry``)."""


def pg_type(sqlite_type: str) -> str:
    """The PostgreSQL column type for a GeoPackage column type."""
    return _PG_TYPES.get(sqlite_type.upper().split("(")[0], 'text COLLATE "C"')


def ewkb(blob: bytes | None, srid: int) -> _Ewkb | None:
    """A GeoPackage geometry blob as EWKB with ``srid`` (header patched, no parsing)."""
    if blob is None:
        return None
    wkb = blob[8 + ENVELOPE_SIZES[(blob[3] >> 1) & 0x07]:]
    order = "<" if wkb[0] == 1 else ">"
    (kind,) = struct.unpack_from(order + "I", wkb, 1)
    if kind & _EWKB_SRID:
        return _Ewkb(wkb)
    return _Ewkb(wkb[:1] + struct.pack(order + "II", kind | _EWKB_SRID, srid) + wkb[5:])


def _register_geometry(con: psycopg.Connection[Any]) -> int:
    """Register the EWKB dumper; returns the oid of ``geometry``."""
    info = TypeInfo.fetch(con, "geometry")
    if info is None:
        raise PublishError("the database has no PostGIS geometry type (CREATE EXTENSION postgis)")
    geometry_oid = int(info.oid)

    class GeometryDumper(Dumper):
        format = Format.BINARY
        oid = geometry_oid

        def dump(self, obj: Any) -> bytes:
            return bytes(obj)

    con.adapters.register_dumper(_Ewkb, GeometryDumper)
    return geometry_oid


def _gpkg_layer(path: Path) -> tuple[sqlite3.Connection, str, str, int, str, dict[str, str]]:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    table, geom, srid = con.execute(
        "SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns LIMIT 1").fetchone()
    cols = con.execute(f"PRAGMA table_info({quote(table)})").fetchall()
    pk = next((c[1] for c in cols if c[5]), "fid")
    columns = {c[1]: (c[2] or "TEXT") for c in cols if c[1] not in (geom, pk)}
    return con, table, geom, int(srid), pk, columns


def load_version(url: str, manifest: Manifest, folder: Path, id_field: str | None = None,
                 log: Callable[[str], None] = lambda _m: None) -> str | None:
    """Load the version in ``folder`` into its own schema; returns the schema (None: no layer).

    A schema left by a crashed run is replaced. Any failure drops the new schema and raises
    PublishError: nothing live changes.
    """
    gpkg = manifest.output("gpkg")
    if not manifest.layer or gpkg is None:
        return None
    started = time.monotonic()
    dataset, version = manifest.dataset, manifest.version
    schema, table = db.schema_name(dataset, version), db.table_name(dataset)
    lite, src_table, geom, srid, pk, columns = _gpkg_layer(folder / gpkg.name)
    ident = sql.Identifier
    target = sql.SQL("{}.{}").format(ident(schema), ident(table))
    try:
        with db.transaction(url) as con:
            db.ensure_meta(con)
            geometry_oid = _register_geometry(con)
            con.execute(f"DELETE FROM {db.META}.versions WHERE dataset = %s AND version = %s",
                        (dataset, version))
            con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(ident(schema)))
            con.execute(sql.SQL("CREATE SCHEMA {}").format(ident(schema)))
            defs = [sql.SQL("{} bigint PRIMARY KEY").format(ident(pk)),
                    sql.SQL("{} geometry(Geometry, {})").format(ident(geom), sql.Literal(srid))]
            defs += [sql.SQL("{} " + pg_type(t)).format(ident(n)) for n, t in columns.items()]
            con.execute(sql.SQL("CREATE TABLE {} ({})").format(target, sql.SQL(", ").join(defs)))
            names = [pk, geom, *columns]
            oids = {"bigint": 20, "smallint": 21, "float8": 701, "text": 25}
            types = [20, geometry_oid] + [oids[pg_type(t).split()[0]] for t in columns.values()]
            copy_sql = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
                target, sql.SQL(", ").join(map(ident, names)))
            select = ", ".join(quote(n) for n in names)
            rows = lite.execute(f"SELECT {select} FROM {quote(src_table)}")
            count = 0
            with con.cursor() as cur, cur.copy(copy_sql) as copy:
                copy.set_types(types)
                while batch := rows.fetchmany(5000):
                    for row in batch:
                        copy.write_row((row[0], ewkb(row[1], srid), *row[2:]))
                    count += len(batch)
            id_name = id_field if id_field and id_field in columns else pk
            side = _load_default_features(con, lite, schema, table, src_table, names,
                                          names.index(id_name), srid, folder / gpkg.name)
            con.execute(sql.SQL("CREATE INDEX ON {} USING gist ({})").format(target, ident(geom)))
            if id_field and id_field in columns:
                con.execute(sql.SQL("CREATE INDEX ON {} ({})").format(target, ident(id_field)))
            con.execute(sql.SQL("ANALYZE {}").format(target))
            fid_min, fid_max = con.execute(sql.SQL("SELECT min({0}), max({0}) FROM {1}").format(
                ident(pk), target)).fetchone() or (None, None)
            con.execute(
                f"INSERT INTO {db.META}.versions (dataset, version, schema_name, table_name, "
                "features, fid_min, fid_max, pk, geom, srid, columns, features_table, "
                "features_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (dataset, version, schema, table, count, fid_min, fid_max, pk, geom, srid,
                 Jsonb(list(columns.items())),  # a list: jsonb objects lose order
                 side, id_name))
    except (psycopg.Error, ValueError, TypeError, struct.error) as exc:
        raise PublishError(f"{dataset}: loading version {version} into PostGIS failed "
                           f"({type(exc).__name__}: {str(exc).strip()[:300]}); nothing was "
                           "published") from exc
    finally:
        lite.close()
    log(f"PostGIS: {count} features into {schema}.{table} in "
        f"{time.monotonic() - started:.1f}s")
    return schema


def _load_default_features(con: psycopg.Connection[Any], lite: sqlite3.Connection,
                           schema: str, table: str, src_table: str, names: list[str],
                           id_index: int, srid: int, gpkg: Path) -> str:
    """Store each row's default GeoJSON Feature (CRS84, all properties) in ``<table>_features``:
    copied from the GeoPackage's stored answers when they were written for the same layer and
    id field, else encoded with the engine's own writer; plain pages are then copied instead
    of re-encoded."""
    side = f"{table}_features"[:63]
    target = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(side))
    con.execute(sql.SQL("CREATE TABLE {} (ogd_fid bigint PRIMARY KEY, ogd_feature bytea "
                        "NOT NULL)").format(target))
    stored = gpkg_stored.stored_path(gpkg)
    info = gpkg_stored.read_info(stored)
    reuse = (info is not None and info.format == gpkg_stored.FORMAT and info.table == src_table
             and info.columns == names[2:] and info.id_field == names[id_index])
    with con.cursor() as cur, cur.copy(sql.SQL(
            "COPY {} (ogd_fid, ogd_feature) FROM STDIN (FORMAT BINARY)").format(target)) as copy:
        copy.set_types([20, 17])
        if reuse:
            side_con = sqlite3.connect(f"file:{stored}?mode=ro", uri=True)
            try:
                rows = side_con.execute(
                    f"SELECT ogd_fid, ogd_feature FROM {gpkg_stored.TABLE} ORDER BY ogd_fid")
                while batch := rows.fetchmany(5000):
                    for item in batch:
                        copy.write_row(item)
            finally:
                side_con.close()
            return side
        rows = lite.execute(
            f"SELECT {', '.join(quote(n) for n in names)} FROM {quote(src_table)}")
        storage = EPSG_URI.format(srid)
        while batch := rows.fetchmany(5000):
            encoded = default_features(batch, names[2:], id_index, storage, decode_blobs)
            for row, feature in zip(batch, encoded, strict=True):
                copy.write_row((row[0], feature))
    return side


def drop_orphans(url: str, dataset: str, kept: list[str]) -> list[str]:
    """Drop schemas of ``dataset`` whose version is no longer kept (pruned or crashed runs)."""
    try:
        with db.connect(url) as con:
            loaded = db.loaded_versions(con, dataset)
            live = db.live_versions(con).get(dataset)
    except psycopg.Error as exc:
        raise PublishError(f"{dataset}: PostGIS is unreachable: {exc}") from exc
    gone = [v for v in loaded if v not in kept and v != live]
    db.drop_versions(url, dataset, gone)
    return gone
