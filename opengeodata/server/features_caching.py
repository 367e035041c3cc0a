"""HTTP caching for pygeoapi's collection documents and truthful conformance classes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from http import HTTPStatus

import pygeoapi.api as core_api
from flask import Response, request
from pygeoapi.api import API, APIRequest
from pygeoapi.formats import F_HTML, F_JSON
from pygeoapi.util import render_j2_template, to_json

from opengeodata.server.features import FeaturesAPI
from opengeodata.server.theme import pygeoapi_templates

_F = "http://www.opengis.net/spec/ogcapi-features-{}/1.0/conf/{}"
_CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf/{}"
#: what the project's feature views implement on top of pygeoapi's list
ADDED = [_F.format(3, "filter"), _F.format(3, "features-filter"), _CQL2.format("cql2-text"),
         _CQL2.format("cql2-json"), _CQL2.format("basic-cql2"),
         _CQL2.format("advanced-comparison-operators"),
         _CQL2.format("basic-spatial-functions"),
         _CQL2.format("basic-spatial-functions-plus")]
#: what pygeoapi declares but this server does not offer (no transactions)
REMOVED = {_F.format(4, "create-replace-delete")}
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def truthful(classes: list[str]) -> list[str]:
    """Drop classes the server does not implement; add the filter classes it does."""
    kept = [c for c in classes if c not in REMOVED]
    if _F.format(1, "core") in kept:
        kept += [c for c in ADDED if c not in kept]
    return sorted(kept)


def conformance(api: API, api_request: APIRequest) -> tuple[dict[str, str], int, str]:
    """pygeoapi's conformance view with the truthful class list, in JSON and HTML alike."""
    fmt = api_request._format
    api_request._format = F_JSON
    try:
        headers, status, content = core_api.conformance(api, api_request)
    finally:
        api_request._format = fmt
    if status != HTTPStatus.OK:
        return headers, status, content
    doc = {"conformsTo": truthful(json.loads(content).get("conformsTo", []))}
    if fmt == F_HTML:
        headers = api_request.get_response_headers(**api.api_headers)
        html = render_j2_template(api.tpl_config, pygeoapi_templates(),
                                  "conformance.html", doc, api_request.locale)
        return headers, HTTPStatus.OK, html
    return headers, HTTPStatus.OK, to_json(doc, api.pretty_print)


def conditional(features: FeaturesAPI, produce: Callable[[], Response]) -> Response:
    """ETag/Last-Modified from the live versions; 304 without building the document."""
    snap = features.state.snapshot()
    created = [m.created for m in snap.manifests.values()]
    modified = max((dt.datetime.fromisoformat(c.replace("Z", "+00:00")) for c in created),
                   default=_EPOCH)
    accept = request.headers.get("Accept", "")
    etag = features.etag(repr(snap.stamp), request.path,
                         request.query_string.decode("latin-1"), accept)
    if (early := features.not_modified(request, etag, modified)) is not None:
        return early
    response = produce()
    if response.status_code == 200:
        features.cached(response, etag, modified)
        response.headers["Vary"] = "Accept"
    return response
