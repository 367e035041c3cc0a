"""pygeoapi's OGC API routes, bound to the app's current pygeoapi API (no module state)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pygeoapi.api as core_api
import pygeoapi.api.coverages as coverages_api
import pygeoapi.api.itemtypes as itemtypes_api
import pygeoapi.api.tiles as tiles_api
from flask import Blueprint, Response, make_response, request
from pygeoapi.api import APIRequest, apply_gzip
from werkzeug.datastructures import ImmutableMultiDict, MultiDict

from opengeodata.server import client_errors, features_caching, guards, landing
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
            response.headers = headers
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


def fix_collections(response: Response, state: ServerState) -> Response:
    """Correct pygeoapi's collection(s) JSON: drop item links it cannot render, retype the
    coverage description links (parsed and written once)."""
    doc = json_document(response)
    if doc is None:
        return response
    changed = guards.drop_unavailable_item_links(doc, state)
    changed = fix_coverage_links(doc) or changed
    return set_document(response, doc) if changed else response


def blueprint(state: ServerState) -> Blueprint:
    """The OGC API Common/Features/Tiles/Coverages routes."""
    bp = Blueprint("ogcapi", __name__)
    features = FeaturesAPI(state)

    @bp.route("/")
    def landing_page() -> Response:
        return landing.fix_landing(execute(state, core_api.landing_page), state.base_url,
                                   state.snapshot())

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
        guards.require_tile_matrix_set(tms_id)
        return execute(state, tiles_api.tilematrixset, tms_id)

    @bp.route("/collections")
    @bp.route("/collections/<collection_id>")
    def collections(collection_id: str | None = None) -> Response:
        return features_caching.conditional(features, lambda: fix_collections(
            execute(state, core_api.describe_collections, collection_id), state))

    @bp.route("/collections/<collection_id>/schema")
    def collection_schema(collection_id: str) -> Response:
        return execute(state, core_api.get_collection_schema, collection_id)

    @bp.route("/collections/<collection_id>/queryables")
    def collection_queryables(collection_id: str) -> Response:
        return features_caching.conditional(features, lambda: execute(
            state, itemtypes_api.get_collection_queryables, collection_id))

    @bp.route("/collections/<collection_id>/items", methods=["GET", "POST"])
    def collection_items(collection_id: str) -> Response:
        if request.method in ("GET", "HEAD") and (answer := features.items(request,
                                                                        collection_id)):
            return answer
        guards.require_item_format(state, collection_id, request.args.get("f"))
        return execute(state, itemtypes_api.get_collection_items, collection_id,
                       skip_valid_check=True)

    @bp.route("/collections/<collection_id>/items/<item_id>")
    def collection_item(collection_id: str, item_id: str) -> Response:
        if (answer := features.item(request, collection_id, item_id)) is not None:
            return answer
        guards.require_items(state, collection_id)
        return execute(state, itemtypes_api.get_collection_item, collection_id, item_id)

    @bp.route("/collections/<collection_id>/coverage")
    def collection_coverage(collection_id: str) -> Response:
        guards.require_provider(state, collection_id, "coverage", "coverage")
        return execute(state, coverages_api.get_collection_coverage, collection_id,
                       skip_valid_check=True)

    @bp.route("/collections/<collection_id>/tiles")
    def collection_tiles(collection_id: str) -> Response:
        guards.require_provider(state, collection_id, "tile", "tiles")
        return execute(state, tiles_api.get_collection_tiles, collection_id)

    @bp.route("/collections/<collection_id>/tiles/<tms_id>")
    @bp.route("/collections/<collection_id>/tiles/<tms_id>/metadata")
    def collection_tiles_metadata(collection_id: str, tms_id: str) -> Response:
        guards.require_provider(state, collection_id, "tile", "tiles")
        return execute(state, tiles_api.get_collection_tiles_metadata, collection_id, tms_id,
                       skip_valid_check=True)

    @bp.route("/collections/<collection_id>/tiles/<tms_id>/<tile_matrix>/<tile_row>/<tile_col>")
    def collection_tile(collection_id: str, tms_id: str, tile_matrix: str, tile_row: str,
                        tile_col: str) -> Response:
        guards.require_provider(state, collection_id, "tile", "tiles")
        return execute(state, tiles_api.get_collection_tiles_data, collection_id, tms_id,
                       tile_matrix, tile_row, tile_col, skip_valid_check=True)

    return bp
