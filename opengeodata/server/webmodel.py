"""What the web catalogue pages show: one entry per published dataset.

Searching, sorting and facets come from :class:`opengeodata.catalogue.Catalogue` (the same as
the Records ``q``); an entry adds what the pages render (attribute docs, tiled downloads, zooms).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from opengeodata.catalogue.text import fold
from opengeodata.declaration import DeclaredDataset, Licence, Organisation
from opengeodata.manifest import Manifest, OutputFile, QualityReport


@dataclass(frozen=True)
class FieldDoc:
    """One attribute of the published layer with its meaning."""

    name: str
    type: str
    description: str


@dataclass(frozen=True)
class Entry:
    """A published dataset as the catalogue pages show it."""

    id: str
    title: str
    title_en: str | None
    description: str
    description_en: str | None
    keywords: tuple[str, ...]
    theme: str
    kind: str
    licence: Licence
    publisher: Organisation
    contact: Organisation
    update_frequency: str
    updated: str
    version: str
    feature_count: int
    geometry_type: str | None
    bbox: tuple[float, float, float, float] | None
    fields: tuple[FieldDoc, ...]
    downloads: tuple[OutputFile, ...]
    tiled_downloads: tuple[OutputFile, ...]
    quality: QualityReport
    minzoom: int
    maxzoom: int
    title_text: str = field(repr=False)

    @property
    def formats(self) -> tuple[str, ...]:
        """Format keys of the downloads, without repeats."""
        return tuple(dict.fromkeys(o.format for o in (*self.downloads, *self.tiled_downloads)))

    @property
    def pmtiles(self) -> OutputFile | None:
        """The vector tile archive, if the dataset has one."""
        return next((o for o in self.downloads if o.format == "pmtiles"), None)

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (German when there is no English one)."""
        return (self.title_en or self.title) if lang == "en" else self.title

    def description_in(self, lang: str) -> str:
        """The description in ``lang`` (German when there is no English one)."""
        return (self.description_en or self.description) if lang == "en" else self.description


def field_docs(dataset: DeclaredDataset, manifest: Manifest) -> tuple[FieldDoc, ...]:
    """The published attributes (manifest) with descriptions (manifest, else declaration)."""
    declared = {f.name: f for f in dataset.decl.fields or []}
    docs = []
    for info in manifest.fields:
        spec = declared.get(info.name)
        description = info.description or (spec.description if spec else "")
        docs.append(FieldDoc(info.name, info.type, description))
    if not docs:
        docs = [FieldDoc(f.name, f.type, f.description) for f in declared.values()]
    return tuple(docs)


def make_entry(dataset: DeclaredDataset, manifest: Manifest) -> Entry:
    """The catalogue entry of one published dataset."""
    decl = dataset.decl
    bbox = manifest.extent.bbox_crs84 if manifest.extent else None
    return Entry(
        id=decl.id, title=decl.title, title_en=decl.title_en, description=decl.description,
        description_en=decl.description_en, keywords=tuple(decl.keywords), theme=decl.theme,
        kind=decl.source.kind, licence=decl.licence, publisher=decl.publisher,
        contact=decl.contact, update_frequency=decl.update_frequency, updated=manifest.created,
        version=manifest.version, feature_count=manifest.feature_count,
        geometry_type=manifest.geometry_type,
        bbox=(bbox[0], bbox[1], bbox[2], bbox[3]) if bbox and len(bbox) == 4 else None,
        fields=field_docs(dataset, manifest),
        downloads=tuple(o for o in manifest.outputs if o.tile is None),
        tiled_downloads=tuple(o for o in manifest.outputs if o.tile is not None),
        quality=manifest.quality, minzoom=decl.tiles.minzoom, maxzoom=decl.tiles.maxzoom,
        title_text=fold(f"{decl.title} {decl.title_en or ''}"),
    )


def entries(datasets: Mapping[str, DeclaredDataset],
            manifests: Mapping[str, Manifest]) -> list[Entry]:
    """Entries of every published dataset, sorted by title."""
    found = [make_entry(ds, manifests[i]) for i, ds in datasets.items() if i in manifests]
    return sorted(found, key=lambda e: e.title_text)
