"""Add the catalogue (OGC API Records) collection to the generated pygeoapi configuration."""

from __future__ import annotations

from typing import Any

from opengeodata.catalogue.model import Catalogue
from opengeodata.declaration import DeclaredDataset
from opengeodata.store import Store

CATALOGUE_ID = "catalogue"
RECORD_PROVIDER = "opengeodata.providers.records.CatalogueRecordProvider"


def catalogue_resource(catalogue: Catalogue) -> dict[str, Any]:
    """The pygeoapi resource of the catalogue collection (``itemType: record``)."""
    base = catalogue.base_url
    return {
        "type": "collection",
        "title": {"de": "Katalog der Geodaten", "en": "Geodata catalogue"},
        "description": {
            "de": "Ein Eintrag je veröffentlichtem Datensatz: Beschreibung, Lizenz, "
                  "Ausdehnung, Aktualität, Qualität, Dienste und Downloads.",
            "en": "One record per published dataset: description, licence, extent, "
                  "currency, quality, services and downloads.",
        },
        "keywords": ["Katalog", "catalogue", "OGC API Records", "DCAT-AP.de"],
        "links": [
            {"type": "application/ld+json", "rel": "alternate",
             "title": "DCAT-AP.de (JSON-LD)", "href": f"{base}/catalogue/dcat"},
            {"type": "text/turtle", "rel": "alternate",
             "title": "DCAT-AP.de (Turtle)", "href": f"{base}/catalogue/dcat?f=ttl"},
            {"type": "application/atom+xml", "rel": "alternate",
             "title": "ATOM-Download-Service-Feed", "href": f"{base}/atom/service.xml"},
        ],
        "extents": {"spatial": {"bbox": _union(catalogue),
                                "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
        "providers": [{
            "type": "record",
            "name": RECORD_PROVIDER,
            "data": catalogue,
            "id_field": "id",
            "title_field": "title",
            "time_field": "updated",
        }],
    }


def _union(catalogue: Catalogue) -> list[float]:
    boxes = [r.bbox for r in catalogue.items if r.bbox]
    if not boxes:
        return [-180.0, -90.0, 180.0, 90.0]
    return [min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes)]


def add_catalogue(config: dict[str, Any], base_url: str, store: Store,
                  datasets: list[DeclaredDataset]) -> Catalogue:
    """Build the catalogue from the live manifests and add its collection to ``config``."""
    catalogue = Catalogue.from_store(datasets, store, base_url, config.get("metadata"))
    config.setdefault("resources", {})[CATALOGUE_ID] = catalogue_resource(catalogue)
    return catalogue
