"""Build the COG of a raster dataset from its source tiles."""

from __future__ import annotations

import contextlib
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rasterio
from affine import Affine
from pyproj import CRS, Transformer
from rasterio.crs import CRS as RioCRS
from rasterio.enums import Resampling
from rasterio.errors import NotGeoreferencedWarning, RasterioError
from rasterio.io import DatasetReader
from rasterio.merge import merge
from rasterio.vrt import WarpedVRT
from rio_cogeo.cogeo import cog_translate, cog_validate
from rio_cogeo.profiles import cog_profiles

from opengeodata.errors import DataValidationError, PipelineError, SourceError
from opengeodata.manifest import Extent
from pipelines.archives import copy_member
from pipelines.context import RunContext
from pipelines.normalize import parse_crs
from pipelines.raster.terrain import terrain_checks

#: Sidecar files that belong to a tile and go into the zip of original tiles.
TILE_SIDECARS = (".jgw", ".jpgw", ".pgw", ".pngw", ".tfw", ".tifw", ".wld", ".prj",
                 ".aux.xml")
GDAL_ENV = {"GDAL_PAM_ENABLED": "NO", "GDAL_NUM_THREADS": "ALL_CPUS"}


RASTER_SUFFIXES = (".tif", ".tiff", ".jpg", ".jpeg", ".png", ".jp2")


@dataclass(frozen=True)
class Tile:
    """A source tile: a file, or a member of a delivered zip archive."""

    name: str
    path: str  # what GDAL opens (a /vsizip/ path for zip members)


def source_tiles(ctx: RunContext) -> list[Tile]:
    """The tiles of every source file; zip deliveries are read member by member."""
    tiles: list[Tile] = []
    for path in ctx.sources:
        if path.suffix.lower() != ".zip":
            tiles.append(Tile(path.name, str(path)))
            continue
        try:
            with zipfile.ZipFile(path) as archive:
                members = sorted(n for n in archive.namelist()
                                 if n.lower().endswith(RASTER_SUFFIXES))
        except zipfile.BadZipFile as exc:
            raise SourceError(f"{ctx.id}: {path.name}: not a valid zip archive: {exc}") from exc
        if not members:
            raise SourceError(f"{ctx.id}: {path.name}: the archive holds no raster tiles")
        tiles.extend(Tile(f"{path.name}/{m}", f"/vsizip/{path}/{m}") for m in members)
    if not tiles:
        raise SourceError(f"{ctx.id}: no source tiles")
    return tiles


def cog_name(ctx: RunContext) -> str:
    """File name of the COG of a version."""
    return f"{ctx.id}.tif"


def _open_tile(ctx: RunContext, path: Tile, declared: CRS | None) -> DatasetReader:
    try:
        with warnings.catch_warnings():  # a missing geotransform is reported below
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            src = rasterio.open(path.path)
    except RasterioError as exc:
        raise SourceError(f"{ctx.id}: {path.name}: not a readable raster: {exc}") from exc
    if src.transform == Affine.identity():
        src.close()
        raise DataValidationError(
            f"{ctx.id}: {path.name}: the tile has no georeferencing (a world file such as "
            f"{path.name.rsplit('.', 1)[0]}.jgw/.pgw/.tfw is missing)"
        )
    if src.crs is None and declared is None:
        src.close()
        raise DataValidationError(
            f"{ctx.id}: {path.name}: the tile has no CRS; declare it as 'source.crs' in "
            f"{ctx.dataset.path}"
        )
    return src


@contextlib.contextmanager
def _tiles(ctx: RunContext, sources: list[Tile]) -> Iterator[list[Any]]:
    """The source tiles as datasets in the storage CRS (WarpedVRTs where needed)."""
    decl = ctx.dataset.decl
    declared = (parse_crs(decl.source.crs, f"{ctx.dataset.path}: key 'source.crs'")
                if decl.source.crs else None)
    target = parse_crs(decl.storage_crs, f"{ctx.dataset.path}: key 'storage_crs'")
    to_close: list[Any] = []
    use: list[Any] = []
    try:
        for path in sources:
            src = _open_tile(ctx, path, declared)
            to_close.append(src)
            first = use[0] if use else src
            if (src.count, src.dtypes[0]) != (first.count, first.dtypes[0]):
                raise DataValidationError(
                    f"{ctx.id}: {path.name}: {src.count} band(s) of {src.dtypes[0]}, but "
                    f"{sources[0].name} has {first.count} of {first.dtypes[0]}"
                )
            src_crs = declared or CRS(src.crs.to_wkt())
            if src_crs == target:  # no warping; the mosaic gets the CRS assigned
                use.append(src)
                continue
            if src_crs != target:
                ctx.report.crs_transformation = f"{src_crs.to_string()} -> {decl.storage_crs}"
            vrt = WarpedVRT(src, src_crs=RioCRS.from_wkt(src_crs.to_wkt()),
                            crs=RioCRS.from_wkt(target.to_wkt()),
                            resampling=Resampling.bilinear)
            to_close.append(vrt)
            use.append(vrt)
        yield use
    finally:
        for item in reversed(to_close):
            item.close()


def _check_area(ctx: RunContext, bounds: tuple[float, float, float, float]) -> Extent:
    """Extent of the mosaic; refuses coordinates outside the storage CRS's area of use."""
    crs = CRS(ctx.dataset.decl.storage_crs)
    to_geo = Transformer.from_crs(crs, "OGC:CRS84", always_xy=True)
    west, south, east, north = to_geo.transform_bounds(*bounds)
    aou = crs.area_of_use
    if aou is not None and not (aou.west - 1 <= west <= east <= aou.east + 1
                                and aou.south - 1 <= south <= north <= aou.north + 1):
        raise DataValidationError(
            f"{ctx.id}: mosaic bounds {list(bounds)} lie outside the area of use of "
            f"{ctx.dataset.decl.storage_crs} ({aou.name}); is the declared CRS right?"
        )
    return Extent(bbox=[float(v) for v in bounds], bbox_crs84=[west, south, east, north],
                  crs=ctx.dataset.decl.storage_crs)


def _profile(count: int, dtype: str) -> dict[str, Any]:
    """JPEG (YCbCr) for 8-bit RGB like orthophotos, lossless DEFLATE otherwise.

    Floating-point rasters (elevation models) get the floating-point predictor, which
    roughly halves their size.
    """
    if count == 3 and dtype == "uint8":
        profile = dict(cog_profiles["jpeg"])
        profile["jpeg_quality"] = 85
    else:
        profile = dict(cog_profiles["deflate"])
        if dtype.startswith("float"):
            profile["predictor"] = 3
    profile["blockxsize"] = profile["blockysize"] = 512
    return profile


def mosaic(ctx: RunContext, sources: list[Tile], dest: Path) -> tuple[int, str, float]:
    """Mosaic the source tiles into ``dest`` (tiled GeoTIFF); returns bands, dtype, resolution."""
    with _tiles(ctx, sources) as tiles:
        count, dtype = tiles[0].count, tiles[0].dtypes[0]
        nodata = tiles[0].nodata
        res = min(min(abs(t.res[0]), abs(t.res[1])) for t in tiles)
        try:
            # uncompressed: the temporary mosaic is written and read once, deflate costs more
            merge(tiles, res=res, nodata=nodata, resampling=Resampling.bilinear,
                  target_aligned_pixels=False, dst_path=dest,
                  dst_kwds={"driver": "GTiff", "tiled": True, "compress": "none",
                            "blockxsize": 512, "blockysize": 512, "BIGTIFF": "IF_SAFER",
                            "photometric": "RGB" if count == 3 else "MINISBLACK"})
        except (RasterioError, ValueError, MemoryError) as exc:
            raise PipelineError(f"{ctx.id}: mosaicking {len(tiles)} tiles failed: {exc}") from exc
    target = parse_crs(ctx.dataset.decl.storage_crs, "storage_crs")
    with rasterio.open(dest, "r+") as dst:
        dst.crs = RioCRS.from_wkt(target.to_wkt())
    ctx.log(f"mosaicked {len(sources)} tile(s) at {res:g} m")
    return count, dtype, res


def write_cog(ctx: RunContext, mosaic_path: Path, dest: Path, count: int, dtype: str) -> None:
    """Translate the mosaic into a COG with internal overviews and validate it."""
    with rasterio.open(mosaic_path) as src:
        try:
            cog_translate(src, dest, _profile(count, dtype), overview_resampling="average",
                          in_memory=False, quiet=True, config=GDAL_ENV,
                          additional_cog_metadata={"DATASET": ctx.id})
        except (RasterioError, ValueError) as exc:
            raise PipelineError(f"{ctx.id}: writing the COG failed: {exc}") from exc
    valid, errors, warnings = cog_validate(dest, quiet=True)
    if not valid:
        raise PipelineError(f"{ctx.id}: {dest.name} is not a valid COG: {'; '.join(errors)}")
    ctx.report.warnings.extend(f"COG: {w}" for w in warnings)


def _check_elevation(ctx: RunContext, cog: Path, count: int, dtype: str) -> list[float]:
    """An elevation model has one band of heights; returns [min, max] of its valid cells."""
    if count != 1:
        raise DataValidationError(
            f"{ctx.id}: {ctx.dataset.path}: 'raster.render: hillshade' / 'raster.terrain' need "
            f"a single-band elevation model, but the tiles have {count} bands")
    if not (dtype.startswith("float") or dtype.startswith("int") or dtype.startswith("uint")):
        raise DataValidationError(f"{ctx.id}: heights of type {dtype} are not numbers")
    with rasterio.open(cog) as src:
        level = src.overviews(1)[-1] if src.overviews(1) else 1
        data = src.read(1, masked=True, out_shape=(max(1, src.height // level),
                                                   max(1, src.width // level)))
    if data.count() == 0:
        raise DataValidationError(f"{ctx.id}: the elevation model holds no valid heights")
    low, high = float(data.min()), float(data.max())
    if not (-500.0 <= low <= high <= 9000.0):
        raise DataValidationError(
            f"{ctx.id}: heights from {low:.1f} to {high:.1f} m are not plausible for a terrain "
            "model in metres (is the nodata value declared in the tiles?)")
    ctx.log(f"heights {low:.2f} to {high:.2f} m")
    return [round(low, 2), round(high, 2)]


def zip_tiles(ctx: RunContext, dest: Path) -> None:
    """The original tiles with their world files, as delivered."""
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_STORED) as archive:
        for path in ctx.sources:
            if path.suffix.lower() == ".zip":  # a zip delivery: its members as they are
                with zipfile.ZipFile(path) as delivered:
                    for info in delivered.infolist():
                        if not info.is_dir():  # streamed: members are checked, not trusted
                            name = info.filename.rsplit("/", 1)[-1]
                            with archive.open(name, "w", force_zip64=True) as out:
                                copy_member(delivered, info, out)
                continue
            archive.write(path, path.name)
            stem = path.name[: -len(path.suffix)]
            for ext in TILE_SIDECARS:
                for cand in (path.parent / f"{stem}{ext}", path.parent / f"{path.name}{ext}"):
                    if cand.is_file() and cand != path:
                        archive.write(cand, cand.name)


def read(ctx: RunContext) -> None:
    """Mosaic, COG, validate, register outputs; no vector layer."""
    sources = source_tiles(ctx)
    decl = ctx.dataset.decl
    tmp = ctx.staging / ".mosaic.tif"
    cog = ctx.staging / cog_name(ctx)
    with rasterio.Env(**GDAL_ENV):
        count, dtype, res = mosaic(ctx, sources, tmp)
        with rasterio.open(tmp) as src:
            ctx.extent = _check_area(ctx, tuple(src.bounds))
            width, height = src.width, src.height
        write_cog(ctx, tmp, cog, count, dtype)
    tmp.unlink()
    with rasterio.open(cog) as src:
        overviews = src.overviews(1)
        nodata = src.nodata
    ctx.report.checks["raster"] = {
        "tiles": len(sources), "width": width, "height": height, "bands": count,
        "dtype": dtype, "resolution_m": res, "overviews": overviews, "cog_valid": True,
        "nodata": nodata,
    }
    if decl.raster.render == "hillshade" or decl.raster.terrain:
        heights = _check_elevation(ctx, cog, count, dtype)
        ctx.report.checks["raster"]["heights_m"] = heights
        if decl.raster.terrain:
            ctx.report.checks["terrain"] = terrain_checks(ctx.extent, heights,
                                                          ctx.settings.geoid_grid)
            ctx.log(f"terrain: geoid {ctx.report.checks['terrain']['geoid']}")
    ctx.add_output(cog, "cog", f"Cloud Optimized GeoTIFF ({decl.storage_crs}, {res:g} m)",
                   crs=decl.storage_crs)
    archive = ctx.staging / f"{ctx.id}_kacheln.zip"
    zip_tiles(ctx, archive)
    ctx.add_output(archive, "zip", f"Originalkacheln ({len(sources)} Kacheln, zip)")
    ctx.log(f"COG {width}x{height} px, {count} band(s), overviews {overviews}")
