"""The catalogue: the records of one published snapshot, with search and facets.

Pure data, no Flask: the OGC API Records provider, DCAT-AP.de, the ATOM feeds and the HTML
catalogue all read the same :class:`Catalogue`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from opengeodata.catalogue.build import make_record
from opengeodata.catalogue.record import (
    SORT_KEYS,
    Download,
    FieldDoc,
    Record,
    download_url,
    latest_url,
    version_url,
)
from opengeodata.catalogue.search import run_search
from opengeodata.declaration import DeclaredDataset
from opengeodata.manifest import Manifest

if TYPE_CHECKING:
    from opengeodata.published import Published
    from opengeodata.store import Store

@dataclass(frozen=True)
class Catalogue:
    """All records of the published datasets, with search.

    Build it with :meth:`from_published` (in the server) or :meth:`build` (anywhere)::

        cat = Catalogue.from_published(state.snapshot().published)
        cat.records()                        # every record, sorted by title
        cat.record("stadtbezirke")           # one record or None
        cat.search(q="strasse", theme="transport", fmt="gpkg", sort="-updated")
    """

    base_url: str
    items: tuple[Record, ...]
    title: str = "Open GeoData"
    description: str = ""
    metadata: Mapping[str, Any] = field(default_factory=dict)

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        datasets: Iterable[DeclaredDataset],
        manifests: Mapping[str, Manifest],
        base_url: str,
        versions: Mapping[str, Iterable[str]] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> Catalogue:
        """One record per dataset that has a live manifest in ``manifests``.

        ``versions`` maps dataset id -> kept versions (default: only the live one);
        ``metadata`` is the pygeoapi ``metadata`` block (catalogue title, provider, contact).
        """
        base_url = base_url.rstrip("/")
        records = []
        for ds in datasets:
            manifest = manifests.get(ds.decl.id)
            if manifest is None:
                continue
            kept = list((versions or {}).get(ds.decl.id, ())) or [manifest.version]
            records.append(make_record(ds, manifest, base_url, kept))
        meta = dict(metadata or {})
        ident = meta.get("identification", {})
        return cls(
            base_url=base_url,
            items=tuple(sorted(records, key=lambda r: r.sort_key)),
            title=_text(ident.get("title"), "Open GeoData"),
            description=_text(ident.get("description"), ""),
            metadata=meta,
        )

    @classmethod
    def from_store(
        cls, datasets: Iterable[DeclaredDataset], store: Store, base_url: str,
        metadata: Mapping[str, Any] | None = None,
    ) -> Catalogue:
        """Read the live manifests and kept versions from ``store``."""
        datasets = list(datasets)
        manifests: dict[str, Manifest] = {}
        versions: dict[str, list[str]] = {}
        for ds in datasets:
            manifest = store.live_manifest(ds.decl.id)
            if manifest is not None:
                manifests[ds.decl.id] = manifest
                versions[ds.decl.id] = store.versions(ds.decl.id)
        return cls.build(datasets, manifests, base_url, versions, metadata)

    @classmethod
    def from_published(cls, published: Published) -> Catalogue:
        """From the published model of a snapshot (live manifests and kept versions)."""
        colls = published.datasets()
        return cls.build(
            [c.dataset for c in colls if c.dataset is not None],
            {c.id: c.manifest for c in colls if c.manifest is not None},
            published.base_url, {c.id: c.versions for c in colls}, published.metadata,
        )

    # -- access ---------------------------------------------------------------------------
    def records(self) -> list[Record]:
        """Every record, sorted by title."""
        return list(self.items)

    def record(self, record_id: str) -> Record | None:
        """The record of dataset ``record_id``, or None."""
        return next((r for r in self.items if r.id == record_id), None)

    def __len__(self) -> int:
        return len(self.items)

    def themes(self) -> dict[str, int]:
        """Theme -> number of records (for facets)."""
        return _count(r.theme for r in self.items)

    def formats(self) -> dict[str, int]:
        """Format key -> number of records offering it (for facets)."""
        return _count(f for r in self.items for f in r.formats)

    def licences(self) -> dict[str, int]:
        """Licence id -> number of records (for facets)."""
        return _count(r.licence.id for r in self.items)

    def keywords(self) -> dict[str, int]:
        """Keyword -> number of records (for facets)."""
        return _count(k for r in self.items for k in r.keywords)

    def facets(self, records: Iterable[Record] | None = None) -> dict[str, dict[str, int]]:
        """Counts per theme, format, licence and keyword over ``records`` (default: all),
        e.g. for the filter sidebar of a search result."""
        chosen = list(self.items if records is None else records)
        return {
            "theme": _count(r.theme for r in chosen),
            "format": _count(f for r in chosen for f in r.formats),
            "licence": _count(r.licence.id for r in chosen),
            "keywords": _count(k for r in chosen for k in r.keywords),
        }

    def search(
        self,
        q: str | None = None,
        *,
        theme: str | Iterable[str] | None = None,
        fmt: str | Iterable[str] | None = None,
        licence: str | Iterable[str] | None = None,
        keywords: str | Iterable[str] | None = None,
        type: str | None = None,
        bbox: tuple[float, float, float, float] | list[float] | None = None,
        datetime: str | None = None,
        sort: str | None = None,
    ) -> list[Record]:
        """Records matching every given filter.

        - ``q``: full text over title, description and keywords; case-insensitive, umlauts
          equal their ae/oe/ue spellings and ß equals ss. Words separated by spaces must all
          occur; comma-separated alternatives match if any does.
        - ``theme``, ``fmt`` (format key, e.g. ``gpkg``), ``licence`` (e.g. ``dl-de/by-2-0``):
          one value or several (any matches).
        - ``keywords``: one or several keywords (comma-separated string allowed); a record
          matches if it has any of them (folded comparison).
        - ``type``: ``dataset`` or a source kind (``vector``, ``nas``, ``citygml``, ``raster``).
        - ``bbox``: minlon, minlat, maxlon, maxlat; records whose extent intersects.
        - ``datetime``: an RFC 3339 instant or interval (``a/b``, ``..`` open); matches the
          declared temporal extent, or the last refresh for records without one.
        - ``sort``: one of :data:`SORT_KEYS`; default ``relevance`` with ``q``, else ``title``.

        Raises :class:`~opengeodata.errors.InvalidRequestError` for a bad ``bbox``,
        ``datetime`` or ``sort``.
        """
        return run_search(
            self.items, q=q, theme=theme, fmt=fmt, licence=licence, keywords=keywords,
            type_=type, bbox=bbox, datetime_=datetime, sort=sort,
        )

    # -- URLs -----------------------------------------------------------------------------
    def url(self, path: str) -> str:
        """Absolute URL of a server path."""
        return f"{self.base_url}/{path.lstrip('/')}"


def _text(value: Any, default: str) -> str:
    if isinstance(value, dict):
        return str(value.get("de") or next(iter(value.values()), default))
    return str(value) if value else default


def _count(values: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))


__all__ = ["SORT_KEYS", "Catalogue", "Download", "FieldDoc", "Record", "download_url",
           "latest_url", "version_url"]
