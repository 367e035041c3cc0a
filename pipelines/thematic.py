"""Thematic vector layers: any OGR-readable source."""

from __future__ import annotations

import geopandas as gpd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from opengeodata.errors import SourceError
from pipelines.context import RunContext


def read_vector(ctx: RunContext) -> gpd.GeoDataFrame:
    """Read every source file of the dataset with OGR and concatenate them."""
    src = ctx.dataset.decl.source
    frames = []
    for path in ctx.sources:
        kwargs: dict[str, object] = dict(src.open_options)
        if src.encoding:
            kwargs["encoding"] = src.encoding
        try:
            frame = pyogrio.read_dataframe(path, layer=src.layer, **kwargs)
        except (DataSourceError, DataLayerError) as exc:
            raise SourceError(f"{ctx.id}: {path.name}: cannot read as {src.format}: {exc}") from exc
        except Exception as exc:  # GDAL raises many kinds for broken files
            raise SourceError(f"{ctx.id}: {path.name}: unreadable source: {exc}") from exc
        if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
            raise SourceError(f"{ctx.id}: {path.name}: the source has no geometry column")
        ctx.log(f"read {len(frame)} features from {path.name}")
        frames.append(frame)
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
