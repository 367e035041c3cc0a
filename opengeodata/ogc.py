"""Shared OGC constants: CRS URIs, media types, item formats, link relations (one place).

Core layer: every package (server, catalogue, engine, tiles, pipelines) imports these instead of
spelling a URI or media type again.
"""

from __future__ import annotations

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/{}"
#: the CRS list every feature collection offers (OGC API Features Part 2)
SUPPORTED_CRS: tuple[str, ...] = (CRS84, EPSG_URI.format(4326), EPSG_URI.format(25832),
                                  EPSG_URI.format(3857), EPSG_URI.format(4258))

TMS_ID = "WebMercatorQuad"
TMS_URI = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
MVT = "application/vnd.mapbox-vector-tile"
ATOM = "application/atom+xml"
CSV = "text/csv"
FLATGEOBUF = "application/flatgeobuf"
GEOPACKAGE = "application/geopackage+sqlite3"
GEOTIFF = "image/tiff; application=geotiff"

#: ``f`` values of the items view of a published feature collection
ITEM_FORMATS: tuple[str, ...] = ("json", "geojson", "html", "jsonld", "csv", "fgb", "gpkg")
#: ``f`` values answered as a result download (the whole result as a file)
DOWNLOAD_FORMATS: dict[str, str] = {"csv": CSV, "fgb": FLATGEOBUF, "gpkg": GEOPACKAGE}
#: ``f`` values pygeoapi renders for the collections it serves itself (records)
PYGEOAPI_ITEM_FORMATS: tuple[str, ...] = ("json", "jsonld", "html")

OGC_REL = "http://www.opengis.net/def/rel/ogc/1.0/{}"
REL_TILESETS_VECTOR = OGC_REL.format("tilesets-vector")
REL_TILESETS_MAP = OGC_REL.format("tilesets-map")
REL_COVERAGE = OGC_REL.format("coverage")
REL_DOMAINSET = OGC_REL.format("coverage-domainset")
REL_RANGETYPE = OGC_REL.format("coverage-rangetype")
#: link from a collection to its 3D Tiles 1.1 tileset (``.../3dtiles/tileset.json``)
REL_TILESETS_3D = OGC_REL.format("tilesets-3d")
GLB = "model/gltf-binary"


def crs_uri(crs: str) -> str:
    """'EPSG:25832' -> the OGC CRS URI (URIs are returned unchanged)."""
    if crs.upper().startswith("EPSG:"):
        return EPSG_URI.format(crs.split(":", 1)[1])
    return crs
