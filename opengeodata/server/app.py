"""The app factory: one Flask app, one dispatch by collection kind, one response policy.

Where things go (see :mod:`opengeodata.server.dispatch` for the details):

- ``/collections/{id}/...`` -> the :class:`~opengeodata.server.dispatch.Dispatcher`, by the
  collection's kind: ``vector`` (feature engine JSON/downloads, pygeoapi HTML pages; vector
  tiles and feature JSON as WSGI fast routes), ``raster`` (map tiles, coverage), ``records``
  (pygeoapi with the catalogue provider); ``vector`` collections of city models also answer
  ``3dtiles/...`` (:mod:`opengeodata.server.tiles3d`). A new kind or sub-path registers its
  handlers here.
- other endpoints -> blueprints (downloads, catalogue feeds, web pages, pygeoapi's landing,
  OpenAPI, conformance, tile matrix sets, ``/collections``).
- every answer -> :mod:`opengeodata.server.policy` (CORS, preflight, Vary, caching, errors).
"""

from __future__ import annotations

from flask import Flask

from opengeodata.errors import SettingsError
from opengeodata.published import VECTOR
from opengeodata.server import (
    catalogue,
    downloads,
    health,
    ogcapi,
    policy,
    raster,
    sdi,
    tiles3d,
    web,
)
from opengeodata.server.costly import Gate
from opengeodata.server.dispatch import Dispatcher
from opengeodata.server.features import FeaturesAPI
from opengeodata.server.features_fast import FastFeatures
from opengeodata.server.state import ServerState
from opengeodata.settings import Settings, from_environment
from opengeodata.vtiles.wsgi import VectorTiles


def check_databases(settings: Settings) -> None:
    """With PostGIS configured: connect once to each database now, so that a bad or
    unreachable one fails the start with a SettingsError naming its variable."""
    if not settings.database_url:
        if settings.database_read_url:
            raise SettingsError("OPENGEODATA_DATABASE_READ_URL is set without "
                                "OPENGEODATA_DATABASE_URL (the primary that publishes)")
        return
    from opengeodata.postgis.db import check_database

    check_database(settings.database_url, "OPENGEODATA_DATABASE_URL")
    if settings.database_read_url:
        check_database(settings.database_read_url, "OPENGEODATA_DATABASE_READ_URL")


def create_app(settings: Settings | None = None) -> Flask:
    """Build the WSGI app for ``settings`` (default: from the environment)."""
    settings = (settings or from_environment()).resolved()
    check_databases(settings)
    app = Flask(__name__)
    app.url_map.strict_slashes = False
    state = ServerState(settings)
    app.extensions["opengeodata"] = state

    dispatcher = Dispatcher(state)
    costly = Gate(settings.costly_requests)  # coverage renders, result downloads
    features = FeaturesAPI(state, costly)
    vector_tiles = VectorTiles(state.base_url, state.store, settings.cache_max_age)
    dispatcher.handle_wsgi(VECTOR, "tiles", vector_tiles.collection_answer)
    dispatcher.handle_wsgi_root("tiles", vector_tiles.overview_answer)
    # feature JSON without Flask's per-request work (same views, same policy; Flask otherwise)
    dispatcher.handle_wsgi(VECTOR, "items", FastFeatures(features).answer, flask_fallback=True)
    ogcapi.register(dispatcher, state, features)
    raster.register(dispatcher, state, costly)
    tiles3d.register(dispatcher, state)
    dispatcher.install(app)
    app.extensions["opengeodata.dispatch"] = dispatcher
    app.extensions["opengeodata.features"] = features

    app.register_blueprint(downloads.blueprint(state))
    app.register_blueprint(ogcapi.blueprint(state, features))
    shared_catalogue = catalogue.CatalogueCache(state)  # one catalogue per published snapshot
    app.register_blueprint(catalogue.blueprint(state, shared_catalogue))
    app.register_blueprint(web.blueprint(state, shared_catalogue))
    app.register_blueprint(health.blueprint(state))
    app.register_blueprint(sdi.blueprint(state))  # /wms (MapServer) and /csw (pycsw)
    policy.install(app, state)
    return app
