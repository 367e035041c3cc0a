"""Simplified ALKIS deliveries ("ALKIS vereinfacht": Shapefile, GeoPackage) as the same layers.

The declaration's ``fields`` map the state's column names onto the layer's fields (``source:``).
What such exports lack is filled in: ``geometrische_flaeche`` is computed,
``gebaeudefunktion_text`` is decoded from the code column, other missing layer fields stay
empty (with a warning), and the 1 % area check runs as for NAS.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from opengeodata.errors import DataValidationError, SourceError
from pipelines.cadastral.checks import Checks
from pipelines.cadastral.codelists import GEBAEUDEFUNKTION
from pipelines.cadastral.crs import OUTPUT_EPSG
from pipelines.cadastral.layers import COLUMNS, area_check
from pipelines.context import RunContext

NAS_SUFFIXES = {".xml", ".nas", ".gml"}


def is_simplified(path: Path) -> bool:
    """True for a source that is not NAS XML (Shapefile, GeoPackage, ...)."""
    return path.suffix.lower() not in NAS_SUFFIXES


def _read(ctx: RunContext) -> gpd.GeoDataFrame:
    src = ctx.dataset.decl.source
    frames = []
    for path in ctx.sources:
        kwargs: dict[str, object] = {}
        if src.encoding:
            kwargs["encoding"] = src.encoding
        try:
            frame = pyogrio.read_dataframe(path, **kwargs)
        except Exception as exc:  # GDAL raises several kinds for broken files
            raise SourceError(f"{ctx.id}: {path.name}: cannot read as {src.format}: {exc}"
                              ) from exc
        if src.crs:
            frame = frame.set_crs(src.crs, allow_override=True)
        if frame.crs is None:
            raise DataValidationError(f"{ctx.id}: {path.name}: no CRS; declare 'source.crs'")
        frames.append(frame.to_crs(OUTPUT_EPSG))
    if not frames:
        raise SourceError(f"{ctx.id}: no source files")
    out = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry=frames[0].geometry.name, crs=OUTPUT_EPSG)


def read_simplified(ctx: RunContext, layer: str) -> tuple[gpd.GeoDataFrame, Checks]:
    """Read the files and add the computed columns the declaration asks for."""
    frame = _read(ctx)
    checks = Checks()
    sources = {f.name: f.source_name for f in ctx.dataset.decl.fields or []}
    if layer == "flurstuecke" and "geometrische_flaeche" in sources:
        frame[sources["geometrische_flaeche"]] = np.round(
            shapely.area(frame.geometry.values).astype(float), 2)
    if layer == "gebaeude" and "gebaeudefunktion_text" in sources \
            and sources["gebaeudefunktion_text"] not in frame.columns \
            and sources.get("gebaeudefunktion") in frame.columns:
        codes = pd.to_numeric(frame[sources["gebaeudefunktion"]], errors="coerce")
        frame[sources["gebaeudefunktion_text"]] = codes.map(GEBAEUDEFUNKTION).astype("string")
    for name in COLUMNS[layer]:
        column = sources.get(name)
        if column is not None and column not in frame.columns:
            frame[column] = pd.Series([None] * len(frame), dtype="object")
            checks.notes.append(f"{name}: column {column!r} is not in the simplified "
                                   "delivery; left empty")
    if layer == "flurstuecke" and {"amtliche_flaeche", "flurstueckskennzeichen"} <= set(sources):
        view = pd.DataFrame({
            "amtliche_flaeche": frame[sources["amtliche_flaeche"]],
            "flurstueckskennzeichen": frame[sources["flurstueckskennzeichen"]],
        })
        area_check(gpd.GeoDataFrame(view, geometry=frame.geometry.values, crs=OUTPUT_EPSG),
                   checks)
    if "gml_id" in sources and sources["gml_id"] in frame.columns:
        dupes = frame[sources["gml_id"]].duplicated()
        checks.add("duplicate_gml_id", int(dupes.sum()),
                   sorted(set(frame.loc[dupes, sources["gml_id"]].astype(str))),
                   "duplicate id(s), one copy kept")
        frame = frame.loc[~dupes].reset_index(drop=True)
    return frame, checks
