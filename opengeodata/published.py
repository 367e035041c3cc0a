"""The published model: one typed :class:`Published` per snapshot of the live data.

Built once per snapshot by :func:`build` from the valid declarations and the live manifests
(each manifest read once, kept versions listed once). Every consumer reads it: the pygeoapi
configuration and OpenAPI additions (``opengeodata.server``), the catalogue records, web pages,
DCAT and ATOM (``opengeodata.catalogue``), the feature views, the tile and coverage routes.
Nothing reads a generated pygeoapi dict back. Core layer: no Flask, no pygeoapi.

A :class:`Collection` has a **kind** (what the server does with it, the key of the dispatch in
``opengeodata.server.dispatch``) and **facets** (what it offers, each a small frozen record):

- ``features`` (:class:`FeatureFacet`): a feature table (backend ``gpkg`` today; a PostGIS
  backend sets ``backend="postgis"`` and ``data`` to its table reference),
- ``vector_tiles`` (:class:`VectorTilesFacet`): a PMTiles archive,
- ``coverage`` (:class:`CoverageFacet`): a COG,
- ``3dtiles`` (:class:`Tiles3DFacet`): a 3D Tiles archive (``.3tz``) of a city model.

File facets hold a ``source``: the store's :class:`~opengeodata.blob.Blob` (a local file or an
object in object storage; readers use its range reads or ``gdal_path``), or a plain local
``Path`` (tests); :func:`~opengeodata.blob.as_blob` turns either into a Blob.

Adding a facet (e.g. 3D tiles of a city model): write a frozen dataclass and a builder
``def my_facet(ctx: FacetContext) -> MyFacet | None`` and add it to :data:`FACET_BUILDERS`
under its name; it is then in ``collection.facets["3dtiles"]``. Adding a kind: put
``(kind, predicate)`` into :data:`KIND_RULES` before the rules it must win over (the first
predicate that is true on the facets names the kind), and register the kind's handlers in
``opengeodata.server.dispatch``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opengeodata.blob import Blob
from opengeodata.declaration import Dataset, DeclaredDataset
from opengeodata.errors import NotFoundError, OpenGeoDataError
from opengeodata.manifest import FieldInfo, Manifest, OutputFile
from opengeodata.ogc import CRS84, SUPPORTED_CRS, crs_uri
from opengeodata.store import Store

VECTOR = "vector"
RASTER = "raster"
RECORDS = "records"
#: a dataset with downloads only (no API collection)
FILES = "files"
#: the id of the OGC API Records collection of the catalogue
RECORDS_ID = "catalogue"
#: JSON Schema formats of declared date/time fields (stored as ISO text)
FIELD_FORMATS = {"date": "date", "datetime": "date-time"}
WORLD = (-180.0, -90.0, 180.0, 90.0)


@dataclass(frozen=True)
class FeatureFacet:
    """A queryable feature table of the live version."""

    backend: str
    data: str
    id_field: str
    title_field: str | None
    time_field: str | None
    storage_crs: str
    crs: tuple[str, ...]
    formats: Mapping[str, str]


@dataclass(frozen=True)
class VectorTilesFacet:
    """The PMTiles archive of the live version (Mapbox Vector Tiles)."""

    source: Blob | Path
    sha256: str
    minzoom: int
    maxzoom: int


@dataclass(frozen=True)
class CoverageFacet:
    """The Cloud Optimized GeoTIFF of the live version."""

    source: Blob | Path
    sha256: str
    crs: str


@dataclass(frozen=True)
class Tiles3DFacet:
    """The 3D Tiles 1.1 archive (3tz) of the live version."""

    source: Blob | Path
    sha256: str
    geoid: str | None


@dataclass(frozen=True)
class Collection:
    """One published dataset (or the records collection) as every consumer sees it."""

    id: str
    kind: str
    title: str
    description: str
    title_en: str | None = None
    description_en: str | None = None
    keywords: tuple[str, ...] = ()
    licence_id: str = ""
    licence_url: str = ""
    bbox_crs84: tuple[float, float, float, float] | None = None
    temporal: tuple[str | None, str | None] | None = None
    fields: tuple[FieldInfo, ...] = ()
    downloads: tuple[OutputFile, ...] = ()
    version: str = ""
    created: dt.datetime = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    versions: tuple[str, ...] = ()
    facets: Mapping[str, Any] = field(default_factory=dict)
    dataset: DeclaredDataset | None = field(default=None, repr=False)
    manifest: Manifest | None = field(default=None, repr=False)

    @property
    def features(self) -> FeatureFacet | None:
        """The feature table, if the collection has one."""
        return self.facets.get("features")

    @property
    def vector_tiles(self) -> VectorTilesFacet | None:
        """The vector tile archive, if the collection has one."""
        return self.facets.get("vector_tiles")

    @property
    def coverage(self) -> CoverageFacet | None:
        """The COG, if the collection has one."""
        return self.facets.get("coverage")

    @property
    def tiles3d(self) -> Tiles3DFacet | None:
        """The 3D Tiles archive, if the collection has one."""
        return self.facets.get("3dtiles")

    @property
    def listed(self) -> bool:
        """Whether the collection is an OGC API collection (in ``/collections``)."""
        return self.kind != FILES

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (German when there is no English one)."""
        return (self.title_en or self.title) if lang == "en" else self.title

    def description_in(self, lang: str) -> str:
        """The description in ``lang`` (German when there is no English one)."""
        return (self.description_en or self.description) if lang == "en" else self.description


@dataclass(frozen=True)
class Published:
    """Everything published at one moment: collections by id (declaration order)."""

    base_url: str
    collections: Mapping[str, Collection]
    metadata: Mapping[str, Any] = field(default_factory=dict)
    default_limit: int = 10
    max_limit: int = 10000
    #: every valid declaration by id (also of datasets that are not published)
    declarations: Mapping[str, DeclaredDataset] = field(default_factory=dict, repr=False)
    #: the live manifest by dataset id
    manifests: Mapping[str, Manifest] = field(default_factory=dict, repr=False)

    def get(self, collection_id: str) -> Collection | None:
        """The collection ``collection_id``, or None."""
        return self.collections.get(collection_id)

    def of_kind(self, *kinds: str) -> list[Collection]:
        """The collections of the given kinds."""
        return [c for c in self.collections.values() if c.kind in kinds]

    def datasets(self) -> list[Collection]:
        """The collections of published datasets (everything but the records collection)."""
        return [c for c in self.collections.values() if c.manifest is not None]

    def has_vector_tiles(self) -> bool:
        """Whether any dataset has vector tiles (the ``/tiles`` overview exists)."""
        return any(c.vector_tiles is not None for c in self.collections.values())


@dataclass(frozen=True)
class FacetContext:
    """What a facet builder sees of one dataset."""

    decl: Dataset
    manifest: Manifest
    #: None: facts from the manifest only (e.g. the kind for a catalogue record)
    store: Store | None

    def blob(self, name: str) -> Blob | Path | None:
        """A file of the live version from the store (local or object storage), or None."""
        if self.store is None:
            return Path(name)
        try:
            return self.store.blob(self.decl.id, self.manifest.version, name)
        except NotFoundError:
            return None


def field_formats(manifest: Manifest) -> dict[str, str]:
    """JSON schema formats of the declared date/time fields (stored as ISO text)."""
    return {f.name: FIELD_FORMATS[f.type] for f in manifest.fields if f.type in FIELD_FORMATS}


def _features(ctx: FacetContext) -> FeatureFacet | None:
    gpkg = ctx.manifest.output("gpkg")
    if not ctx.manifest.layer or gpkg is None:
        return None
    fields = ctx.manifest.fields
    store = ctx.store  # SQLite needs a real file: a local copy when it is in object storage
    data = Path(gpkg.name)
    if store is not None:
        fetch = store.fetch_copies and store.reads_remote
        try:
            data = store.local_file(ctx.decl.id, ctx.manifest.version, gpkg.name, fetch=fetch)
        except OpenGeoDataError:
            return None
        for extra in ctx.manifest.server_files:  # the stored answers beside the copy
            with contextlib.suppress(OpenGeoDataError):  # else every page is encoded
                store.local_file(ctx.decl.id, ctx.manifest.version, extra.name, fetch=fetch)
    return FeatureFacet(
        backend="gpkg", data=str(data),
        id_field=ctx.decl.id_field or "fid",
        title_field="name" if any(f.name == "name" for f in fields) else None,
        time_field=ctx.decl.temporal.field, storage_crs=crs_uri(ctx.decl.storage_crs),
        crs=SUPPORTED_CRS,
        formats=field_formats(ctx.manifest),
    )


def _vector_tiles(ctx: FacetContext) -> VectorTilesFacet | None:
    out = ctx.manifest.output("pmtiles")
    blob = ctx.blob(out.name) if out is not None else None
    if out is None or blob is None:
        return None
    return VectorTilesFacet(blob, out.sha256, ctx.decl.tiles.minzoom,
                            ctx.decl.tiles.maxzoom)


def _coverage(ctx: FacetContext) -> CoverageFacet | None:
    out = ctx.manifest.output("cog")
    blob = ctx.blob(out.name) if out is not None else None
    if out is None or blob is None:
        return None
    return CoverageFacet(blob, out.sha256, out.crs or ctx.decl.storage_crs)


def _tiles3d(ctx: FacetContext) -> Tiles3DFacet | None:
    out = ctx.manifest.output("3dtiles")
    blob = ctx.blob(out.name) if out is not None else None
    if out is None or blob is None:
        return None
    return Tiles3DFacet(blob, out.sha256, out.geoid)


#: facet name -> builder (None: the dataset has no such facet)
FACET_BUILDERS: dict[str, Callable[[FacetContext], Any]] = {
    "features": _features,
    "vector_tiles": _vector_tiles,
    "coverage": _coverage,
    "3dtiles": _tiles3d,
}
#: (kind, predicate on the facets), first match wins; no match: FILES
KIND_RULES: list[tuple[str, Callable[[Mapping[str, Any]], bool]]] = [
    (RASTER, lambda facets: "coverage" in facets),
    (VECTOR, lambda facets: "features" in facets or "vector_tiles" in facets),
]


def kind_of(facets: Mapping[str, Any]) -> str:
    """The kind named by the first matching rule of :data:`KIND_RULES`."""
    return next((kind for kind, rule in KIND_RULES if rule(facets)), FILES)


def created_time(manifest: Manifest) -> dt.datetime:
    """The manifest's creation time as an aware datetime."""
    return dt.datetime.fromisoformat(manifest.created.replace("Z", "+00:00"))


def dataset_collection(ds: DeclaredDataset, manifest: Manifest, store: Store | None,
                       versions: Iterable[str]) -> Collection:
    """The collection of one published dataset (its files from ``store``; None: only what
    the manifest says, file facets with bare names)."""
    decl = ds.decl
    ctx = FacetContext(decl, manifest, store)
    facets = {name: facet for name, build_facet in FACET_BUILDERS.items()
              if (facet := build_facet(ctx)) is not None}
    bbox = manifest.extent.bbox_crs84 if manifest.extent else None
    temporal = (decl.temporal.start, decl.temporal.end) if decl.temporal.start else None
    return Collection(
        id=decl.id, kind=kind_of(facets), title=decl.title, description=decl.description,
        title_en=decl.title_en, description_en=decl.description_en,
        keywords=tuple(decl.keywords), licence_id=decl.licence.id, licence_url=decl.licence.url,
        bbox_crs84=(bbox[0], bbox[1], bbox[2], bbox[3]) if bbox and len(bbox) == 4 else None,
        temporal=temporal, fields=tuple(manifest.fields), downloads=tuple(manifest.outputs),
        version=manifest.version, created=created_time(manifest),
        versions=tuple(versions) or (manifest.version,), facets=facets, dataset=ds,
        manifest=manifest,
    )


def records_collection(collections: Iterable[Collection]) -> Collection:
    """The OGC API Records collection of the catalogue (one record per dataset)."""
    boxes = [c.bbox_crs84 for c in collections if c.bbox_crs84]
    bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
            max(b[3] for b in boxes)) if boxes else WORLD
    return Collection(
        id=RECORDS_ID, kind=RECORDS, title="Katalog der Geodaten", title_en="Geodata catalogue",
        description="Ein Eintrag je veröffentlichtem Datensatz: Beschreibung, Lizenz, "
                    "Ausdehnung, Aktualität, Qualität, Dienste und Downloads.",
        description_en="One record per published dataset: description, licence, extent, "
                       "currency, quality, services and downloads.",
        keywords=("Katalog", "catalogue", "OGC API Records", "DCAT-AP.de"), bbox_crs84=bbox,
    )


def build(store: Store, declarations: Mapping[str, DeclaredDataset], base_url: str,
          server_config: Mapping[str, Any] | None = None) -> Published:
    """The published model of ``declarations`` with their live versions in ``store``.

    ``server_config`` is the hand-edited base configuration (``metadata``, ``server.limits``).
    """
    collections: dict[str, Collection] = {}
    for dataset_id, ds in declarations.items():
        try:
            manifest = store.live_manifest(dataset_id)
        except (OSError, ValueError):
            continue
        if manifest is None:
            continue
        collections[dataset_id] = dataset_collection(ds, manifest, store,
                                                     store.versions(dataset_id))
    collections[RECORDS_ID] = records_collection(collections.values())
    config = dict(server_config or {})
    limits = dict(config.get("server", {}).get("limits", {}))
    return Published(
        base_url=base_url.rstrip("/"), collections=collections,
        metadata=dict(config.get("metadata") or {}),
        default_limit=int(limits.get("default_items", 10)),
        max_limit=int(limits.get("max_items", 10000)), declarations=dict(declarations),
        manifests={c.id: c.manifest for c in collections.values() if c.manifest is not None},
    )


__all__ = ["CRS84", "FACET_BUILDERS", "FILES", "KIND_RULES", "RASTER", "RECORDS", "RECORDS_ID",
           "VECTOR", "Collection", "CoverageFacet", "FeatureFacet", "Published",
           "Tiles3DFacet", "VectorTilesFacet", "build"]
