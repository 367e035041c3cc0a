"""3D city model: CityGML LoD1/LoD2 -> CityJSON, CityJSONSeq, download tiles and footprints.

``read(ctx)`` is the pipeline reader for ``source.kind: citygml``. It writes into the staging
folder ``<id>.city.json``, ``<id>.city.jsonl``, one CityJSON per download tile, the 3D Tiles 1.1
archive ``<id>.3tz`` and a copy of each original CityGML file, registers them, and returns the
2D footprints (EPSG:25832) for the standard exporters. ``dachform`` holds the roofType code,
``dachform_text`` its German label. Implausible ``measuredHeight`` values and LoD4 are handled
by :mod:`pipelines.citymodel.quality` and reported.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from pipelines.citymodel.tiles import LGLN_PATTERN, parse_tile_name
from pipelines.context import RunContext

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["read"]


def read(ctx: RunContext) -> gpd.GeoDataFrame:
    """Convert the CityGML sources of a dataset; register the 3D outputs; return footprints."""
    from pipelines.citymodel.convert import convert

    decl = ctx.dataset.decl
    formats = decl.output_formats
    tiles = decl.download_tiles
    staging = ctx.staging
    result = convert(
        ctx.sources,
        cityjson=staging / f"{ctx.id}.city.json" if "cityjson" in formats else None,
        cityjsonseq=staging / f"{ctx.id}.city.jsonl" if "cityjsonseq" in formats else None,
        tiles_dir=staging if "cityjson" in formats else None,
        tile_pattern=tiles.name if tiles else LGLN_PATTERN,
        tile_size_km=tiles.size_km if tiles else 1,
        tile_lod=2,
        dataset_id=ctx.id,
        title=decl.title,
        crs=decl.source.crs,
        log=ctx.log,
        tiles3d=staging / f"{ctx.id}.3tz" if "3dtiles" in formats else None,
        geoid_grid=ctx.settings.geoid_grid,
    )
    for reason, count in result.dropped.items():
        ctx.report.drop(reason, count)
    ctx.report.checks["buildings"] = result.buildings
    ctx.report.checks["city_objects"] = result.city_objects
    ctx.report.checks["download_tiles"] = len(result.tiles)
    ctx.report.checks["buildings_per_tile"] = result.tile_counts
    ctx.report.checks["source_crs"] = result.source_crs
    ctx.report.checks.update(result.quality.checks())
    ctx.report.warnings.extend(result.quality.warnings())
    if result.quality.height_replaced:
        ctx.report.problem("measuredHeight implausible (replaced by the geometry's height)",
                           result.quality.height_replaced)
    if result.reprojected:
        ctx.report.crs_transformation = (
            f"{', '.join(result.reprojected)} -> EPSG:25832 (x/y; heights kept)")
    crs = "EPSG:25832"
    if "cityjson" in formats:
        ctx.add_output(staging / f"{ctx.id}.city.json", "cityjson",
                       "CityJSON 2.0 (alle Gebäude)", crs=crs, features=result.buildings)
        for name, path in result.tiles.items():
            ctx.add_output(path, "cityjson", f"CityJSON 2.0 Kachel {name}", crs=crs, tile=name,
                           features=result.tile_counts.get(name))
    if result.tiles3d is not None:
        t3d = result.tiles3d
        ctx.report.checks["tiles3d"] = {"tiles": t3d.tiles, "buildings": t3d.buildings,
                                        "levels": t3d.levels, "max_tile_bytes": t3d.max_tile_bytes,
                                        "geoid": t3d.geoid}
        if t3d.skipped:
            ctx.report.warnings.append(
                f"3D Tiles: {len(t3d.skipped)} building(s) without usable surfaces left out, "
                f"e.g. {', '.join(t3d.skipped[:5])}")
        out = ctx.add_output(t3d.path, "3dtiles", "3D Tiles 1.1 (3tz-Archiv, EPSG:4978)",
                             crs="EPSG:4978",
                             features=None if t3d.skipped else t3d.buildings)
        out.geoid = t3d.geoid
    if "cityjsonseq" in formats:
        ctx.add_output(staging / f"{ctx.id}.city.jsonl", "cityjsonseq",
                       "CityJSONSeq (ein Gebäude je Zeile)", crs=crs, features=result.buildings)
    if "citygml" in formats:
        for source in ctx.sources:
            dest = staging / source.name
            shutil.copyfile(source, dest)
            stem = source.name.split(".")[0]
            tile = stem if parse_tile_name(stem) else None
            ctx.add_output(dest, "citygml", f"CityGML Original {source.name}", tile=tile)
    return result.frame
