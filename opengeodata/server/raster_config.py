"""pygeoapi configuration of raster collections (datasets whose live version has a COG).

A raster collection gets pygeoapi's rasterio coverage provider on the live COG, so pygeoapi
describes it (extent, grid, schema, coverage links), and links to its map tilesets. The tiles
and coverage responses themselves come from ``opengeodata.server.raster``.
"""

from __future__ import annotations

from typing import Any

from opengeodata.declaration import DeclaredDataset
from opengeodata.manifest import Manifest
from opengeodata.store import Store

COVERAGE_PROVIDER = "rasterio"
TILESETS_MAP = "http://www.opengis.net/def/rel/ogc/1.0/tilesets-map"


def add_raster(resource: dict[str, Any], base_url: str, store: Store,
               dataset: DeclaredDataset, manifest: Manifest) -> None:
    """Add the coverage provider and the map tileset links of a raster dataset in place."""
    cog = manifest.output("cog")
    if cog is None:
        return
    decl = dataset.decl
    resource["providers"].append({
        "type": "coverage",
        "name": COVERAGE_PROVIDER,
        "data": store.blob(decl.id, manifest.version, cog.name).gdal_path,
        "format": {"name": "GTiff", "mimetype": "image/tiff; application=geotiff"},
    })
    tiles = f"{base_url}/collections/{decl.id}/tiles"
    resource["links"].extend([
        {"type": "application/json", "rel": TILESETS_MAP, "title": "Kartenkacheln (Tilesets)",
         "href": tiles},
        {"type": "image/png", "rel": "preview", "title": "Vorschau (PNG)",
         "href": f"{base_url}/collections/{decl.id}/coverage?scale-size=E(512)&f=png"},
    ])
