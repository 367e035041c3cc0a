"""The app factory: one Flask app with pygeoapi's OGC API routes and the project's own."""

from __future__ import annotations

import json

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from opengeodata.errors import OpenGeoDataError, http_status
from opengeodata.server import catalogue, downloads, ogcapi, raster, web
from opengeodata.server.state import ServerState
from opengeodata.settings import Settings, from_environment
from opengeodata.vtiles.wsgi import VectorTiles


def _error_response(status: int, code: str, description: str) -> Response:
    body = json.dumps({"code": code, "description": description})
    return Response(body, status=status, mimetype="application/json")


def create_app(settings: Settings | None = None) -> Flask:
    """Build the WSGI app for ``settings`` (default: from the environment)."""
    settings = (settings or from_environment()).resolved()
    app = Flask(__name__)
    app.url_map.strict_slashes = False
    state = ServerState(settings)
    app.extensions["opengeodata"] = state

    app.wsgi_app = VectorTiles(app.wsgi_app, state)  # type: ignore[method-assign]
    app.register_blueprint(downloads.blueprint(state))
    app.register_blueprint(raster.blueprint(state))  # before ogcapi: same paths, raster only
    app.register_blueprint(ogcapi.blueprint(state))
    app.register_blueprint(catalogue.blueprint(state))
    app.register_blueprint(web.blueprint(state))

    @app.errorhandler(OpenGeoDataError)
    def _own_error(error: OpenGeoDataError) -> Response:
        return _error_response(http_status(error), error.code, str(error))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        code = error.code or 500
        name = "NotFound" if code == 404 else error.name.replace(" ", "")
        response = _error_response(code, name, error.description or error.name)
        for key, value in error.get_headers():  # e.g. Allow on a 405
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

    return app
