"""CQL2 (text and JSON) -> SQL WHERE clauses with bound parameters only.

Parsing is pygeofilter's (``cql2_text``, ``cql2_json``); the AST is translated here. Property
names must be columns of the layer (they are quoted as identifiers only after that check);
every literal becomes a bound parameter. Spatial predicates use the R-tree for the envelope and
an exact shapely test (``ogd_intersects``) for the rest.

Limits (documented in the OpenAPI ``filter`` parameter and the README) keep one filter from
costing the database more than a query: the text length (``MAX_FILTER_CHARS``), the nesting of
AND/OR/NOT (``MAX_FILTER_DEPTH``; a chain of the same operator is one level and becomes flat
SQL), the number of predicates (``MAX_FILTER_TERMS``), the values of one IN list
(``MAX_IN_VALUES``), the length of a LIKE pattern (``MAX_LIKE_PATTERN``) and the vertices of
geometry literals (``MAX_GEOMETRY_VERTICES``). Beyond them the answer is a 400 naming
``filter``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from pygeofilter import ast, values
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text import parse as parse_text

from opengeodata.errors import InvalidRequestError
from opengeodata.providers.crs import BOX_EDGE_POINTS, transform_geoms
from opengeodata.providers.gpkg_sql import Where, quote

if TYPE_CHECKING:
    from opengeodata.providers.layers import FeatureLayer

MAX_FILTER_CHARS = 65_536
MAX_FILTER_DEPTH = 10
MAX_FILTER_TERMS = 64
MAX_IN_VALUES = 1_000
MAX_LIKE_PATTERN = 1_000
MAX_GEOMETRY_VERTICES = 10_000
#: One line for parameter descriptions (OpenAPI, README).
LIMITS_TEXT = (f"at most {MAX_FILTER_CHARS} characters, {MAX_FILTER_TERMS} predicates, "
               f"{MAX_FILTER_DEPTH} levels of AND/OR/NOT nesting, {MAX_IN_VALUES} values per "
               f"IN list, LIKE patterns of {MAX_LIKE_PATTERN} characters and "
               f"{MAX_GEOMETRY_VERTICES} vertices in geometry literals")

_COMPARISONS = {ast.Equal: "=", ast.NotEqual: "<>", ast.LessThan: "<", ast.LessEqual: "<=",
                ast.GreaterThan: ">", ast.GreaterEqual: ">="}
GEOMETRY_NAMES = {"geometry", "geom", "the_geom", "shape"}


def _normalize_json(node: Any) -> Any:
    """Adapt standard CQL2-JSON to pygeofilter 0.4.

    ``{"bbox": [...]}`` becomes a GeoJSON polygon (pygeofilter misreads the order) and
    ``between`` with three arguments gets the ``[low, high]`` pair pygeofilter expects.
    """
    if isinstance(node, dict):
        args = node.get("args")
        if node.get("op") == "between" and isinstance(args, list) and len(args) == 3:
            node = {**node, "args": [args[0], [args[1], args[2]]]}
        if node.get("op") == "in" and not (isinstance(args, list) and len(args) == 2
                                           and isinstance(args[1], list)):
            raise InvalidRequestError(
                "filter: 'in' takes two arguments, an expression and a list of values "
                f"(got {json.dumps(args)[:80]})")
        if set(node) == {"bbox"} and isinstance(node["bbox"], list):
            box = node["bbox"]
            if len(box) not in (4, 6) or not all(
                    isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
                    for v in box):
                raise InvalidRequestError(f"filter: invalid bbox {box!r}: give 4 or 6 finite "
                                          "numbers")
            half = len(box) // 2
            poly = shapely.box(box[0], box[1], box[half], box[half + 1])
            return json.loads(shapely.to_geojson(poly))
        return {k: _normalize_json(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_normalize_json(v) for v in node]
    return node


def parse(text: str, lang: str) -> ast.Node:
    """Parse a CQL2 filter (``cql2-text`` or ``cql2-json``); 400 on any syntax error. Parsed
    filters are cached (the AST is only read; the parse is a third of a small page's time)."""
    if len(text) > MAX_FILTER_CHARS:
        raise InvalidRequestError(f"filter: {len(text)} characters; at most {MAX_FILTER_CHARS}")
    return _parse(text, lang)


@lru_cache(maxsize=256)
def _parse(text: str, lang: str) -> ast.Node:
    if len(text) > MAX_FILTER_CHARS:
        raise InvalidRequestError(f"filter: {len(text)} characters; at most {MAX_FILTER_CHARS}")
    try:
        if lang == "cql2-json":
            return parse_json(_normalize_json(json.loads(text)))
        if lang == "cql2-text":
            return parse_text(text)
    except InvalidRequestError:
        raise
    except RecursionError:
        raise InvalidRequestError(f"filter: nested too deeply; at most {MAX_FILTER_DEPTH} "
                                  "levels") from None
    except Exception as exc:  # lark, json and pygeofilter raise many kinds
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InvalidRequestError(f"filter: invalid {lang} expression: {first}") from exc
    raise InvalidRequestError(f"filter-lang={lang!r} is not supported; use cql2-text or cql2-json")


_LOGICAL = (ast.And, ast.Or, ast.Not)


class _INNER:
    """Marks an expression inside a predicate (not itself a predicate)."""


def _children(node: Any) -> list[Any]:
    if isinstance(node, ast.Node):
        return list(node.get_sub_nodes())
    return list(node) if isinstance(node, list | tuple) else []


def check_limits(node: ast.Node) -> None:
    """400 for a filter beyond the limits (depth, terms, IN values, LIKE pattern, vertices)."""
    terms = vertices = 0
    stack: list[tuple[Any, int, type | None]] = [(node, 0, None)]  # item, depth, parent
    while stack:
        item, depth, parent = stack.pop()
        if isinstance(item, _LOGICAL):
            # a chain of one operator (a AND b AND c) is one level; NOT always nests
            if type(item) is not parent or isinstance(item, ast.Not):
                depth += 1
            if depth > MAX_FILTER_DEPTH:
                raise InvalidRequestError(
                    f"filter: AND/OR/NOT nested more than {MAX_FILTER_DEPTH} levels deep")
            stack.extend((child, depth, type(item)) for child in _children(item))
            continue
        if parent is not _INNER:  # a predicate: the root or an operand of AND/OR/NOT
            terms += 1
            if terms > MAX_FILTER_TERMS:
                raise InvalidRequestError(
                    f"filter: more than {MAX_FILTER_TERMS} predicates; split the query")
        if isinstance(item, ast.In):
            if not isinstance(item.sub_nodes, list | tuple):
                raise InvalidRequestError("filter: IN needs a list of values")
            if len(item.sub_nodes) > MAX_IN_VALUES:
                raise InvalidRequestError(f"filter: IN list of {len(item.sub_nodes)} values; "
                                          f"at most {MAX_IN_VALUES}")
        if isinstance(item, ast.Like) and isinstance(item.pattern, str) \
                and len(item.pattern) > MAX_LIKE_PATTERN:
            raise InvalidRequestError(f"filter: LIKE pattern of {len(item.pattern)} "
                                      f"characters; at most {MAX_LIKE_PATTERN}")
        if isinstance(item, values.Geometry):
            vertices += _vertex_count(item.geometry)
            if vertices > MAX_GEOMETRY_VERTICES:
                raise InvalidRequestError(f"filter: geometry literals with more than "
                                          f"{MAX_GEOMETRY_VERTICES} vertices")
        if isinstance(item, ast.Node) and not isinstance(item, ast.In):
            stack.extend((child, depth, _INNER) for child in _children(item))


def _chain(node: ast.And | ast.Or) -> list[Any]:
    """The operands of a chain of one operator, left to right (iterative)."""
    kind = type(node)
    out: list[Any] = []
    stack: list[Any] = [node]
    while stack:
        item = stack.pop()
        if type(item) is kind:
            stack.extend((item.rhs, item.lhs))
        else:
            out.append(item)
    return out


def _vertex_count(geometry: Any) -> int:
    """Numbers in a GeoJSON geometry's coordinates / 2 (iterative, no recursion)."""
    count = 0
    stack = [geometry.get("coordinates", []) if isinstance(geometry, dict) else []]
    if isinstance(geometry, dict):
        stack += [g.get("coordinates", []) for g in geometry.get("geometries", []) or []
                  if isinstance(g, dict)]
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            if item and not isinstance(item[0], list | tuple):
                count += 1
            else:
                stack.extend(item)
    return count


class SqlBuilder:
    """Translate a pygeofilter AST into SQL for one layer."""

    def __init__(self, layer: FeatureLayer, filter_crs: str, storage_crs: str) -> None:
        self.layer = layer
        self.filter_crs = filter_crs
        self.storage_crs = storage_crs

    def build(self, node: ast.Node, where: Where) -> None:
        """Add the SQL of ``node`` to ``where`` (400 beyond the limits, see check_limits)."""
        check_limits(node)
        sql, params, spatial = self._node(node)
        where.add(sql, *params)
        for geom in spatial:  # top-level AND of spatial tests also gets an R-tree prefilter
            if self.layer.has_rtree:
                self.layer.envelope_clause(where, geom.bounds)

    # each method returns (sql, params, geometries usable as R-tree prefilter)
    def _node(self, node: Any) -> tuple[str, list[Any], list[shapely.Geometry]]:
        if isinstance(node, ast.And | ast.Or):
            # a chain of one operator becomes flat SQL (nested parentheses overflow SQLite's
            # parser stack at about 90 levels)
            parts = [self._node(n) for n in _chain(node)]
            op = " AND " if isinstance(node, ast.And) else " OR "
            params = [p for _, ps, _ in parts for p in ps]
            spatial = [g for _, _, gs in parts for g in gs] if op == " AND " else []
            return f"({op.join(sql for sql, _, _ in parts)})", params, spatial
        if isinstance(node, ast.Not):
            sql, params, _ = self._node(node.sub_node)
            return f"(NOT {sql})", params, []
        if isinstance(node, ast.Comparison) and type(node) in _COMPARISONS:
            lsql, lp = self._expr(node.lhs)
            rsql, rp = self._expr(node.rhs)
            return f"({lsql} {_COMPARISONS[type(node)]} {rsql})", lp + rp, []
        if isinstance(node, ast.Between):
            sql, p = self._expr(node.lhs)
            lo, lop = self._expr(node.low)
            hi, hip = self._expr(node.high)
            neg = "NOT " if node.not_ else ""
            return f"({sql} {neg}BETWEEN {lo} AND {hi})", p + lop + hip, []
        if isinstance(node, ast.Like):
            sql, p = self._expr(node.lhs)
            if not isinstance(node.pattern, str):
                raise InvalidRequestError("filter: LIKE needs a text pattern")
            pattern = node.pattern
            if node.singlechar != "_":  # pygeofilter's text parser reports '.'; CQL2 uses '_'
                pattern = pattern.replace(node.singlechar, "_")
            op = "NOT LIKE" if node.not_ else "LIKE"
            if node.nocase:
                return f"(lower({sql}) {op} lower(?) ESCAPE '\\')", [*p, pattern], []
            return f"({sql} {op} ? ESCAPE '\\')", [*p, pattern], []
        if isinstance(node, ast.In):
            sql, p = self._expr(node.lhs)
            items = [self._expr(v) for v in node.sub_nodes]
            marks = ", ".join(s for s, _ in items)
            params = p + [v for _, ps in items for v in ps]
            return f"({sql} {'NOT IN' if node.not_ else 'IN'} ({marks}))", params, []
        if isinstance(node, ast.IsNull):
            sql, p = self._expr(node.lhs)
            return f"({sql} IS {'NOT ' if node.not_ else ''}NULL)", p, []
        if isinstance(node, ast.Include):
            return ("FALSE" if node.not_ else "TRUE"), [], []
        if isinstance(node, ast.GeometryIntersects | ast.GeometryDisjoint):
            return self._spatial(node)
        if isinstance(node, ast.BBox):
            geom = self._geometry(ast.Function("bbox", [node.minx, node.miny, node.maxx,
                                                       node.maxy]))
            return self._intersects(node.lhs, geom)
        raise InvalidRequestError(
            f"filter: operator {type(node).__name__} is not supported (supported: comparisons, "
            "LIKE, IN, BETWEEN, IS NULL, AND/OR/NOT, S_INTERSECTS, S_DISJOINT)"
        )

    def _spatial(self, node: Any) -> tuple[str, list[Any], list[shapely.Geometry]]:
        lhs, rhs = node.lhs, node.rhs
        if isinstance(lhs, values.Geometry | values.Envelope | ast.Function):
            lhs, rhs = rhs, lhs
        geom = self._geometry(rhs)
        sql, params, spatial = self._intersects(lhs, geom)
        if isinstance(node, ast.GeometryDisjoint):
            return f"(NOT {sql})", params, []
        return sql, params, spatial

    def _intersects(self, lhs: Any, geom: shapely.Geometry
                    ) -> tuple[str, list[Any], list[shapely.Geometry]]:
        if not (isinstance(lhs, ast.Attribute) and
                (lhs.name == self.layer.geom or lhs.name.lower() in GEOMETRY_NAMES)):
            raise InvalidRequestError(
                "filter: spatial predicates compare the geometry property with a literal geometry"
            )
        sql, params = self.layer.intersects_sql(geom)
        return sql, params, [geom]

    def _geometry(self, node: Any) -> shapely.Geometry:
        try:
            if isinstance(node, values.Geometry):
                geom = shapely.geometry.shape(node.geometry)
            elif isinstance(node, values.Envelope):
                geom = shapely.box(node.x1, node.y1, node.x2, node.y2)
            elif isinstance(node, ast.Function) and node.name.lower() == "bbox":
                args = [float(a) for a in node.arguments]
                half = len(args) // 2
                if len(args) not in (4, 6):
                    raise ValueError("BBOX takes 4 or 6 numbers")
                geom = shapely.box(args[0], args[1], args[half], args[half + 1])
            else:
                raise ValueError(f"not a geometry literal: {node!r}")
        except (ValueError, TypeError, AttributeError, KeyError, IndexError,
                shapely.errors.ShapelyError) as exc:
            raise InvalidRequestError(f"filter: invalid geometry: {exc}") from exc
        if geom.is_empty or not shapely.is_valid_input(geom):
            raise InvalidRequestError("filter: empty or invalid geometry")
        if not np.isfinite(shapely.get_coordinates(geom)).all():
            raise InvalidRequestError("filter: geometry coordinates must be finite numbers")
        try:
            geom = shapely.force_2d(geom)
            span = max(geom.bounds[2] - geom.bounds[0], geom.bounds[3] - geom.bounds[1])
            if self.filter_crs != self.storage_crs and span > 0:
                # straight edges in the filter CRS are curves in the storage CRS: densify
                geom = shapely.segmentize(geom, span / BOX_EDGE_POINTS)
            out = transform_geoms(shapely.from_wkb([shapely.to_wkb(geom)]), self.filter_crs,
                                  self.storage_crs)[0]
            if not np.isfinite(shapely.get_coordinates(out)).all():
                raise ValueError(f"coordinates outside the area of {self.filter_crs}")
            if not shapely.is_valid(out):
                out = shapely.make_valid(out)
        except (ValueError, shapely.errors.ShapelyError) as exc:
            raise InvalidRequestError(f"filter: invalid geometry: {exc}") from exc
        return out

    def _expr(self, node: Any) -> tuple[str, list[Any]]:
        if isinstance(node, ast.Attribute):
            if node.name == self.layer.pk:
                return quote(self.layer.pk), []
            if node.name not in self.layer.columns:
                raise InvalidRequestError(
                    f"filter: unknown property {node.name!r}; queryables: "
                    f"{', '.join(self.layer.columns)}"
                )
            return quote(node.name), []
        if isinstance(node, bool):
            return "?", [int(node)]
        if isinstance(node, int) and not -(2**63) <= node < 2**63:
            raise InvalidRequestError(f"filter: integer {node} is out of range")
        if isinstance(node, int | float | str):
            return "?", [node]
        if isinstance(node, dt.datetime):
            return "?", [node.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                         if node.tzinfo else node.isoformat()]
        if isinstance(node, dt.date):
            return "?", [node.isoformat()]
        if node is None:
            return "NULL", []
        raise InvalidRequestError(f"filter: unsupported expression {node!r}")
