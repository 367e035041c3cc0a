"""``GET /health``: can this server answer, from which backend, at which live versions.

200 with ``status: ok`` when it can answer; 503 with ``status: unavailable`` when its (read)
database is unreachable (connect timeout 2 s: never hangs). Load balancers poll it.
Fields: ``status``, ``features_backend`` (``geopackage`` or ``postgis``), ``object_store``
(URL or null), ``datasets`` (id -> live version this server serves), and with PostGIS
``database`` (``replica``, ``replica_lag_seconds``, the database's ``live`` versions,
``latency_ms``, or ``error``).
"""

from __future__ import annotations

from typing import Any

import orjson
import psycopg
from flask import Blueprint, Response

from opengeodata.server.live_sync import lag_and_versions
from opengeodata.server.state import ServerState


def health_document(state: ServerState) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON document) of ``/health``."""
    settings = state.settings
    snap = state.snapshot()
    doc: dict[str, Any] = {
        "status": "ok",
        "features_backend": settings.features_backend,
        "object_store": getattr(settings, "object_store", None) or None,
        "datasets": {i: m.version for i, m in sorted(snap.manifests.items())},
    }
    status = 200
    url = settings.read_database_url
    if url:
        try:
            doc["database"] = lag_and_versions(url)
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            doc["status"] = "unavailable"
            doc["database"] = {"error": f"read database unreachable: {first}"}
            status = 503
    return status, doc


def response(state: ServerState) -> Response:
    """The ``/health`` response (never cached)."""
    status, doc = health_document(state)
    out = Response(orjson.dumps(doc), status=status, mimetype="application/json")
    out.headers["Cache-Control"] = "no-store"
    return out


def blueprint(state: ServerState) -> Blueprint:
    """The ``/health`` route (the response policy adds CORS like everywhere)."""
    bp = Blueprint("health", __name__)

    @bp.get("/health")
    def health() -> Response:
        return response(state)

    return bp
