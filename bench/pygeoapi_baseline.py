"""Vanilla pygeoapi 0.24 with its SQLiteGPKG provider, as the benchmark's baseline (b).

The SQLiteGPKG provider loads spatialite as an SQLite extension; this Python may be built
without extension loading, so ``pysqlite3`` (package ``pysqlite3-binary``, installed by
``make bench-deps`` together with Debian's ``libsqlite3-mod-spatialite``) is swapped in as
``sqlite3`` before pygeoapi is imported. Run as a gunicorn app factory::

    PYGEOAPI_CONFIG=cfg.yml PYGEOAPI_OPENAPI=oas.yml \\
        gunicorn 'bench.pygeoapi_baseline:create_app()'
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import yaml

CRS = ["http://www.opengis.net/def/crs/OGC/1.3/CRS84",
       "http://www.opengis.net/def/crs/EPSG/0/4326",
       "http://www.opengis.net/def/crs/EPSG/0/25832"]


def write_config(gpkg: Path, table: str, id_field: str, folder: Path, url: str,
                 base_config: Path) -> tuple[Path, Path]:
    """A pygeoapi config with one SQLiteGPKG collection, and its OpenAPI document."""
    from pygeoapi.openapi import get_oas

    config: dict[str, Any] = yaml.safe_load(base_config.read_text(encoding="utf-8"))
    config["server"]["url"] = url
    config["server"]["bind"] = {"host": "127.0.0.1", "port": 0}
    config["logging"] = {"level": "ERROR"}
    config["resources"] = {table: {
        "type": "collection", "title": table, "description": f"{table} (baseline)",
        "keywords": [table], "links": [],
        "extents": {"spatial": {"bbox": [9.6, 52.3, 9.95, 52.47],
                                "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
        "providers": [{"type": "feature", "name": "SQLiteGPKG", "data": str(gpkg),
                       "id_field": id_field, "table": table,
                       "storage_crs": "http://www.opengis.net/def/crs/EPSG/0/25832",
                       "crs": CRS}],
    }}
    cfg_path = folder / "pygeoapi-baseline.yml"
    cfg_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    oas_path = folder / "pygeoapi-baseline-openapi.yml"
    oas_path.write_text(yaml.safe_dump(get_oas(config, fail_on_invalid_collection=False),
                                       allow_unicode=True), encoding="utf-8")
    return cfg_path, oas_path


def create_app() -> Any:
    """pygeoapi's own Flask app (config from PYGEOAPI_CONFIG / PYGEOAPI_OPENAPI)."""
    pysqlite3 = importlib.import_module("pysqlite3")
    sys.modules["sqlite3"] = pysqlite3
    sys.modules["sqlite3.dbapi2"] = importlib.import_module("pysqlite3.dbapi2")
    flask_app = importlib.import_module("pygeoapi.flask_app")
    return flask_app.APP
