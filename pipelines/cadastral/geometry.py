"""GML 3.2 surfaces of NAS into shapely polygons; arcs and circles linearized (<= 1 cm)."""

from __future__ import annotations

import math
import struct

import numpy as np
from lxml import etree

GML = "http://www.opengis.net/gml/3.2"
#: Maximum distance between an arc and its chords, in CRS units (metres).
CHORD_TOLERANCE = 0.01
#: Upper bound of segments per arc (protects against degenerate input).
MAX_ARC_SEGMENTS = 100_000


class GeometryError(ValueError):
    """A GML geometry that cannot be read; the caller adds file and feature."""


def _local(tag: object) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def _dim(elem: etree._Element, default: int) -> int:
    value = elem.get("srsDimension")
    if value is None:
        return default
    try:
        dim = int(value)
    except ValueError:
        raise GeometryError(f"invalid srsDimension {value!r}") from None
    if dim not in (2, 3):
        raise GeometryError(f"unsupported srsDimension {dim}")
    return dim


def _numbers(text: str | None, what: str) -> np.ndarray:
    if not text:
        raise GeometryError(f"empty {what}")
    try:
        return np.array(text.split(), dtype=np.float64)
    except ValueError:
        raise GeometryError(f"{what} holds a value that is not a number") from None


POS_LIST = f"{{{GML}}}posList"


def _points(elem: etree._Element, dim: int) -> np.ndarray:
    """The control points of a segment, LineString or LinearRing (posList, pos, coordinates)."""
    dim = _dim(elem, dim)
    pos_list = elem[0] if len(elem) and elem[0].tag == POS_LIST else elem.find(POS_LIST)
    if pos_list is not None:
        dim = _dim(pos_list, dim)
        values = _numbers(pos_list.text, "posList")
        if values.size % dim:
            raise GeometryError(f"posList has {values.size} numbers, not a multiple of {dim}")
        return values.reshape(-1, dim)[:, :2]
    rows = []
    for child in elem:
        name = _local(child.tag)
        if name == "pos":
            values = _numbers(child.text, "pos")
            if values.size < 2:
                raise GeometryError("pos with fewer than 2 numbers")
            rows.append(values[:2])
        elif name == "pointProperty":
            pos = child.find(f".//{{{GML}}}pos")
            if pos is None:
                raise GeometryError("pointProperty without gml:pos (xlinked points unsupported)")
            rows.append(_numbers(pos.text, "pos")[:2])
        elif name == "coordinates":
            pairs = [p.split(",") for p in (child.text or "").split()]
            try:
                rows.extend(np.array([float(p[0]), float(p[1])]) for p in pairs)
            except (ValueError, IndexError):
                raise GeometryError("invalid gml:coordinates") from None
    if not rows:
        raise GeometryError(f"{_local(elem.tag)} has no coordinates")
    return np.vstack(rows)


def arc_points(p1: np.ndarray, p2: np.ndarray, p3: np.ndarray, *, circle: bool = False,
               tolerance: float = CHORD_TOLERANCE) -> np.ndarray:
    """Linearize the circular arc through p1, p2, p3 (or the full circle through them).

    The chords stay within ``tolerance`` of the true arc. Start and end points are exact.
    """
    bx, by = p2[0] - p1[0], p2[1] - p1[1]
    cx, cy = p3[0] - p1[0], p3[1] - p1[1]
    cross = bx * cy - by * cx
    chord = math.hypot(cx, cy) if not circle else math.hypot(bx, by)
    if abs(cross) <= 1e-12 * max(chord, 1e-9) ** 2:
        if circle:
            raise GeometryError("gml:Circle through three collinear points")
        return np.vstack([p1, p3])
    d = 2.0 * cross
    b2, c2 = bx * bx + by * by, cx * cx + cy * cy
    ux = (cy * b2 - by * c2) / d
    uy = (bx * c2 - cx * b2) / d
    radius = math.hypot(ux, uy)
    start = math.atan2(-uy, -ux)
    end = math.atan2(cy - uy, cx - ux)
    ccw = cross > 0
    if circle:
        sweep = 2 * math.pi if ccw else -2 * math.pi
    elif ccw:
        sweep = (end - start) % (2 * math.pi)
    else:
        sweep = -((start - end) % (2 * math.pi))
    step = 2 * math.acos(1 - tolerance / radius) if tolerance < radius else math.pi / 2
    n = min(MAX_ARC_SEGMENTS, max(1, math.ceil(abs(sweep) / step)))
    angles = start + sweep * np.arange(n + 1) / n
    pts = np.column_stack([p1[0] + ux + radius * np.cos(angles),
                           p1[1] + uy + radius * np.sin(angles)])
    pts[0] = p1
    pts[-1] = p1 if circle else p3
    return pts


LINE_SEGMENT = f"{{{GML}}}LineStringSegment"


def _segment(seg: etree._Element, dim: int) -> np.ndarray:
    if seg.tag == LINE_SEGMENT:
        return _points(seg, dim)
    name = _local(seg.tag)
    if name in ("LineString", "GeodesicString"):
        return _points(seg, dim)
    if name in ("Arc", "Circle", "ArcString"):
        return _segment_points(str(seg.tag), _points(seg, dim))
    raise GeometryError(f"unsupported curve segment gml:{name}")


def _join(parts: list[np.ndarray]) -> np.ndarray:
    """Concatenate point runs, dropping the repeated point where one run starts at the last."""
    if len(parts) == 1:
        return parts[0]
    out = [parts[0]]
    for part in parts[1:]:
        last = out[-1][-1]
        if abs(part[0, 0] - last[0]) <= 1e-9 and abs(part[0, 1] - last[1]) <= 1e-9:
            part = part[1:]
        if len(part):
            out.append(part)
    return np.vstack(out)


_FAST_PARENTS = {f"{{{GML}}}{n}" for n in ("LineStringSegment", "LinearRing", "LineString")}
_ARC_PARENTS = {f"{{{GML}}}{n}" for n in ("Arc", "Circle", "ArcString")}
_NOT_FAST = [f"{{{GML}}}{n}" for n in ("pos", "coordinates", "pointProperty", "OrientableCurve",
                                       "CompositeCurve")]


def _ring_points_fast(ring: etree._Element, dim: int) -> np.ndarray | None:
    """The points of a ring read straight from its posLists; None when the slow path is needed.

    Covers LinearRing and Ring/curveMember/Curve/segments with LineStringSegment, Arc,
    ArcString and Circle given as posList, the forms NAS deliveries use.
    """
    for _ in ring.iter(*_NOT_FAST):
        return None
    parts = []
    for pos_list in ring.iter(POS_LIST):
        parent = pos_list.getparent()
        tag = parent.tag if parent is not None else None
        if tag not in _FAST_PARENTS and tag not in _ARC_PARENTS:
            return None
        d = _dim(pos_list, _dim(parent, dim)) if parent is not None else dim
        values = _numbers(pos_list.text, "posList")
        if values.size % d:
            raise GeometryError(f"posList has {values.size} numbers, not a multiple of {d}")
        pts = values.reshape(-1, d)[:, :2]
        if tag in _ARC_PARENTS:
            parts.append(_segment_points(str(tag), pts))
        else:
            parts.append(pts)
    if not parts:
        return None
    return _join(parts)


def _segment_points(tag: str, pts: np.ndarray) -> np.ndarray:
    name = _local(tag)
    if name in ("Arc", "Circle"):
        if len(pts) != 3:
            raise GeometryError(f"gml:{name} needs exactly 3 points, has {len(pts)}")
        return arc_points(pts[0], pts[1], pts[2], circle=name == "Circle")
    if len(pts) < 3 or len(pts) % 2 == 0:
        raise GeometryError(f"gml:ArcString needs 2k+1 points (k >= 1), has {len(pts)}")
    return _join([arc_points(pts[i], pts[i + 1], pts[i + 2]) for i in range(0, len(pts) - 2, 2)])


CURVE = f"{{{GML}}}Curve"
SEGMENTS = f"{{{GML}}}segments"


def _curve(elem: etree._Element, dim: int) -> np.ndarray:
    if elem.tag == CURVE:
        dim = _dim(elem, dim)
        segments = elem[0] if len(elem) and elem[0].tag == SEGMENTS else elem.find(SEGMENTS)
        if segments is None or len(segments) == 0:
            raise GeometryError("gml:Curve without segments")
        if len(segments) == 1:
            return _segment(segments[0], dim)
        return _join([_segment(s, dim) for s in segments])
    name = _local(elem.tag)
    dim = _dim(elem, dim)
    if name == "Curve":
        segments = elem.find(f"{{{GML}}}segments")
        if segments is None or len(segments) == 0:
            raise GeometryError("gml:Curve without segments")
        return _join([_segment(s, dim) for s in segments])
    if name in ("LineString", "LineStringSegment"):
        return _points(elem, dim)
    if name == "CompositeCurve":
        return _join([_curve(_only_child(m), dim) for m in elem])
    if name == "OrientableCurve":
        base = elem.find(f"{{{GML}}}baseCurve")
        if base is None:
            raise GeometryError("gml:OrientableCurve without baseCurve")
        pts = _curve(_only_child(base), dim)
        return pts[::-1] if elem.get("orientation") == "-" else pts
    raise GeometryError(f"unsupported curve gml:{name}")


def _only_child(elem: etree._Element) -> etree._Element:
    for child in elem:
        if isinstance(child.tag, str):
            return child
    if elem.get("{http://www.w3.org/1999/xlink}href"):
        raise GeometryError(f"xlinked geometry in {_local(elem.tag)} is not supported")
    raise GeometryError(f"empty {_local(elem.tag)}")


def _ring(holder: etree._Element, dim: int) -> np.ndarray:
    ring = _only_child(holder)
    name = _local(ring.tag)
    dim = _dim(ring, dim)
    fast = _ring_points_fast(ring, dim) if name in ("LinearRing", "Ring") else None
    if fast is not None:
        pts = fast
    elif name == "LinearRing":
        pts = _points(ring, dim)
    elif name == "Ring":
        pts = _join([_curve(_only_child(m), dim) for m in ring
                     if _local(m.tag) == "curveMember"])
    else:
        raise GeometryError(f"unsupported ring gml:{name}")
    if len(pts) and (pts[0, 0] != pts[-1, 0] or pts[0, 1] != pts[-1, 1]):
        if abs(pts[0, 0] - pts[-1, 0]) <= 1e-6 and abs(pts[0, 1] - pts[-1, 1]) <= 1e-6:
            pts[-1] = pts[0]
        else:
            raise GeometryError(f"{name} is not closed: starts {pts[0]}, ends {pts[-1]}")
    if len(pts) < 4:
        raise GeometryError(f"{name} has fewer than 4 points")
    return pts


Rings = list[np.ndarray]  # exterior first, then the interiors


def _polygon(elem: etree._Element, dim: int) -> Rings:
    shell = None
    holes = []
    for child in elem:
        name = _local(child.tag)
        if name == "exterior":
            shell = _ring(child, dim)
        elif name == "interior":
            holes.append(_ring(child, dim))
    if shell is None:
        raise GeometryError(f"gml:{_local(elem.tag)} without exterior")
    return [shell, *holes]


def _polygon_wkb(rings: Rings) -> bytes:
    parts = [_WKB_POLYGON.pack(1, 3, len(rings))]
    for ring in rings:
        parts.append(_UINT32.pack(len(ring)))
        parts.append(np.ascontiguousarray(ring, dtype="<f8").tobytes())
    return b"".join(parts)


_WKB_POLYGON = struct.Struct("<BII")
_UINT32 = struct.Struct("<I")


def _polygons(elem: etree._Element, dim: int) -> list[Rings]:
    name = _local(elem.tag)
    dim = _dim(elem, dim)
    if name in ("Polygon", "PolygonPatch"):
        return [_polygon(elem, dim)]
    if name == "Surface":
        patches = elem.find(f"{{{GML}}}patches")
        if patches is None:
            raise GeometryError("gml:Surface without patches")
        out = []
        for patch in patches:
            out.extend(_polygons(patch, dim))
        return out
    if name in ("MultiSurface", "CompositeSurface", "Shell"):
        out = []
        for member in elem:
            member_name = _local(member.tag)
            if member_name in ("surfaceMember", "surfaceMembers"):
                children = [c for c in member if isinstance(c.tag, str)]
                if not children:
                    _only_child(member)  # raises with the reason
                for child in children:
                    out.extend(_polygons(child, dim))
        return out
    if name == "OrientableSurface":
        base = elem.find(f"{{{GML}}}baseSurface")
        if base is None:
            raise GeometryError("gml:OrientableSurface without baseSurface")
        return _polygons(_only_child(base), dim)
    raise GeometryError(f"unsupported geometry gml:{name} (expected a surface)")


def surface_wkb(elem: etree._Element) -> bytes:
    """WKB of the Polygon or MultiPolygon of a GML surface (Surface, Polygon, MultiSurface).

    Written straight from the coordinate arrays: no GEOS object is needed while streaming.
    """
    polys = _polygons(elem, 2)
    if not polys:
        raise GeometryError(f"gml:{_local(elem.tag)} holds no polygon")
    if len(polys) == 1:
        return _polygon_wkb(polys[0])
    return _WKB_POLYGON.pack(1, 6, len(polys)) + b"".join(_polygon_wkb(p) for p in polys)


def srs_name_of(elem: etree._Element) -> str | None:
    """The srsName of a geometry element or of its first descendant that has one."""
    name = elem.get("srsName")
    if name:
        return name
    for child in elem.iter():
        name = child.get("srsName") if isinstance(child.tag, str) else None
        if name:
            return name
    return None
