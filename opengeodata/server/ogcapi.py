"""What pygeoapi renders, bound to the app's current pygeoapi API (no module state).

pygeoapi answers the landing page, OpenAPI, conformance, the tile matrix sets, ``/collections``
and, through the dispatcher (:func:`register`), a collection's description and schema, the
HTML pages of features and everything of the records collection (its provider serves the
catalogue). Feature JSON and result downloads come from the feature engine
(:class:`opengeodata.server.features.FeaturesAPI`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pygeoapi.api as core_api
import pygeoapi.api.itemtypes as itemtypes_api
import pygeoapi.api.tiles as tiles_api
from flask import Blueprint, Response, make_response, request
from pygeoapi.api import APIRequest, apply_gzip
from pygeoapi.models.provider.base import TileMatrixSetEnum
from werkzeug.datastructures import Headers, ImmutableMultiDict, MultiDict

from opengeodata.errors import InvalidRequestError, NotFoundError
from opengeodata.ogc import PYGEOAPI_ITEM_FORMATS
from opengeodata.published import RASTER, RECORDS, VECTOR, Collection, Published
from opengeodata.server import client_errors, features_caching, landing
from opengeodata.server.dispatch import Dispatcher
from opengeodata.server.features import FeaturesAPI
from opengeodata.server.raster_describe import fix_coverage_links
from opengeodata.server.rewrite import json_document, set_document
from opengeodata.server.state import ServerState


def execute(state: ServerState, api_function: Callable[..., Any], *args: Any,
            skip_valid_check: bool = False) -> Response:
    """Run a pygeoapi API function for the current Flask request."""
    api = state.snapshot().api
    api_request = APIRequest.from_flask(request, api.locales)
    normalise_format(api_request)
    with client_errors.deferred() as answer:
        if not skip_valid_check and not api_request.is_valid():
            headers, status, content = api.get_format_exception(api_request)
        else:
            headers, status, content = api_function(api, api_request, *args)
            content = apply_gzip(headers, content)
        response = make_response(content, status)
        if headers:
            response.headers = Headers(headers)
        answer.append(response)
    return response


def normalise_format(api_request: APIRequest) -> None:
    """``f`` is case-insensitive (``f=HTML`` is ``f=html``); pygeoapi compares it as given.

    Both the parsed format and the ``f`` parameter are lowered: pygeoapi parses ``f`` again
    for collections with extra formatters (CSV).
    """
    fmt = api_request.format
    if isinstance(fmt, str) and fmt != fmt.lower():
        api_request._format = fmt.lower()
        args = api_request._args
        if isinstance(args, MultiDict):
            api_request._args = ImmutableMultiDict(
                [(k, v.lower() if k == "f" else v) for k, v in args.items(multi=True)])


def drop_unavailable_item_links(doc: dict[str, Any], published: Published) -> bool:
    """Remove pygeoapi's ``items?f=csv`` (...) links of collections it renders itself
    (records) from a collection(s) document; True if any was removed."""
    changed = False
    for coll in doc.get("collections", [doc]):
        model = published.get(str(coll.get("id")))
        if model is None or model.features is not None:
            continue
        links = coll.get("links", [])
        kept = [link for link in links if not (
            "/items?" in str(link.get("href", "")) and
            str(link.get("href", "")).rsplit("f=", 1)[-1] not in PYGEOAPI_ITEM_FORMATS)]
        if len(kept) != len(links):
            coll["links"] = kept
            changed = True
    return changed


#: ``layerDataType`` per kind of content: the member by which GDAL's OAPIF and OGCAPI drivers
#: (3.6 too) tell raster collections ("Coverage": skipped as vector layers) from vector ones
LAYER_DATA_TYPES = {"features": "Vector", "coverage": "Coverage"}


def mark_layer_data_types(doc: dict[str, Any], published: Published) -> bool:
    """Add ``layerDataType`` (Vector/Coverage) to the collections that have features or a
    coverage; True if any was added. Records keep ``itemType: record`` only."""
    changed = False
    for coll in doc.get("collections", [doc]):
        model = published.get(str(coll.get("id")))
        if model is None:
            continue
        kind = ("features" if model.features is not None else
                "coverage" if model.coverage is not None else None)
        if kind is not None and coll.get("layerDataType") != LAYER_DATA_TYPES[kind]:
            coll["layerDataType"] = LAYER_DATA_TYPES[kind]
            changed = True
    return changed


def fix_collections(response: Response, state: ServerState) -> Response:
    """Correct pygeoapi's collection(s) JSON: drop item links it cannot render, retype the
    coverage description links, mark raster and vector collections by ``layerDataType``
    (parsed and written once)."""
    doc = json_document(response)
    if doc is None:
        return response
    published = state.snapshot().published
    changed = drop_unavailable_item_links(doc, published)
    changed = mark_layer_data_types(doc, published) or changed
    changed = fix_coverage_links(doc) or changed
    return set_document(response, doc) if changed else response


def require_tile_matrix_set(tms_id: str) -> None:
    """404 for a tile matrix set pygeoapi does not know (pygeoapi itself answers 400)."""
    known = [e.value.tileMatrixSet for e in TileMatrixSetEnum]
    if tms_id not in known:
        raise NotFoundError(f"unknown tile matrix set {tms_id!r}; known: {', '.join(known)}")


def blueprint(state: ServerState, features: FeaturesAPI) -> Blueprint:
    """The routes pygeoapi renders outside ``/collections/{id}``: landing page, OpenAPI,
    conformance, tile matrix sets and the collections list."""
    bp = Blueprint("ogcapi", __name__)

    @bp.route("/")
    def landing_page() -> Response:
        return landing.fix_landing(execute(state, core_api.landing_page), state.base_url,
                                   state.snapshot().published)

    @bp.route("/openapi")
    def openapi() -> Response:
        return execute(state, core_api.openapi_)

    @bp.route("/conformance")
    def conformance() -> Response:
        return execute(state, features_caching.conformance)

    @bp.route("/TileMatrixSets")
    def tilematrixsets() -> Response:
        return execute(state, tiles_api.tilematrixsets)

    @bp.route("/TileMatrixSets/<tms_id>")
    def tilematrixset(tms_id: str) -> Response:
        require_tile_matrix_set(tms_id)
        return execute(state, tiles_api.tilematrixset, tms_id)

    @bp.route("/collections")
    def collections() -> Response:
        return features_caching.conditional(features, lambda: fix_collections(
            execute(state, core_api.describe_collections, None), state))

    return bp


def register(dispatcher: Dispatcher, state: ServerState, features: FeaturesAPI) -> None:
    """The collection sub-paths answered by pygeoapi or the feature engine, per kind."""

    def description(coll: Collection) -> Response:
        return features_caching.conditional(features, lambda: fix_collections(
            execute(state, core_api.describe_collections, coll.id), state))

    def schema(coll: Collection) -> Response:
        return execute(state, core_api.get_collection_schema, coll.id)

    def queryables(coll: Collection) -> Response:
        return features_caching.conditional(features, lambda: execute(
            state, itemtypes_api.get_collection_queryables, coll.id))

    def pygeoapi_items(coll: Collection) -> Response:
        return execute(state, itemtypes_api.get_collection_items, coll.id,
                       skip_valid_check=True)

    def pygeoapi_item(coll: Collection, item_id: str) -> Response:
        return execute(state, itemtypes_api.get_collection_item, coll.id, item_id)

    def feature_items(coll: Collection) -> Response:
        """JSON and result downloads from the engine; HTML pages and POST by pygeoapi."""
        if request.method == "POST" or features.wants_html(request):
            return pygeoapi_items(coll)
        return features.items(request, coll)

    def feature_item(coll: Collection, item_id: str) -> Response:
        if features.wants_html(request):
            return pygeoapi_item(coll, item_id)
        return features.item(request, coll, item_id)

    def record_items(coll: Collection) -> Response:
        fmt = request.args.get("f")
        if fmt is not None and fmt.strip().lower() not in PYGEOAPI_ITEM_FORMATS:
            raise InvalidRequestError(
                f"f={fmt!r} is not available for collection {coll.id!r}; use one of "
                f"{', '.join(PYGEOAPI_ITEM_FORMATS)}")
        return pygeoapi_items(coll)

    for kind in (VECTOR, RASTER, RECORDS):
        dispatcher.handle(kind, "collection", description)
        dispatcher.handle(kind, "schema", schema)
        dispatcher.handle(kind, "queryables", queryables)
    dispatcher.handle(VECTOR, "items", feature_items)
    dispatcher.handle(VECTOR, "item", feature_item)
    dispatcher.handle(RECORDS, "items", record_items)
    dispatcher.handle(RECORDS, "item", pygeoapi_item)
