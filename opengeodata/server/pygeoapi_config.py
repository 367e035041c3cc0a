"""Generate the pygeoapi configuration from the published datasets (nobody edits it by hand)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from opengeodata.catalogue.build import download_title
from opengeodata.catalogue.pygeoapi import add_catalogue
from opengeodata.declaration import DeclaredDataset
from opengeodata.manifest import Manifest
from opengeodata.server.raster_config import add_raster
from opengeodata.server.theme import apply_theme
from opengeodata.store import Store
from opengeodata.vtiles.documents import collection_links as vtile_links

EPSG = "http://www.opengis.net/def/crs/EPSG/0/{}"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
SUPPORTED_CRS = [CRS84, EPSG.format(4326), EPSG.format(25832), EPSG.format(3857),
                 EPSG.format(4258)]
FEATURE_PROVIDER = "opengeodata.providers.gpkg.GeoPackageProvider"
FIELD_FORMATS = {"date": "date", "datetime": "date-time"}


def crs_uri(crs: str) -> str:
    """'EPSG:25832' -> the OGC CRS URI."""
    if crs.upper().startswith("EPSG:"):
        return EPSG.format(crs.split(":", 1)[1])
    return crs


def load_base(config_dir: Path) -> dict[str, Any]:
    """The hand-edited base settings (server metadata, contact, licence)."""
    base = yaml.safe_load((config_dir / "pygeoapi-base.yml").read_text(encoding="utf-8"))
    return dict(base)


def download_links(base_url: str, manifest: Manifest) -> list[dict[str, Any]]:
    """`rel=enclosure` links to every download of the live version."""
    return [
        {
            "type": out.media_type,
            "rel": "enclosure",
            "title": f"{download_title(out.format, out.title, out.tile)} – {out.name}",
            "href": f"{base_url}/downloads/{manifest.dataset}/{out.name}",
            "length": out.size,
        }
        for out in manifest.outputs
    ]


def field_formats(manifest: Manifest) -> dict[str, str]:
    """JSON schema formats of the declared date/time fields (stored as ISO text)."""
    return {f.name: FIELD_FORMATS[f.type] for f in manifest.fields if f.type in FIELD_FORMATS}


def collection(
    base_url: str, store: Store, dataset: DeclaredDataset, manifest: Manifest
) -> dict[str, Any]:
    """The pygeoapi resource of one published dataset."""
    decl = dataset.decl
    extents: dict[str, Any] = {}
    if manifest.extent:
        extents["spatial"] = {"bbox": manifest.extent.bbox_crs84, "crs": CRS84}
    if decl.temporal.start:
        extents["temporal"] = {"begin": decl.temporal.start, "end": decl.temporal.end}
    providers: list[dict[str, Any]] = []
    if manifest.layer and manifest.output("gpkg"):
        gpkg = manifest.output("gpkg")
        assert gpkg is not None
        providers.append({
            "type": "feature",
            "name": FEATURE_PROVIDER,
            "data": str(store.local_file(decl.id, manifest.version, gpkg.name)),
            "id_field": decl.id_field or "fid",
            "title_field": "name" if any(f.name == "name" for f in manifest.fields) else None,
            "time_field": decl.temporal.field,
            "storage_crs": crs_uri(decl.storage_crs),
            "crs": SUPPORTED_CRS,
            "formats": field_formats(manifest),
        })
        providers[-1] = {k: v for k, v in providers[-1].items() if v is not None}
    return {
        "type": "collection",
        "title": {"de": decl.title, "en": decl.title_en or decl.title},
        "description": {"de": decl.description, "en": decl.description_en or decl.description},
        "keywords": list(decl.keywords),
        "links": [
            {"type": "text/html", "rel": "license", "title": decl.licence.id,
             "href": decl.licence.url},
            *download_links(base_url, manifest),
            *(vtile_links(base_url, decl.id) if manifest.output("pmtiles") else []),
        ],
        "extents": extents or {"spatial": {"bbox": [-180, -90, 180, 90], "crs": CRS84}},
        "providers": providers,
    }


def build_config(
    base: dict[str, Any], base_url: str, store: Store, datasets: list[DeclaredDataset]
) -> dict[str, Any]:
    """A complete pygeoapi configuration: base settings plus one resource per live dataset."""
    config = copy.deepcopy(base)
    config["server"]["url"] = base_url
    config["server"]["bind"] = {"host": "127.0.0.1", "port": 5000}
    apply_theme(config)
    config.setdefault("logging", {"level": "ERROR"})
    resources: dict[str, Any] = {}
    for dataset in datasets:
        manifest = store.live_manifest(dataset.decl.id)
        if manifest is None:
            continue
        res = collection(base_url, store, dataset, manifest)
        add_raster(res, base_url, store, dataset, manifest)
        if res["providers"]:
            resources[dataset.decl.id] = res
    config["resources"] = resources
    add_catalogue(config, base_url, store, datasets)  # OGC API Records collection
    return config
