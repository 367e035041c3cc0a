"""Triangle meshes of CityJSON buildings for 3D Tiles: flat-shaded, coloured by semantics.

:func:`feature_mesh` turns the objects of one CityJSON feature (a building with its parts,
vertex indices into the feature's quantized vertices) into a :class:`Mesh`: the highest-LoD
geometry of every object, each surface with its own copy of its vertices (flat normals), the
semantic class of each surface (roof, wall, ground, other) and triangles oriented like the
surface's ring. Triangles and quads are split directly, other polygons (and polygons with
holes) by ear clipping (mapbox_earcut) in the plane they lie in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mapbox_earcut
import numpy as np

ROOF, WALL, GROUND, OTHER = 0, 1, 2, 3
KINDS = {"RoofSurface": ROOF, "WallSurface": WALL, "GroundSurface": GROUND}
#: colour (RGBA, 0-255) per surface class
COLORS = np.array([[178, 64, 46, 255], [235, 230, 218, 255], [128, 128, 128, 255],
                   [200, 200, 200, 255]], dtype=np.uint8)


@dataclass(slots=True)
class Mesh:
    """One building: vertices (n, 3) int64 quantized, surface and class per vertex, triangles."""

    vertices: np.ndarray
    surface: np.ndarray  # (n,) surface number of each vertex
    kind: np.ndarray  # (n,) uint8 surface class of each vertex
    triangles: np.ndarray  # (m, 3) vertex indices


def _top_geometries(obj: dict[str, Any]) -> list[dict[str, Any]]:
    geoms = obj.get("geometry") or []
    if not geoms:
        return []
    top = max(str(g.get("lod", "0")) for g in geoms)
    return [g for g in geoms if str(g.get("lod", "0")) == top]


def _surfaces(geom: dict[str, Any]) -> list[tuple[list[list[int]], int]]:
    """(rings, class) of each surface of a MultiSurface/CompositeSurface/Solid."""
    kinds = [KINDS.get(s.get("type", ""), OTHER)
             for s in (geom.get("semantics") or {}).get("surfaces", [])]
    values = (geom.get("semantics") or {}).get("values")
    out: list[tuple[list[list[int]], int]] = []
    if geom["type"] in ("Solid",):
        for si, shell in enumerate(geom["boundaries"]):
            shell_values = values[si] if values else None
            for fi, rings in enumerate(shell):
                v = shell_values[fi] if shell_values else None
                out.append((rings, kinds[v] if v is not None else OTHER))
    elif geom["type"] in ("MultiSurface", "CompositeSurface"):
        for fi, rings in enumerate(geom["boundaries"]):
            v = values[fi] if values else None
            out.append((rings, kinds[v] if v is not None else OTHER))
    elif geom["type"] in ("MultiSolid", "CompositeSolid"):
        for solid in geom["boundaries"]:
            for shell in solid:
                out.extend((rings, OTHER) for rings in shell)
    return out


def _newell(points: np.ndarray) -> np.ndarray:
    nxt = np.roll(points, -1, axis=0)
    return np.array([
        np.sum((points[:, 1] - nxt[:, 1]) * (points[:, 2] + nxt[:, 2])),
        np.sum((points[:, 2] - nxt[:, 2]) * (points[:, 0] + nxt[:, 0])),
        np.sum((points[:, 0] - nxt[:, 0]) * (points[:, 1] + nxt[:, 1])),
    ])


def _triangulate(rings: list[list[int]], verts: np.ndarray) -> np.ndarray | None:
    """Triangles (k, 3) as positions into the concatenated rings, oriented like the ring."""
    outer = rings[0]
    n = len(outer)
    if len(rings) == 1 and n == 3:
        return np.array([[0, 1, 2]])
    flat = [i for r in rings for i in r]
    pts = verts[flat].astype(np.float64)
    normal = _newell(pts[:n])
    if not normal.any():
        return None
    if len(rings) == 1 and n == 4:
        a, b, c, d = pts
        if np.dot(np.cross(b - a, c - a), normal) > 0 and np.dot(np.cross(c - a, d - a),
                                                                 normal) > 0:
            return np.array([[0, 1, 2], [0, 2, 3]])
        return np.array([[1, 2, 3], [1, 3, 0]])
    axis = int(np.argmax(np.abs(normal)))
    plane = np.delete(pts, axis, axis=1)
    ends = np.cumsum([len(r) for r in rings]).astype(np.uint32)
    tri = mapbox_earcut.triangulate_float64(plane, ends).astype(np.int64).reshape(-1, 3)
    if not len(tri):
        return None
    first = np.cross(pts[tri[0, 1]] - pts[tri[0, 0]], pts[tri[0, 2]] - pts[tri[0, 0]])
    if np.dot(first, normal) < 0:
        tri = tri[:, ::-1]
    return tri


def feature_mesh(objects: dict[str, dict[str, Any]],
                 vertices: list[tuple[int, int, int]]) -> Mesh | None:
    """The mesh of one CityJSON feature (None when it has no usable surface)."""
    if not vertices:
        return None
    verts = np.asarray(vertices, dtype=np.int64)
    index: list[int] = []
    surface: list[int] = []
    kind: list[int] = []
    triangles: list[np.ndarray] = []
    count = 0
    for obj in objects.values():
        for geom in _top_geometries(obj):
            for rings, cls in _surfaces(geom):
                rings = [r for r in rings if len(r) >= 3]
                if not rings:
                    continue
                tri = _triangulate(rings, verts)
                if tri is None:
                    continue
                flat = [i for r in rings for i in r]
                triangles.append(tri + len(index))
                index.extend(flat)
                surface.extend([count] * len(flat))
                kind.extend([cls] * len(flat))
                count += 1
    if not triangles:
        return None
    return Mesh(vertices=verts[index], surface=np.asarray(surface, dtype=np.int64),
                kind=np.asarray(kind, dtype=np.uint8), triangles=np.concatenate(triangles))
