"""The feature layer of either backend: a GeoPackage file or a PostGIS version schema."""

from __future__ import annotations

from opengeodata.providers.gpkg_sql import Layer
from opengeodata.providers.pg_sql import PgLayer

FeatureLayer = Layer | PgLayer
