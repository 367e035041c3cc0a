"""The one record model of the catalogue: what every view says about one published dataset.

The web pages, OGC API Records, DCAT-AP.de and the ATOM feeds all render :class:`Record`
(built by :func:`opengeodata.catalogue.build.make_record` from the published model).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

from opengeodata.declaration import Licence, Organisation
from opengeodata.manifest import QualityReport

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
class FieldDoc:
    """One attribute of the published layer with its meaning."""

    name: str
    type: str
    description: str

    def as_dict(self) -> dict[str, str]:
        """``{"name", "type", "description"}``."""
        return {"name": self.name, "type": self.type, "description": self.description}


@dataclass(frozen=True)
class RasterFacts:
    """Size, resolution and bands of a raster dataset's COG."""

    width: int
    height: int
    bands: int
    resolution_m: float | None = None
    dtype: str | None = None


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
    fields: tuple[FieldDoc, ...] = ()
    #: the collection kind of the published model (vector, raster, records, files)
    collection_kind: str = "vector"
    raster: RasterFacts | None = None
    minzoom: int = 10
    maxzoom: int = 16
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

    @property
    def file_downloads(self) -> tuple[Download, ...]:
        """The downloads that are whole files (not download tiles)."""
        return tuple(d for d in self.downloads if d.tile is None)

    @property
    def tiled_downloads(self) -> tuple[Download, ...]:
        """The download tiles (e.g. 1x1 km CityJSON)."""
        return tuple(d for d in self.downloads if d.tile is not None)

    @property
    def pmtiles(self) -> Download | None:
        """The vector tile archive, if the dataset has one."""
        return next((d for d in self.file_downloads if d.format == "pmtiles"), None)

    @property
    def sort_key(self) -> tuple[str, str]:
        """The catalogue's order: folded (German) title, then id."""
        return (self.title_text, self.id)

    def title_in(self, lang: str) -> str:
        """The title in ``lang`` (German when there is no English one)."""
        return (self.title_en or self.title) if lang == "en" else self.title

    def description_in(self, lang: str) -> str:
        """The description in ``lang`` (German when there is no English one)."""
        return (self.description_en or self.description) if lang == "en" else self.description

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


def download_url(base_url: str, dataset_id: str, name: str) -> str:
    """URL of a file of the live version."""
    return f"{base_url}/downloads/{dataset_id}/{quote(name)}"


def latest_url(base_url: str, dataset_id: str, fmt: str) -> str:
    """Stable URL of the live version's file of format ``fmt``."""
    return f"{base_url}/downloads/{dataset_id}/latest/{quote(fmt)}"


def version_url(base_url: str, dataset_id: str, version: str, name: str) -> str:
    """URL of a file of one kept version (stable while the version is kept)."""
    return f"{base_url}/downloads/{dataset_id}/versions/{quote(version)}/{quote(name)}"


