"""The catalogue model: one record per published dataset, built from declarations + manifests.

Pure data, no Flask: the OGC API Records provider, DCAT-AP.de, the ATOM feeds and the HTML
catalogue all read the same :class:`Catalogue`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from opengeodata.declaration import DeclaredDataset, Licence, Organisation
from opengeodata.manifest import Manifest, QualityReport

if TYPE_CHECKING:
    from opengeodata.published import Published
    from opengeodata.store import Store

SortKey = Literal["relevance", "title", "-title", "updated", "-updated", "id", "size", "-size"]
SORT_KEYS: tuple[str, ...] = (
    "relevance", "title", "-title", "updated", "-updated", "id", "size", "-size",
)


@dataclass(frozen=True)
class Download:
    """One downloadable file of a dataset's live version, with its stable URLs."""

    name: str
    format: str
    title: str
    media_type: str
    size: int
    sha256: str
    href: str
    latest_href: str | None
    version_href: str
    crs: str | None = None
    tile: str | None = None

    @property
    def checksum(self) -> str:
        """``sha256:<hex>``."""
        return f"sha256:{self.sha256}"


@dataclass(frozen=True)
class Record:
    """Everything the catalogue says about one published dataset."""

    id: str
    title: str
    description: str
    keywords: tuple[str, ...]
    theme: str
    kind: str
    licence: Licence
    publisher: Organisation
    contact: Organisation
    update_frequency: str
    version: str
    versions: tuple[str, ...]
    updated: str
    feature_count: int
    geometry_type: str | None
    bbox: tuple[float, float, float, float] | None
    temporal: tuple[str | None, str | None] | None
    quality: QualityReport
    downloads: tuple[Download, ...]
    links: tuple[dict[str, Any], ...]
    title_en: str | None = None
    description_en: str | None = None
    fields: tuple[dict[str, str], ...] = ()
    search_text: str = field(default="", repr=False)
    title_text: str = field(default="", repr=False)

    type: str = "dataset"

    @property
    def formats(self) -> tuple[str, ...]:
        """Distinct download format keys in manifest order."""
        return tuple(dict.fromkeys(d.format for d in self.downloads))

    @property
    def total_size(self) -> int:
        """Sum of all download sizes in bytes."""
        return sum(d.size for d in self.downloads)

    def quality_summary(self) -> dict[str, Any]:
        """The quality report condensed for the catalogue."""
        q = self.quality
        return {
            "summary": q.summary(),
            "features_read": q.features_read,
            "features_written": q.features_written,
            "dropped": sum(q.dropped.values()),
            "dropped_reasons": dict(q.dropped),
            "geometries_repaired": q.geometries_repaired,
            "attribute_problems": sum(q.attribute_problems.values()),
            "crs_transformation": q.crs_transformation,
            "warnings": list(q.warnings),
        }


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
        from opengeodata.catalogue.build import make_record

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
            items=tuple(sorted(records, key=lambda r: r.title_text)),
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
        from opengeodata.catalogue.search import run_search

        return run_search(
            self.items, q=q, theme=theme, fmt=fmt, licence=licence, keywords=keywords,
            type_=type, bbox=bbox, datetime_=datetime, sort=sort,
        )

    # -- URLs -----------------------------------------------------------------------------
    def url(self, path: str) -> str:
        """Absolute URL of a server path."""
        return f"{self.base_url}/{path.lstrip('/')}"


def download_url(base_url: str, dataset_id: str, name: str) -> str:
    """URL of a file of the live version."""
    return f"{base_url}/downloads/{dataset_id}/{quote(name)}"


def latest_url(base_url: str, dataset_id: str, fmt: str) -> str:
    """Stable URL of the live version's file of format ``fmt``."""
    return f"{base_url}/downloads/{dataset_id}/latest/{quote(fmt)}"


def version_url(base_url: str, dataset_id: str, version: str, name: str) -> str:
    """URL of a file of one kept version (stable while the version is kept)."""
    return f"{base_url}/downloads/{dataset_id}/versions/{quote(version)}/{quote(name)}"


def _text(value: Any, default: str) -> str:
    if isinstance(value, dict):
        return str(value.get("de") or next(iter(value.values()), default))
    return str(value) if value else default


def _count(values: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))
