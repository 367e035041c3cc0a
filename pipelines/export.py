"""Export a normalized layer into the download formats of its declaration."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import pyogrio

from pipelines.context import RunContext

Exporter = Callable[[RunContext, gpd.GeoDataFrame], None]


def gpkg_name(ctx: RunContext) -> str:
    """File name of the storage GeoPackage of a version."""
    return f"{ctx.id}.gpkg"


def export_gpkg(ctx: RunContext, frame: gpd.GeoDataFrame) -> None:
    """GeoPackage in the storage CRS with a spatial index (storage and download)."""
    path = ctx.staging / gpkg_name(ctx)
    pyogrio.write_dataframe(
        frame, path, layer=ctx.id, driver="GPKG", layer_options={"SPATIAL_INDEX": "YES"}
    )
    ctx.add_output(path, "gpkg", "GeoPackage (EPSG:25832)", crs=ctx.dataset.decl.storage_crs)


def export_geojson(ctx: RunContext, frame: gpd.GeoDataFrame) -> None:
    """GeoJSON per RFC 7946: EPSG:4326 (lon/lat), 7 decimals."""
    path = ctx.staging / f"{ctx.id}.geojson"
    pyogrio.write_dataframe(
        frame.to_crs("EPSG:4326"), path, driver="GeoJSON",
        layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": "7", "WRITE_NAME": "NO"},
    )
    ctx.add_output(path, "geojson", "GeoJSON (EPSG:4326)", crs="EPSG:4326")


#: format key -> exporter; formats a reader writes itself (CityJSON, COG) are not listed.
EXPORTERS: dict[str, Exporter] = {
    "gpkg": export_gpkg,
    "geojson": export_geojson,
}


def export_all(ctx: RunContext, frame: gpd.GeoDataFrame) -> None:
    """Run the exporter of every declared format (the GeoPackage always, it is the store)."""
    formats = ctx.dataset.decl.output_formats
    if "gpkg" not in formats:
        formats = ["gpkg", *formats]
    for fmt in formats:
        exporter = EXPORTERS.get(fmt)
        if exporter is None:
            continue
        ctx.log(f"export {fmt}")
        exporter(ctx, frame)
