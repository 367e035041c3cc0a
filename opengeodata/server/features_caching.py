"""HTTP caching for pygeoapi's collection documents and truthful conformance classes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from flask import Response, request

from opengeodata.server.features import FeaturesAPI

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


def fix_conformance(response: Response) -> Response:
    """Drop classes the server does not implement; add the filter classes it does."""
    if response.status_code != 200 or "json" not in response.headers.get("Content-Type", ""):
        return response
    doc = json.loads(response.get_data())
    classes = [c for c in doc.get("conformsTo", []) if c not in REMOVED]
    if _F.format(1, "core") in classes:
        classes += [c for c in ADDED if c not in classes]
    doc["conformsTo"] = sorted(classes)
    response.set_data(json.dumps(doc))
    return response


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
