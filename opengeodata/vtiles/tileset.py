"""One served vector tileset: an open archive plus what its answers need, built once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from opengeodata.vtiles.archive import Archive
from opengeodata.vtiles.tms import limits

GEOMETRY_TYPES = {"Point": "points", "LineString": "lines", "Polygon": "polygons"}
FIELD_TYPES = {"Number": "number", "String": "string", "Boolean": "boolean"}


@dataclass
class TileSet:
    """A PMTiles archive of one version, with its URL prefix and ETag token."""

    archive: Archive
    version_tag: str  # changes with every data version (part of each ETag)
    url: str  # e.g. http://host/collections/<id>/tiles
    title: str
    description: str
    version: str
    collection_url: str | None = None
    layers: list[dict[str, Any]] = field(default_factory=list)
    attribution: str = ""
    limits: dict[int, tuple[int, int, int, int]] = field(default_factory=dict)
    gzipped: bool = False
    #: "z/row/col" -> (offset, length, ETag without closing quote); length 0: empty tile.
    hits: dict[str, tuple[int, int, str]] = field(default_factory=dict)

    @classmethod
    def open(cls, archive: Archive, *, version_tag: str, url: str, title: str,
             description: str, version: str, collection_url: str | None = None) -> TileSet:
        """Read header and metadata once; precompute the tile matrix set limits."""
        meta = archive.metadata()
        stats = {s.get("layer"): s for s in meta.get("tilestats", {}).get("layers", [])}
        layers = []
        for layer in meta.get("vector_layers", []):
            layer = dict(layer)
            layer["geometry"] = stats.get(layer.get("id"), {}).get("geometry")
            layers.append(layer)
        minzoom, maxzoom = archive.zooms
        return cls(archive=archive, version_tag=version_tag, url=url, title=title,
                   description=description, version=version, collection_url=collection_url,
                   layers=layers, attribution=str(meta.get("attribution", "")),
                   limits=limits(archive.bounds, minzoom, maxzoom), gzipped=archive.gzipped)
