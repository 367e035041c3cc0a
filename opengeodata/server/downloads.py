"""Downloads of the files named in a live manifest."""

from __future__ import annotations

from flask import Blueprint, Response, send_file

from opengeodata.errors import NotFoundError
from opengeodata.server.state import ServerState


def blueprint(state: ServerState) -> Blueprint:
    """``/downloads/<dataset>/<file>``: only files listed in the live manifest."""
    bp = Blueprint("downloads", __name__)

    @bp.route("/downloads/<dataset_id>/<name>", methods=["GET", "HEAD"])
    def download(dataset_id: str, name: str) -> Response:
        snap = state.snapshot()
        manifest = snap.manifests.get(dataset_id)
        out = next((o for o in manifest.outputs if o.name == name), None) if manifest else None
        folder = state.store.live_dir(dataset_id)
        if manifest is None or out is None or folder is None:
            raise NotFoundError(f"no download {name!r} for dataset {dataset_id!r}")
        response = send_file(
            folder / out.name, mimetype=out.media_type, as_attachment=True,
            download_name=out.name, conditional=True, etag=out.sha256,
            max_age=state.settings.cache_max_age,
        )
        response.headers["Digest"] = f"sha-256={out.sha256}"
        return response

    return bp
