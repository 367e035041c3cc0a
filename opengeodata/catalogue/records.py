"""OGC API Records: a catalogue :class:`Record` as a GeoJSON record (record-core)."""

from __future__ import annotations

from typing import Any

from opengeodata.catalogue.model import Record
from opengeodata.catalogue.vocab import (
    EU,
    FORMAT_NAMES,
    THEME_LABELS,
    eu_frequency,
    eu_theme,
)
from opengeodata.ogc import CRS84

RECORD_CORE = "http://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-core"
THEME_SCHEME = "https://opengeodata.hannover.de/themes"


def bbox_polygon(bbox: tuple[float, float, float, float] | None) -> dict[str, Any] | None:
    """A GeoJSON Polygon of a CRS84 bbox, or None."""
    if bbox is None:
        return None
    x1, y1, x2, y2 = bbox
    return {"type": "Polygon",
            "coordinates": [[[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]]]}


def _contact(org: Any, role: str) -> dict[str, Any]:
    contact: dict[str, Any] = {"organization": org.name, "roles": [role]}
    if org.email:
        contact["emails"] = [{"value": org.email}]
    if org.url:
        contact["links"] = [{"rel": "about", "type": "text/html", "href": org.url}]
    return contact


def download_links(record: Record) -> list[dict[str, Any]]:
    """``rel=enclosure`` links with type, length, a title naming the format and the checksum."""
    return [
        {"rel": "enclosure", "type": d.media_type, "title": d.title, "href": d.href,
         "length": d.size, "file:checksum": f"1220{d.sha256}", "sha256": d.sha256,
         "format": d.format}
        for d in record.downloads
    ]


def to_record(record: Record) -> dict[str, Any]:
    """The GeoJSON record of ``record`` (OGC API Records, record-core)."""
    props: dict[str, Any] = {
        "type": record.type,
        "title": record.title,
        "description": record.description,
        "keywords": list(record.keywords),
        "themes": [
            {"scheme": f"{EU}data-theme",
             "concepts": [{"id": eu_theme(record.theme).rsplit("/", 1)[1],
                           "url": eu_theme(record.theme)}]},
            {"scheme": THEME_SCHEME,
             "concepts": [{"id": record.theme,
                           "title": THEME_LABELS.get(record.theme, record.theme)}]},
        ],
        "theme": record.theme,
        "kind": record.kind,
        "language": {"code": "de"},
        "updated": record.updated,
        "license": record.licence.id,
        "rights": record.licence.attribution,
        "licence": {"id": record.licence.id, "uri": record.licence.uri,
                    "url": record.licence.url, "attribution": record.licence.attribution},
        "contacts": [_contact(record.publisher, "publisher"),
                     _contact(record.contact, "pointOfContact")],
        "publisher": record.publisher.name,
        "updateFrequency": record.update_frequency,
        "accrualPeriodicity": eu_frequency(record.update_frequency),
        "version": record.version,
        "versions": list(record.versions),
        "featureCount": record.feature_count,
        "geometryType": record.geometry_type,
        "formats": [{"name": FORMAT_NAMES.get(f, f), "key": f} for f in record.formats],
        "format": list(record.formats),
        "quality": record.quality_summary(),
        "downloads": [
            {"name": d.name, "format": d.format, "title": d.title, "type": d.media_type,
             "size": d.size, "sha256": d.sha256, "href": d.href, "latest": d.latest_href,
             "versioned": d.version_href, "tile": d.tile, "crs": d.crs}
            for d in record.downloads
        ],
        "fields": [f.as_dict() for f in record.fields],
    }
    if record.title_en:
        props["title_en"] = record.title_en
    if record.description_en:
        props["description_en"] = record.description_en
    extent: dict[str, Any] = {}
    if record.bbox:
        extent["spatial"] = {"bbox": [list(record.bbox)], "crs": CRS84}
    if record.temporal:
        extent["temporal"] = {"interval": [list(record.temporal)]}
    if extent:
        props["extent"] = extent
    return {
        "id": record.id,
        "type": "Feature",
        "conformsTo": [RECORD_CORE],
        "geometry": bbox_polygon(record.bbox),
        "time": {"interval": list(record.temporal)} if record.temporal else None,
        "properties": props,
        "links": [dict(link) for link in record.links] + download_links(record),
    }
