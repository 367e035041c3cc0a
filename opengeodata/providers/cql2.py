"""CQL2 (text and JSON) -> SQL WHERE clauses with bound parameters only.

Parsing is pygeofilter's (``cql2_text``, ``cql2_json``); the AST is translated here. Property
names must be columns of the layer (they are quoted as identifiers only after that check);
every literal becomes a bound parameter. Spatial predicates use the R-tree for the envelope and
an exact shapely test (``ogd_intersects``) for the rest.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import shapely
from pygeofilter import ast, values
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text import parse as parse_text

from opengeodata.errors import InvalidRequestError
from opengeodata.providers.crs import BOX_EDGE_POINTS, transform_geoms
from opengeodata.providers.gpkg_sql import Layer, Where, quote

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
        if set(node) == {"bbox"} and isinstance(node["bbox"], list):
            box = node["bbox"]
            if len(box) not in (4, 6) or not all(isinstance(v, int | float) for v in box):
                raise InvalidRequestError(f"filter: invalid bbox {box!r}")
            half = len(box) // 2
            poly = shapely.box(box[0], box[1], box[half], box[half + 1])
            return json.loads(shapely.to_geojson(poly))
        return {k: _normalize_json(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_normalize_json(v) for v in node]
    return node


def parse(text: str, lang: str) -> ast.Node:
    """Parse a CQL2 filter (``cql2-text`` or ``cql2-json``); 400 on any syntax error."""
    try:
        if lang == "cql2-json":
            return parse_json(_normalize_json(json.loads(text)))
        if lang == "cql2-text":
            return parse_text(text)
    except InvalidRequestError:
        raise
    except Exception as exc:  # lark, json and pygeofilter raise many kinds
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InvalidRequestError(f"filter: invalid {lang} expression: {first}") from exc
    raise InvalidRequestError(f"filter-lang={lang!r} is not supported; use cql2-text or cql2-json")


class SqlBuilder:
    """Translate a pygeofilter AST into SQL for one layer."""

    def __init__(self, layer: Layer, filter_crs: str, storage_crs: str) -> None:
        self.layer = layer
        self.filter_crs = filter_crs
        self.storage_crs = storage_crs

    def build(self, node: ast.Node, where: Where) -> None:
        """Add the SQL of ``node`` to ``where``."""
        sql, params, spatial = self._node(node)
        where.add(sql, *params)
        for geom in spatial:  # top-level AND of spatial tests also gets an R-tree prefilter
            if self.layer.has_rtree:
                self.layer.envelope_clause(where, geom.bounds)

    # each method returns (sql, params, geometries usable as R-tree prefilter)
    def _node(self, node: Any) -> tuple[str, list[Any], list[shapely.Geometry]]:
        if isinstance(node, ast.And):
            lsql, lp, lg = self._node(node.lhs)
            rsql, rp, rg = self._node(node.rhs)
            return f"({lsql} AND {rsql})", lp + rp, lg + rg
        if isinstance(node, ast.Or):
            lsql, lp, _ = self._node(node.lhs)
            rsql, rp, _ = self._node(node.rhs)
            return f"({lsql} OR {rsql})", lp + rp, []
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
            return ("0" if node.not_ else "1"), [], []
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
        return (f"ogd_intersects({quote(self.layer.geom)}, ?)", [shapely.to_wkb(geom)], [geom])

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
        except (ValueError, TypeError, AttributeError, shapely.errors.GEOSException) as exc:
            raise InvalidRequestError(f"filter: invalid geometry: {exc}") from exc
        if geom.is_empty or not shapely.is_valid_input(geom):
            raise InvalidRequestError("filter: empty or invalid geometry")
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
        except (ValueError, shapely.errors.GEOSException) as exc:
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
