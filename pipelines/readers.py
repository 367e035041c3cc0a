"""Which pipeline reads which source kind (lazy imports, one line per kind)."""

from __future__ import annotations

import importlib
from collections.abc import Callable

import geopandas as gpd

from pipelines.context import RunContext

#: kind -> "module:function"; the function returns the layer as a GeoDataFrame with its CRS
#: set (or None for raster data) and may write extra outputs into ``ctx.staging`` itself.
READERS: dict[str, str] = {
    "vector": "pipelines.thematic:read_vector",
    "nas": "pipelines.cadastral:read",
    "raster": "pipelines.raster:read",
    "citygml": "pipelines.citymodel:read",
}

Reader = Callable[[RunContext], gpd.GeoDataFrame | None]


def reader_for(kind: str) -> Reader:
    """The read function for a source kind."""
    try:
        module_name, func = READERS[kind].split(":")
    except KeyError:
        raise NotImplementedError(f"no reader for source kind {kind!r}") from None
    reader: Reader = getattr(importlib.import_module(module_name), func)
    return reader
