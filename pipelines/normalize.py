"""Normalize a layer: declared CRS, attribute mapping, geometry repair, storage CRS."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError

from opengeodata.declaration import FieldSpec
from opengeodata.errors import DataValidationError, DeclarationError
from pipelines.context import RunContext

GEOMETRY = "geometry"
#: hidden column with each row's position in the read layer (to name features in errors)
ROW = "__row__"
NONFINITE = "non-finite coordinates (NaN or inf)"


def parse_crs(value: str, where: str) -> CRS:
    """A pyproj CRS from a declaration value, or a DeclarationError."""
    try:
        return CRS.from_user_input(value)
    except CRSError as exc:
        raise DeclarationError(f"{where}: unknown CRS {value!r}: {exc}") from exc


def assign_crs(ctx: RunContext, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Apply the declared source CRS, or require the file's own."""
    declared = ctx.dataset.decl.source.crs
    if declared:
        crs = parse_crs(declared, f"{ctx.dataset.path}: key 'source.crs'")
        return frame.set_crs(crs, allow_override=True)
    if frame.crs is None:
        raise DataValidationError(
            f"{ctx.id}: the source has no CRS; declare it as 'source.crs' in {ctx.dataset.path}"
        )
    return frame


def check_area_of_use(ctx: RunContext, frame: gpd.GeoDataFrame) -> None:
    """Refuse coordinates that cannot be in the CRS (outside its area of use)."""
    crs = frame.crs
    aou = crs.area_of_use if crs is not None else None
    valid = frame.geometry[~frame.geometry.is_empty & frame.geometry.notna()]
    if aou is None or valid.empty:
        return
    bounds = valid.bounds
    from pyproj import Transformer

    to_geo = Transformer.from_crs(crs, "OGC:CRS84", always_xy=True)
    with np.errstate(all="ignore"):
        lon, lat = to_geo.transform(
            np.concatenate([bounds.minx.to_numpy(), bounds.maxx.to_numpy()]),
            np.concatenate([bounds.miny.to_numpy(), bounds.maxy.to_numpy()]),
        )
    margin = 1.0  # degrees of tolerance around the official area of use
    bad = (
        ~np.isfinite(lon) | ~np.isfinite(lat)
        | (lon < aou.west - margin) | (lon > aou.east + margin)
        | (lat < aou.south - margin) | (lat > aou.north + margin)
    )
    if bad.any():
        index = int(np.flatnonzero(bad)[0] % len(valid))
        row = int(frame.loc[valid.index[index], ROW]) if ROW in frame else index
        raise DataValidationError(
            f"{ctx.id}: {ctx.record_name(row)}: "
            f"coordinates {bounds.iloc[index].tolist()} lie outside the area of use of "
            f"{crs.to_string() if crs else 'the CRS'} ({aou.name}); is the declared CRS right?"
        )


def _cast(series: pd.Series, spec: FieldSpec) -> tuple[pd.Series, int]:
    """Cast a column; returns the new column and how many values could not be cast."""
    before = series.notna()
    out: pd.Series
    if spec.type == "string":
        out = series.astype("string")
    elif spec.type == "integer":
        out = pd.to_numeric(series, errors="coerce")
        frac = out.notna() & (out != out.round())
        out = out.where(~frac).astype("Int64")
    elif spec.type == "number":
        out = pd.to_numeric(series, errors="coerce").astype("Float64")
    elif spec.type == "boolean":
        lowered = series.astype("string").str.strip().str.lower()
        mapping = {"true": True, "1": True, "ja": True, "yes": True, "j": True,
                   "false": False, "0": False, "nein": False, "no": False, "n": False}
        out = lowered.map(mapping).astype("boolean")
    elif spec.type == "date":
        out = pd.to_datetime(series, errors="coerce").dt.strftime("%Y-%m-%d").astype("string")
    else:  # datetime
        out = pd.to_datetime(series, errors="coerce", utc=True).dt.strftime(
            "%Y-%m-%dT%H:%M:%SZ").astype("string")
    failed = int((before & out.isna()).sum())
    return out, failed


def map_fields(ctx: RunContext, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Select, rename, cast and decode attributes as the declaration says."""
    specs = ctx.dataset.decl.fields
    geom = frame.geometry
    if specs is None:
        data = frame.drop(columns=[frame.geometry.name])
        return gpd.GeoDataFrame(data, geometry=geom.rename(GEOMETRY).values, crs=frame.crs)
    missing = [s.source_name for s in specs if s.source_name not in frame.columns]
    if missing:
        available = ", ".join(c for c in frame.columns if c != frame.geometry.name)
        raise DataValidationError(
            f"{ctx.id}: {ctx.sources[0].name if ctx.sources else 'source'}: field(s) "
            f"{', '.join(missing)} named in 'fields' are missing from the source "
            f"(available: {available})"
        )
    columns: dict[str, pd.Series] = {}
    for spec in specs:
        series, failed = _cast(frame[spec.source_name], spec)
        if failed:
            ctx.report.problem(f"{spec.name}: {failed} value(s) not castable to {spec.type}")
        if spec.values is not None:
            raw = series.astype("string")
            decoded = raw.map(spec.values)
            unknown = int((raw.notna() & decoded.isna()).sum())
            if unknown:
                ctx.report.problem(f"{spec.name}: {unknown} value(s) not in the value map")
            series = decoded.where(decoded.notna(), raw).astype("string")
        columns[spec.name] = series.reset_index(drop=True)
    data = pd.DataFrame(columns)
    return gpd.GeoDataFrame(data, geometry=geom.reset_index(drop=True).values, crs=frame.crs)


def drop_nonfinite(ctx: RunContext, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop features with NaN or infinite coordinates, naming them in the quality report."""
    geoms = frame.geometry.values
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    bad_rows = np.unique(index[~np.isfinite(coords).all(axis=1)])
    if not len(bad_rows):
        return frame
    names = [ctx.record_name(int(frame[ROW].iloc[i])) for i in bad_rows[:5]]
    more = f" and {len(bad_rows) - 5} more" if len(bad_rows) > 5 else ""
    ctx.report.drop(NONFINITE, len(bad_rows))
    ctx.report.warnings.append(f"{NONFINITE}: {', '.join(names)}{more}")
    keep = np.ones(len(frame), dtype=bool)
    keep[bad_rows] = False
    return frame.loc[keep].reset_index(drop=True)


def repair_geometries(ctx: RunContext, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Drop missing/empty geometries, repair invalid ones (make_valid), keep the type family."""
    geoms = frame.geometry.values
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    ctx.report.drop("missing or empty geometry", int(missing.sum()))
    frame = frame.loc[~missing].reset_index(drop=True)
    geoms = frame.geometry.values
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        repaired = shapely.make_valid(geoms[invalid])
        polygonal = shapely.get_type_id(geoms[invalid]) >= 3
        # make_valid may return a collection; keep only the polygonal parts for polygons
        fixed = [
            _polygonal_part(g) if poly else g for g, poly in zip(repaired, polygonal, strict=True)
        ]
        new = np.array(geoms, dtype=object)
        new[invalid] = fixed
        frame = frame.set_geometry(gpd.GeoSeries(new, crs=frame.crs, index=frame.index))
        ctx.report.geometries_repaired += int(invalid.sum())
        still = shapely.is_missing(frame.geometry.values) | shapely.is_empty(frame.geometry.values)
        ctx.report.drop("geometry not repairable", int(still.sum()))
        frame = frame.loc[~still].reset_index(drop=True)
    return frame


def _polygonal_part(geom: shapely.Geometry) -> shapely.Geometry | None:
    if geom is None or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        if parts:
            return shapely.unary_union(parts)
    return None


def to_storage_crs(ctx: RunContext, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to the declared storage CRS (EPSG:25832 by default)."""
    target = parse_crs(ctx.dataset.decl.storage_crs, f"{ctx.dataset.path}: key 'storage_crs'")
    if frame.crs is not None and CRS(frame.crs) == target:
        return frame
    source = frame.crs.to_string() if frame.crs else "?"
    ctx.report.crs_transformation = f"{source} -> {target.to_string()}"
    return frame.to_crs(target)


def check_dropped(ctx: RunContext, before: dict[str, int], written: int) -> None:
    """Refuse a run that writes no feature or drops more than ``max_dropped`` of them."""
    read = ctx.report.features_read
    reasons = {k: v - before.get(k, 0) for k, v in ctx.report.dropped.items()
               if v - before.get(k, 0)}
    dropped = read - written
    limit = ctx.dataset.decl.max_dropped
    if written and (not read or dropped / read <= limit):
        return
    why = "; ".join(f"{k}: {v}" for k, v in reasons.items()) or "none dropped"
    named = [w for w in ctx.report.warnings if w.startswith(NONFINITE)]
    files = ", ".join(p.name for p in ctx.sources) or "source"
    if not written:
        head = f"no feature left to publish ({read} read, 0 written)"
    else:
        head = (f"{dropped} of {read} features dropped ({dropped / read:.1%}), more than "
                f"max_dropped {limit:.1%} of {ctx.dataset.path.name}")
    raise DataValidationError(
        f"{ctx.id}: {files}: refused: {head}; dropped: {why}"
        + (f" ({named[0]})" if named else "")
        + "; the live version stays"
    )


def normalize(ctx: RunContext, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """All normalize steps in order."""
    ctx.report.features_read = len(frame)
    before = dict(ctx.report.dropped)
    frame = assign_crs(ctx, frame)
    frame = map_fields(ctx, frame)
    frame[ROW] = np.arange(len(frame))
    frame = drop_nonfinite(ctx, frame)
    frame = repair_geometries(ctx, frame)
    check_dropped(ctx, before, len(frame))
    check_area_of_use(ctx, frame)
    frame = frame.drop(columns=[ROW])
    frame = to_storage_crs(ctx, frame)
    id_field = ctx.dataset.decl.id_field
    if id_field:
        if id_field not in frame.columns:
            raise DeclarationError(f"{ctx.dataset.path}: key 'id_field': no field {id_field!r}")
        dupes = int(frame[id_field].duplicated().sum())
        if dupes:
            raise DataValidationError(f"{ctx.id}: id_field {id_field!r} has {dupes} duplicate(s)")
    ctx.report.features_written = len(frame)
    return frame
