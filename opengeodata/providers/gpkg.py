"""pygeoapi feature provider over a published GeoPackage (used for HTML pages and queryables).

JSON requests are answered by ``opengeodata.server.features`` directly; this provider serves
pygeoapi's own views with the same SQL engine (``gpkg_sql``, ``cql2``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import shapely
from flask import has_request_context, request
from pygeoapi.crs import crs_transform
from pygeoapi.provider.base import (
    BaseProvider,
    ProviderConnectionError,
    ProviderInvalidQueryError,
    ProviderItemNotFoundError,
)

from opengeodata.errors import InvalidRequestError
from opengeodata.providers.cql2 import SqlBuilder
from opengeodata.providers.crs import CRS84, bbox_polygon, normalize_uri
from opengeodata.providers.gpkg_sql import Layer, Where, blob_wkb, open_layer, quote
from opengeodata.server.features_params import parse_datetime, typed_value

__all__ = ["GeoPackageProvider", "Layer", "open_layer"]


class GeoPackageProvider(BaseProvider):
    """pygeoapi feature provider over a published GeoPackage."""

    def __init__(self, provider_def: dict[str, Any]) -> None:
        super().__init__(provider_def)
        path = Path(self.data)
        try:
            real = path.resolve(strict=True)
        except OSError as exc:
            raise ProviderConnectionError(f"no published data at {path}") from exc
        self.layer = open_layer(str(real))
        self.id_field: str = provider_def.get("id_field") or self.layer.pk
        if self.id_field not in self.layer.columns:
            self.id_field = self.layer.pk
        #: JSON schema formats of declared date/time fields (GeoPackage stores them as text)
        self.formats: dict[str, str] = dict(provider_def.get("formats") or {})
        self.storage_crs_uri = normalize_uri(str(provider_def.get("storage_crs", ""))) or CRS84
        self.get_fields()

    def get_fields(self) -> dict[str, dict[str, str]]:
        """Field names with JSON types (and formats for dates)."""
        if not getattr(self, "_fields", None):
            fields: dict[str, dict[str, str]] = {}
            for name in self.layer.columns:
                fields[name] = {"type": self.layer.json_type(name)}
                fmt = self.layer.json_format(name) or self.formats.get(name)
                if fmt:
                    fields[name]["format"] = fmt
            self._fields = fields
        return dict(self._fields)

    def _feature(self, row: tuple[Any, ...], names: list[str],
                 skip_geometry: bool) -> dict[str, Any]:
        fid, blob, *values = row
        props = dict(zip(names, values, strict=True))
        ident = props.get(self.id_field, fid)
        geom = None
        if blob is not None and not skip_geometry:
            geom = json.loads(shapely.to_geojson(shapely.from_wkb(blob_wkb(blob))))
        return {"type": "Feature", "id": ident, "geometry": geom, "properties": props}

    def _bbox_area(self, bbox: list[float]) -> shapely.Geometry:
        """The exact area of the request's bbox in the storage CRS.

        pygeoapi hands over the bbox mapped to the storage CRS by its two corners (a different
        rectangle); the request's own ``bbox``/``bbox-crs`` (validated by pygeoapi) give the
        same area as the JSON views.
        """
        raw = request.args.get("bbox") if has_request_context() else None
        crs = normalize_uri(request.args.get("bbox-crs") or CRS84) if raw else None
        if raw and crs:
            try:
                nums = [float(v) for v in raw.split(",")]
            except ValueError:
                nums = []
            if len(nums) in (4, 6):
                half = len(nums) // 2
                box = (nums[0], nums[1], nums[half], nums[half + 1])
                return bbox_polygon(box, crs, self.storage_crs_uri)
        return shapely.box(*bbox[:2], *bbox[-2:])

    @crs_transform
    def query(self, offset: int = 0, limit: int = 10, resulttype: str = "results",
              bbox: list[float] | None = None, datetime_: str | None = None,
              properties: list[tuple[str, Any]] | None = None,
              sortby: list[dict[str, Any]] | None = None,
              select_properties: list[str] | None = None, skip_geometry: bool = False,
              q: str | None = None, filterq: Any = None, **kwargs: Any) -> dict[str, Any]:
        """Features matching bbox, datetime, property and CQL2 filters, paged."""
        layer = self.layer
        where = Where()
        try:
            if bbox and not all(math.isfinite(float(v)) for v in bbox):
                raise InvalidRequestError(f"bbox={bbox!r}: give 4 (or 6) finite numbers")
            if bbox:
                layer.area_clause(where, self._bbox_area(bbox))
            if datetime_:
                parse_datetime(datetime_, where, self.time_field)
            for name, value in properties or []:
                if name not in layer.columns:
                    raise InvalidRequestError(f"unknown property {name!r}")
                where.add(f"{quote(name)} = ?", typed_value(layer, name, str(value)))
            if filterq is not None:
                SqlBuilder(layer, self.storage_crs_uri, self.storage_crs_uri).build(filterq,
                                                                                    where)
            order = []
            for item in sortby or []:
                if item["property"] not in layer.columns:
                    raise InvalidRequestError(f"cannot sort by {item['property']!r}")
                order.append((item["property"], item["order"] == "-"))
        except InvalidRequestError as exc:
            raise ProviderInvalidQueryError(user_msg=str(exc)) from exc
        names = [n for n in layer.columns if not select_properties or n in select_properties]
        features = []
        if resulttype != "hits":
            rows = layer.rows(names, where, order, offset, limit, not skip_geometry)
            features = [self._feature(r, names, skip_geometry) for r in rows]
        result: dict[str, Any] = {"type": "FeatureCollection", "features": features,
                                  "numberReturned": len(features)}
        matched = layer.count_matching(where)
        if matched is not None:
            result["numberMatched"] = matched
        return result

    @crs_transform
    def get(self, identifier: Any, **kwargs: Any) -> dict[str, Any]:
        """One feature by id."""
        layer = self.layer
        names = list(layer.columns)
        value: Any = identifier
        if self.id_field == layer.pk or layer.json_type(self.id_field) == "integer":
            try:
                value = int(identifier)
            except ValueError:
                raise ProviderItemNotFoundError(f"no feature with id {identifier!r}") from None
            if not -(2**63) <= value < 2**63:
                raise ProviderItemNotFoundError(f"no feature with id {identifier!r}")
        row = layer.by_id(self.id_field, value, names)
        if row is None:
            raise ProviderItemNotFoundError(f"no feature with id {identifier!r}")
        return self._feature(row, names, False)
