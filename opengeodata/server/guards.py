"""Checks run before a request is handed to pygeoapi, so client mistakes get a 4xx, not a 500.

pygeoapi answers some requests with the wrong status (400 for a tile matrix set or a tiles or
coverage resource that does not exist) or crashes (``f=csv`` on the records collection); these
guards answer them with a 404 or 400 and a clear OGC exception instead.
"""

from __future__ import annotations

from typing import Any

from pygeoapi.models.provider.base import TileMatrixSetEnum

from opengeodata.errors import InvalidRequestError, NotFoundError
from opengeodata.server.state import ServerState

#: formats pygeoapi renders for collections it serves itself (records, ...)
PYGEOAPI_ITEM_FORMATS = ("json", "jsonld", "html")


def _resource(state: ServerState, collection_id: str) -> dict[str, Any]:
    resource = state.snapshot().config["resources"].get(collection_id)
    if resource is None:
        raise NotFoundError(f"collection {collection_id!r} not found")
    return dict(resource)


def require_provider(state: ServerState, collection_id: str, kind: str, what: str) -> None:
    """404 unless the collection exists and has a provider of type ``kind``."""
    resource = _resource(state, collection_id)
    if not any(p.get("type") == kind for p in resource.get("providers", [])):
        raise NotFoundError(f"collection {collection_id!r} has no {what}")


def require_items(state: ServerState, collection_id: str) -> None:
    """404 unless the collection has features or records (a raster collection has no items)."""
    resource = _resource(state, collection_id)
    if not any(p.get("type") in ("feature", "record") for p in resource.get("providers", [])):
        raise NotFoundError(f"collection {collection_id!r} has no items (it is not a feature "
                            "or record collection)")


def require_item_format(state: ServerState, collection_id: str, fmt: str | None) -> None:
    """400 for an ``f`` pygeoapi cannot render for a collection it serves (e.g. records)."""
    require_items(state, collection_id)
    resource = _resource(state, collection_id)
    if any(p.get("type") == "feature" for p in resource.get("providers", [])):
        return
    if fmt is not None and fmt.strip().lower() not in PYGEOAPI_ITEM_FORMATS:
        raise InvalidRequestError(
            f"f={fmt!r} is not available for collection {collection_id!r}; use one of "
            f"{', '.join(PYGEOAPI_ITEM_FORMATS)}"
        )


def require_tile_matrix_set(tms_id: str) -> None:
    """404 for a tile matrix set pygeoapi does not know."""
    known = [e.value.tileMatrixSet for e in TileMatrixSetEnum]
    if tms_id not in known:
        raise NotFoundError(f"unknown tile matrix set {tms_id!r}; known: {', '.join(known)}")


def drop_unavailable_item_links(doc: dict[str, Any], state: ServerState) -> bool:
    """Remove pygeoapi's ``items?f=csv`` links of collections it cannot render as CSV from a
    collection(s) document; True if any was removed."""
    resources = state.snapshot().config["resources"]
    changed = False
    for coll in doc.get("collections", [doc]):
        resource = resources.get(coll.get("id"))
        if resource is None or any(p.get("type") == "feature"
                                   for p in resource.get("providers", [])):
            continue
        links = coll.get("links", [])
        kept = [link for link in links if not (
            "/items?" in str(link.get("href", "")) and
            str(link.get("href", "")).rsplit("f=", 1)[-1] not in PYGEOAPI_ITEM_FORMATS)]
        if len(kept) != len(links):
            coll["links"] = kept
            changed = True
    return changed
