"""A feature provider reading the live GeoPackage directly (R-tree bbox, indexed ids)."""

from __future__ import annotations

import json
import sqlite3
import struct
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import shapely
from pygeoapi.crs import crs_transform
from pygeoapi.provider.base import (
    BaseProvider,
    ProviderConnectionError,
    ProviderItemNotFoundError,
    ProviderQueryError,
)

_ENVELOPE_SIZES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_SQL_TYPES = {"INTEGER": "integer", "MEDIUMINT": "integer", "SMALLINT": "integer",
              "TINYINT": "integer", "INT": "integer", "BOOLEAN": "boolean", "REAL": "number",
              "DOUBLE": "number", "FLOAT": "number", "DATE": "string", "DATETIME": "string"}


def gpkg_to_geometry(blob: bytes | None) -> shapely.Geometry | None:
    """Decode a GeoPackage geometry blob (header + WKB)."""
    if blob is None:
        return None
    flags = blob[3]
    offset = 8 + _ENVELOPE_SIZES[(flags >> 1) & 0x07]
    return shapely.from_wkb(blob[offset:])


class Layer:
    """Schema facts of one GeoPackage layer, read once per file version."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        con = self.connect()
        row = con.execute(
            "SELECT table_name, column_name FROM gpkg_geometry_columns LIMIT 1"
        ).fetchone()
        if row is None:
            raise ProviderConnectionError(f"{path.name}: no geometry layer")
        self.table, self.geom = row
        cols = con.execute(f'PRAGMA table_info("{self.table}")').fetchall()
        self.pk = next((c[1] for c in cols if c[5]), "fid")
        self.columns = {c[1]: c[2].upper() for c in cols if c[1] not in (self.geom, self.pk)}
        self.rtree = f"rtree_{self.table}_{self.geom}"
        has_rtree = con.execute(
            "SELECT 1 FROM sqlite_master WHERE name = ?", (self.rtree,)
        ).fetchone()
        self.has_rtree = has_rtree is not None

    def connect(self) -> sqlite3.Connection:
        """A read-only connection, one per thread."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True,
                                  check_same_thread=False)
            self._local.con = con
        return con

    def field_type(self, name: str) -> str:
        """JSON type of a column."""
        sql_type = self.columns[name].split("(")[0]
        return _SQL_TYPES.get(sql_type, "string")


@lru_cache(maxsize=64)
def open_layer(real_path: str) -> Layer:
    """The Layer of a GeoPackage file; cached per real (version) path."""
    return Layer(Path(real_path))


class GeoPackageProvider(BaseProvider):
    """pygeoapi feature provider over a published GeoPackage."""

    def __init__(self, provider_def: dict[str, Any]) -> None:
        super().__init__(provider_def)
        path = Path(self.data)
        try:
            real = path.resolve(strict=True)
        except OSError as exc:
            raise ProviderConnectionError(f"no published data at {path}") from exc
        self.layer = open_layer(str(real))
        self.id_field: str = provider_def.get("id_field") or self.layer.pk
        self.get_fields()

    def get_fields(self) -> dict[str, dict[str, str]]:
        """Field names and JSON types."""
        if not self._fields:
            self._fields: dict[str, dict[str, str]] = {
                n: {"type": self.layer.field_type(n)} for n in self.layer.columns
            }
        return self._fields

    def _feature(self, row: sqlite3.Row | tuple[Any, ...], names: list[str],
                 skip_geometry: bool) -> dict[str, Any]:
        fid, blob, *values = row
        props = dict(zip(names, values, strict=True))
        geom = None if skip_geometry else gpkg_to_geometry(blob)
        ident = props.get(self.id_field, fid) if self.id_field != self.layer.pk else fid
        return {
            "type": "Feature",
            "id": ident,
            "geometry": json.loads(shapely.to_geojson(geom)) if geom is not None else None,
            "properties": props,
        }

    def _select(self, properties: list[str] | None = None) -> tuple[str, list[str]]:
        names = [n for n in self.layer.columns if not properties or n in properties]
        cols = ", ".join(f'"{n}"' for n in names)
        sel = f'"{self.layer.pk}", "{self.layer.geom}"' + (f", {cols}" if cols else "")
        return sel, names

    @crs_transform
    def query(self, offset: int = 0, limit: int = 10, resulttype: str = "results",
              bbox: list[float] | None = None, datetime_: str | None = None,
              properties: list[tuple[str, Any]] | None = None,
              sortby: list[dict[str, Any]] | None = None,
              select_properties: list[str] | None = None, skip_geometry: bool = False,
              q: str | None = None, filterq: Any = None, **kwargs: Any) -> dict[str, Any]:
        """Features matching bbox and property filters, paged."""
        layer = self.layer
        where: list[str] = []
        params: list[Any] = []
        if bbox:
            if layer.has_rtree:
                where.append(
                    f'"{layer.pk}" IN (SELECT id FROM "{layer.rtree}" WHERE maxx >= ? AND '
                    "minx <= ? AND maxy >= ? AND miny <= ?)"
                )
            else:
                raise ProviderQueryError("layer has no spatial index")
            params += [bbox[0], bbox[2], bbox[1], bbox[3]]
        for name, value in properties or []:
            if name not in layer.columns:
                raise ProviderQueryError(f"unknown property {name!r}")
            where.append(f'"{name}" = ?')
            params.append(value)
        where_sql = f" WHERE {' AND '.join(where)}" if where else ""
        order = []
        for item in sortby or []:
            if item["property"] not in layer.columns:
                raise ProviderQueryError(f"cannot sort by unknown property {item['property']!r}")
            order.append(f'"{item["property"]}" {"DESC" if item["order"] == "-" else "ASC"}')
        order_sql = f" ORDER BY {', '.join(order or [repr(layer.pk).replace(chr(39), chr(34))])}"
        con = layer.connect()
        matched = con.execute(
            f'SELECT count(*) FROM "{layer.table}"{where_sql}', params
        ).fetchone()[0]
        features: list[dict[str, Any]] = []
        if resulttype != "hits":
            sel, names = self._select(select_properties)
            rows = con.execute(
                f'SELECT {sel} FROM "{layer.table}"{where_sql}{order_sql} LIMIT ? OFFSET ?',
                [*params, limit, offset],
            )
            features = [self._feature(r, names, skip_geometry) for r in rows]
        return {
            "type": "FeatureCollection",
            "features": features,
            "numberMatched": matched,
            "numberReturned": len(features),
        }

    @crs_transform
    def get(self, identifier: Any, **kwargs: Any) -> dict[str, Any]:
        """One feature by id."""
        layer = self.layer
        sel, names = self._select()
        key = self.id_field if self.id_field in layer.columns else layer.pk
        row = layer.connect().execute(
            f'SELECT {sel} FROM "{layer.table}" WHERE "{key}" = ? LIMIT 1', (identifier,)
        ).fetchone()
        if row is None and key == layer.pk:
            try:
                row = layer.connect().execute(
                    f'SELECT {sel} FROM "{layer.table}" WHERE "{key}" = ? LIMIT 1',
                    (int(identifier),),
                ).fetchone()
            except (ValueError, struct.error):
                row = None
        if row is None:
            raise ProviderItemNotFoundError(f"no feature with id {identifier!r}")
        return self._feature(row, names, False)
