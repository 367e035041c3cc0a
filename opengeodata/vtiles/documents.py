"""The JSON documents of OGC API Tiles 1.0 and TileJSON 3.0 for a TileSet."""

from __future__ import annotations

from typing import Any

from opengeodata.ogc import JSON, MVT, REL_TILESETS_VECTOR
from opengeodata.versioned import with_version
from opengeodata.vtiles.tileset import FIELD_TYPES, GEOMETRY_TYPES, TileSet
from opengeodata.vtiles.tms import CRS84, CRS_3857, TMS_ID, TMS_URI, limits_json

REL_TILING_SCHEME = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme"
REL_GEODATA = "http://www.opengis.net/def/rel/ogc/1.0/geodata"


def tile_template(ts: TileSet, z: str = "{tileMatrix}", y: str = "{tileRow}",
                  x: str = "{tileCol}") -> str:
    """URL template of the tiles of this version (``?v=``: cached as immutable)."""
    return with_version(f"{ts.url}/{TMS_ID}/{z}/{y}/{x}?f=mvt", ts.version)


def _common_links(ts: TileSet, base_url: str) -> list[dict[str, Any]]:
    links = [
        {"rel": REL_TILING_SCHEME, "type": JSON, "title": "WebMercatorQuad",
         "href": f"{base_url}/TileMatrixSets/{TMS_ID}"},
    ]
    if ts.collection_url:
        links.append({"rel": REL_GEODATA, "type": JSON, "title": ts.title,
                      "href": f"{ts.collection_url}?f=json"})
    return links


def tilesets(ts: TileSet, base_url: str) -> dict[str, Any]:
    """``.../tiles``: the list of tilesets (one: WebMercatorQuad)."""
    return {
        "title": ts.title,
        "links": [{"rel": "self", "type": JSON, "title": "Tilesets", "href": f"{ts.url}?f=json"},
                  *_common_links(ts, base_url)],
        "tilesets": [{
            "title": f"{ts.title} (WebMercatorQuad)",
            "dataType": "vector",
            "crs": CRS_3857,
            "tileMatrixSetURI": TMS_URI,
            "links": [
                {"rel": "self", "type": JSON, "title": "Tileset metadata",
                 "href": f"{ts.url}/{TMS_ID}?f=json"},
                {"rel": "item", "type": MVT, "title": "Tiles (Mapbox Vector Tiles)",
                 "href": tile_template(ts), "templated": True},
                {"rel": REL_TILING_SCHEME, "type": JSON,
                 "href": f"{base_url}/TileMatrixSets/{TMS_ID}"},
            ],
        }],
    }


def _properties_schema(layer: dict[str, Any]) -> dict[str, Any]:
    fields = layer.get("fields", {})
    return {"type": "object", "properties": {
        name: {"type": FIELD_TYPES.get(kind, "string")} for name, kind in fields.items()}}


def tileset(ts: TileSet, base_url: str) -> dict[str, Any]:
    """``.../tiles/WebMercatorQuad``: tileset metadata with ``tileMatrixSetLimits``."""
    minlon, minlat, maxlon, maxlat = ts.archive.bounds
    minzoom, maxzoom = ts.archive.zooms
    return {
        "title": ts.title,
        "description": ts.description,
        "dataType": "vector",
        "crs": CRS_3857,
        "tileMatrixSetURI": TMS_URI,
        "tileMatrixSetLimits": limits_json(ts.limits),
        "boundingBox": {"lowerLeft": [minlon, minlat], "upperRight": [maxlon, maxlat],
                        "crs": CRS84},
        "centerPoint": {"coordinates": [(minlon + maxlon) / 2, (minlat + maxlat) / 2],
                        "tileMatrix": str(minzoom), "crs": CRS84},
        "layers": [
            {
                "id": layer["id"],
                "title": layer["id"],
                "dataType": "vector",
                **({"geometryType": GEOMETRY_TYPES[layer["geometry"]]}
                   if layer.get("geometry") in GEOMETRY_TYPES else {}),
                "minTileMatrix": str(layer.get("minzoom", minzoom)),
                "maxTileMatrix": str(layer.get("maxzoom", maxzoom)),
                "propertiesSchema": _properties_schema(layer),
            }
            for layer in ts.layers
        ],
        "links": [
            {"rel": "self", "type": JSON, "title": "Tileset metadata",
             "href": f"{ts.url}/{TMS_ID}?f=json"},
            {"rel": "item", "type": MVT, "title": "Tiles (Mapbox Vector Tiles)",
             "href": tile_template(ts), "templated": True},
            {"rel": "describedby", "type": JSON, "title": "TileJSON 3.0 (MapLibre)",
             "href": f"{ts.url}/{TMS_ID}/tilejson.json"},
            *_common_links(ts, base_url),
        ],
    }


def tilejson(ts: TileSet) -> dict[str, Any]:
    """TileJSON 3.0 for MapLibre and other web map clients."""
    minlon, minlat, maxlon, maxlat = ts.archive.bounds
    minzoom, maxzoom = ts.archive.zooms
    return {
        "tilejson": "3.0.0",
        "name": ts.title,
        "description": ts.description,
        "version": ts.version,
        "attribution": ts.attribution,
        "scheme": "xyz",
        "tiles": [tile_template(ts, "{z}", "{y}", "{x}")],
        "minzoom": minzoom,
        "maxzoom": maxzoom,
        "bounds": [minlon, minlat, maxlon, maxlat],
        "center": [(minlon + maxlon) / 2, (minlat + maxlat) / 2, minzoom],
        "vector_layers": [
            {"id": layer["id"], "description": layer.get("description", ""),
             "minzoom": layer.get("minzoom", minzoom), "maxzoom": layer.get("maxzoom", maxzoom),
             "fields": dict(layer.get("fields", {}))}
            for layer in ts.layers
        ],
    }


def collection_links(base_url: str, dataset_id: str) -> list[dict[str, Any]]:
    """Links from a collection description to its vector tiles (for the pygeoapi config)."""
    url = f"{base_url}/collections/{dataset_id}/tiles"
    return [
        {"rel": REL_TILESETS_VECTOR, "type": JSON, "title": "Vector tiles",
         "href": f"{url}?f=json"},
        {"rel": "describedby", "type": JSON, "title": "TileJSON 3.0 of the vector tiles",
         "href": f"{url}/{TMS_ID}/tilejson.json"},
    ]
