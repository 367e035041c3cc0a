"""SQL access to one published GeoPackage layer: R-tree bbox, indexed ids, fast paging.

Every value from a request is bound as an SQL parameter; only column names that exist in the
layer schema (checked against ``Layer.columns``) are quoted into SQL text.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from opengeodata.errors import NotFoundError
from opengeodata.providers import gpkg_stored
from opengeodata.providers.gpkg_geom import ENVELOPE_SIZES as ENVELOPE_SIZES
from opengeodata.providers.gpkg_geom import blob_wkb as blob_wkb
from opengeodata.providers.gpkg_geom import decode_blobs, inner_box_of, sql_intersects
from opengeodata.providers.lru import LruCache

JSON_TYPES = {"INTEGER": "integer", "MEDIUMINT": "integer", "SMALLINT": "integer",
              "TINYINT": "integer", "INT": "integer", "BOOLEAN": "boolean", "REAL": "number",
              "DOUBLE": "number", "FLOAT": "number", "DATE": "string", "DATETIME": "string"}
FORMATS = {"DATE": "date", "DATETIME": "date-time"}
#: SQLite VM steps a count may take before numberMatched is left out (about 0.1 s).
COUNT_BUDGET_STEPS = 3_000_000
#: bytes of the stored answers file mapped into memory (shared by the OS page cache)
STORED_MMAP_BYTES = 1 << 30
#: match sets of area filters kept per layer (sorted fids; 8 bytes a match)
AREA_IDS_CACHED = 16
#: whole-layer sort orders kept per layer (all fids; 8 bytes a row), for layers up to
#: SORTED_MAX_ROWS rows
ORDERS_CACHED = 8
SORTED_MAX_ROWS = 500_000


def page_clauses(where: Where, order: list[tuple[str, bool]], offset: int, pk: str,
                 fid_min: int | None, directions: tuple[str, str] = ("ASC", "DESC")
                 ) -> tuple[list[str], list[Any], int, str]:
    """(clauses, params, offset, ORDER BY) of a page, both backends. Unfiltered pages in fid
    order of a table with contiguous fids (``fid_min`` given) seek to the page instead of
    skipping rows: deep pages are as fast as the first."""
    params = list(where.params)
    clauses = list(where.clauses)
    if not order and not clauses and fid_min is not None:
        clauses.append(f"{quote(pk)} >= ?")
        params.append(fid_min + offset)
        offset = 0
    order_sql = ", ".join(f"{quote(name)} {directions[desc]}" for name, desc in order)
    return clauses, params, offset, f"{order_sql}, {quote(pk)}" if order_sql else quote(pk)


def quote(name: str) -> str:
    """An SQL identifier (names come from the layer schema, never from requests)."""
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Where:
    """A WHERE clause with its bound parameters; spatial envelopes for the R-tree prefilter."""

    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    #: (area WKB, inner box) when the only clause is a GeoPackage area filter: its sorted
    #: matching fids are cached, so its pages are slices (not the whole match set per page)
    area: tuple[bytes, tuple[float, float, float, float] | None] | None = None

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def sql(self) -> str:
        return f" WHERE {' AND '.join(self.clauses)}" if self.clauses else ""

    def key(self) -> tuple[Any, ...]:
        return (tuple(self.clauses), tuple(self.params))


class Layer:
    """Schema facts and connections of one GeoPackage layer (one per published file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._counts: LruCache[int | None] = LruCache(512)
        self._edges: LruCache[str] = LruCache(256)
        self._area_ids: LruCache[np.ndarray] = LruCache(AREA_IDS_CACHED)
        self._orders: LruCache[np.ndarray] = LruCache(ORDERS_CACHED)
        self._orders_seen: LruCache[bool] = LruCache(64)
        self._extent: tuple[int, float, float, float, float] | None = None
        #: the file of each row's stored default answer (CRS84, all properties), if written
        self.stored: Path | None = None
        #: the id field those stored answers use (None: no stored answers)
        self.features_id: str | None = None
        con = self.connect()
        row = con.execute(
            "SELECT table_name, column_name, srs_id FROM gpkg_geometry_columns LIMIT 1"
        ).fetchone()
        if row is None:
            raise NotFoundError(f"{path.name}: no geometry layer")
        self.table, self.geom, self.srs_id = row
        cols = con.execute(f"PRAGMA table_info({quote(self.table)})").fetchall()
        self.pk: str = next((c[1] for c in cols if c[5]), "fid")
        #: attribute columns (not pk, not geometry) -> declared SQL type (upper case)
        self.columns: dict[str, str] = {
            c[1]: (c[2] or "TEXT").upper() for c in cols if c[1] not in (self.geom, self.pk)
        }
        self.rtree = f"rtree_{self.table}_{self.geom}"
        self.has_rtree = con.execute(
            "SELECT 1 FROM sqlite_master WHERE name = ?", (self.rtree,)
        ).fetchone() is not None
        count, fid_min, fid_max = con.execute(
            f"SELECT count(*), min({quote(self.pk)}), max({quote(self.pk)}) "
            f"FROM {quote(self.table)}"
        ).fetchone()
        self.count: int = count
        self.fid_min: int = fid_min or 0
        #: fids are 1..N without gaps (freshly written file): offset k is fid_min + k
        self.contiguous = count > 0 and fid_max - fid_min + 1 == count
        self._open_stored(con)

    def _open_stored(self, con: sqlite3.Connection) -> None:
        """Use the stored answers beside the file if they were written for this layer
        (``con``: this thread's connection, opened before they were known)."""
        path = gpkg_stored.stored_path(self.path)
        info = gpkg_stored.read_info(path)
        if (info is None or info.format != gpkg_stored.FORMAT or info.table != self.table
                or info.columns != list(self.columns) or info.count != self.count
                or {"ogd_fid", "ogd_feature"} & set(self.columns)):
            return
        self.stored, self.features_id = path, info.id_field
        self._attach(con)

    def _attach(self, con: sqlite3.Connection) -> None:
        assert self.stored is not None
        con.execute("ATTACH DATABASE ? AS ogd_stored", (f"file:{self.stored}?mode=ro&immutable=1",))
        # memory-mapped: a sorted page reads its features from all over the file
        con.execute(f"PRAGMA ogd_stored.mmap_size = {STORED_MMAP_BYTES}")

    def connect(self) -> sqlite3.Connection:
        """A read-only connection for this thread (immutable file: no locks, no journal)."""
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True,
                                  check_same_thread=False)
            con.create_function("ogd_intersects", 2, sql_intersects, deterministic=True)
            con.execute("PRAGMA case_sensitive_like = ON")
            con.execute("PRAGMA cache_size = -4000")
            if self.stored is not None:
                self._attach(con)
            self._local.con = con
        return con

    def json_type(self, name: str) -> str:
        """JSON schema type of a column."""
        return JSON_TYPES.get(self.columns[name].split("(")[0], "string")

    def json_format(self, name: str) -> str | None:
        """JSON schema format of a column (date, date-time), if any."""
        return FORMATS.get(self.columns[name].split("(")[0])

    # -- filters -------------------------------------------------------------------------
    def envelope_clause(self, where: Where, box: tuple[float, float, float, float]) -> None:
        """Rows whose envelope intersects ``box`` (R-tree)."""
        where.add(
            f"{quote(self.pk)} IN (SELECT id FROM {quote(self.rtree)} "
            "WHERE maxx >= ? AND minx <= ? AND maxy >= ? AND miny <= ?)",
            box[0], box[2], box[1], box[3],
        )

    def bbox_clause(self, where: Where, box: tuple[float, float, float, float]) -> None:
        """Rows whose geometry intersects ``box``: envelopes inside it need no exact test."""
        if self.has_rtree:
            self.envelope_clause(where, box)
            where.add(
                f"({quote(self.pk)} IN (SELECT id FROM {quote(self.rtree)} WHERE minx >= ? "
                "AND maxx <= ? AND miny >= ? AND maxy <= ?) OR "
                f"ogd_intersects({quote(self.geom)}, ?))",
                box[0], box[2], box[1], box[3], shapely.to_wkb(shapely.box(*box)),
            )
        else:
            where.add(f"ogd_intersects({quote(self.geom)}, ?)", shapely.to_wkb(shapely.box(*box)))

    def intersects_sql(self, geom: shapely.Geometry) -> tuple[str, list[Any]]:
        """SQL testing the geometry column against ``geom`` (storage CRS), exactly."""
        return f"ogd_intersects({quote(self.geom)}, ?)", [shapely.to_wkb(geom)]

    @staticmethod
    def decode(blobs: list[bytes | None]) -> np.ndarray:
        """Geometry values of ``rows`` -> shapely geometries."""
        return decode_blobs(blobs)

    def intersects_clause(self, where: Where, geom: shapely.Geometry) -> None:
        """Rows whose geometry intersects ``geom`` (storage CRS): R-tree, then exact test."""
        minx, miny, maxx, maxy = geom.bounds
        if isinstance(geom, shapely.Polygon) and geom.equals(shapely.box(minx, miny, maxx, maxy)):
            self.bbox_clause(where, (minx, miny, maxx, maxy))
            return
        if self.has_rtree:
            self.envelope_clause(where, (minx, miny, maxx, maxy))
        where.add(f"ogd_intersects({quote(self.geom)}, ?)", shapely.to_wkb(geom))

    def area_clause(self, where: Where, area: shapely.Geometry) -> None:
        """Rows whose geometry intersects ``area`` (a box filter mapped to the storage CRS).

        The R-tree finds the candidates; those whose envelope lies inside the largest
        rectangle within ``area`` match without a test; the rest (a band along its edge)
        are tested exactly, all at once (shapely, prepared ``area``), and their matching ids
        are bound as one JSON array. Cached per area.
        """
        if area.is_empty:
            where.add("0")
            return
        minx, miny, maxx, maxy = area.bounds
        rectangle = isinstance(area, shapely.Polygon) and area.equals(
            shapely.box(minx, miny, maxx, maxy))
        area_wkb = shapely.to_wkb(area)
        inner = (minx, miny, maxx, maxy) if rectangle else inner_box_of(area_wkb)
        if inner is not None and self._all_inside(inner):
            return  # every feature lies inside the area: nothing to filter
        if rectangle:
            self.bbox_clause(where, (minx, miny, maxx, maxy))
            return
        if not self.has_rtree:
            where.add(f"ogd_intersects({quote(self.geom)}, ?)", area_wkb)
            return
        edge = self._edge_matches(area_wkb, inner)
        if not where.clauses:
            where.area = (area_wkb, inner)
        if inner is None:
            where.add(f"{quote(self.pk)} IN (SELECT value FROM json_each(?))", edge)
            return
        where.add(
            f"{quote(self.pk)} IN (SELECT id FROM {quote(self.rtree)} WHERE minx >= ? "
            "AND maxx <= ? AND miny >= ? AND maxy <= ? "
            "UNION ALL SELECT value FROM json_each(?))",
            inner[0], inner[2], inner[1], inner[3], edge,
        )

    def _all_inside(self, box: tuple[float, float, float, float]) -> bool:
        """True if every row has an R-tree envelope and all of them lie inside ``box``."""
        if not self.has_rtree:
            return False
        if self._extent is None:
            n, *box_ = self.connect().execute(
                f"SELECT count(*), min(minx), min(miny), max(maxx), max(maxy) "
                f"FROM {quote(self.rtree)}").fetchone()
            nan = float("nan")  # an empty R-tree: inside nothing
            x0, y0, x1, y1 = (nan if v is None else float(v) for v in box_)
            self._extent = (int(n), x0, y0, x1, y1)
        n, minx, miny, maxx, maxy = self._extent
        return (n == self.count and minx >= box[0] and miny >= box[1] and maxx <= box[2]
                and maxy <= box[3])

    def _matches(self, where: Where) -> np.ndarray | None:
        """The sorted fids matching ``where`` if it is one cached-area filter, else None."""
        if where.area is None or len(where.clauses) != 1:
            return None
        hit, cached = self._area_ids.lookup(where.area)
        if hit and cached is not None:
            return cached
        area_wkb, inner = where.area
        edge = np.array(json.loads(self._edge_matches(area_wkb, inner)), dtype=np.int64)
        inside = np.empty(0, dtype=np.int64)
        if inner is not None:
            rows = self.connect().execute(
                f"SELECT id FROM {quote(self.rtree)} WHERE minx >= ? AND maxx <= ? "
                "AND miny >= ? AND maxy <= ?", (inner[0], inner[2], inner[1], inner[3]))
            inside = np.fromiter((r[0] for r in rows), dtype=np.int64)
        ids = np.union1d(inside, edge)
        self._area_ids.put(where.area, ids)
        return ids

    def _edge_matches(self, area_wkb: bytes,
                      inner: tuple[float, float, float, float] | None) -> str:
        """JSON array of the ids of R-tree candidates not inside ``inner`` that intersect."""
        key = (area_wkb, inner)
        hit, cached = self._edges.lookup(key)
        if hit and cached is not None:
            return cached
        area = shapely.from_wkb(area_wkb)
        minx, miny, maxx, maxy = area.bounds
        sql = (f"SELECT t.{quote(self.pk)}, t.{quote(self.geom)} FROM {quote(self.rtree)} r "
               f"JOIN {quote(self.table)} t ON t.{quote(self.pk)} = r.id "
               "WHERE r.maxx >= ? AND r.minx <= ? AND r.maxy >= ? AND r.miny <= ?")
        params: list[Any] = [minx, maxx, miny, maxy]
        if inner is not None:
            sql += " AND NOT (r.minx >= ? AND r.maxx <= ? AND r.miny >= ? AND r.maxy <= ?)"
            params += [inner[0], inner[2], inner[1], inner[3]]
        ids: list[int] = []
        shapely.prepare(area)
        cursor = self.connect().execute(sql, params)
        try:
            while batch := cursor.fetchmany(5000):
                geoms = decode_blobs([row[1] for row in batch])
                hit = shapely.intersects(area, geoms)
                ids.extend(int(row[0]) for row, ok in zip(batch, hit, strict=True) if ok)
        finally:
            cursor.close()
        ids.sort()
        result = "[" + ",".join(map(str, ids)) + "]"
        self._edges.put(key, result)
        return result

    # -- reading -------------------------------------------------------------------------
    def count_matching(self, where: Where) -> int | None:
        """numberMatched for ``where``: cached per filter; None if too expensive to count."""
        if not where.clauses:
            return self.count
        if (ids := self._matches(where)) is not None:
            return len(ids)
        key = where.key()
        hit, cached = self._counts.lookup(key)
        if hit:
            return cached
        con = self.connect()
        steps = [0]

        def budget() -> int:
            steps[0] += 1
            return 1 if steps[0] * 1000 > COUNT_BUDGET_STEPS else 0

        con.set_progress_handler(budget, 1000)
        try:
            result: int | None = con.execute(
                f"SELECT count(*) FROM {quote(self.table)}{where.sql()}", where.params
            ).fetchone()[0]
        except sqlite3.OperationalError as exc:
            if "interrupted" not in str(exc):
                raise
            result = None
        finally:
            con.set_progress_handler(None, 0)
        self._counts.put(key, result)
        return result

    def select_sql(self, names: list[str], geometry: bool) -> str:
        """The column list: pk, geometry (or NULL), then ``names``."""
        cols = [quote(self.pk), quote(self.geom) if geometry else "NULL"]
        return ", ".join(cols + [quote(n) for n in names])

    def _page(self, select: str, where: Where, order: list[tuple[str, bool]], offset: int,
              limit: int | None) -> tuple[str, list[Any]]:
        """``SELECT select`` over the rows matching ``where``, sorted and paged."""
        clauses, params, offset, order_sql = page_clauses(
            where, order, offset, self.pk, self.fid_min if self.contiguous else None)
        where_sql = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        sql = (f"SELECT {select} FROM {quote(self.table)}"
               f"{where_sql} ORDER BY {order_sql} LIMIT ? OFFSET ?")
        return sql, [*params, -1 if limit is None else limit, offset]

    def _sorted(self, order: list[tuple[str, bool]]) -> np.ndarray | None:
        """Every fid in ``order`` (then fid), cached per order: sorted pages are slices. Built
        when an order is asked for the second time (one full sort costs a few top-N sorts);
        None before."""
        key = tuple(order)
        hit, cached = self._orders.lookup(key)
        if hit and cached is not None:
            return cached
        if not self._orders_seen.lookup(key)[0]:
            self._orders_seen.put(key, True)
            return None
        sql, params = self._page(quote(self.pk), Where(), order, 0, None)
        ids = np.fromiter((r[0] for r in self.connect().execute(sql, params)), dtype=np.int64)
        self._orders.put(key, ids)
        return ids

    def _page_ids(self, where: Where, order: list[tuple[str, bool]], offset: int,
                  limit: int | None) -> list[int] | None:
        """The fids of a page sliced from a cached sorted fid array (an area filter in fid
        order, or the unfiltered layer in a sort order); None for any other page."""
        if not order:
            ids = self._matches(where)
        elif not where.clauses and self.count <= SORTED_MAX_ROWS:
            ids = self._sorted(order)
        else:
            return None
        if ids is None:
            return None
        return (ids[offset:] if limit is None else ids[offset:offset + limit]).tolist()

    def _rows_of(self, select: str, fids: list[int]) -> Iterator[tuple[Any, ...]]:
        """The rows (``select``, pk first) of ``fids``, in that order."""
        con = self.connect()
        for start in range(0, len(fids), 10_000):
            part = fids[start:start + 10_000]
            found = {row[0]: row for row in con.execute(
                f"SELECT {select} FROM {quote(self.table)} WHERE {quote(self.pk)} IN "
                "(SELECT value FROM json_each(?))", ("[" + ",".join(map(str, part)) + "]",))}
            yield from (found[fid] for fid in part)

    def rows(self, names: list[str], where: Where, order: list[tuple[str, bool]],
             offset: int, limit: int | None, geometry: bool = True
             ) -> Iterator[tuple[Any, ...]]:
        """Rows (pk, geometry blob, *names) matching ``where``, sorted and paged."""
        fids = self._page_ids(where, order, offset, limit)
        if fids is not None:
            yield from self._rows_of(self.select_sql(names, geometry), fids)
            return
        sql, params = self._page(self.select_sql(names, geometry), where, order, offset, limit)
        cursor = self.connect().execute(sql, params)
        try:
            while batch := cursor.fetchmany(1000):
                yield from batch
        finally:
            cursor.close()

    def default_rows(self, where: Where, order: list[tuple[str, bool]], offset: int,
                     limit: int) -> list[bytes]:
        """The stored default Feature bytes of the rows ``rows()`` would return, in order.

        Unfiltered pages in fid order are one range read of the stored table; any other page
        first selects its fids (a sort never carries the feature bytes), then their bytes.
        """
        assert self.stored is not None
        con = self.connect()
        if not order and not where.clauses and self.contiguous:
            cursor = con.execute(
                f"SELECT ogd_feature FROM ogd_stored.{gpkg_stored.TABLE} WHERE ogd_fid >= ? "
                "ORDER BY ogd_fid LIMIT ?", (self.fid_min + offset, limit))
            return [r[0] for r in cursor.fetchall()]
        fids = self._page_ids(where, order, offset, limit)
        if fids is None:
            sql, params = self._page(quote(self.pk), where, order, offset, limit)
            fids = [r[0] for r in con.execute(sql, params).fetchall()]
        if not fids:
            return []
        cursor = con.execute(
            f"SELECT s.ogd_feature FROM json_each(?) AS j JOIN ogd_stored.{gpkg_stored.TABLE} "
            "AS s ON s.ogd_fid = j.value ORDER BY j.key", ("[" + ",".join(map(str, fids)) + "]",))
        return [r[0] for r in cursor.fetchall()]

    def by_id(self, key: str, value: Any, names: list[str],
              geometry: bool = True) -> tuple[Any, ...] | None:
        """The row whose ``key`` column equals ``value``."""
        sql = (f"SELECT {self.select_sql(names, geometry)} FROM {quote(self.table)} "
               f"WHERE {quote(key)} = ? LIMIT 1")
        row: tuple[Any, ...] | None = self.connect().execute(sql, (value,)).fetchone()
        return row


@lru_cache(maxsize=64)
def open_layer(real_path: str) -> Layer:
    """The Layer of a GeoPackage file; cached per real (version) path."""
    return Layer(Path(real_path))
