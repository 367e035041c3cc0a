"""The backend-neutral query model of an items request (no SQL, no HTTP)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opengeodata.ogc import CRS84


@dataclass(frozen=True)
class Interval:
    """A datetime filter: an instant (``start == end``, ``instant=True``) or an interval with
    open ends (None). Values are normalised RFC 3339 text; a date-only end includes its day."""

    start: str | None
    end: str | None
    instant: bool = False


@dataclass
class Filter:
    """What selects features: every given part must match."""

    bbox: tuple[float, float, float, float] | None = None
    bbox_crs: str = CRS84
    datetime: Interval | None = None
    time_field: str | None = None
    #: (property, value cast to the property's type) pairs: equality
    equals: list[tuple[str, Any]] = field(default_factory=list)
    #: a parsed CQL2 expression (pygeofilter AST) and the CRS of its geometries
    cql: Any = None
    filter_crs: str = CRS84

    @property
    def empty(self) -> bool:
        """True if nothing is filtered."""
        return (self.bbox is None and self.datetime is None and not self.equals
                and self.cql is None)


@dataclass
class ItemsQuery:
    """A validated items request."""

    fmt: str | None
    limit: int | None
    offset: int
    crs: str
    names: list[str]
    skip_geometry: bool
    filter: Filter = field(default_factory=Filter)
    order: list[tuple[str, bool]] = field(default_factory=list)
    hits: bool = False
