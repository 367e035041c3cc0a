"""Export a normalized layer into the download formats of its declaration."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import shapely

from opengeodata.engine.stored import write_stored
from opengeodata.manifest import FieldInfo
from pipelines import gpkg_index
from pipelines.context import RunContext
from pipelines.tiles import export_pmtiles
from pipelines.writers import WRITERS

Exporter = Callable[[RunContext, gpd.GeoDataFrame], None]


def gpkg_name(ctx: RunContext) -> str:
    """File name of the storage GeoPackage of a version."""
    return f"{ctx.id}.gpkg"


def field_type(dtype: object) -> str:
    """Schema type name of a column dtype."""
    kind = getattr(dtype, "kind", "O")
    return {"i": "integer", "u": "integer", "f": "number", "b": "boolean"}.get(kind, "string")


def field_infos(ctx: RunContext, frame: gpd.GeoDataFrame) -> list[FieldInfo]:
    """The field schema of the layer, with the declared descriptions and types."""
    declared = {f.name: f for f in ctx.dataset.decl.fields or []}
    infos = []
    for column in frame.columns:
        if column == frame.geometry.name:
            continue
        spec = declared.get(str(column))
        infos.append(FieldInfo(
            name=str(column),
            type=spec.type if spec and spec.values is None else field_type(frame[column].dtype),
            description=spec.description if spec else "",
        ))
    return infos


def export_format(ctx: RunContext, frame: gpd.GeoDataFrame, fmt: str) -> None:
    """Write the whole layer in ``fmt`` into the staging folder and register it."""
    writer, suffix, title = WRITERS[fmt]
    crs = "EPSG:4326" if fmt == "geojson" else ctx.dataset.decl.storage_crs
    path = ctx.staging / f"{ctx.id}{suffix}"
    writer(frame, path, ctx.id, field_infos(ctx, frame))
    if fmt == "gpkg":  # the storage GeoPackage: attribute indexes and stored answers
        gpkg_index.create_for(path, ctx.id, ctx.dataset.decl)
        stored = write_stored(path, ctx.dataset.decl.id_field)
        if stored is not None:
            ctx.add_server_file(stored, "stored-geojson", "Stored default GeoJSON answers",
                                features=len(frame))
    ctx.add_output(path, fmt, title.format(crs=crs), crs=crs, features=len(frame))


def _exporter(fmt: str) -> Exporter:
    def export(ctx: RunContext, frame: gpd.GeoDataFrame) -> None:
        export_format(ctx, frame, fmt)

    export.__name__ = f"export_{fmt}"
    export.__doc__ = f"Export the layer as {WRITERS[fmt][2].format(crs='storage CRS')}."
    return export


export_gpkg = _exporter("gpkg")
export_geojson = _exporter("geojson")

#: format key -> exporter; formats a reader writes itself (CityJSON, COG) are not listed.
EXPORTERS: dict[str, Exporter] = {
    "gpkg": export_gpkg,
    "geojson": export_geojson,
    "fgb": _exporter("fgb"),
    "shpzip": _exporter("shpzip"),
    "csv": _exporter("csv"),
    "parquet": _exporter("parquet"),
    "pmtiles": export_pmtiles,
}


def tile_cells(frame: gpd.GeoDataFrame, size_km: int) -> tuple[np.ndarray, np.ndarray]:
    """Grid cell (E, N origin in km) of every feature: the cell holding its bbox centre."""
    bounds = shapely.bounds(frame.geometry.values)
    size = size_km * 1000.0
    cx = (bounds[:, 0] + bounds[:, 2]) / 2
    cy = (bounds[:, 1] + bounds[:, 3]) / 2
    e = (np.floor(cx / size) * size_km).astype(np.int64)
    n = (np.floor(cy / size) * size_km).astype(np.int64)
    return e, n


def export_tiles(ctx: RunContext, frame: gpd.GeoDataFrame,
                 advance: Callable[[int], None] | None = None) -> None:
    """Split the layer into download tiles on the declared km grid (``<id>_32_<E>_<N>``).

    Each feature goes to exactly one tile (the cell holding its bbox centre); every tile is
    written in each of the declared tile formats and registered with ``OutputFile.tile``.
    """
    spec = ctx.dataset.decl.download_tiles
    if spec is None or frame.empty:
        return
    e, n = tile_cells(frame, spec.size_km)
    keys = np.stack([e, n], axis=1)
    cells, inverse = np.unique(keys, axis=0, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(cells) + 1))
    fields = field_infos(ctx, frame)
    formats = [f for f in spec.formats if f in WRITERS]
    for i, (ce, cn) in enumerate(cells.tolist()):
        name = spec.name.format(id=ctx.id, e=ce, n=cn)
        part = frame.iloc[order[bounds[i]:bounds[i + 1]]]
        for fmt in formats:
            writer, suffix, title = WRITERS[fmt]
            crs = "EPSG:4326" if fmt == "geojson" else ctx.dataset.decl.storage_crs
            path = ctx.staging / f"{name}{suffix}"
            writer(part, path, ctx.id, fields)
            ctx.add_output(path, fmt, f"{title.format(crs=crs)}, tile {name}", crs=crs,
                           tile=name, features=len(part))
        if advance is not None:
            advance(1)


def export_all(ctx: RunContext, frame: gpd.GeoDataFrame,
               advance: Callable[[int], None] | None = None) -> None:
    """Run the exporter of every declared format (the GeoPackage always, it is the store)."""
    for fmt in export_formats(ctx):
        ctx.log(f"export {fmt}")
        EXPORTERS[fmt](ctx, frame)
        if advance is not None:
            advance(1)


def export_formats(ctx: RunContext) -> list[str]:
    """The declared formats this module exports, GeoPackage first."""
    formats = list(ctx.dataset.decl.output_formats)
    if "gpkg" not in formats:
        formats = ["gpkg", *formats]
    return [f for f in formats if f in EXPORTERS]
