"""Generate the pygeoapi configuration from the published model (nobody edits it by hand).

pygeoapi renders the landing page, ``/collections``, the HTML pages of features and records,
conformance, OpenAPI and the tile matrix sets; its configuration is generated here from
:class:`opengeodata.published.Published` and only handed to pygeoapi. Nothing in the project
reads it back: every consumer reads the published model.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from opengeodata.blob import as_blob
from opengeodata.catalogue.build import download_title
from opengeodata.catalogue.model import Catalogue
from opengeodata.ogc import (
    ATOM,
    CRS84,
    GEOTIFF,
    JSON,
    REL_DOMAINSET,
    REL_RANGETYPE,
    REL_TILESETS_3D,
    REL_TILESETS_MAP,
)
from opengeodata.published import RECORDS, Collection, Published
from opengeodata.server.theme import apply_theme
from opengeodata.versioned import with_version
from opengeodata.vtiles.documents import collection_links as vtile_links

FEATURE_PROVIDER = "opengeodata.providers.gpkg.GeoPackageProvider"
RECORD_PROVIDER = "opengeodata.providers.records.CatalogueRecordProvider"
COVERAGE_PROVIDER = "rasterio"


def load_base(config_dir: Path) -> dict[str, Any]:
    """The hand-edited base settings (server metadata, contact, licence)."""
    base = yaml.safe_load((config_dir / "pygeoapi-base.yml").read_text(encoding="utf-8"))
    return dict(base)


def download_links(base_url: str, coll: Collection) -> list[dict[str, Any]]:
    """`rel=enclosure` links to every download of the live version."""
    return [
        {
            "type": out.media_type,
            "rel": "enclosure",
            "title": f"{download_title(out.format, out.title, out.tile)} – {out.name}",
            "href": f"{base_url}/downloads/{coll.id}/{out.name}",
            "length": out.size,
        }
        for out in coll.downloads
    ]


def _texts(coll: Collection) -> dict[str, Any]:
    return {
        "type": "collection",
        "title": {"de": coll.title, "en": coll.title_en or coll.title},
        "description": {"de": coll.description, "en": coll.description_en or coll.description},
        "keywords": list(coll.keywords),
        "extents": {"spatial": {"bbox": list(coll.bbox_crs84 or (-180, -90, 180, 90)),
                                "crs": CRS84}},
    }


def collection(base_url: str, coll: Collection) -> dict[str, Any]:
    """The pygeoapi resource of one published dataset."""
    resource = _texts(coll)
    if coll.temporal:
        resource["extents"]["temporal"] = {"begin": coll.temporal[0], "end": coll.temporal[1]}
    links = [{"type": "text/html", "rel": "license", "title": coll.licence_id,
              "href": coll.licence_url}, *download_links(base_url, coll)]
    if coll.vector_tiles:
        links += vtile_links(base_url, coll.id)
    if coll.tiles3d:
        links.append({"type": JSON, "rel": REL_TILESETS_3D,
                      "title": "3D Tiles 1.1 (tileset.json)",
                      "href": f"{base_url}/collections/{coll.id}/3dtiles/tileset.json"})
    providers: list[dict[str, Any]] = []
    if (feat := coll.features) is not None:
        provider = {
            "type": "feature", "name": FEATURE_PROVIDER, "data": feat.data,
            "id_field": feat.id_field, "title_field": feat.title_field,
            "time_field": feat.time_field, "storage_crs": feat.storage_crs,
            "crs": list(feat.crs), "formats": dict(feat.formats),
        }
        providers.append({k: v for k, v in provider.items() if v is not None})
    if (cov := coll.coverage) is not None:
        providers.append({"type": "coverage", "name": COVERAGE_PROVIDER,
                          "data": as_blob(cov.source).gdal_path,
                          "format": {"name": "GTiff", "mimetype": GEOTIFF}})
        tiles = f"{base_url}/collections/{coll.id}/tiles"
        links += [
            {"type": "application/json", "rel": REL_TILESETS_MAP,
             "title": "Kartenkacheln (Tilesets)", "href": tiles},
            {"type": "image/png", "rel": "preview", "title": "Vorschau (PNG)",
             "href": with_version(f"{base_url}/collections/{coll.id}/coverage"
                                  "?scale-size=E(512)&f=png", coll.version)},
            {"type": "application/json", "rel": REL_DOMAINSET, "title": "Coverage domain set",
             "href": f"{base_url}/collections/{coll.id}/coverage/domainset"},
            {"type": "application/json", "rel": REL_RANGETYPE, "title": "Coverage range type",
             "href": f"{base_url}/collections/{coll.id}/coverage/rangetype"},
        ]
    resource["links"] = links
    resource["providers"] = providers
    return resource


def records_resource(coll: Collection, catalogue: Catalogue) -> dict[str, Any]:
    """The pygeoapi resource of the catalogue collection (``itemType: record``)."""
    base = catalogue.base_url
    resource = _texts(coll)
    resource["links"] = [
        {"type": "application/ld+json", "rel": "alternate",
         "title": "DCAT-AP.de (JSON-LD)", "href": f"{base}/catalogue/dcat"},
        {"type": "text/turtle", "rel": "alternate",
         "title": "DCAT-AP.de (Turtle)", "href": f"{base}/catalogue/dcat?f=ttl"},
        {"type": ATOM, "rel": "alternate",
         "title": "ATOM-Download-Service-Feed", "href": f"{base}/atom/service.xml"},
    ]
    resource["providers"] = [{
        "type": "record", "name": RECORD_PROVIDER, "data": catalogue, "id_field": "id",
        "title_field": "title", "time_field": "updated",
    }]
    return resource


def build_config(base: dict[str, Any], published: Published,
                 catalogue: Catalogue) -> dict[str, Any]:
    """A complete pygeoapi configuration: base settings plus one resource per collection
    pygeoapi describes (features, coverages, the records of ``catalogue``)."""
    config = copy.deepcopy(base)
    config["server"]["url"] = published.base_url
    config["server"]["bind"] = {"host": "127.0.0.1", "port": 5000}
    apply_theme(config)
    config.setdefault("logging", {"level": "ERROR"})
    resources: dict[str, Any] = {}
    for coll in published.collections.values():
        if coll.kind == RECORDS:
            resources[coll.id] = records_resource(coll, catalogue)
        elif coll.features is not None or coll.coverage is not None:
            resources[coll.id] = collection(published.base_url, coll)
    config["resources"] = resources
    return config
