"""The stored default answers of a published GeoPackage layer (a SQLite file beside it).

At publish time (``opengeodata.engine.stored.write_stored``) every feature's default GeoJSON
(CRS84, all properties, the collection's id field; the engine's own writer) is stored once in
``<layer>.features.sqlite`` next to the GeoPackage: table ``ogd_features(fid INTEGER PRIMARY
KEY, feature BLOB)`` and a ``ogd_meta`` table saying for which table, columns, id field and
feature count the bytes were written. The GeoPackage itself stays exactly as GDAL wrote it
(clients and downloads see one layer); the server attaches the file read-only and copies
the bytes of a page instead of encoding it (``Layer.default_rows``).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

SUFFIX = ".features.sqlite"
#: bump when the stored bytes would differ from what the engine writes today
FORMAT = "1"
TABLE = "ogd_features"
META = "ogd_meta"


def stored_path(gpkg: Path) -> Path:
    """The stored answers of a GeoPackage (``parcels.gpkg`` -> ``parcels.features.sqlite``)."""
    return gpkg.with_name(gpkg.stem + SUFFIX)


@dataclass(frozen=True)
class StoredInfo:
    """What the stored bytes were written for."""

    table: str
    columns: list[str]
    id_field: str
    count: int
    format: str


def read_info(path: Path) -> StoredInfo | None:
    """The meta of a stored answers file; None if there is none or it is unreadable."""
    if not path.is_file():
        return None
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            meta = dict(con.execute(f"SELECT key, value FROM {META}").fetchall())
        finally:
            con.close()
        return StoredInfo(table=str(meta["table"]), columns=list(json.loads(meta["columns"])),
                          id_field=str(meta["id_field"]), count=int(meta["count"]),
                          format=str(meta["format"]))
    except (sqlite3.Error, KeyError, ValueError, TypeError):
        return None
