"""A published feature table and the backend seam of the engine.

A backend (:data:`Backend`: the GeoPackage ``Layer`` or the PostGIS ``PgLayer``) knows a
table's schema, counts and reads rows ``(pk, geometry, *values)`` matching a
:class:`~opengeodata.providers.gpkg_sql.Where` compiled from the query model by
:func:`opengeodata.engine.sql.compile_filter`, sorted and paged, finds one row by a key and
decodes geometries to shapely. :class:`Sources` opens one per collection version with an
opener that picks the backend (``open_gpkg`` by default; the server passes one that uses
PostGIS when a read database is configured).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opengeodata.errors import NotFoundError
from opengeodata.providers.gpkg_sql import open_layer
from opengeodata.providers.layers import FeatureLayer
from opengeodata.published import Collection

Row = tuple[Any, ...]


#: a feature table of either backend (both offer the same schema, row and clause API)
Backend = FeatureLayer


@dataclass
class FeatureSource:
    """What the engine knows about one published feature collection (one per version)."""

    id: str
    backend: Backend
    id_field: str
    time_field: str | None
    storage_crs: str
    crs_list: list[str]
    version: str
    created: dt.datetime
    title: str = ""

    @property
    def layer(self) -> Backend:
        """The backend (kept under its former name for the GeoPackage views)."""
        return self.backend


def open_gpkg(coll: Collection) -> Backend:
    """The GeoPackage layer of a collection's ``features`` facet."""
    facet = coll.features
    if facet is None:
        raise NotFoundError(f"collection {coll.id!r} has no features")
    try:
        real = Path(facet.data).resolve(strict=True)
    except OSError as exc:
        raise NotFoundError(f"collection {coll.id!r} has no live data") from exc
    return open_layer(str(real))


class Sources:
    """Feature sources of published collections, opened once per collection version by
    ``opener`` (which picks the backend: GeoPackage, or PostGIS when configured)."""

    def __init__(self, opener: Callable[[Collection], Backend] = open_gpkg) -> None:
        self.opener = opener
        self._lock = threading.Lock()
        self._sources: dict[tuple[str, str], FeatureSource] = {}

    def get(self, coll: Collection) -> FeatureSource:
        """The source of ``coll``; 404 if it has no features."""
        key = (coll.id, coll.version)
        source = self._sources.get(key)
        if source is None:
            source = open_source(coll, self.opener(coll))
            with self._lock:
                self._sources = {k: v for k, v in self._sources.items() if k[0] != coll.id}
                self._sources[key] = source
        return source


def open_source(coll: Collection, backend: Backend) -> FeatureSource:
    """The engine's source of a published collection over ``backend``."""
    facet = coll.features
    if facet is None:
        raise NotFoundError(f"collection {coll.id!r} has no features")
    id_field = facet.id_field if facet.id_field in backend.columns else backend.pk
    return FeatureSource(id=coll.id, backend=backend, id_field=id_field,
                         time_field=facet.time_field, storage_crs=facet.storage_crs,
                         crs_list=list(facet.crs), version=coll.version, created=coll.created,
                         title=coll.title)
