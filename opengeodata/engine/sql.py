"""The query model compiled to SQL: a :class:`~opengeodata.engine.query.Filter` -> a
:class:`~opengeodata.providers.gpkg_sql.Where` with bound parameters.

The same compilation serves both backends: the GeoPackage
:class:`~opengeodata.providers.gpkg_sql.Layer` (SQLite, R-tree, exact shapely test) and the
PostGIS :class:`~opengeodata.providers.pg_sql.PgLayer` (GiST, ``ST_Intersects``); each layer
supplies its own spatial SQL (``area_clause``, ``intersects_sql``) and placeholder style.
"""

from __future__ import annotations

from opengeodata.engine.query import Filter, Interval
from opengeodata.providers import cql2
from opengeodata.providers.crs import bbox_polygon
from opengeodata.providers.gpkg_sql import Where, quote
from opengeodata.providers.layers import FeatureLayer


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


def compile_filter(layer: FeatureLayer, filt: Filter, storage_crs: str) -> Where:
    """The WHERE clause of ``filt`` for ``layer`` (bbox exact in the storage CRS, then
    datetime, property equality and CQL2), with bound parameters only."""
    where = Where()
    if filt.bbox is not None:
        layer.area_clause(where, bbox_polygon(filt.bbox, filt.bbox_crs, storage_crs))
    if filt.datetime is not None and filt.time_field:
        datetime_clause(where, filt.datetime, filt.time_field)
    for name, value in filt.equals:
        where.add(f"{quote(name)} = ?", value)
    if filt.cql is not None:
        cql2.SqlBuilder(layer, filt.filter_crs, storage_crs).build(filt.cql, where)
    return where
