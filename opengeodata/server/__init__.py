"""The opengeodata web server: one Flask app with pygeoapi and the project's routes."""

from opengeodata.server.app import create_app

__all__ = ["create_app"]
