"""Default answers encoded once at publish time, copied per request.

A default items page (CRS84, all properties, with geometry) is the same Feature bytes for a
feature whatever the page, filter or sort: :func:`write_stored` writes them once per
published GeoPackage with the engine's own writer (``geojson.default_features``, so the
bytes are exactly those the per-request encoder writes) into the file beside it
(:mod:`opengeodata.providers.gpkg_stored`); the PostGIS load copies them into its side table.
:func:`stored_page` answers a page from them when the request asks for the default encoding
and the backend has them; otherwise the caller encodes rows (``geojson.feature_bytes``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from opengeodata.engine.geojson import default_features
from opengeodata.engine.query import ItemsQuery
from opengeodata.engine.source import FeatureSource
from opengeodata.ogc import CRS84, EPSG_URI
from opengeodata.providers import gpkg_stored
from opengeodata.providers.gpkg_sql import Where, decode_blobs, quote

BATCH = 5000


def stored_page(source: FeatureSource, query: ItemsQuery, where: Where,
                limit: int) -> list[bytes] | None:
    """Up to ``limit`` stored Feature bytes of the page ``query`` asks for, in order; None if
    the request is not a default one (CRS, properties, skipGeometry) or none are stored."""
    backend = source.backend
    if (backend.features_id is None or backend.features_id != source.id_field
            or query.crs != CRS84 or query.skip_geometry
            or list(query.names) != list(backend.columns)):
        return None
    return backend.default_rows(where, query.order, query.offset, limit)


def _layer(con: sqlite3.Connection) -> tuple[str, str, int, str, list[str]]:
    table, geom, srid = con.execute(
        "SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns LIMIT 1").fetchone()
    cols = con.execute(f"PRAGMA table_info({quote(table)})").fetchall()
    pk = next((c[1] for c in cols if c[5]), "fid")
    return table, geom, int(srid), pk, [c[1] for c in cols if c[1] not in (geom, pk)]


def iter_stored(path: Path, id_field: str | None) -> Iterator[tuple[int, bytes]]:
    """(fid, default Feature bytes) of every row of the GeoPackage at ``path``, in fid order,
    encoded from the rows as the server reads them (the id: ``id_field`` if a column, else
    the fid)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        table, geom, srid, pk, columns = _layer(con)
        names = [pk, geom, *columns]
        id_index = names.index(id_field) if id_field and id_field in columns else 0
        storage = EPSG_URI.format(srid)
        rows = con.execute(f"SELECT {', '.join(quote(n) for n in names)} "
                           f"FROM {quote(table)} ORDER BY {quote(pk)}")
        while batch := rows.fetchmany(BATCH):
            encoded = default_features(batch, columns, id_index, storage, decode_blobs)
            yield from zip((r[0] for r in batch), encoded, strict=True)
    finally:
        con.close()


def write_stored(gpkg: Path, id_field: str | None) -> Path | None:
    """Write the stored default answers of the GeoPackage ``gpkg`` beside it; returns the
    file (None: the GeoPackage has no feature layer)."""
    lite = sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True)
    try:
        if lite.execute("SELECT 1 FROM sqlite_master WHERE name = 'gpkg_geometry_columns'"
                        ).fetchone() is None:
            return None
        table, _, _, pk, columns = _layer(lite)
    finally:
        lite.close()
    target = gpkg_stored.stored_path(gpkg)
    target.unlink(missing_ok=True)
    con = sqlite3.connect(target)
    try:
        con.execute("PRAGMA journal_mode = OFF")
        con.execute("PRAGMA synchronous = OFF")
        con.execute(f"CREATE TABLE {gpkg_stored.TABLE} (ogd_fid INTEGER PRIMARY KEY, "
                    "ogd_feature BLOB NOT NULL)")
        count = 0
        batch: list[tuple[int, bytes]] = []
        for item in iter_stored(gpkg, id_field):
            batch.append(item)
            if len(batch) >= BATCH:
                con.executemany(f"INSERT INTO {gpkg_stored.TABLE} VALUES (?, ?)", batch)
                count += len(batch)
                batch = []
        con.executemany(f"INSERT INTO {gpkg_stored.TABLE} VALUES (?, ?)", batch)
        count += len(batch)
        ident = id_field if id_field and id_field in columns else pk
        meta = {"format": gpkg_stored.FORMAT, "table": table, "columns": json.dumps(columns),
                "id_field": ident, "count": str(count)}
        con.execute(f"CREATE TABLE {gpkg_stored.META} (key TEXT PRIMARY KEY, value TEXT)")
        con.executemany(f"INSERT INTO {gpkg_stored.META} VALUES (?, ?)", meta.items())
        con.commit()
    finally:
        con.close()
    return target
