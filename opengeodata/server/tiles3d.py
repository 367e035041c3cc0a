"""3D Tiles 1.1 of city models, served from the 3tz archive of a version.

``/collections/{id}/3dtiles/tileset.json`` is the tileset of the live version; every content
URI in it carries ``?v=<version>``, so the contents it names are immutable and cached for a
year. ``/collections/{id}/3dtiles/{path}`` reads one file of the archive through the 3tz
index (one ``pread`` per file): from the version named by ``v`` (the live one or a kept one,
so a client holding an older tileset keeps getting consistent tiles), else from the live
version with the short default caching. ETags: the archive's SHA-256 and the path (and, for
the tileset, the version); ``If-None-Match`` gives 304, ``Range`` 206.
Registered through the dispatch for collections of kind ``vector`` that have the ``3dtiles``
facet; anything else is a 404 naming the problem.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson
from flask import Response, request

from opengeodata.blob import Blob, as_blob
from opengeodata.errors import NotFoundError, OpenGeoDataError
from opengeodata.ogc import GLB, JSON
from opengeodata.published import VECTOR, Collection
from opengeodata.server.dispatch import Dispatcher, SubPath
from opengeodata.server.state import ServerState
from opengeodata.tiles3d.archive import Archive3tz, ArchiveError, Index
from opengeodata.tiles3d.tileset import tiles

IMMUTABLE = "public, max-age=31536000, immutable"
MEDIA_TYPES = {".glb": GLB, ".json": JSON, ".b3dm": "application/octet-stream",
               ".subtree": "application/octet-stream"}


def tileset_url(base_url: str, collection_id: str) -> str:
    """The URL of a collection's tileset (the viewer and the links use it)."""
    return f"{base_url}/collections/{collection_id}/3dtiles/tileset.json"


def versioned_tileset(raw: bytes, version: str) -> bytes:
    """The tileset JSON with ``?v=<version>`` on every relative content URI."""
    doc: dict[str, Any] = orjson.loads(raw)
    for tile in tiles(doc["root"]):
        for content in [tile.get("content"), *tile.get("contents", [])]:
            uri = (content or {}).get("uri")
            if uri and "://" not in uri and not uri.startswith("/"):
                content["uri"] = f"{uri}{'&' if '?' in uri else '?'}v={version}"
    return orjson.dumps(doc)


class Tiles3D:
    """Open 3tz archives (one per version file) and the answers built from them."""

    def __init__(self, state: ServerState) -> None:
        self.state = state
        self._indexes: dict[str, Index] = {}
        self._tilesets: dict[tuple[str, str], bytes] = {}

    def read(self, blob: Blob, name: str) -> bytes:
        """One file of the archive ``blob`` (a local file or an object in object storage, read
        with range requests; its index parsed once; no file kept open, so pruned versions
        free their space); KeyError when there is no such file."""
        index = self._indexes.get(blob.key)
        try:
            if blob.local_path is not None:
                archive = Archive3tz(blob.local_path, index)
            else:
                archive = Archive3tz.from_reader(blob.name, blob.size, blob.read, index)
            with archive:
                self._indexes.setdefault(blob.key, archive.index)
                return archive.read(name)
        except (OSError, OpenGeoDataError, ArchiveError) as exc:
            raise NotFoundError(f"3D Tiles of this version are not readable: {exc}") from None

    def _source(self, coll: Collection, version: str | None) -> tuple[Blob, str, str]:
        """(3tz blob, version id, sha256) of the live version or of kept ``version``."""
        facet = coll.tiles3d
        if facet is None:
            raise NotFoundError(f"collection {coll.id!r} has no 3D Tiles")
        if version is None or version == coll.version:
            return as_blob(facet.source), coll.version, facet.sha256
        if version not in coll.versions:
            raise NotFoundError(f"collection {coll.id!r} has no version {version!r} (kept: "
                                f"{', '.join(coll.versions)})")
        store = self.state.store
        try:
            out = store.manifest(coll.id, version).output("3dtiles")
        except (OSError, ValueError):
            out = None
        if out is None:
            raise NotFoundError(f"version {version!r} of {coll.id!r} has no 3D Tiles")
        return store.blob(coll.id, version, out.name), version, out.sha256

    def answer(self, coll: Collection, rest: str) -> Response:
        """``tileset.json`` or one content file of the archive."""
        requested = request.args.get("v")
        blob, version, sha = self._source(coll, requested)
        name = rest.strip("/")
        try:
            if name == "tileset.json":
                key = (blob.key, version)
                body = self._tilesets.get(key)
                if body is None:
                    body = versioned_tileset(self.read(blob, "tileset.json"), version)
                    self._tilesets[key] = body
                media = JSON
            else:
                body = self.read(blob, name)
                media = MEDIA_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")
        except KeyError:
            raise NotFoundError(f"collection {coll.id!r}: no 3D Tiles content {name!r} "
                                f"in version {version}") from None
        response = Response(body, mimetype=media)
        # contents: the archive's checksum and the path (equal bytes, equal tag); the tileset
        # also names the version its content URIs carry
        key_text = f"{name}@{version}" if name == "tileset.json" else name
        digest = hashlib.md5(key_text.encode(), usedforsecurity=False).hexdigest()[:12]
        response.set_etag(f"{sha[:24]}-{digest}")
        response.headers["Cache-Control"] = (
            IMMUTABLE if requested is not None else
            f"public, max-age={self.state.settings.cache_max_age}")
        response.make_conditional(request, accept_ranges=True, complete_length=len(body))
        return response


def register(dispatcher: Dispatcher, state: ServerState) -> Tiles3D:
    """Add ``/collections/{id}/3dtiles/...`` for vector collections with 3D Tiles."""
    served = Tiles3D(state)
    dispatcher.add_subpath(SubPath("/3dtiles/<path:rest>", "3dtiles", what="3D Tiles"))
    dispatcher.handle(VECTOR, "3dtiles", served.answer)
    return served
