"""Query parameters of OGC API Features items requests -> the query model; 400 on mistakes.

Pure parsing and validation against the table's schema: no SQL (the backend compiles the
resulting :class:`~opengeodata.engine.query.ItemsQuery`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from werkzeug.datastructures import MultiDict

from opengeodata.engine.query import Filter, Interval, ItemsQuery
from opengeodata.engine.source import Backend, FeatureSource
from opengeodata.errors import InvalidRequestError
from opengeodata.ogc import CRS84, ITEM_FORMATS
from opengeodata.providers import cql2
from opengeodata.providers.crs import lat_first, parse_crs

ITEMS_PARAMS = {"f", "lang", "limit", "offset", "bbox", "bbox-crs", "crs", "datetime", "sortby",
                "properties", "skipGeometry", "filter", "filter-lang", "filter-crs",
                "resulttype"}
ITEM_PARAMS = {"f", "lang", "crs", "properties", "skipGeometry"}
FORMATS = set(ITEM_FORMATS)
_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})?)?$"
)


def _single(args: MultiDict[str, str], name: str) -> str | None:
    values = args.getlist(name)
    if len(values) > 1:
        raise InvalidRequestError(f"parameter {name!r} is given {len(values)} times")
    return values[0] if values else None


def parse_format(args: MultiDict[str, str]) -> str | None:
    """``f``: json/geojson/html/csv/fgb/gpkg (None: negotiate by Accept)."""
    fmt = _single(args, "f")
    if fmt is None:
        return None
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise InvalidRequestError(f"f={fmt!r} is not supported; use one of "
                                  f"{', '.join(sorted(FORMATS))}")
    return fmt


def check_unknown(args: MultiDict[str, str], allowed: set[str]) -> None:
    """400 for a parameter nobody understands."""
    unknown = sorted(set(args) - allowed)
    if unknown:
        raise InvalidRequestError(
            f"unknown query parameter(s): {', '.join(unknown)}; allowed: "
            f"{', '.join(sorted(allowed))}"
        )


def parse_int(value: str, name: str, minimum: int) -> int:
    """A decimal integer >= minimum."""
    if not re.fullmatch(r"\+?\d{1,12}", value.strip()):
        raise InvalidRequestError(f"{name}={value!r} is not an integer >= {minimum}")
    number = int(value)
    if number < minimum:
        raise InvalidRequestError(f"{name}={value!r} must be at least {minimum}")
    return number


def parse_names(value: str | None, layer: Backend, name: str) -> list[str] | None:
    """A comma list of layer property names."""
    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in layer.columns]
    if unknown:
        raise InvalidRequestError(f"{name}: unknown propert{'y' if len(unknown) == 1 else 'ies'} "
                                  f"{', '.join(unknown)}; known: {', '.join(layer.columns)}")
    return names


def parse_bool(value: str | None, name: str) -> bool:
    """true/false (also 1/0, yes/no)."""
    if value is None:
        return False
    low = value.strip().lower()
    if low in ("true", "1", "yes"):
        return True
    if low in ("false", "0", "no"):
        return False
    raise InvalidRequestError(f"{name}={value!r} must be true or false")


def parse_bbox(value: str, crs: str) -> tuple[float, float, float, float]:
    """4 or 6 numbers, lower corner first, in ``crs`` axis order."""
    try:
        nums = [float(v) for v in value.split(",")]
    except ValueError:
        nums = []
    if len(nums) not in (4, 6) or not all(math.isfinite(n) for n in nums):
        raise InvalidRequestError(f"bbox={value!r}: give 4 (or 6) comma-separated numbers")
    half = len(nums) // 2
    box = (nums[0], nums[1], nums[half], nums[half + 1])
    if box[0] > box[2] or box[1] > box[3]:
        raise InvalidRequestError(f"bbox={value!r}: the lower corner must come first")
    if crs == CRS84 or (lat_first(crs) and crs.endswith(("/4326", "/4258"))):
        lon = (box[1], box[3]) if lat_first(crs) else (box[0], box[2])
        lat = (box[0], box[2]) if lat_first(crs) else (box[1], box[3])
        if min(lon) < -180 or max(lon) > 180 or min(lat) < -90 or max(lat) > 90:
            raise InvalidRequestError(f"bbox={value!r}: coordinates out of range for {crs}")
    return box


def _instant(value: str) -> str:
    if not _RFC3339.match(value):
        raise InvalidRequestError(f"datetime: {value!r} is not an RFC 3339 date or date-time")
    try:
        if len(value) == 10:
            dt.date.fromisoformat(value)
        else:
            dt.datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidRequestError(f"datetime: {value!r} is not a valid date: {exc}") from exc
    return value.replace("t", "T").replace("z", "Z")


def parse_datetime(value: str) -> Interval:
    """An instant or an interval with '..' or empty open ends."""
    parts = value.split("/")
    if len(parts) > 2 or (len(parts) == 2 and parts[0] in ("", "..") and parts[1] in ("", "..")):
        raise InvalidRequestError(f"datetime={value!r}: give an instant or an interval a/b")
    if len(parts) == 1:
        if parts[0] in ("", ".."):
            raise InvalidRequestError(f"datetime={value!r}: give an instant or an interval")
        instant = _instant(parts[0])
        return Interval(instant, instant, instant=True)
    start = None if parts[0] in ("", "..") else _instant(parts[0])
    end = None if parts[1] in ("", "..") else _instant(parts[1])
    if start and end and start > end:
        raise InvalidRequestError(f"datetime={value!r}: the start is after the end")
    return Interval(start, end)


def parse_sortby(value: str | None, layer: Backend) -> list[tuple[str, bool]]:
    """``sortby=+a,-b``."""
    order = []
    for raw in (value or "").split(","):
        item = raw.strip()
        if not item:
            continue
        desc = item.startswith("-")
        name = item.lstrip("+-").strip()
        if name not in layer.columns and name != layer.pk:
            raise InvalidRequestError(f"sortby: unknown property {name!r}; known: "
                                      f"{', '.join(layer.columns)}")
        order.append((name, desc))
    return order


def typed_value(layer: Backend, name: str, value: str) -> Any:
    """A property filter value cast to the column type."""
    kind = layer.json_type(name)
    try:
        if kind == "integer":
            number = int(value)
            if not -(2**63) <= number < 2**63:
                raise ValueError("out of range")
            return number
        if kind == "number":
            return float(value)
    except ValueError as exc:
        raise InvalidRequestError(f"{name}={value!r} is not a {kind}") from exc
    if kind == "boolean":
        return int(parse_bool(value, name))
    return value


def parse_items(args: MultiDict[str, str], coll: FeatureSource, default_limit: int,
                max_limit: int) -> ItemsQuery:
    """Validate every parameter of an items request."""
    layer = coll.backend
    check_unknown(args, ITEMS_PARAMS | set(layer.columns))
    fmt = parse_format(args)
    download = fmt in ("csv", "fgb", "gpkg")
    raw_limit = _single(args, "limit")
    limit: int | None
    if raw_limit is None:
        limit = None if download else default_limit
    else:
        limit = min(parse_int(raw_limit, "limit", 1), max_limit if not download else 10**12)
    offset = parse_int(_single(args, "offset") or "0", "offset", 0)
    crs = parse_crs(_single(args, "crs") or CRS84, coll.crs_list, "crs")
    names = parse_names(_single(args, "properties"), layer, "properties")
    query = ItemsQuery(fmt=fmt, limit=limit, offset=offset, crs=crs,
                       names=list(layer.columns) if names is None else names,
                       skip_geometry=parse_bool(_single(args, "skipGeometry"), "skipGeometry"),
                       filter=Filter(time_field=coll.time_field))
    resulttype = _single(args, "resulttype")
    if resulttype not in (None, "results", "hits"):
        raise InvalidRequestError(f"resulttype={resulttype!r}: use results or hits")
    query.hits = resulttype == "hits"
    filt = query.filter
    filt.bbox_crs = parse_crs(_single(args, "bbox-crs") or CRS84, coll.crs_list, "bbox-crs")
    bbox = _single(args, "bbox")
    if bbox is not None:
        filt.bbox = parse_bbox(bbox, filt.bbox_crs)
    datetime_ = _single(args, "datetime")
    if datetime_ is not None:
        filt.datetime = parse_datetime(datetime_)
    for name in layer.columns:
        value = _single(args, name)
        if value is not None:
            filt.equals.append((name, typed_value(layer, name, value)))
    text = _single(args, "filter")
    lang = (_single(args, "filter-lang") or "cql2-text").lower()
    filt.filter_crs = parse_crs(_single(args, "filter-crs") or CRS84, coll.crs_list,
                                "filter-crs")
    if text is not None:
        filt.cql = cql2.parse(text, lang)
    elif lang not in ("cql2-text", "cql2-json"):
        raise InvalidRequestError(f"filter-lang={lang!r}: use cql2-text or cql2-json")
    query.order = parse_sortby(_single(args, "sortby"), layer)
    return query
