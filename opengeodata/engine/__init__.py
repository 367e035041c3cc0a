"""The feature query engine: one query model, one engine, backends that compile it.

- :mod:`~opengeodata.engine.query`: the backend-neutral query model (:class:`ItemsQuery`
  with a :class:`Filter`: bbox + bbox-crs, datetime interval, property equality, a CQL2 AST
  and its CRS; sort, paging, output CRS, properties). No SQL.
- :mod:`~opengeodata.engine.params`: OGC API Features request parameters -> the query model
  (400 with the parameter's name on any mistake).
- :mod:`~opengeodata.engine.source`: :class:`FeatureSource` (one published feature table),
  ``Backend`` (the seam to storage: the GeoPackage ``Layer`` or the PostGIS ``PgLayer``) and
  :class:`Sources`, which opens one per collection version with a backend opener.
- :mod:`~opengeodata.engine.sql`: the query model compiled to SQL with bound parameters; the
  same compilation for both backends (each supplies its spatial SQL and placeholders).
- :mod:`~opengeodata.engine.geojson`: ids, GeoJSON feature bytes and dicts from rows.

The JSON views and result downloads (``opengeodata.server.features``) and pygeoapi's HTML
pages (``opengeodata.providers.gpkg``) all run their queries through this package.
"""
