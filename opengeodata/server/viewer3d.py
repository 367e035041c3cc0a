"""What the 3D viewer page (``/catalogue/datasets/{id}/3d``) needs: its configuration.

The page (``templates/catalogue/viewer3d.html``, ``static/js/viewer3d.js``) shows a citymodel
dataset's 3D Tiles (``/collections/{id}/3dtiles/tileset.json``) with CesiumJS from
``static/vendor/cesium`` on the terrain of the elevation dataset (the raster dataset declared
with ``raster.terrain: true``, ``dgm1``), with the city map or the orthophoto draped as imagery,
all from this server: no Cesium ion, no default imagery, no geocoder.
"""

from __future__ import annotations

from typing import Any

from opengeodata.server.state import Snapshot
from opengeodata.versioned import with_version

#: imagery datasets offered in the viewer (first = default), if published with map tiles
IMAGERY = ("stadtkarte", "dop20")
#: the preferred terrain dataset; else any raster dataset declared with raster.terrain
TERRAIN_DATASET = "dgm1"

#: roof type (AdV roofType code) -> colour, German and English label
ROOF_COLOURS: dict[str, tuple[str, str, str]] = {
    "1000": ("#8fa3b8", "Flachdach", "Flat roof"),
    "2100": ("#c9a66b", "Pultdach", "Mono-pitch roof"),
    "3100": ("#c0504d", "Satteldach", "Gable roof"),
    "3200": ("#e39b3c", "Walmdach", "Hip roof"),
    "3300": ("#a0522d", "Krüppelwalmdach", "Half-hip roof"),
    "3400": ("#8e5ea2", "Mansardendach", "Mansard roof"),
    "3500": ("#5e9e6e", "Zeltdach", "Pyramid roof"),
}
#: building function (ALKIS Gebaeudefunktion, CityGML code) -> colour and labels
FUNCTION_COLOURS: dict[str, tuple[str, str, str]] = {
    "31001_1000": ("#e8c15a", "Wohngebäude", "Residential building"),
    "31001_1010": ("#d9a93d", "Wohnhaus", "House"),
    "31001_2000": ("#7a9cc6", "Wirtschaft oder Gewerbe", "Commerce or industry"),
    "31001_2463": ("#9a9a9a", "Garage", "Garage"),
    "31001_3000": ("#b56576", "Öffentliche Zwecke", "Public use"),
}
OTHER_COLOUR = "#f2f0eb"


def _terrain(snap: Snapshot) -> dict[str, Any] | None:
    candidates = [TERRAIN_DATASET, *sorted(snap.datasets)]
    for dataset_id in candidates:
        ds, manifest = snap.datasets.get(dataset_id), snap.manifests.get(dataset_id)
        if ds is None or manifest is None or not ds.decl.raster.terrain:
            continue
        checks = manifest.quality.checks.get("terrain")
        if not isinstance(checks, dict):
            continue
        heights = checks.get("heights_m") or [0.0, 0.0]
        return {
            "id": dataset_id,
            "tiles": with_version(f"/collections/{dataset_id}/terrain/{{z}}/{{x}}/{{y}}",
                                  manifest.version),
            "metadata": f"/collections/{dataset_id}/terrain",
            "size": 65,
            "floor": float(heights[0]),
            "geoid": checks.get("geoid", ""),
            "attribution": ds.decl.licence.attribution,
        }
    return None


def _imagery(snap: Snapshot, lang: str) -> list[dict[str, Any]]:
    layers = []
    for dataset_id in IMAGERY:
        ds, manifest = snap.datasets.get(dataset_id), snap.manifests.get(dataset_id)
        if ds is None or manifest is None or manifest.output("cog") is None:
            continue
        layer: dict[str, Any] = {
            "id": dataset_id,
            "title": (ds.decl.title_en or ds.decl.title) if lang == "en" else ds.decl.title,
            # WebP: small for photos, transparent where a tile leaves the data (not JPEG)
            "tiles": with_version(
                f"/collections/{dataset_id}/tiles/WebMercatorQuad/{{z}}/{{y}}/{{x}}"
                f"?f={'webp' if dataset_id == 'dop20' else 'png'}", manifest.version),
            "attribution": ds.decl.licence.attribution,
            "maxzoom": 19 if dataset_id == "dop20" else 18,
        }
        if manifest.extent is not None:
            layer["bounds"] = list(manifest.extent.bbox_crs84)
        layers.append(layer)
    return layers


def _palette(table: dict[str, tuple[str, str, str]], lang: str) -> list[dict[str, str]]:
    index = 2 if lang == "en" else 1
    return [{"value": code, "colour": entry[0], "label": entry[index]}
            for code, entry in table.items()]


def viewer_config(snap: Snapshot, dataset_id: str, lang: str,
                  labels: dict[str, str]) -> dict[str, Any]:
    """The JSON configuration of the viewer page of ``dataset_id``."""
    manifest = snap.manifests[dataset_id]
    bbox = manifest.extent.bbox_crs84 if manifest.extent is not None else None
    return {
        "id": dataset_id,
        "tileset": f"/collections/{dataset_id}/3dtiles/tileset.json",
        "bbox": list(bbox) if bbox else None,
        "terrain": _terrain(snap),
        "imagery": _imagery(snap, lang),
        "colours": {
            "dachform": _palette(ROOF_COLOURS, lang),
            "funktion": _palette(FUNCTION_COLOURS, lang),
            "other": OTHER_COLOUR,
        },
        "cesium": "/static/vendor/cesium/",
        "labels": labels,
    }
