"""A published feature table and the backend seam of the engine.

A :class:`Backend` knows a table's schema and answers the query model: it compiles a
:class:`~opengeodata.engine.query.Filter` into its own form (SQLite SQL for GeoPackage, SQL for
PostGIS), counts, reads rows ``(pk, geometry, *values)`` sorted and paged, finds one row by a
key and decodes its geometries to shapely. :func:`open_source` opens the backend named by a
collection's ``features`` facet; add a backend by adding its opener to :data:`BACKENDS`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from opengeodata.engine.query import Filter
from opengeodata.errors import NotFoundError
from opengeodata.published import Collection, FeatureFacet

Row = tuple[Any, ...]


class Backend(Protocol):
    """What the engine needs from a feature table."""

    @property
    def pk(self) -> str:
        """The primary key column."""
        ...

    @property
    def columns(self) -> Mapping[str, str]:
        """Attribute columns (not pk, not geometry) -> SQL type."""
        ...

    def json_type(self, name: str) -> str:
        """JSON Schema type of a column (string, integer, number, boolean)."""
        ...

    def json_format(self, name: str) -> str | None:
        """JSON Schema format of a column (date, date-time), if any."""
        ...

    def compile(self, filt: Filter, storage_crs: str) -> Any:
        """The backend's form of ``filt`` (hashable via ``.key()`` for count caching)."""
        ...

    def matched(self, compiled: Any) -> int | None:
        """numberMatched; None when counting would be too expensive."""
        ...

    def rows(self, names: list[str], compiled: Any, order: list[tuple[str, bool]], offset: int,
             limit: int | None, geometry: bool = True) -> Iterator[Row]:
        """Rows ``(pk, geometry, *names)`` matching, sorted (then by pk) and paged."""
        ...

    def by_id(self, key: str, value: Any, names: list[str], geometry: bool = True) -> Row | None:
        """The row whose ``key`` column equals ``value``."""
        ...

    def geometries(self, values: Sequence[Any]) -> np.ndarray:
        """Shapely geometries (None where missing) of the rows' geometry values."""
        ...


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


def _gpkg(facet: FeatureFacet) -> Backend:
    from opengeodata.engine.gpkg import open_gpkg

    try:
        real = Path(facet.data).resolve(strict=True)
    except OSError as exc:
        raise NotFoundError(f"no live data at {facet.data}") from exc
    return open_gpkg(str(real))


#: backend name (``FeatureFacet.backend``) -> opener
BACKENDS: dict[str, Callable[[FeatureFacet], Backend]] = {"gpkg": _gpkg}


class Sources:
    """Feature sources of published collections, opened once per collection version."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sources: dict[tuple[str, str], FeatureSource] = {}

    def get(self, coll: Collection) -> FeatureSource:
        """The source of ``coll``; 404 if it has no features."""
        key = (coll.id, coll.version)
        source = self._sources.get(key)
        if source is None:
            source = open_source(coll)
            with self._lock:
                self._sources = {k: v for k, v in self._sources.items() if k[0] != coll.id}
                self._sources[key] = source
        return source


def open_source(coll: Collection) -> FeatureSource:
    """Open the backend of a published collection's ``features`` facet."""
    facet = coll.features
    if facet is None:
        raise NotFoundError(f"collection {coll.id!r} has no features")
    opener = BACKENDS.get(facet.backend)
    if opener is None:
        raise NotFoundError(f"collection {coll.id!r}: unknown feature backend {facet.backend!r}")
    try:
        backend = opener(facet)
    except NotFoundError as exc:
        raise NotFoundError(f"collection {coll.id!r} has no live data") from exc
    id_field = facet.id_field if facet.id_field in backend.columns else backend.pk
    return FeatureSource(id=coll.id, backend=backend, id_field=id_field,
                         time_field=facet.time_field, storage_crs=facet.storage_crs,
                         crs_list=list(facet.crs), version=coll.version, created=coll.created,
                         title=coll.title)
