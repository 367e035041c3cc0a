"""The project's own endpoints added to pygeoapi's generated OpenAPI document.

pygeoapi documents only what it serves itself; the vector tiles (``/tiles``,
``/collections/{collectionId}/tiles``, TileJSON), the downloads, DCAT-AP.de and the ATOM feeds
are served by the project and added here, as well as the feature parameters the project's
items view understands on top of pygeoapi's (``filter``, ``datetime``, ``resulttype``,
``f=fgb``/``f=gpkg``). Pure functions: the document in, a new document out.
"""

from __future__ import annotations

import copy
from typing import Any

from opengeodata.ogc import ATOM, GLB, ITEM_FORMATS, JSON, MVT, TMS_ID
from opengeodata.providers import cql2
from opengeodata.published import Published
from opengeodata.server import raster_openapi


def _error(description: str) -> dict[str, Any]:
    schema = {"type": "object", "required": ["code", "description"],
              "properties": {"code": {"type": "string"}, "description": {"type": "string"}}}
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _path(name: str, description: str, enum: list[str] | None = None,
          pattern: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if enum is not None:
        schema["enum"] = enum
    if pattern is not None:
        schema["pattern"] = pattern
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": schema}


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "style": "form", "explode": False, "schema": schema}


def _get(summary: str, tag: str, op_id: str, parameters: list[dict[str, Any]],
         ok: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": ok}
    responses.update({code: _error(text) for code, text in errors.items()})
    return {"get": {"summary": summary, "description": summary, "tags": [tag],
                    "operationId": op_id, "parameters": parameters, "responses": responses}}


def _json_ok(description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": {"type": "object"}}}}


#: ``v`` of tile and coverage URLs (opengeodata.versioned)
VERSION_PARAM = _query("v", "The data version the tile links name: the live one is answered "
                       "as immutable (cached a year); another one is redirected (302) to the "
                       "live one; without it the default caching.", {"type": "string"})
VERSION_REDIRECT = {"description": "v names another data version than the live one: the same "
                                   "URL with the live version (Location), never cached."}


def _tile_paths(prefix: str, params: list[dict[str, Any]], tag: str,
                op: str) -> dict[str, Any]:
    tms = _path("tileMatrixSetId", "The tile matrix set.", [TMS_ID])
    zyx = [
        _path("tileMatrix", "Zoom level.", pattern=r"^\d+$"),
        _path("tileRow", "Row (y) of the tile.", pattern=r"^\d+$"),
        _path("tileCol", "Column (x) of the tile.", pattern=r"^\d+$"),
    ]
    f_json = _query("f", "Output format.", {"type": "string", "enum": ["json"]})
    tile_ok = {
        "description": "A Mapbox Vector Tile (gzip-encoded if the client accepts gzip).",
        "content": {MVT: {"schema": {"type": "string", "format": "binary"}}},
    }
    tile_get = _get("A vector tile", tag, f"get{op}Tile", [*params, tms, *zyx, _query(
        "f", "Tile format.", {"type": "string", "enum": ["mvt"]}), VERSION_PARAM], tile_ok,
        {"400": "Malformed tile numbers or format.",
         "404": "Outside the tile matrix set limits or zoom range, or unknown collection."})
    tile_get["get"]["responses"]["204"] = {"description": "An empty tile inside the limits."}
    tile_get["get"]["responses"]["302"] = VERSION_REDIRECT
    tile_get["get"]["responses"]["304"] = {"description": "Not modified (If-None-Match)."}
    return {
        prefix: _get("Vector tilesets", tag, f"get{op}TileSets", [*params, f_json],
                     _json_ok("The list of vector tilesets."),
                     {"400": "Unsupported format.", "404": "Unknown collection."}),
        f"{prefix}/{{tileMatrixSetId}}": _get(
            "Vector tileset metadata (tileMatrixSetLimits, layers, fields)", tag,
            f"get{op}TileSet", [*params, tms, f_json], _json_ok("The tileset metadata."),
            {"400": "Unsupported format.", "404": "Unknown collection or tile matrix set."}),
        f"{prefix}/{{tileMatrixSetId}}/tilejson.json": _get(
            "TileJSON 3.0 of the vector tiles (for MapLibre)", tag, f"get{op}TileJSON",
            [*params, tms], _json_ok("A TileJSON 3.0 document."),
            {"404": "Unknown collection or tile matrix set."}),
        f"{prefix}/{{tileMatrixSetId}}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}": tile_get,
    }


def _download_paths(dataset_ids: list[str]) -> dict[str, Any]:
    dataset = _path("datasetId", "A published dataset.", dataset_ids or None)
    name = _path("fileName", "A file named in the version's manifest.")
    file_ok = {"description": "The file in its format's media type (Range requests, "
                              "ETag = SHA-256, Repr-Digest).",
               "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}
    extra = {"206": {"description": "Partial content (Range)."},
             "304": {"description": "Not modified."},
             "416": _error("The requested range is outside the file.")}
    paths = {
        "/downloads/{datasetId}/{fileName}": _get(
            "Download a file of the live version", "downloads", "getDownload",
            [dataset, name], file_ok, {"404": "Unknown dataset or file."}),
        "/downloads/{datasetId}/latest/{format}": _get(
            "Download the live version's file of a format (stable URL)", "downloads",
            "getLatestDownload", [dataset, _path(
                "format", "A format key (gpkg, geojson, fgb, shpzip, csv, parquet, pmtiles, "
                "cityjson, citygml, cog, ...).")], file_ok,
            {"404": "Unknown dataset or no file of that format."}),
        "/downloads/{datasetId}/versions/{version}/{fileName}": _get(
            "Download a file of a kept version (immutable)", "downloads",
            "getVersionDownload", [dataset, _path("version", "A kept version id."), name],
            file_ok, {"404": "Unknown dataset, version or file."}),
    }
    for item in paths.values():
        item["get"]["responses"].update(copy.deepcopy(extra))
    return paths


def _catalogue_paths(dataset_ids: list[str]) -> dict[str, Any]:
    rdf_f = _query("f", "Serialization (default JSON-LD, or by Accept).",
                   {"type": "string", "enum": ["jsonld", "json", "ttl", "turtle", "rdf",
                                               "xml"]})
    rdf_ok = {"description": "The DCAT-AP.de catalogue.", "content": {
        "application/ld+json": {"schema": {"type": "object"}},
        "text/turtle": {"schema": {"type": "string"}},
        "application/rdf+xml": {"schema": {"type": "string"}}}}
    dataset = _path("datasetId", "A published dataset.", dataset_ids or None)
    atom_ok = {"description": "An ATOM feed.", "content": {ATOM: {"schema": {"type": "string"}}}}
    return {
        "/catalogue/dcat": _get("The DCAT-AP.de catalogue of all datasets", "catalogue",
                                "getDcatCatalogue", [rdf_f], rdf_ok,
                                {"400": "Unsupported format."}),
        "/catalogue/dcat/{datasetId}": _get(
            "The DCAT-AP.de description of one dataset", "catalogue", "getDcatDataset",
            [dataset, rdf_f], rdf_ok, {"400": "Unsupported format.", "404": "Unknown dataset."}),
        "/atom/service.xml": _get("INSPIRE-style ATOM download service feed", "catalogue",
                                  "getAtomServiceFeed", [], atom_ok, {}),
        "/atom/{datasetId}.xml": _get("ATOM dataset feed with every download", "catalogue",
                                      "getAtomDatasetFeed", [dataset], atom_ok,
                                      {"404": "Unknown dataset."}),
    }


def _tiles3d_paths(ids: list[str]) -> dict[str, Any]:
    collection = _path("collectionId", "A city model collection with 3D Tiles.", ids)
    version = _query("v", "A version id (kept versions too): the answer is immutable and "
                     "cached for a year. The tileset's content URIs carry it.",
                     {"type": "string"})
    tileset_ok = {"description": "The 3D Tiles 1.1 tileset (quadtree of GLB contents with "
                                 "EXT_mesh_features / EXT_structural_metadata, ECEF).",
                  "content": {JSON: {"schema": {"type": "object"}}}}
    content_ok = {"description": "A file of the tileset (GLB tile content).",
                  "content": {GLB: {"schema": {"type": "string", "format": "binary"}}}}
    errors = {"404": "Unknown collection, version or content, or no 3D Tiles."}
    paths = {
        "/collections/{collectionId}/3dtiles/tileset.json": _get(
            "The 3D Tiles 1.1 tileset of a city model", "3dtiles", "get3DTileset",
            [collection, version], tileset_ok, errors),
        "/collections/{collectionId}/3dtiles/{contentPath}": _get(
            "A content of the 3D tileset (e.g. tiles/2/1/3.glb)", "3dtiles",
            "get3DTilesContent",
            [collection, _path("contentPath", "Path of the content in the tileset.",
                               pattern=r"^[A-Za-z0-9_./-]+$"), version],
            content_ok, errors),
    }
    for item in paths.values():
        item["get"]["responses"]["304"] = {"description": "Not modified (If-None-Match)."}
    return paths


def _feature_params() -> list[dict[str, Any]]:
    return [
        _query("filter", "CQL2 filter (text or JSON, see filter-lang). Limits (400 beyond): "
               f"{cql2.LIMITS_TEXT}. POST bodies: at most OPENGEODATA_MAX_BODY_BYTES (413).",
               {"type": "string", "maxLength": cql2.MAX_FILTER_CHARS}),
        _query("filter-lang", "Language of the filter.",
               {"type": "string", "enum": ["cql2-text", "cql2-json"], "default": "cql2-text"}),
        _query("filter-crs", "CRS of geometries in the filter (default CRS84).",
               {"type": "string", "format": "uri"}),
        _query("datetime", "Instant or interval (a/b, ../b, a/..) on the temporal field.",
               {"type": "string"}),
        _query("resulttype", "results (default) or hits (count only).",
               {"type": "string", "enum": ["results", "hits"]}),
        _query("sortby", "Comma-separated properties, '-' for descending.", {"type": "string"}),
    ]


def _extend_items(paths: dict[str, Any], collection_id: str) -> None:
    operation = paths.get(f"/collections/{collection_id}/items", {}).get("get")
    if operation is None:
        return
    params = operation.setdefault("parameters", [])
    names = {p.get("name") for p in params}
    for param in params:
        if param.get("name") == "f" and isinstance(param.get("schema"), dict):
            enum = param["schema"].get("enum", [])
            param["schema"]["enum"] = [*enum, *(f for f in ITEM_FORMATS if f not in enum)]
    # our filter parameter (with its limits) replaces pygeoapi's
    params[:] = [p for p in params if p.get("name") != "filter"
                 and not str(p.get("$ref", "")).endswith("/filter")]
    names.discard("filter")
    refs = " ".join(str(p.get("$ref", "")) for p in params)
    for param in _feature_params():
        if param["name"] not in names and f"/{param['name']}" not in refs:
            params.append(param)


def extend(oas: dict[str, Any], model: Published) -> dict[str, Any]:
    """A copy of ``oas`` with the project's endpoints; existing paths are kept as they are."""
    doc = copy.deepcopy(oas)
    paths = doc.setdefault("paths", {})
    published = sorted(c.id for c in model.datasets())
    tiled = sorted(c.id for c in model.datasets() if c.vector_tiles is not None)
    rasters = sorted(c.id for c in model.datasets() if c.coverage is not None)
    feature_ids = [c.id for c in model.datasets() if c.features is not None]
    added: dict[str, Any] = {}
    if tiled:
        added.update(_tile_paths("/tiles", [], "tiles", "Overview"))
    if tiled or rasters:
        collection = _path("collectionId", "A collection with vector tiles (mvt) or map tiles "
                           "(png, jpeg, webp; raster collections).", sorted({*tiled, *rasters}))
        coll_tiles = _tile_paths("/collections/{collectionId}/tiles", [collection], "tiles",
                                 "Collection")
        if rasters:
            raster_openapi.add_map_tiles(coll_tiles, rasters, not tiled)
        added.update(coll_tiles)
    added.update(_download_paths(published))
    added.update(_catalogue_paths(published))
    city_models = sorted(c.id for c in model.datasets() if c.tiles3d is not None)
    if city_models:
        added.update(_tiles3d_paths(city_models))
    for path, item in added.items():
        paths.setdefault(path, item)
    for collection_id in feature_ids:
        _extend_items(paths, collection_id)
    for collection_id in rasters:
        raster_openapi.document_coverage(paths, collection_id)
    tags = doc.setdefault("tags", [])
    known = {t.get("name") for t in tags}
    for name, text in (("tiles", "Vector tiles (OGC API Tiles, TileJSON)"),
                       ("downloads", "Downloads of the published files"),
                       ("catalogue", "DCAT-AP.de and ATOM feeds"),
                       ("3dtiles", "3D Tiles 1.1 of the city models")):
        if name not in known:
            tags.append({"name": name, "description": text})
    return doc
