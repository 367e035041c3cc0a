"""The app factory: one Flask app with pygeoapi's OGC API routes and the project's own."""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from opengeodata.errors import OpenGeoDataError, http_status
from opengeodata.server import catalogue, downloads, ogcapi, raster, sdi, web
from opengeodata.server.error_pages import error_response
from opengeodata.server.state import ServerState
from opengeodata.settings import Settings, from_environment
from opengeodata.vtiles.wsgi import VectorTiles


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
    shared_catalogue = catalogue.CatalogueCache(state)  # built once per published snapshot
    app.register_blueprint(catalogue.blueprint(state, shared_catalogue))
    app.register_blueprint(web.blueprint(state, shared_catalogue))
    app.register_blueprint(sdi.blueprint(state))  # /wms (MapServer) and /csw (pycsw)

    @app.errorhandler(OpenGeoDataError)
    def _own_error(error: OpenGeoDataError) -> Response:
        return error_response(state, request, http_status(error), error.code, str(error))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        code = error.code or 500
        name = "NotFound" if code == 404 else error.name.replace(" ", "")
        response = error_response(state, request, code, name, error.description or error.name)
        for key, value in error.get_headers():  # e.g. Allow on a 405
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

    return app
