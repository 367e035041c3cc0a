"""The feature query engine: one query model, one engine, backends that compile it.

- :mod:`~opengeodata.engine.query`: the backend-neutral query model (:class:`ItemsQuery`
  with a :class:`Filter`: bbox + bbox-crs, datetime interval, property equality, a CQL2 AST
  and its CRS; sort, paging, output CRS, properties). No SQL.
- :mod:`~opengeodata.engine.params`: OGC API Features request parameters -> the query model
  (400 with the parameter's name on any mistake).
- :mod:`~opengeodata.engine.source`: :class:`FeatureSource` (one published feature table)
  and :class:`Backend`, the seam to storage; :func:`open_source` picks the backend named by
  the collection's ``features`` facet (``gpkg`` today).
- :mod:`~opengeodata.engine.gpkg`: the GeoPackage backend (SQLite SQL compiled from the
  query model, R-tree, exact spatial tests); a PostGIS backend implements :class:`Backend`
  with SQL compiled from the same query objects.
- :mod:`~opengeodata.engine.geojson`: ids, GeoJSON feature bytes and dicts from rows.

The JSON views and result downloads (``opengeodata.server.features``) and pygeoapi's HTML
pages (``opengeodata.providers.gpkg``) all run their queries through this package.
"""
