"""Thematic vector layers: any OGR-readable source (GeoJSON, Shapefile, GeoPackage, FlatGeobuf,
GML, KML, CSV with WKT or x/y columns), with layer selection, row filter and encoding."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from opengeodata.errors import DeclarationError, SourceError
from pipelines.context import RunContext
from pipelines.dbf import check_dbf
from pipelines.encoding import dbf_path, encoding_for
from pipelines.xmlsafe import XML_SUFFIXES, refuse_dtd

#: A row filter is an OGR SQL WHERE expression; these never belong in one.
FORBIDDEN_IN_FILTER = re.compile(
    r";|--|/\*|\b(select|attach|detach|pragma|insert|update|delete|drop|create|alter|"
    r"load_extension|readfile|writefile)\b",
    re.IGNORECASE,
)
#: Open options that keep readers off the network (GML application schemas).
OFFLINE_OPEN_OPTIONS: dict[str, dict[str, str]] = {
    ".gml": {"DOWNLOAD_SCHEMA": "NO"},
    ".xml": {"DOWNLOAD_SCHEMA": "NO"},
}


def check_filter(ctx: RunContext, expression: str) -> str:
    """The declared row filter, refused if it is more than a WHERE expression."""
    if FORBIDDEN_IN_FILTER.search(expression):
        raise DeclarationError(
            f"{ctx.dataset.path}: key 'source.filter': {expression!r} is not a plain WHERE "
            "expression (no ';', comments or SQL statements such as SELECT)"
        )
    return expression


def _feature_count(path: Path, layer: str | None, options: dict[str, Any]) -> int | None:
    try:
        count = int(pyogrio.read_info(path, layer=layer, **options)["features"])
    except Exception:  # counting is best effort; the read below reports real problems
        return None
    return count if count >= 0 else None


def _filter_or_file(ctx: RunContext, path: Path, where: str, options: dict[str, Any],
                    exc: Exception) -> Exception:
    """Whose fault a failed filtered read is: the filter's, or the file's."""
    src = ctx.dataset.decl.source
    try:
        pyogrio.read_dataframe(path, layer=src.layer, max_features=1, **options)
    except Exception as plain:  # the file fails without the filter too: not the filter
        return SourceError(f"{ctx.id}: {path.name}: unreadable source: {plain}")
    return DeclarationError(
        f"{ctx.dataset.path}: key 'source.filter': {where!r} does not apply to "
        f"{path.name}: {exc}"
    )


def _check_file(ctx: RunContext, path: Path) -> None:
    """Refuse what GDAL would read wrongly without saying so (DTDs, damaged DBFs)."""
    if path.suffix.lower() in XML_SUFFIXES:
        refuse_dtd(path)
    dbf = dbf_path(path)
    if dbf is not None:
        check_dbf(ctx.id, dbf)


def read_file(ctx: RunContext, path: Path) -> gpd.GeoDataFrame:
    """Read one source file as the declaration says (layer, encoding, open options, filter)."""
    src = ctx.dataset.decl.source
    _check_file(ctx, path)
    options: dict[str, Any] = {**OFFLINE_OPEN_OPTIONS.get(path.suffix.lower(), {}),
                               **src.open_options}
    encoding, note = encoding_for(path, src.encoding)
    if note:
        ctx.report.warnings.append(note)
        ctx.log(note)
    if encoding:
        options["encoding"] = encoding
    where = check_filter(ctx, src.filter) if src.filter else None
    try:
        with warnings.catch_warnings():  # NaN coordinates are reported by normalize, by feature
            warnings.filterwarnings("ignore", "invalid value encountered", RuntimeWarning)
            frame = pyogrio.read_dataframe(path, layer=src.layer, where=where,
                                           fid_as_index=True, **options)
    except LookupError as exc:  # unknown encoding name
        raise DeclarationError(
            f"{ctx.dataset.path}: key 'source.encoding': {encoding!r}: {exc}"
        ) from exc
    except Exception as exc:  # GDAL raises many kinds for broken files
        message = str(exc)
        if where and ("SQL" in message or where in message):
            raise _filter_or_file(ctx, path, where, options, exc) from exc
        if isinstance(exc, DataSourceError | DataLayerError):
            raise SourceError(
                f"{ctx.id}: {path.name}: cannot read as {src.format}: {message}"
            ) from exc
        raise SourceError(f"{ctx.id}: {path.name}: unreadable source: {message}") from exc
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
        raise SourceError(
            f"{ctx.id}: {path.name}: the source has no geometry column (for CSV declare "
            "open_options X_POSSIBLE_NAMES/Y_POSSIBLE_NAMES or GEOM_POSSIBLE_NAMES)"
        )
    ctx.record_ids.append((path.name, [int(i) for i in frame.index]))
    frame = frame.reset_index(drop=True)
    if where:
        total = _feature_count(path, src.layer, {k: v for k, v in options.items()
                                                 if k != "encoding"})
        if total is not None:
            ctx.report.drop(f"source.filter: {where}", total - len(frame))
    ctx.log(f"read {len(frame)} features from {path.name}")
    return frame


def read_vector(ctx: RunContext) -> gpd.GeoDataFrame:
    """Read every source file of the dataset with OGR and concatenate them."""
    frames = [read_file(ctx, path) for path in ctx.sources]
    if not frames:
        raise SourceError(f"{ctx.id}: no source files")
    if len(frames) == 1:
        return frames[0]
    crs = frames[0].crs
    for path, frame in zip(ctx.sources, frames, strict=True):
        if frame.crs != crs:
            raise SourceError(f"{ctx.id}: {path.name}: CRS differs from the first source file")
    return gpd.GeoDataFrame(
        gpd.pd.concat(frames, ignore_index=True), geometry=frames[0].geometry.name, crs=crs
    )
