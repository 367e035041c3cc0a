"""pygeoapi feature provider over a published GeoPackage (pygeoapi's HTML pages, queryables).

JSON requests are answered by ``opengeodata.server.features``; this provider serves pygeoapi's
own views through the same feature engine (:mod:`opengeodata.engine`): the same query model,
the same GeoPackage backend, the same ids and features.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from flask import has_request_context, request
from pygeoapi.crs import crs_transform
from pygeoapi.provider.base import (
    BaseProvider,
    ProviderConnectionError,
    ProviderInvalidQueryError,
    ProviderItemNotFoundError,
)

from opengeodata.engine.geojson import feature_dicts, read_feature
from opengeodata.engine.params import parse_datetime, typed_value
from opengeodata.engine.query import Filter
from opengeodata.engine.source import FeatureSource
from opengeodata.engine.sql import compile_filter
from opengeodata.errors import InvalidRequestError
from opengeodata.ogc import CRS84, SUPPORTED_CRS
from opengeodata.providers.crs import normalize_uri
from opengeodata.providers.gpkg_sql import open_layer

__all__ = ["GeoPackageProvider"]


class GeoPackageProvider(BaseProvider):
    """pygeoapi feature provider over a published GeoPackage."""

    def __init__(self, provider_def: dict[str, Any]) -> None:
        super().__init__(provider_def)
        path = Path(self.data)
        try:
            real = path.resolve(strict=True)
        except OSError as exc:
            raise ProviderConnectionError(f"no published data at {path}") from exc
        backend = open_layer(str(real))
        self.layer = backend
        self.id_field: str = provider_def.get("id_field") or backend.pk
        if self.id_field not in backend.columns:
            self.id_field = backend.pk
        #: JSON schema formats of declared date/time fields (GeoPackage stores them as text)
        self.formats: dict[str, str] = dict(provider_def.get("formats") or {})
        self.storage_crs_uri = normalize_uri(str(provider_def.get("storage_crs", ""))) or CRS84
        self.source = FeatureSource(
            id=real.stem, backend=backend, id_field=self.id_field, time_field=self.time_field,
            storage_crs=self.storage_crs_uri, crs_list=list(SUPPORTED_CRS), version="",
            created=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
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

    def _bbox(self, bbox: list[float]) -> tuple[tuple[float, float, float, float], str]:
        """The request's own box and CRS (pygeoapi hands over the box mapped to the storage CRS
        by its two corners, a different rectangle): the same area as the JSON views."""
        raw = request.args.get("bbox") if has_request_context() else None
        crs = normalize_uri(request.args.get("bbox-crs") or CRS84) if raw else None
        if raw and crs:
            try:
                nums = [float(v) for v in raw.split(",")]
            except ValueError:
                nums = []
            if len(nums) in (4, 6):
                half = len(nums) // 2
                return (nums[0], nums[1], nums[half], nums[half + 1]), crs
        return (bbox[0], bbox[1], bbox[-2], bbox[-1]), self.storage_crs_uri

    def _filter(self, bbox: list[float] | None, datetime_: str | None,
                properties: list[tuple[str, Any]] | None, filterq: Any) -> Filter:
        filt = Filter(time_field=self.time_field, filter_crs=self.storage_crs_uri)
        if bbox:
            filt.bbox, filt.bbox_crs = self._bbox(bbox)
        if datetime_:
            filt.datetime = parse_datetime(datetime_)
        for name, value in properties or []:
            if name not in self.layer.columns:
                raise InvalidRequestError(f"unknown property {name!r}")
            filt.equals.append((name, typed_value(self.layer, name, str(value))))
        filt.cql = filterq
        return filt

    @crs_transform
    def query(self, offset: int = 0, limit: int = 10, resulttype: str = "results",
              bbox: list[float] | None = None, datetime_: str | None = None,
              properties: list[tuple[str, Any]] | None = None,
              sortby: list[dict[str, Any]] | None = None,
              select_properties: list[str] | None = None, skip_geometry: bool = False,
              q: str | None = None, filterq: Any = None, **kwargs: Any) -> dict[str, Any]:
        """Features matching bbox, datetime, property and CQL2 filters, paged."""
        backend = self.layer
        try:
            if bbox and not all(math.isfinite(float(v)) for v in bbox):
                raise InvalidRequestError(f"bbox={bbox!r}: give 4 (or 6) finite numbers")
            where = compile_filter(backend, self._filter(bbox, datetime_, properties, filterq),
                                   self.storage_crs_uri)
            order = []
            for item in sortby or []:
                if item["property"] not in backend.columns:
                    raise InvalidRequestError(f"cannot sort by {item['property']!r}")
                order.append((item["property"], item["order"] == "-"))
        except InvalidRequestError as exc:
            raise ProviderInvalidQueryError(user_msg=str(exc)) from exc
        names = [n for n in backend.columns if not select_properties or n in select_properties]
        features: list[dict[str, Any]] = []
        if resulttype != "hits":
            rows = list(backend.rows(names, where, order, offset, limit, not skip_geometry))
            features = feature_dicts(self.source, rows, names, skip_geometry)
        result: dict[str, Any] = {"type": "FeatureCollection", "features": features,
                                  "numberReturned": len(features)}
        matched = backend.count_matching(where)
        if matched is not None:
            result["numberMatched"] = matched
        return result

    @crs_transform
    def get(self, identifier: Any, **kwargs: Any) -> dict[str, Any]:
        """One feature by id."""
        names = list(self.layer.columns)
        row, _ = read_feature(self.source, str(identifier), names)
        if row is None:
            raise ProviderItemNotFoundError(f"no feature with id {identifier!r}")
        return feature_dicts(self.source, [row], names, False)[0]


