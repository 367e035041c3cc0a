"""SQL access to one dataset version in PostGIS, answering like the GeoPackage ``Layer``.

The same interface as :class:`opengeodata.providers.gpkg_sql.Layer` (columns, clauses, rows,
counts, ids), so the request parsing and the CQL2 compiler (``providers.cql2``) build one
``Where`` for either backend. Clauses are written with ``?`` placeholders; here they become
psycopg's ``%s`` (outside quoted names) and every value stays a bound parameter. Answers match
the GeoPackage: text sorts in byte order (columns are ``COLLATE "C"``), NULLs sort first
ascending and last descending (as in SQLite), geometries come as WKB and are encoded by the
shared GeoJSON writer, counts are left out past ``COUNT_CAP`` matches (deterministic, whatever
the load) or after ``COUNT_TIMEOUT_MS`` as a safety net.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import numpy as np
import psycopg
import shapely

from opengeodata.errors import DatabaseUnavailableError, InvalidRequestError
from opengeodata.postgis import db
from opengeodata.providers.gpkg_sql import FORMATS, JSON_TYPES, Where, page_clauses, quote
from opengeodata.providers.lru import LruCache

#: ORDER BY directions that sort NULLs as SQLite does (first ascending, last descending)
NULLS_ORDER = ("ASC NULLS FIRST", "DESC NULLS LAST")

#: milliseconds a count may take before numberMatched is left out (as the GeoPackage budget)
COUNT_TIMEOUT_MS = 2000
#: numberMatched is left out above this many matches (about what the GeoPackage's budget counts)
COUNT_CAP = 200_000


@lru_cache(maxsize=512)
def to_psycopg(sql: str) -> str:
    """``?`` placeholders -> ``%s`` and ``%`` -> ``%%``, leaving quoted names and strings."""
    out, quote_char = [], ""
    for ch in sql:
        if quote_char:
            if ch == quote_char:
                quote_char = ""
        elif ch in "\"'":
            quote_char = ch
        elif ch == "?":
            out.append("%s")
            continue
        out.append("%%" if ch == "%" else ch)
    return "".join(out)


class PgLayer:
    """Schema facts and per-thread connections of one loaded dataset version."""

    has_rtree = True  # a GiST index: the envelope test is the index test

    def __init__(self, url: str, dataset: str, version: str, info: dict[str, Any]) -> None:
        self.url = url
        self.dataset, self.version = dataset, version
        self.schema: str = info["schema_name"]
        self.table: str = info["table_name"]
        self.pk: str = info["pk"]
        self.geom: str = info["geom"]
        self.srid = int(info["srid"])
        #: attribute columns -> GeoPackage SQL type (upper case), as in the GeoPackage Layer
        self.columns: dict[str, str] = {str(k): str(v).upper() for k, v in info["columns"]}
        self.count = int(info["features"])
        self.fid_min = int(info["fid_min"] or 0)
        fid_max = int(info["fid_max"] or 0)
        self.contiguous = self.count > 0 and fid_max - self.fid_min + 1 == self.count
        self.qualified = f"{quote(self.schema)}.{quote(self.table)}"
        #: table of each row's stored default answer (CRS84, all properties), if loaded
        self.features_table: str | None = info.get("features_table")
        #: the id field those stored answers use
        self.features_id: str | None = info.get("features_id") if self.features_table else None
        self._local = threading.local()
        self._counts: LruCache[int | None] = LruCache(512)

    # -- connections ---------------------------------------------------------------------
    def connect(self) -> psycopg.Connection[Any]:
        """This thread's connection (reconnects after a broken one)."""
        con: psycopg.Connection[Any] | None = getattr(self._local, "con", None)
        if con is None or con.closed or con.broken:
            try:
                con = db.connect(self.url)
            except psycopg.Error as exc:
                raise DatabaseUnavailableError(f"feature database unreachable: {exc}") from exc
            self._local.con = con
        return con

    def _execute(self, sql: str, params: list[Any] | tuple[Any, ...]) -> psycopg.Cursor[Any]:
        """Run a query; 400 for values that do not fit a column, 503 when the database fails
        (one retry on a fresh connection first: a replica may cancel a query on conflict)."""
        for attempt in (1, 2):
            con = self.connect()
            try:
                return con.cursor(binary=True).execute(to_psycopg(sql), params)
            except (psycopg.errors.DataError, psycopg.errors.UndefinedFunction,
                    psycopg.errors.DatatypeMismatch) as exc:
                first = str(exc).strip().splitlines()[0]
                raise InvalidRequestError(f"filter: a value does not fit the property's type: "
                                          f"{first}") from exc
            except (psycopg.OperationalError, psycopg.errors.SerializationFailure,
                    psycopg.errors.QueryCanceled, psycopg.errors.UndefinedTable) as exc:
                if attempt == 2:
                    raise DatabaseUnavailableError(
                        f"feature database unavailable: {exc}") from exc
                self._local.con = None
                con.close()
        raise AssertionError("unreachable")

    def json_type(self, name: str) -> str:
        """JSON schema type of a column."""
        return JSON_TYPES.get(self.columns[name].split("(")[0], "string")

    def json_format(self, name: str) -> str | None:
        """JSON schema format of a column (date, date-time), if any."""
        return FORMATS.get(self.columns[name].split("(")[0])

    @staticmethod
    def decode(values: list[Any]) -> np.ndarray:
        """WKB values -> shapely geometries (None stays None)."""
        return shapely.from_wkb([None if v is None else bytes(v) for v in values])

    # -- filters -------------------------------------------------------------------------
    def _envelope(self) -> str:
        return f"ST_MakeEnvelope(?, ?, ?, ?, {self.srid})"

    def envelope_clause(self, where: Where, box: tuple[float, float, float, float]) -> None:
        """Rows whose envelope intersects ``box`` (GiST)."""
        where.add(f"{quote(self.geom)} && {self._envelope()}", *box)

    def bbox_clause(self, where: Where, box: tuple[float, float, float, float]) -> None:
        """Rows whose geometry intersects ``box`` exactly (GiST, then GEOS)."""
        where.add(f"ST_Intersects({quote(self.geom)}, {self._envelope()})", *box)

    def intersects_sql(self, geom: shapely.Geometry) -> tuple[str, list[Any]]:
        """SQL testing the geometry column against ``geom`` (storage CRS)."""
        return (f"ST_Intersects({quote(self.geom)}, ST_GeomFromWKB(?, {self.srid}))",
                [shapely.to_wkb(geom)])

    def area_clause(self, where: Where, area: shapely.Geometry) -> None:
        """Rows whose geometry intersects ``area`` (a box filter mapped to the storage CRS)."""
        if area.is_empty:
            where.add("FALSE")
            return
        minx, miny, maxx, maxy = area.bounds
        if isinstance(area, shapely.Polygon) and area.equals(shapely.box(minx, miny, maxx, maxy)):
            self.bbox_clause(where, (minx, miny, maxx, maxy))
        else:
            self.intersects_clause(where, area)

    def intersects_clause(self, where: Where, geom: shapely.Geometry) -> None:
        """Rows whose geometry intersects ``geom`` (storage CRS)."""
        sql, params = self.intersects_sql(geom)
        where.add(sql, *params)

    # -- reading -------------------------------------------------------------------------
    def count_matching(self, where: Where) -> int | None:
        """numberMatched for ``where``: cached per filter; None if too expensive to count."""
        if not where.clauses:
            return self.count
        key = where.key()
        hit, cached = self._counts.lookup(key)
        if hit:
            return cached
        con = self.connect()
        result: int | None
        try:
            with con.transaction():
                con.execute(f"SET LOCAL statement_timeout = {COUNT_TIMEOUT_MS}")
                row = con.execute(to_psycopg(
                    f"SELECT count(*) FROM (SELECT 1 FROM {self.qualified}{where.sql()} "
                    f"LIMIT {COUNT_CAP + 1}) AS capped"), where.params).fetchone()
                result = int(row[0]) if row else 0
                if result > COUNT_CAP:
                    result = None
        except psycopg.errors.QueryCanceled:
            return None  # the safety timeout (a busy database): not cached, try again later
        except (psycopg.errors.DataError, psycopg.errors.UndefinedFunction,
                psycopg.errors.DatatypeMismatch) as exc:
            first = str(exc).strip().splitlines()[0]
            raise InvalidRequestError(f"filter: a value does not fit the property's type: "
                                      f"{first}") from exc
        except psycopg.OperationalError as exc:
            raise DatabaseUnavailableError(f"feature database unavailable: {exc}") from exc
        self._counts.put(key, result)
        return result

    def select_sql(self, names: list[str], geometry: bool) -> str:
        """The column list: pk, geometry as WKB (or NULL), then ``names``."""
        cols = [quote(self.pk), f"ST_AsBinary({quote(self.geom)})" if geometry else "NULL"]
        return ", ".join(cols + [quote(n) for n in names])

    def rows(self, names: list[str], where: Where, order: list[tuple[str, bool]],
             offset: int, limit: int | None, geometry: bool = True
             ) -> Iterator[tuple[Any, ...]]:
        """Rows (pk, WKB, *names) matching ``where``, sorted and paged like the GeoPackage."""
        clauses, params, offset, order_sql = page_clauses(
            where, order, offset, self.pk, self.fid_min if self.contiguous else None,
            NULLS_ORDER)
        where_sql = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = (f"SELECT {self.select_sql(names, geometry)} FROM {self.qualified}"
               f"{where_sql} ORDER BY {order_sql} LIMIT ? OFFSET ?")
        params += [limit, offset]
        cursor = self._execute(sql, params)
        try:
            while batch := cursor.fetchmany(1000):
                yield from batch
        finally:
            cursor.close()

    def default_rows(self, where: Where, order: list[tuple[str, bool]], offset: int,
                     limit: int) -> list[bytes]:
        """The stored default Feature bytes of the rows ``rows()`` would return, in order."""
        assert self.features_table is not None
        clauses, params, offset, order_sql = page_clauses(
            where, order, offset, self.pk, self.fid_min if self.contiguous else None,
            NULLS_ORDER)
        where_sql = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        side = f"{quote(self.schema)}.{quote(self.features_table)}"
        if not clauses and not order:
            sql = f"SELECT ogd_feature FROM {side} ORDER BY ogd_fid LIMIT ? OFFSET ?"
        elif not order and clauses == [f"{quote(self.pk)} >= ?"]:
            sql = (f"SELECT ogd_feature FROM {side} WHERE ogd_fid >= ? ORDER BY ogd_fid "
                   "LIMIT ? OFFSET ?")
        else:
            sql = (f"SELECT ogd_feature FROM {self.qualified} JOIN {side} "
                   f"ON ogd_fid = {quote(self.pk)}{where_sql} ORDER BY {order_sql} "
                   "LIMIT ? OFFSET ?")
        return [bytes(r[0]) for r in self._execute(sql, [*params, limit, offset]).fetchall()]

    def by_id(self, key: str, value: Any, names: list[str],
              geometry: bool = True) -> tuple[Any, ...] | None:
        """The row whose ``key`` column equals ``value``."""
        sql = (f"SELECT {self.select_sql(names, geometry)} FROM {self.qualified} "
               f"WHERE {quote(key)} = ? LIMIT 1")
        row: tuple[Any, ...] | None = self._execute(sql, (value,)).fetchone()
        return row


_LAYERS: dict[tuple[str, str, str], PgLayer] = {}
_LAYERS_LOCK = threading.Lock()


def open_pg_layer(url: str, dataset: str, version: str) -> PgLayer | None:
    """The PgLayer of a loaded version (cached); None if ``url``'s database lacks it."""
    key = (url, dataset, version)
    layer = _LAYERS.get(key)
    if layer is not None:
        return layer
    try:
        with db.connect(url) as con:
            info = db.version_info(con, dataset, version)
    except psycopg.Error as exc:
        raise DatabaseUnavailableError(f"feature database unreachable: {exc}") from exc
    if info is None:
        return None
    layer = PgLayer(url, dataset, version, info)
    with _LAYERS_LOCK:
        for old in [k for k in _LAYERS if k[:2] == (url, dataset)]:
            del _LAYERS[old]
        _LAYERS[key] = layer
    return layer
