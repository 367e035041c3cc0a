"""Downloads of the files named in a manifest: live, latest-per-format and per kept version.

Only a file listed in the manifest of a live or kept version is ever served, and only if its
real path (symlinks resolved) lies inside the published data folder; anything else is 404.
Files come from the store's :class:`~opengeodata.blob.Blob` (a local file or an object in
object storage, streamed with one range request) through one response builder, so ETag (the
SHA-256), Last-Modified (the version's publish time), Range (206/416), HEAD and conditional
requests (304) behave the same wherever the bytes are.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from time import time
from typing import Any

from flask import Blueprint, Response, request
from werkzeug.datastructures import Headers
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.wsgi import wrap_file

from opengeodata.blob import Blob, BlobReader
from opengeodata.catalogue.model import version_url
from opengeodata.declaration import DATASET_ID
from opengeodata.errors import NotFoundError
from opengeodata.manifest import Manifest, OutputFile
from opengeodata.server.state import ServerState

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._+-]{0,254}$")
#: a kept version's files never change: cache them for a year
IMMUTABLE_MAX_AGE = 365 * 24 * 3600
#: "//" is never merged (and redirected): such paths are simply not found
ROUTE: dict[str, Any] = {"methods": ["GET", "HEAD"], "merge_slashes": False}


def _not_found(dataset_id: str, what: str) -> NotFoundError:
    return NotFoundError(f"no download {what!r} for dataset {dataset_id!r}")


def _unsatisfiable(size: int) -> Response:
    body = json.dumps({"code": "RangeNotSatisfiable",
                       "description": f"the requested range is outside the file of {size} bytes"})
    response = Response(body, status=416, mimetype="application/json")
    response.headers["Content-Range"] = f"bytes */{size}"
    return response


def ignore_foreign_range(environ: dict[str, Any]) -> None:
    """Drop a Range header that is not a ``bytes=`` range (RFC 9110: ignore unknown units)."""
    value = environ.get("HTTP_RANGE")
    if value is not None and not value.strip().lower().startswith("bytes="):
        del environ["HTTP_RANGE"]


def safe_name(name: str) -> bool:
    """A plain file or version name: no separators, no '..', no NUL, no leading dot."""
    return bool(_SAFE_NAME.fullmatch(name)) and ".." not in name


def send_blob(blob: Blob, media_type: str, name: str, etag: str, last_modified: datetime | None,
              max_age: int) -> Response:
    """A download response for ``blob``: what ``send_file`` does for a path (attachment,
    Content-Length, Cache-Control, ETag, 304, single-range 206/416), for any store."""
    headers = Headers()
    headers.set("Content-Disposition", "attachment", filename=name)
    reader = blob.open()
    response = Response(wrap_file(request.environ, reader),  # type: ignore[arg-type]
                        mimetype=media_type,
                        headers=headers, direct_passthrough=True)
    response.content_length = blob.size
    if last_modified is not None:
        response.last_modified = last_modified
    response.cache_control.no_cache = None
    if max_age > 0:
        response.cache_control.public = True
    else:
        response.cache_control.no_cache = True
    response.cache_control.max_age = max_age
    response.expires = int(time() + max_age)  # type: ignore[assignment]
    response.set_etag(etag)
    try:
        response.make_conditional(request.environ, accept_ranges=True,
                                  complete_length=blob.size)
    except RequestedRangeNotSatisfiable:
        reader.close()
        raise
    span = response.content_range
    if isinstance(reader, BlobReader) and response.status_code == 206 and span.stop:
        reader.limit = span.stop  # fetch only the answered range from the object store
    return response


def _published(manifest: Manifest) -> datetime | None:
    try:
        return datetime.fromisoformat(manifest.created.replace("Z", "+00:00"))
    except ValueError:
        return None


def blueprint(state: ServerState) -> Blueprint:
    """``/downloads/<dataset>/<file>``, ``.../latest/<format>``, ``.../versions/<v>/<file>``."""
    bp = Blueprint("downloads", __name__)
    store = state.store

    def live(dataset_id: str) -> Manifest:
        manifest = state.snapshot().manifests.get(dataset_id) if safe_name(dataset_id) else None
        if manifest is None:
            raise NotFoundError(f"dataset {dataset_id!r} is not published")
        return manifest

    def serve(manifest: Manifest, out: OutputFile, *, immutable: bool) -> Response:
        if not safe_name(out.name):
            raise _not_found(manifest.dataset, out.name)
        try:
            blob = store.blob(manifest.dataset, manifest.version, out.name)
        except NotFoundError:
            raise _not_found(manifest.dataset, out.name) from None
        ignore_foreign_range(request.environ)
        try:
            response = send_blob(
                blob, out.media_type, out.name, out.sha256, _published(manifest),
                IMMUTABLE_MAX_AGE if immutable else state.settings.cache_max_age,
            )
        except RequestedRangeNotSatisfiable:
            return _unsatisfiable(out.size)
        digest = base64.b64encode(bytes.fromhex(out.sha256)).decode()
        response.headers["Digest"] = f"sha-256={digest}"
        response.headers["Repr-Digest"] = f"sha-256=:{digest}:"
        canonical = version_url(state.base_url, manifest.dataset, manifest.version, out.name)
        response.headers["Link"] = f'<{canonical}>; rel="canonical"'
        if immutable:
            response.headers["Cache-Control"] += ", immutable"
        return response

    @bp.route("/downloads/<dataset_id>/<name>", **ROUTE)
    def download(dataset_id: str, name: str) -> Response:
        manifest = live(dataset_id)
        out = next((o for o in manifest.outputs if o.name == name), None)
        if out is None or not safe_name(name):
            raise _not_found(dataset_id, name)
        return serve(manifest, out, immutable=False)

    @bp.route("/downloads/<dataset_id>/latest/<fmt>", **ROUTE)
    def latest(dataset_id: str, fmt: str) -> Response:
        manifest = live(dataset_id)
        out = manifest.output(fmt)
        if out is None:
            formats = sorted({o.format for o in manifest.outputs if o.tile is None})
            raise NotFoundError(
                f"dataset {dataset_id!r} has no download in format {fmt!r}; "
                f"formats: {', '.join(formats)}"
            )
        return serve(manifest, out, immutable=False)

    @bp.route("/downloads/<dataset_id>/versions/<version>/<name>", **ROUTE)
    def versioned(dataset_id: str, version: str, name: str) -> Response:
        live(dataset_id)
        if not (safe_name(version) and safe_name(name) and re.fullmatch(DATASET_ID, dataset_id)):
            raise _not_found(dataset_id, f"{version}/{name}")
        if version not in store.versions(dataset_id):
            raise NotFoundError(f"dataset {dataset_id!r} has no kept version {version!r}")
        try:
            manifest = store.manifest(dataset_id, version)
        except (NotFoundError, OSError, ValueError):
            raise _not_found(dataset_id, f"{version}/{name}") from None
        out = next((o for o in manifest.outputs if o.name == name), None)
        if out is None or manifest.dataset != dataset_id or manifest.version != version:
            raise _not_found(dataset_id, f"{version}/{name}")
        return serve(manifest, out, immutable=True)

    return bp
