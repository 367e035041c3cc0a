"""What the web catalogue shows: one entry per published dataset, and its search.

Search has the semantics of the Records ``q``: case-insensitive, German umlauts match their
ae/oe/ue spellings (and ß matches ss), words separated by blanks must all occur, commas separate
alternatives.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from opengeodata.declaration import DeclaredDataset, Licence, Organisation
from opengeodata.manifest import Manifest, OutputFile, QualityReport

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
SORTS = ("relevance", "title", "updated")

FORMAT_NAMES: dict[str, str] = {
    "gpkg": "GeoPackage", "geojson": "GeoJSON", "fgb": "FlatGeobuf", "shpzip": "Shapefile (ZIP)",
    "csv": "CSV", "parquet": "GeoParquet", "cityjson": "CityJSON", "cityjsonseq": "CityJSONSeq",
    "citygml": "CityGML", "cog": "Cloud Optimized GeoTIFF", "pmtiles": "PMTiles",
}


def fold(text: str) -> str:
    """Lower case, ä->ae, ö->oe, ü->ue, ß->ss, accents stripped: both spellings match."""
    lowered = unicodedata.normalize("NFC", text).lower().translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def parse_query(q: str) -> list[list[str]]:
    """``"baum kataster, bäume"`` -> ``[["baum", "kataster"], ["baeume"]]``."""
    groups = []
    for part in q.split(","):
        words = [fold(w) for w in re.split(r"\s+", part.strip()) if w]
        if words:
            groups.append(words)
    return groups


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
    search_text: str = field(repr=False)
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
    texts = [decl.id, decl.title, decl.title_en or "", decl.description,
             decl.description_en or "", *decl.keywords]
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
        search_text=fold(" ".join(texts)),
        title_text=fold(f"{decl.title} {decl.title_en or ''}"),
    )


def entries(datasets: dict[str, DeclaredDataset], manifests: dict[str, Manifest]) -> list[Entry]:
    """Entries of every published dataset, sorted by title."""
    found = [make_entry(ds, manifests[i]) for i, ds in datasets.items() if i in manifests]
    return sorted(found, key=lambda e: e.title_text)


def _score(entry: Entry, groups: list[list[str]]) -> int:
    best = 0
    for words in groups:
        if all(w in entry.search_text for w in words):
            best = max(best, 1 + sum(3 for w in words if w in entry.title_text))
    return best


def search(
    items: Iterable[Entry], *, q: str = "", themes: Iterable[str] = (),
    formats: Iterable[str] = (), licences: Iterable[str] = (), sort: str = "",
) -> list[Entry]:
    """Entries matching ``q`` and every filter (a filter with several values: any of them)."""
    groups = parse_query(q) if q else []
    wanted_themes, wanted_formats, wanted_licences = set(themes), set(formats), set(licences)
    hits: list[tuple[int, Entry]] = []
    for entry in items:
        if wanted_themes and entry.theme not in wanted_themes:
            continue
        if wanted_formats and not wanted_formats.intersection(entry.formats):
            continue
        if wanted_licences and entry.licence.id not in wanted_licences:
            continue
        score = _score(entry, groups) if groups else 1
        if score:
            hits.append((score, entry))
    sort = sort if sort in SORTS else ("relevance" if groups else "title")
    hits.sort(key=lambda h: h[1].title_text)
    if sort == "relevance":
        hits.sort(key=lambda h: -h[0])
    elif sort == "updated":
        hits.sort(key=lambda h: h[1].updated, reverse=True)
    return [entry for _, entry in hits]


def facets(items: Iterable[Entry]) -> dict[str, Counter[str]]:
    """Counts per theme, format and licence id (for the filters and the start page)."""
    counts: dict[str, Counter[str]] = {"theme": Counter(), "format": Counter(),
                                       "licence": Counter()}
    for entry in items:
        counts["theme"][entry.theme] += 1
        counts["licence"][entry.licence.id] += 1
        counts["format"].update(entry.formats)
    return counts
