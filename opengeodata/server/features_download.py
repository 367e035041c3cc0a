"""Result downloads of an items query: ``f=csv``, ``f=fgb`` and ``f=gpkg``, streamed.

The query (bbox, filters, sortby, properties, crs, offset, limit) is the same as for GeoJSON;
without ``limit`` every matching feature is written. Rows are read and written in batches (CSV
directly, GeoPackage and FlatGeobuf through GDAL's Arrow stream writer), so memory does not grow
with the result size.
"""

from __future__ import annotations

import csv
import io
import itertools
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyogrio
import shapely
from flask import Response

from opengeodata.engine.query import ItemsQuery
from opengeodata.engine.source import FeatureSource
from opengeodata.geopackage import GPKG_DATASET_OPTIONS
from opengeodata.ogc import CRS84
from opengeodata.providers.crs import pyproj_crs, transform_geoms

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv", None),
    "fgb": ("application/flatgeobuf", "fgb", "FlatGeobuf"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg", "GPKG"),
}
BATCH = 5000


def _batches(coll: FeatureSource, query: ItemsQuery, where: Any,
             cols: list[str] | None = None) -> Iterator[list[tuple[Any, ...]]]:
    rows = coll.backend.rows(cols or query.names, where, query.order, query.offset,
                             query.limit, not query.skip_geometry)
    while batch := list(itertools.islice(rows, BATCH)):
        yield batch


def _csv(coll: FeatureSource, query: ItemsQuery, where: Any) -> Iterator[bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    header = ["id", *query.names] + ([] if query.skip_geometry else ["geometry_wkt"])
    writer.writerow(header)
    yield ("\ufeff" + buf.getvalue()).encode()
    n = len(query.names)
    cols = query.names if coll.id_field in query.names or coll.id_field == coll.backend.pk \
        else [*query.names, coll.id_field]
    id_at = 2 + cols.index(coll.id_field) if coll.id_field in cols else 0
    for batch in _batches(coll, query, where, cols):
        buf.seek(0)
        buf.truncate()
        wkts: list[Any] = [None] * len(batch)
        if not query.skip_geometry:
            geoms = transform_geoms(coll.backend.decode([r[1] for r in batch]),
                                    coll.storage_crs, query.crs)
            wkts = list(shapely.to_wkt(geoms, rounding_precision=-1))
        for row, wkt in zip(batch, wkts, strict=True):
            writer.writerow([row[id_at], *row[2:2 + n]]
                            + ([] if query.skip_geometry else [wkt or ""]))
        yield buf.getvalue().encode()


_ARROW_TYPES = {"integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}


def _schema(coll: FeatureSource, query: ItemsQuery) -> pa.Schema:
    fields = [pa.field(n, _ARROW_TYPES.get(coll.backend.json_type(n), pa.string()))
              for n in query.names]
    geometry = pa.field("geometry", pa.binary(),
                        metadata={"ARROW:extension:name": "geoarrow.wkb"})
    return pa.schema([*fields, geometry])


def _record_batch(coll: FeatureSource, query: ItemsQuery, schema: pa.Schema,
                  batch: list[tuple[Any, ...]]) -> pa.RecordBatch:
    columns = []
    for i, field in enumerate(schema):
        if field.name == "geometry":
            if query.skip_geometry:
                columns.append(pa.nulls(len(batch), pa.binary()))
                continue
            geoms = transform_geoms(coll.backend.decode([r[1] for r in batch]),
                                    coll.storage_crs, query.crs)
            columns.append(pa.array(shapely.to_wkb(geoms), pa.binary()))
            continue
        values = [r[2 + i] for r in batch]
        if field.type == pa.string():
            values = [None if v is None else str(v) for v in values]
        columns.append(pa.array(values, field.type))
    return pa.RecordBatch.from_arrays(columns, schema=schema)


def _ogr(coll: FeatureSource, query: ItemsQuery, where: Any, driver: str,
         ext: str) -> Iterator[bytes]:
    """Write through GDAL's Arrow stream interface batch by batch, then stream the file."""
    folder = Path(tempfile.mkdtemp(prefix="ogd-items-"))
    path = folder / f"{coll.id}.{ext}"
    schema = _schema(coll, query)
    reader = pa.RecordBatchReader.from_batches(
        schema, (_record_batch(coll, query, schema, b) for b in _batches(coll, query, where)))
    try:
        pyogrio.write_arrow(reader, path, layer=coll.id, driver=driver,
                            geometry_name="geometry", geometry_type="Unknown",
                            crs=pyproj_crs(query.crs).to_wkt(),
                            layer_options={"SPATIAL_INDEX": "NO" if query.skip_geometry
                                           else "YES"},
                            dataset_options=GPKG_DATASET_OPTIONS if driver == "GPKG" else None)
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 16):
                yield chunk
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def response(coll: FeatureSource, query: ItemsQuery, where: Any) -> Response:
    """A streamed download of the items query."""
    mimetype, ext, driver = FORMATS[query.fmt or "csv"]
    body = (_csv(coll, query, where) if driver is None
            else _ogr(coll, query, where, driver, ext))
    resp = Response(body, content_type=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{coll.id}.{ext}"'
    resp.headers["Content-Crs"] = f"<{query.crs or CRS84}>"
    return resp
