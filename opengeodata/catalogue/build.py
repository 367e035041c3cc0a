"""Build one catalogue :class:`Record` from a declaration and its live manifest."""

from __future__ import annotations

from typing import Any

from opengeodata.catalogue.record import (
    Download,
    FieldDoc,
    RasterFacts,
    Record,
    download_url,
    latest_url,
    version_url,
)
from opengeodata.catalogue.text import fold
from opengeodata.catalogue.vocab import FORMAT_NAMES
from opengeodata.declaration import DeclaredDataset
from opengeodata.manifest import Manifest
from opengeodata.ogc import ATOM, GEOJSON, REL_TILESETS_3D, REL_TILESETS_VECTOR
from opengeodata.published import dataset_collection

TILESETS_REL = REL_TILESETS_VECTOR


def downloads(base_url: str, manifest: Manifest) -> tuple[Download, ...]:
    """Every output of the live version as a :class:`Download` with its three URLs."""
    out = []
    for o in manifest.outputs:
        is_default = o.tile is None and manifest.output(o.format) is o
        out.append(Download(
            name=o.name,
            format=o.format,
            title=download_title(o.format, o.title, o.tile),
            media_type=o.media_type,
            size=o.size,
            sha256=o.sha256,
            href=download_url(base_url, manifest.dataset, o.name),
            latest_href=latest_url(base_url, manifest.dataset, o.format) if is_default else None,
            version_href=version_url(base_url, manifest.dataset, manifest.version, o.name),
            crs=o.crs,
            tile=o.tile,
        ))
    return tuple(out)


def download_title(fmt: str, title: str, tile: str | None = None) -> str:
    """A title that always names the format, e.g. 'GeoPackage (EPSG:25832)'."""
    name = FORMAT_NAMES.get(fmt, fmt.upper())
    text = title if title and fold(name.split(" ")[0]) in fold(title) else (
        f"{name} – {title}" if title else name
    )
    return f"{text}, Kachel {tile}" if tile else text


def service_links(base_url: str, ds: DeclaredDataset, manifest: Manifest) -> list[dict[str, Any]]:
    """Links to the OGC API endpoints, the licence and the feeds of one dataset."""
    did = ds.decl.id
    links: list[dict[str, Any]] = [
        {"rel": "describedby", "type": "application/json", "title": "OGC API Collection",
         "href": f"{base_url}/collections/{did}"},
    ]
    if manifest.layer and manifest.output("gpkg"):
        links.append({"rel": "items", "type": GEOJSON,
                      "title": "OGC API Features", "href": f"{base_url}/collections/{did}/items"})
    if any(o.format == "pmtiles" for o in manifest.outputs):
        links.append({"rel": TILESETS_REL, "type": "application/json",
                      "title": "OGC API Tiles (Vektorkacheln)",
                      "href": f"{base_url}/collections/{did}/tiles"})
    if manifest.output("3dtiles") is not None:
        links.append({"rel": REL_TILESETS_3D, "type": "application/json",
                      "title": "3D Tiles 1.1 (tileset.json)",
                      "href": f"{base_url}/collections/{did}/3dtiles/tileset.json"})
    links += [
        {"rel": "license", "type": "text/html", "title": ds.decl.licence.id,
         "href": ds.decl.licence.url},
        {"rel": "license", "type": "application/rdf+xml",
         "title": f"{ds.decl.licence.id} (DCAT-AP.de)", "href": ds.decl.licence.uri},
        {"rel": "alternate", "type": ATOM, "title": "ATOM-Download-Feed",
         "href": f"{base_url}/atom/{did}.xml"},
        {"rel": "alternate", "type": "application/ld+json", "title": "DCAT-AP.de (JSON-LD)",
         "href": f"{base_url}/catalogue/dcat/{did}"},
    ]
    return links


def field_docs(ds: DeclaredDataset, manifest: Manifest) -> tuple[FieldDoc, ...]:
    """The published attributes (manifest) with descriptions (manifest, else declaration);
    the declared fields when the manifest lists none."""
    declared = {f.name: f for f in ds.decl.fields or []}
    docs = []
    for info in manifest.fields:
        spec = declared.get(info.name)
        docs.append(FieldDoc(info.name, info.type,
                             info.description or (spec.description if spec else "")))
    if not docs:
        docs = [FieldDoc(f.name, f.type, f.description) for f in declared.values()]
    return tuple(docs)


def raster_facts(manifest: Manifest) -> RasterFacts | None:
    """Size, resolution and bands of a raster version (from its quality report)."""
    facts = manifest.quality.checks.get("raster")
    if manifest.output("cog") is None or not isinstance(facts, dict):
        return None
    res = facts.get("resolution_m")
    return RasterFacts(width=int(facts.get("width") or 0), height=int(facts.get("height") or 0),
                       bands=int(facts.get("bands") or 0),
                       resolution_m=float(res) if res is not None else None,
                       dtype=str(facts["dtype"]) if facts.get("dtype") else None)


def make_record(
    ds: DeclaredDataset, manifest: Manifest, base_url: str, versions: list[str]
) -> Record:
    """The catalogue record of ``ds`` whose live version is ``manifest``."""
    d = ds.decl
    bbox = tuple(manifest.extent.bbox_crs84) if manifest.extent else None
    temporal = (d.temporal.start, d.temporal.end) if d.temporal.start or d.temporal.end else None
    text = " ".join([d.title, d.title_en or "", d.description, d.description_en or "",
                     *d.keywords, d.id])
    return Record(
        id=d.id,
        title=d.title,
        title_en=d.title_en,
        description=d.description,
        description_en=d.description_en,
        keywords=tuple(d.keywords),
        theme=d.theme,
        kind=d.source.kind,
        licence=d.licence,
        publisher=d.publisher,
        contact=d.contact,
        update_frequency=d.update_frequency,
        version=manifest.version,
        versions=tuple(versions),
        updated=manifest.created,
        feature_count=manifest.feature_count,
        geometry_type=manifest.geometry_type,
        bbox=bbox,  # type: ignore[arg-type]
        temporal=temporal,
        quality=manifest.quality,
        downloads=downloads(base_url, manifest),
        links=tuple(service_links(base_url, ds, manifest)),
        fields=field_docs(ds, manifest),
        collection_kind=dataset_collection(ds, manifest, None, versions).kind,
        raster=raster_facts(manifest),
        minzoom=d.tiles.minzoom,
        maxzoom=d.tiles.maxzoom,
        search_text=fold(text),
        title_text=fold(d.title),
    )
