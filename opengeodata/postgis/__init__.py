"""PostgreSQL/PostGIS: local cluster, connections, the live table."""
