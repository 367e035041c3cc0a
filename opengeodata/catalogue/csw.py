"""The CSW repository of one published snapshot: pycsw's ``records`` table in SQLite.

:func:`build_repository` parses each dataset's ISO 19139 record with pycsw's own metadata
parser (so every queryable column is filled exactly as pycsw expects) and writes one SQLite
file, complete before it appears (written aside, then one rename). :class:`SnapshotRepository`
is the read-only pycsw repository over such a file, plugged in through pycsw's
``repository.source`` option.

Why not pycsw's bundled repository: pycsw 2.6 (the newest on PyPI) is written against
SQLAlchemy 1.x, while the project (pygeoapi, pandas) runs SQLAlchemy 2. The queries pycsw's
filter parsers generate are plain SQL with named parameters and a few SQL functions
(``query_spatial`` ...), which sqlite3 runs directly.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import uuid
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from shapely import wkt as shapely_wkt
from shapely.errors import ShapelyError

#: pycsw 2.6's ``records`` table (``pycsw.core.admin.setup_db``)
COLUMNS: tuple[str, ...] = (
    "identifier", "typename", "schema", "mdsource", "insert_date", "xml", "anytext",
    "language", "type", "title", "title_alternate", "abstract", "keywords", "keywordstype",
    "parentidentifier", "relation", "time_begin", "time_end", "topicategory",
    "resourcelanguage", "creator", "publisher", "contributor", "organization",
    "securityconstraints", "accessconstraints", "otherconstraints", "date", "date_revision",
    "date_creation", "date_publication", "date_modified", "format", "source", "crs",
    "geodescode", "denominator", "distancevalue", "distanceuom", "wkt_geometry",
    "servicetype", "servicetypeversion", "operation", "couplingtype", "operateson",
    "operatesonidentifier", "operatesoname", "degree", "classification",
    "conditionapplyingtoaccessanduse", "lineage", "responsiblepartyrole",
    "specificationtitle", "specificationdate", "specificationdatetype", "links",
)
TABLE = "records"
#: the attribute a server sets on pycsw's context to name the snapshot's database
DATABASE_ATTR = "opengeodata_database"


def quiet_import_pycsw() -> None:
    """Import pycsw without its ``pkg_resources`` deprecation warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pycsw  # noqa: F401


def repository_key(documents: Sequence[bytes]) -> str:
    """Hash of a snapshot's ISO documents (names its SQLite file)."""
    digest = hashlib.sha256()
    for doc in documents:
        digest.update(hashlib.sha256(doc).digest())
    return digest.hexdigest()[:16]


class _Row:
    """An attribute bag: what pycsw's parser fills and what its writers read."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


class _Parsing:
    """The part of a repository pycsw's ``parse_record`` needs."""

    dataset = _Row


def parse_documents(documents: Iterable[bytes]) -> list[dict[str, Any]]:
    """One column dict per ISO 19139 document, parsed by pycsw."""
    quiet_import_pycsw()
    from pycsw.core import metadata
    from pycsw.core.config import StaticContext

    context = StaticContext()
    rows = []
    for doc in documents:
        with warnings.catch_warnings():  # OWSLib's FutureWarnings about its own API
            warnings.simplefilter("ignore", FutureWarning)
            records = metadata.parse_record(context, doc, _Parsing())
        for rec in records:
            values = {c: getattr(rec, c, None) for c in COLUMNS}
            if isinstance(values["xml"], bytes):
                values["xml"] = values["xml"].decode("utf-8")
            rows.append(values)
    return rows


def build_repository(path: Path, documents: Sequence[bytes]) -> Path:
    """Write the SQLite repository of ``documents`` to ``path`` (atomically); returns it."""
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = parse_documents(documents)
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}.sqlite")
    try:
        with sqlite3.connect(tmp) as db:
            cols = ", ".join(f'"{c}" TEXT' + (" PRIMARY KEY" if c == "identifier" else "")
                             for c in COLUMNS)
            db.execute(f"CREATE TABLE {TABLE} ({cols})")
            marks = ", ".join(f":{c}" for c in COLUMNS)
            db.executemany(f"INSERT INTO {TABLE} VALUES ({marks})", rows)
        db.close()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def prune(folder: Path, keep: Iterable[Path], max_files: int = 4) -> None:
    """Remove old repository files of ``folder`` beyond the ``max_files`` newest."""
    keep_set = {p.resolve() for p in keep}
    files = sorted(folder.glob("*.sqlite"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[max_files:]:
        if old.resolve() not in keep_set:
            old.unlink(missing_ok=True)


# -- SQL functions pycsw's filters call (as pycsw.core.repository defines them) ------------
def query_spatial(data_wkt: str | None, input_wkt: str, predicate: str,
                  distance: str) -> str:
    """``'true'`` when the record's geometry and the query geometry satisfy ``predicate``."""
    try:
        a = shapely_wkt.loads(str(data_wkt).split(";")[-1])
        b = shapely_wkt.loads(input_wkt)
        tests = {
            "bbox": lambda: a.intersects(b), "intersects": lambda: a.intersects(b),
            "beyond": lambda: a.distance(b) > float(distance),
            "dwithin": lambda: a.distance(b) <= float(distance),
            "contains": lambda: a.contains(b), "crosses": lambda: a.crosses(b),
            "disjoint": lambda: a.disjoint(b), "equals": lambda: a.equals(b),
            "overlaps": lambda: a.intersects(b) and not a.touches(b),
            "touches": lambda: a.touches(b), "within": lambda: a.within(b),
        }
        result = bool(tests[predicate]()) if predicate in tests else False
    except (ShapelyError, ValueError, TypeError, AttributeError):
        result = False
    return "true" if result else "false"


def get_geometry_area(geometry: str | None) -> str:
    """Area of a WKT geometry (for spatial sorting)."""
    try:
        return str(shapely_wkt.loads(geometry).area) if geometry else "0"
    except (ShapelyError, ValueError, TypeError):
        return "0"


def get_spatial_overlay_rank(target: str | None, query: str | None) -> str:
    """Spatial overlay rank (Lanfear 2006), as pycsw ranks bbox matches."""
    try:
        t, q = shapely_wkt.loads(target), shapely_wkt.loads(query)
        if t.area == 0 or q.area == 0:
            return "0"
        x = t.intersection(q).area
        return str((x / q.area) * (x / t.area))
    except (ShapelyError, ValueError, TypeError, AttributeError):
        return "0"


def get_anytext(xml: str) -> str:
    """Not needed read-only; defined because pycsw filters may name it."""
    return xml or ""


class SnapshotRepository:
    """A read-only pycsw repository over one snapshot's SQLite file.

    pycsw constructs it as ``SnapshotRepository(context, repo_filter)``; the database path
    is read from ``context.opengeodata_database`` (set by the server before dispatching).
    """

    def __init__(self, context: Any, repo_filter: str | None = None) -> None:
        self.context = context
        self.filter = repo_filter
        self.fts = False
        self.dbtype = "sqlite"
        self.database = str(getattr(context, DATABASE_ATTR))
        if not Path(self.database).is_file():
            raise FileNotFoundError(f"CSW repository {self.database} does not exist")
        self.queryables: dict[str, dict[str, Any]] = {}
        for tname in context.model["typenames"]:
            for qname, qvalues in context.model["typenames"][tname]["queryables"].items():
                self.queryables.setdefault(qname, {}).update(qvalues)
        self.queryables["_all"] = {}
        for qbl in list(self.queryables):
            self.queryables["_all"].update(self.queryables[qbl])
        self.queryables["_all"].update(context.md_core_model["mappings"])

    # -- plumbing -----------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)
        db.row_factory = sqlite3.Row
        db.create_function("query_spatial", 4, query_spatial, deterministic=True)
        db.create_function("get_geometry_area", 1, get_geometry_area, deterministic=True)
        db.create_function("get_spatial_overlay_rank", 2, get_spatial_overlay_rank)
        db.create_function("get_anytext", 1, get_anytext)
        return db

    def _where(self, where: str | None) -> str:
        parts = [f"({w})" for w in (where, self.filter) if w]
        return (" WHERE " + " AND ".join(parts)) if parts else ""

    def _select(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[_Row]:
        with self._connect() as db:
            rows = db.execute(sql, params).fetchall()
        db.close()
        return [_Row(**dict(r)) for r in rows]

    def _column(self, name: str) -> str:
        column = self.context.md_core_model["mappings"].get(name, name)
        if column not in COLUMNS:
            raise ValueError(f"unknown repository column {column!r}")
        return f'"{column}"'

    # -- pycsw's repository interface -------------------------------------------------------
    def query_ids(self, ids: Sequence[str]) -> list[_Row]:
        """Records by identifier."""
        ids = list(ids)
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        col = self._column("pycsw:Identifier")
        return self._select(f"SELECT * FROM {TABLE}{self._where(f'{col} IN ({marks})')}", ids)

    def query_domain(self, domain: str, typenames: Any, domainquerytype: str = "list",
                     count: bool = False) -> list[tuple[Any, ...]]:
        """Values (or min/max, or value counts) of one column."""
        col = self._column(domain)
        if domainquerytype == "range":
            sql = f"SELECT MIN({col}), MAX({col}) FROM {TABLE}{self._where(None)}"
        elif count:
            sql = f"SELECT {col}, COUNT({col}) FROM {TABLE}{self._where(None)} GROUP BY {col}"
        else:
            sql = f"SELECT DISTINCT {col} FROM {TABLE}{self._where(None)}"
        with self._connect() as db:
            rows = [tuple(r) for r in db.execute(sql).fetchall()]
        db.close()
        return rows

    def query_insert(self, direction: str = "max") -> str | None:
        """Latest (or earliest) insert date."""
        col = self._column("pycsw:InsertDate")
        fn = "MIN" if direction == "min" else "MAX"
        with self._connect() as db:
            row = db.execute(f"SELECT {fn}({col}) FROM {TABLE}{self._where(None)}").fetchone()
        db.close()
        return row[0] if row else None

    def query_source(self, source: str) -> list[_Row]:
        """Records harvested from ``source``."""
        col = self._column("pycsw:Source")
        return self._select(f"SELECT * FROM {TABLE}{self._where(f'{col} = ?')}", [source])

    def query(self, constraint: dict[str, Any], sortby: dict[str, Any] | None = None,
              typenames: Any = None, maxrecords: int = 10,
              startposition: int = 0) -> list[Any]:
        """``[total as str, records]`` of a GetRecords constraint, sorted and paged."""
        where = constraint.get("where") if constraint else None
        params = {f"pvalue{i}": v for i, v in enumerate((constraint or {}).get("values", []))}
        clause = self._where(where)
        with self._connect() as db:
            total = db.execute(f"SELECT COUNT(*) FROM {TABLE}{clause}", params).fetchone()[0]
        db.close()
        order = ""
        if sortby is not None:
            col = self._column(sortby["propertyname"])
            expr = f"get_geometry_area({col})" if sortby.get("spatial") else col
            order = f" ORDER BY {expr} {'DESC' if sortby.get('order') == 'DESC' else 'ASC'}"
        sql = f"SELECT * FROM {TABLE}{clause}{order} LIMIT :_limit OFFSET :_offset"
        rows = self._select(sql, {**params, "_limit": int(maxrecords),
                                  "_offset": int(startposition)})
        return [str(total), rows]

    # -- writing is not offered (the records follow publishes) ------------------------------
    def insert(self, *args: Any, **kwargs: Any) -> None:
        """Transactions are not offered."""
        raise RuntimeError("the CSW is read-only: records follow the published datasets")

    update = insert
    delete = insert
