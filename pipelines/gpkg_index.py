"""Attribute indexes in the storage GeoPackage: feature ids, time field, sortable fields.

Run right after the GeoPackage export (before its checksum is taken), so that the server finds
items by id, filters by time and sorts through an index instead of a table scan.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from opengeodata.declaration import Dataset
from opengeodata.errors import PipelineError


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def create_indexes(path: Path, layer: str, fields: list[str]) -> list[str]:
    """Create an index per existing attribute column in ``fields``; return the index names."""
    created = []
    try:
        con = sqlite3.connect(path)
        try:
            cols = {row[1] for row in con.execute(f"PRAGMA table_info({_quote(layer)})")}
            for name in dict.fromkeys(fields):
                if name not in cols:
                    continue
                index = f"idx_{layer}_{name}"
                con.execute(f"CREATE INDEX IF NOT EXISTS {_quote(index)} "
                            f"ON {_quote(layer)} ({_quote(name)})")
                created.append(index)
            con.execute("ANALYZE")
            con.commit()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise PipelineError(f"{path.name}: cannot create indexes on layer {layer!r}: {exc}") \
            from exc
    return created


def index_fields(id_field: str | None, time_field: str | None,
                 extra: list[str] | None = None) -> list[str]:
    """The fields worth an index for a declaration (id, time field, declared extras)."""
    return [f for f in [id_field, time_field, *(extra or [])] if f and f != "fid"]


def create_for(path: Path, layer: str, decl: Dataset) -> list[str]:
    """The indexes a declaration asks for (id field, temporal field) in its GeoPackage."""
    return create_indexes(path, layer, index_fields(decl.id_field, decl.temporal.field))
