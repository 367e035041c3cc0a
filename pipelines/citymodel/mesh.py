"""Triangle meshes of CityJSON buildings for 3D Tiles: flat-shaded, coloured by semantics.

Two steps, so that the per-building work stays small and the geometry work is done by numpy
for many buildings at once:

- :func:`flatten` takes the objects of one CityJSON feature (a building with its parts) and
  lists the surfaces of the highest-LoD geometry of every object: the ring vertex indices one
  after the other, the length of each ring, the number of rings of each surface and its
  semantic class (roof, wall, ground, other).
- :func:`flatten_batch` does the same for all buildings of a batch at once from its columns
  (:class:`~pipelines.citymodel.encode.Encoded`), without building the CityJSON objects.
- :func:`triangulate` splits all surfaces of a tile at once: triangles directly, convex
  polygons (quads, gable walls, ...) as fans, the rest (concave polygons, holes) by ear
  clipping (mapbox_earcut) in the plane they lie in. Triangles keep the ring's orientation.
  Every surface gets its own copy of its vertices (flat normals).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import mapbox_earcut
import numpy as np

from pipelines.citymodel.batch import KIND_NAMES

if TYPE_CHECKING:
    from pipelines.citymodel.encode import Encoded

ROOF, WALL, GROUND, OTHER = 0, 1, 2, 3
KINDS = {"RoofSurface": ROOF, "WallSurface": WALL, "GroundSurface": GROUND}
#: colour (RGBA, 0-255) per surface class
COLORS = np.array([[178, 64, 46, 255], [235, 230, 218, 255], [128, 128, 128, 255],
                   [200, 200, 200, 255]], dtype=np.uint8)
#: mesh class of each batch kind code (index -1, the last entry: no semantics)
_CLASS_OF_KIND = np.array([KINDS.get(name, OTHER) for name in KIND_NAMES] + [OTHER], np.uint8)
#: geometry types :func:`flatten_batch` handles (others, and a MultiSurface of several shells
#: - Encoded writes its first non-empty one - go through :func:`flatten`)
_COLUMNAR = {"Solid", "MultiSurface", "CompositeSurface"}


@dataclass(slots=True)
class Flat:
    """The surfaces of one building as flat lists."""

    refs: list[int] = field(default_factory=list)  # vertex index of each ring point
    ring_len: list[int] = field(default_factory=list)
    surface_rings: list[int] = field(default_factory=list)
    kinds: list[int] = field(default_factory=list)


def _top_geometries(obj: dict[str, Any]) -> list[dict[str, Any]]:
    geoms = obj.get("geometry") or []
    if len(geoms) <= 1:
        return geoms
    top = max(str(g.get("lod", "0")) for g in geoms)
    return [g for g in geoms if str(g.get("lod", "0")) == top]


def _add(flat: Flat, rings: list[list[int]], kind: int) -> None:
    rings = [r for r in rings if len(r) >= 3]
    if not rings:
        return
    for ring in rings:
        flat.refs.extend(ring)
        flat.ring_len.append(len(ring))
    flat.surface_rings.append(len(rings))
    flat.kinds.append(kind)


def flatten(objects: dict[str, dict[str, Any]]) -> Flat:
    """The surfaces of the highest-LoD geometry of every object of a feature."""
    flat = Flat()
    for obj in objects.values():
        for geom in _top_geometries(obj):
            sem = geom.get("semantics") or {}
            classes = [KINDS.get(s.get("type", ""), OTHER) for s in sem.get("surfaces", [])]
            values = sem.get("values")
            gtype = geom["type"]
            if gtype == "Solid":
                for si, shell in enumerate(geom["boundaries"]):
                    sv = values[si] if values else None
                    for fi, rings in enumerate(shell):
                        v = sv[fi] if sv else None
                        _add(flat, rings, OTHER if v is None else classes[v])
            elif gtype in ("MultiSurface", "CompositeSurface"):
                for fi, rings in enumerate(geom["boundaries"]):
                    v = values[fi] if values else None
                    _add(flat, rings, OTHER if v is None else classes[v])
            elif gtype in ("MultiSolid", "CompositeSolid"):
                for solid in geom["boundaries"]:
                    for shell in solid:
                        for rings in shell:
                            _add(flat, rings, OTHER)
    return flat


@dataclass(slots=True)
class FlatBatch:
    """The :class:`Flat` lists of the buildings of a batch, building after building, as
    arrays; ``refs`` number each building's vertices from 0 (as :meth:`Encoded.feature`).
    Per building the number of ring points, rings and surfaces; ``columnar`` is False for a
    building left to :func:`flatten` (other geometry types, an object id used twice)."""

    refs: np.ndarray
    ring_len: np.ndarray
    surface_rings: np.ndarray
    kinds: np.ndarray
    nrefs: np.ndarray
    nrings: np.ndarray
    nsurfs: np.ndarray
    columnar: list[bool]


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The concatenated ``arange(start, start + count)`` of each pair."""
    shift = np.repeat(starts - (np.cumsum(counts) - counts), counts)
    return np.arange(int(counts.sum()), dtype=np.int64) + shift


def flatten_batch(enc: Encoded) -> FlatBatch:
    """:func:`flatten` of every building of a batch, from the batch's columns.

    A surface is written when its first ring is (``Encoded.numbered``), with its written
    rings; a geometry when one of its surfaces is; of an object's written geometries those
    at the highest LoD (the text order of ``lod``, as :func:`flatten`) are meshed.
    """
    batch = enc.batch
    ring0, nring = batch.surf_ring0, batch.surf_nrings
    # as Encoded writes: a surface when the ring at its ring0 is (for a surface without rings
    # that is the next surface's first: written as empty), with its usable rings
    written = np.zeros(len(ring0), dtype=bool)
    inside = np.flatnonzero(ring0 < len(enc.numbered))
    written[inside] = enc.numbered[ring0[inside]]
    before = np.concatenate(([0], np.cumsum(written))).tolist()  # written surfaces before s
    written &= nring > 0
    starts: list[int] = []
    ends: list[int] = []
    owner: list[int] = []
    columnar: list[bool] = []
    for b, building in enumerate(batch.buildings):
        objs = building.all_objects() if building.parts else [building]
        ok = (len(objs) == 1 or len({o.id for o in objs}) == len(objs)) and all(
            g.type in _COLUMNAR and (len(g.shells) == 1 or g.type == "Solid")
            for o in objs for g in o.geometries)
        columnar.append(ok)
        if not ok:
            continue
        for obj in objs:
            geoms = [g for g in obj.geometries if before[g.s1] > before[g.s0]]
            if len(geoms) > 1:
                top = max(g.lod for g in geoms)
                geoms = [g for g in geoms if g.lod == top]
            for g in geoms:
                starts.append(g.s0)
                ends.append(g.s1)
                owner.append(b)
    s0 = np.asarray(starts, dtype=np.int64)
    count = np.asarray(ends, dtype=np.int64) - s0
    surfaces = ranges(s0, count)
    keep = written[surfaces]
    surfaces = surfaces[keep]
    surf_owner = np.repeat(np.asarray(owner, dtype=np.int64), count)[keep]
    rings = ranges(ring0[surfaces], nring[surfaces])
    ring_surface = np.repeat(np.arange(len(surfaces)), nring[surfaces])
    ok_ring = enc.numbered[rings]
    rings, ring_surface = rings[ok_ring], ring_surface[ok_ring]
    ring_owner = surf_owner[ring_surface]
    npts = enc.ring_n_arr[rings]
    points = ranges(enc.ring_at_arr[rings], npts)
    point_owner = np.repeat(ring_owner, npts)
    refs = enc.point_vertex[points] - enc.v0[point_owner]
    nb = len(batch.buildings)
    return FlatBatch(
        refs=refs, ring_len=npts, kinds=_CLASS_OF_KIND[batch.surf_kind[surfaces]],
        surface_rings=np.bincount(ring_surface, minlength=len(surfaces)),
        nrefs=np.bincount(point_owner, minlength=nb),
        nrings=np.bincount(ring_owner, minlength=nb),
        nsurfs=np.bincount(surf_owner, minlength=nb), columnar=columnar)


def sum_by(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """``np.add.at`` of (m, 3) ``values`` into (n, 3) zeros: the same sums in the same order."""
    return np.column_stack([np.bincount(index, weights=values[:, c], minlength=n)
                            for c in range(3)])


def _cross_dot(a: np.ndarray, b: np.ndarray, c: np.ndarray, n: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", np.cross(b - a, c - a), n)


def triangulate(points: np.ndarray, ring_len: np.ndarray,
                surface_rings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Triangles (m, 3) as row numbers of ``points`` (one row per ring point, rings in order,
    surfaces in order) and the surface of each triangle."""
    nring = len(ring_len)
    ring_start = np.zeros(nring, dtype=np.int64)
    np.cumsum(ring_len[:-1], out=ring_start[1:])
    surf_first_ring = np.zeros(len(surface_rings), dtype=np.int64)
    np.cumsum(surface_rings[:-1], out=surf_first_ring[1:])
    # Newell normal of each outer ring
    ring_of_point = np.repeat(np.arange(nring), ring_len)
    nxt = np.arange(len(points)) + 1
    ends = ring_start + ring_len
    nxt[ends - 1] = ring_start
    p, q = points, points[nxt]
    terms = np.column_stack(((p[:, 1] - q[:, 1]) * (p[:, 2] + q[:, 2]),
                             (p[:, 2] - q[:, 2]) * (p[:, 0] + q[:, 0]),
                             (p[:, 0] - q[:, 0]) * (p[:, 1] + q[:, 1])))
    ring_normal = sum_by(ring_of_point, terms, nring)
    normal = ring_normal[surf_first_ring]
    start = ring_start[surf_first_ring]
    count = ring_len[surf_first_ring]
    valid = np.einsum("ij,ij->i", normal, normal) > 0
    simple = valid & (surface_rings == 1)
    out_tri: list[np.ndarray] = []
    out_surf: list[np.ndarray] = []
    rest = valid & ~simple
    for n in np.unique(count[simple]):
        sel = np.flatnonzero(simple & (count == n))
        idx = start[sel][:, None] + np.arange(n)[None, :]
        if n == 3:
            out_tri.append(idx)
            out_surf.append(sel)
            continue
        pts = points[idx]
        nrm = normal[sel]
        if n == 4:
            a, b, c, d = pts[:, 0], pts[:, 1], pts[:, 2], pts[:, 3]
            first = (_cross_dot(a, b, c, nrm) > 0) & (_cross_dot(a, c, d, nrm) > 0)
            tri = np.where(first[:, None, None], idx[:, [[0, 1, 2], [0, 2, 3]]],
                           idx[:, [[1, 2, 3], [1, 3, 0]]])
            out_tri.append(tri.reshape(-1, 3))
            out_surf.append(np.repeat(sel, 2))
            continue
        edges = np.roll(pts, -1, axis=1) - pts
        turns = np.einsum("kij,kj->ki", np.cross(edges, np.roll(edges, -1, axis=1)), nrm)
        convex = (turns >= -1e-9 * np.einsum("ij,ij->i", nrm, nrm)[:, None] ** 0.5).all(axis=1)
        fan = np.column_stack((np.zeros(n - 2, dtype=np.int64), np.arange(1, n - 1),
                               np.arange(2, n)))
        conv = np.flatnonzero(convex)
        if len(conv):
            out_tri.append(idx[conv][:, fan].reshape(-1, 3))
            out_surf.append(np.repeat(sel[conv], n - 2))
        rest[sel[~convex]] = True
    for s in np.flatnonzero(rest):
        ear = _earcut(points, ring_start, ring_len, int(surf_first_ring[s]),
                      int(surface_rings[s]), normal[s])
        if ear is not None:
            out_tri.append(ear)
            out_surf.append(np.full(len(ear), s))
    if not out_tri:
        return np.zeros((0, 3), dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(out_tri).astype(np.int64), np.concatenate(out_surf).astype(np.int64)


def _earcut(points: np.ndarray, ring_start: np.ndarray, ring_len: np.ndarray, first: int,
            rings: int, normal: np.ndarray) -> np.ndarray | None:
    lo = int(ring_start[first])
    hi = int(ring_start[first + rings - 1] + ring_len[first + rings - 1])
    pts = points[lo:hi]
    axis = int(np.argmax(np.abs(normal)))
    plane = np.delete(pts, axis, axis=1)
    ends = np.cumsum(ring_len[first:first + rings]).astype(np.uint32)
    tri = mapbox_earcut.triangulate_float64(plane, ends).astype(np.int64).reshape(-1, 3)
    if not len(tri):
        return None
    a, b, c = pts[tri[:, 0]], pts[tri[:, 1]], pts[tri[:, 2]]
    if np.einsum("ij,j->i", np.cross(b - a, c - a), normal).sum() < 0:
        tri = tri[:, ::-1]
    return tri + lo
