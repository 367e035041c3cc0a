"""pygeoapi ``record`` provider serving the project's catalogue (OGC API Records).

The provider definition's ``data`` is a :class:`~opengeodata.catalogue.Catalogue` built by
:func:`opengeodata.catalogue.pygeoapi.add_catalogue`; search runs through
:meth:`Catalogue.search` (umlaut folding, facets, bbox, datetime).
"""

from __future__ import annotations

from typing import Any

from pygeoapi.provider.base import (
    BaseProvider,
    ProviderInvalidQueryError,
    ProviderItemNotFoundError,
)

from opengeodata.catalogue.model import Catalogue
from opengeodata.catalogue.records import to_record
from opengeodata.errors import InvalidRequestError

#: queryable -> JSON Schema type; query parameters with these names filter the records
FIELDS: dict[str, dict[str, Any]] = {
    "id": {"type": "string", "title": "Dataset id"},
    "title": {"type": "string", "title": "Title"},
    "description": {"type": "string", "title": "Description"},
    "keywords": {"type": "string", "title": "Keyword (any of, comma-separated)"},
    "theme": {"type": "string", "title": "Theme"},
    "type": {"type": "string", "title": "Resource type (dataset) or source kind"},
    "format": {"type": "string", "title": "Download format key, e.g. gpkg"},
    "license": {"type": "string", "title": "Licence id, e.g. dl-de/by-2-0"},
    "updated": {"type": "string", "format": "date-time", "title": "Last refresh"},
}
SORTABLE = {"title": "title", "updated": "updated", "id": "id"}


class CatalogueQueryError(ProviderInvalidQueryError):
    """A bad search parameter: 400 InvalidParameterValue with a message naming it."""

    ogc_exception_code = "InvalidParameterValue"


class CatalogueRecordProvider(BaseProvider):
    """Read-only record provider over an in-memory :class:`Catalogue`."""

    def __init__(self, provider_def: dict[str, Any]) -> None:
        super().__init__(provider_def)
        if not isinstance(self.data, Catalogue):
            raise RuntimeError("CatalogueRecordProvider needs a Catalogue as 'data'")
        self.catalogue: Catalogue = self.data
        self.id_field = "id"
        self.title_field = "title"
        self.get_fields()

    def get_fields(self) -> dict[str, dict[str, Any]]:
        """The queryables."""
        self._fields = dict(FIELDS)
        return self._fields

    def query(self, offset: int = 0, limit: int = 10, resulttype: str = "results",
              bbox: list[float] | None = None, datetime_: str | None = None,
              properties: list[tuple[str, str]] | None = None,
              sortby: list[dict[str, str]] | None = None,
              select_properties: list[str] | None = None, skip_geometry: bool = False,
              q: str | None = None, **kwargs: Any) -> dict[str, Any]:
        """Search the catalogue; properties ``keywords``, ``theme``, ``type``, ``format``,
        ``license`` filter, ``id``/``title`` match exactly (folded)."""
        filters: dict[str, Any] = {}
        exact: list[tuple[str, str]] = []
        for name, value in properties or []:
            if name == "keywords":
                filters["keywords"] = value
            elif name == "theme":
                filters["theme"] = value
            elif name == "type":
                filters["type"] = value
            elif name == "format":
                filters["fmt"] = value
            elif name == "license":
                filters["licence"] = value
            elif name in FIELDS:
                exact.append((name, value))
            else:
                raise CatalogueQueryError(user_msg=f"unknown queryable {name!r}")
        sort = None
        if sortby:
            key = SORTABLE.get(sortby[0]["property"])
            if key is None:
                raise CatalogueQueryError(user_msg=
                    f"cannot sort by {sortby[0]['property']!r}; use {', '.join(SORTABLE)}")
            sort = f"-{key}" if sortby[0].get("order") == "-" else key
        try:
            hits = self.catalogue.search(
                q=q, bbox=bbox or None, datetime=datetime_, sort=sort, **filters)
        except InvalidRequestError as exc:
            raise CatalogueQueryError(user_msg=str(exc)) from None
        records = [to_record(r) for r in hits]
        for name, value in exact:
            records = [r for r in records if _matches(r, name, value)]
        page = [] if resulttype == "hits" else records[offset:offset + limit]
        if select_properties:
            for rec in page:
                rec["properties"] = {k: v for k, v in rec["properties"].items()
                                     if k in select_properties}
        if skip_geometry:
            for rec in page:
                rec["geometry"] = None
        return {"type": "FeatureCollection", "features": page,
                "numberMatched": len(records), "numberReturned": len(page)}

    def get(self, identifier: str, **kwargs: Any) -> dict[str, Any]:
        """One record by dataset id."""
        record = self.catalogue.record(str(identifier))
        if record is None:
            raise ProviderItemNotFoundError(f"no catalogue record {identifier!r}")
        return to_record(record)


def _matches(record: dict[str, Any], name: str, value: str) -> bool:
    from opengeodata.catalogue.text import fold

    actual = record["id"] if name == "id" else record["properties"].get(name)
    return actual is not None and fold(str(actual)) == fold(value)
