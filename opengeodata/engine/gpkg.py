"""The GeoPackage backend: the query model compiled to SQLite SQL over one published layer.

Schema, connections, R-tree and exact spatial tests are those of
:class:`~opengeodata.providers.gpkg_sql.Layer`; this adds what
:class:`~opengeodata.engine.source.Backend` asks for: :meth:`GpkgBackend.compile` turns a
:class:`~opengeodata.engine.query.Filter` into a :class:`Where` with bound parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from opengeodata.engine.query import Filter, Interval
from opengeodata.providers import cql2
from opengeodata.providers.crs import bbox_polygon
from opengeodata.providers.gpkg_sql import Layer, Where, decode_blobs, quote


def datetime_clause(where: Where, interval: Interval, column: str) -> None:
    """``column`` (ISO text) within ``interval``; a date-only instant matches its whole day."""
    if interval.instant and interval.start is not None:
        if len(interval.start) == 10:
            where.add(f"substr({quote(column)}, 1, 10) = ?", interval.start)
        else:
            where.add(f"{quote(column)} = ?", interval.start)
        return
    if interval.start:
        where.add(f"{quote(column)} >= ?", interval.start)
    if interval.end:
        # a date-only end includes the whole day
        end = interval.end + "T99" if len(interval.end) == 10 else interval.end
        where.add(f"{quote(column)} <= ?", end)


class GpkgBackend(Layer):
    """One GeoPackage layer as an engine backend."""

    def compile(self, filt: Filter, storage_crs: str) -> Where:
        """The WHERE clause of ``filt`` (bbox exact in the storage CRS, then datetime,
        property equality and CQL2)."""
        where = Where()
        if filt.bbox is not None:
            self.area_clause(where, bbox_polygon(filt.bbox, filt.bbox_crs, storage_crs))
        if filt.datetime is not None and filt.time_field:
            datetime_clause(where, filt.datetime, filt.time_field)
        for name, value in filt.equals:
            where.add(f"{quote(name)} = ?", value)
        if filt.cql is not None:
            cql2.SqlBuilder(self, filt.filter_crs, storage_crs).build(filt.cql, where)
        return where

    def matched(self, compiled: Where) -> int | None:
        """numberMatched (cached per filter; None if too expensive)."""
        return self.count_matching(compiled)

    def geometries(self, values: Sequence[Any]) -> np.ndarray:
        """GeoPackage geometry blobs -> shapely geometries."""
        return decode_blobs(list(values))


@lru_cache(maxsize=64)
def open_gpkg(real_path: str) -> GpkgBackend:
    """The backend of a GeoPackage file; cached per real (version) path."""
    return GpkgBackend(Path(real_path))
