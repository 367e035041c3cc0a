"""The one GeoJSON Feature writer of the feature engine (both backends, server and publish).

:func:`features` turns rows ``(pk, geometry, *values)`` into GeoJSON Feature bytes; the server
writes every answer with it, and the PostGIS loader uses it at publish time to store each
feature's default answer (CRS84, all properties) so that plain pages are copied, not
re-encoded (:func:`default_features`). One code path for both means identical bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import orjson
import shapely

from opengeodata.ogc import CRS84
from opengeodata.providers.crs import transform_geoms


def dumps(value: Any) -> bytes:
    """Compact JSON bytes (orjson; unknown types as strings)."""
    return orjson.dumps(value, default=str)


def geometries(shapes: np.ndarray, storage_crs: str, crs: str) -> list[bytes]:
    """GeoJSON geometry bytes of shapely geometries in ``storage_crs``, written in ``crs``."""
    out = shapely.to_geojson(transform_geoms(shapes, storage_crs, crs))
    return [g.encode() if g is not None else b"null" for g in out]


def features(rows: Sequence[Sequence[Any]], names: list[str], id_index: int,
             geoms: list[bytes]) -> list[bytes]:
    """Feature bytes: ``row[id_index]`` as id, ``geoms[i]``, ``names`` = ``row[2:]`` values."""
    n = len(names)
    return [
        b'{"type":"Feature","id":' + dumps(row[id_index]) + b',"geometry":' + geom
        + b',"properties":' + dumps(dict(zip(names, row[2:2 + n], strict=True))) + b"}"
        for row, geom in zip(rows, geoms, strict=True)
    ]


def default_features(rows: Sequence[Sequence[Any]], names: list[str], id_index: int,
                     storage_crs: str, decode: Callable[[list[Any]], np.ndarray]
                     ) -> list[bytes]:
    """The answer bytes of each row for a default request (CRS84, all properties)."""
    if not rows:
        return []
    geoms = geometries(decode([r[1] for r in rows]), storage_crs, CRS84)
    return features(rows, names, id_index, geoms)
