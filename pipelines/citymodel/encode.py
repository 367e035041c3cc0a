"""CityJSON objects and quantized vertices of a :class:`~pipelines.citymodel.batch.Batch`.

For all buildings of a batch at once (numpy): coordinates are quantized (``transform``, 1 mm),
repeated consecutive points and the repeated first point of a ring dropped, rings with fewer
than three points left out, and the vertices of each building numbered in the order they are
first used (one sort over building number and coordinates, :func:`_sort_points`). Then, per
building, the CityObjects with ``boundaries`` as vertex indices and ``semantics``: for the
whole batch with the indices of one file (:meth:`Encoded.chunk`), or per building with its own
indices (:meth:`Encoded.feature`, for CityJSONSeq, tiles and 3D Tiles).

:meth:`Encoded.chunk` writes the common geometry (one shell whose surfaces each have one ring)
as JSON text cut from one text of all the batch's indices (:class:`_Text`), and caches the
``semantics`` text per sequence of surface types; other geometries go through the lists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

import numpy as np
import orjson

from pipelines.citymodel.batch import KIND_NAMES, Batch, GeomRec, ObjRec
from pipelines.citymodel.cityjson import Chunk, Feature, Transform

_NUMPY = orjson.OPT_SERIALIZE_NUMPY
_POW10 = 10 ** np.arange(1, 19, dtype=np.int64)
_ZERO = -(1 << 62)  # stands for a 0 that starts a ring (-0 would print as 0)
_FRAMES: dict[tuple[str, str, bytes], tuple[bytes, bytes]] = {}
_FRAMES_MAX = 4096


def _surface_buildings(buildings: list[ObjRec], nsurf: int) -> np.ndarray:
    """The building number of every surface that a written geometry uses, else -1."""
    ranges = [(g.s0, g.s1, b) for b, building in enumerate(buildings)
              for obj in (building.all_objects() if building.parts else (building,))
              for g in obj.geometries]
    out = np.full(nsurf, -1, dtype=np.int64)
    if ranges:
        s0, s1, owner = np.array(ranges, dtype=np.int64).T
        lens = np.maximum(s1 - s0, 0)
        shift = np.repeat(s0 - (np.cumsum(lens) - lens), lens)
        out[np.arange(int(lens.sum())) + shift] = np.repeat(owner, lens)
    return out


def _differ(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whether rows of two (n, 3) arrays differ (column by column: faster than ``any``)."""
    return (a[:, 0] != b[:, 0]) | (a[:, 1] != b[:, 1]) | (a[:, 2] != b[:, 2])


def _sort_points(qs: np.ndarray, bs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A stable order of the points by (building, x, y, z), and where a new vertex starts.

    When the buildings follow each other (as a batch lays them out) and the coordinates
    relative to each building's first point fit, one int64 key is sorted instead of four.
    """
    n = len(bs)
    new = np.ones(n, dtype=bool)
    if n > 1 and bool(np.all(bs[1:] >= bs[:-1])):
        change = np.concatenate(([True], bs[1:] != bs[:-1]))
        group = np.cumsum(change) - 1
        ref = np.flatnonzero(change)[group]  # the first point of the point's building
        key, used = group, int(group[-1]).bit_length()  # key < 2 ** used
        for column in np.ascontiguousarray(qs.T):  # 1-D operations: much faster than (n, 3)
            loc = column - column[ref]
            loc -= loc.min()
            bits = int(loc.max()).bit_length()
            used += bits
            if used > 63:
                break
            key = key << bits | loc
        else:
            order = np.argsort(key, kind="stable")
            sk = key[order]
            new[1:] = sk[1:] != sk[:-1]
            return order, new
    order = np.lexsort((qs[:, 2], qs[:, 1], qs[:, 0], bs))
    sq, sb = qs[order], bs[order]
    new[1:] = (sb[1:] != sb[:-1]) | _differ(sq[1:], sq[:-1])
    return order, new


def _semantics(codes: list[int], solid: bool) -> dict[str, Any] | None:
    """``semantics`` of surfaces with these kind codes (-1: none), None when none has one."""
    if max(codes) < 0:
        return None
    kinds = list(dict.fromkeys(k for k in codes if k >= 0))
    index = {k: i for i, k in enumerate(kinds)}
    values = [index.get(k) for k in codes]
    return {"surfaces": [{"type": KIND_NAMES[k]} for k in kinds],
            "values": [values] if solid else values}


def _frame(gtype: str, lod: str, codes: bytes) -> tuple[bytes, bytes]:
    """The JSON text before and after a simple geometry's indices (``codes``: int8 kinds)."""
    frame = _FRAMES.get((gtype, lod, codes))
    if frame is None:
        solid = gtype == "Solid"
        sem = _semantics(np.frombuffer(codes, np.int8).tolist(), solid)
        frame = (b'{"type":' + orjson.dumps(gtype) + b',"lod":' + orjson.dumps(lod)
                 + b',"boundaries":' + (b"[[[[" if solid else b"[[["),
                 (b"]]]]" if solid else b"]]]")
                 + (b',"semantics":' + orjson.dumps(sem) if sem is not None else b"") + b"}")
        if len(_FRAMES) >= _FRAMES_MAX:
            _FRAMES.clear()
        _FRAMES[gtype, lod, codes] = frame
    return frame


class _Text:
    """All indices of a batch as one JSON text, rings apart by ``]],[[`` (no loop in Python).

    A simple geometry's ``boundaries`` is then one slice of the text in brackets. The first
    index of each ring but the first is written negative, and ``,-`` then replaced; where each
    ring's text lies follows from the number of digits of the indices.
    """

    def __init__(self, enc: Encoded, base: int) -> None:
        values = enc.point_vertex + base
        at, n = enc.ring_at_arr, enc.ring_n_arr
        first = at[n > 0]
        first = first[first > 0]  # points that start a ring after another
        marked = values.copy()
        zero = values[first] == 0
        marked[first] = np.where(zero, _ZERO, -values[first])
        text = orjson.dumps(marked, option=_NUMPY)[1:-1]
        if zero.any():
            text = text.replace(b",%d" % _ZERO, b"]],[[0")
        self.text = text.replace(b",-", b"]],[[")
        digits = np.searchsorted(_POW10, values, side="right") + 1
        sep = np.ones(len(values), dtype=np.int64)
        sep[first] = 5
        if len(sep):
            sep[0] = 0
        start = np.cumsum(sep + digits) - digits  # where each index starts in the text
        batch = enc.batch
        ring0, nrings = batch.surf_ring0, batch.surf_nrings
        simple = nrings == 1
        one = np.flatnonzero(simple)
        simple[one] = enc.numbered[ring0[one]]
        good = np.flatnonzero(simple)
        rings = ring0[good]
        a = np.zeros(len(ring0), dtype=np.int64)
        b = np.zeros(len(ring0), dtype=np.int64)
        if len(good):
            last = at[rings] + n[rings] - 1
            a[good] = start[at[rings]]
            b[good] = start[last] + digits[last]
        self.start = a.tolist()  # text of a simple surface's ring: start:end
        self.end = b.tolist()
        self.other = np.concatenate(([0], np.cumsum(~simple))).tolist()  # surfaces not simple
        self.kinds = batch.surf_kind.tobytes()
        self.enc = enc
        self.base = base

    @cached_property
    def idx(self) -> list[int]:
        """Vertex indices of the selected points (for the other geometries)."""
        return (self.enc.point_vertex + self.base).tolist()

    def geometries(self, geoms: list[GeomRec]) -> orjson.Fragment:
        """The JSON text of an object's ``geometry`` list."""
        parts = []
        other, kinds, text, start, end = self.other, self.kinds, self.text, self.start, self.end
        for g in geoms:
            s0, shells = g.s0, g.shells
            s1 = s0 + shells[0] if len(shells) == 1 else -1
            if s1 > s0 and other[s1] == other[s0]:
                key = (g.type, g.lod, kinds[s0:s1])
                head, tail = _FRAMES.get(key) or _frame(*key)
                parts.append(head + text[start[s0]:end[s1 - 1]] + tail)
            elif s1 != s0:  # not one empty shell
                geom = self.enc._geometry(g.type, g.lod, s0, shells, self.idx)
                if geom is not None:
                    parts.append(orjson.dumps(geom))
        if len(parts) == 1:
            return orjson.Fragment(b"[" + parts[0] + b"]")
        return orjson.Fragment(b"[" + b",".join(parts) + b"]")


class Encoded:
    """The quantized, numbered vertices of a batch and the rings' vertex indices."""

    def __init__(self, batch: Batch, transform: Transform) -> None:
        self.batch = batch
        tx, ty, tz = transform.translate
        offset = np.array([round(tx * 1000), round(ty * 1000), round(tz * 1000)], np.int64)
        q = np.rint(batch.xyz * 1000.0).astype(np.int64) - offset
        npts = len(q)
        ring_start, ring_len = batch.ring_start, batch.ring_len
        nring = len(ring_len)
        ring_of_point = np.repeat(np.arange(nring), ring_len)
        keep = np.ones(npts, dtype=bool)
        if npts > 1:
            keep[1:] = _differ(q[1:], q[:-1])
        keep[ring_start[ring_len > 0]] = True
        kept = np.bincount(ring_of_point[keep], minlength=nring)
        # a ring whose last remaining point repeats its first loses it
        kidx = np.flatnonzero(keep)
        kend = np.cumsum(kept)
        multi = np.flatnonzero(kept > 1)
        last = kidx[kend[multi] - 1]
        pop = ~_differ(q[last], q[ring_start[multi]])
        keep[last[pop]] = False
        kept[multi[pop]] -= 1
        ring_ok = kept >= 3
        # rings of the geometries that are written, per building
        surf_building = _surface_buildings(batch.buildings, len(batch.surf_ring0))
        ring_building = np.repeat(surf_building, batch.surf_nrings)
        numbered = ring_ok & (ring_building >= 0)
        point_sel = keep & np.repeat(numbered, ring_len)
        sel = np.flatnonzero(point_sel)
        qs = q[sel]
        bs = ring_building[ring_of_point[sel]]
        nb = len(batch.buildings)
        if len(sel):
            order, new = _sort_points(qs, bs)
            group = np.cumsum(new) - 1
            first = order[new]  # earliest point of each distinct vertex (the sort is stable)
            is_first = np.zeros(len(sel), dtype=bool)
            is_first[first] = True
            rank = (np.cumsum(is_first) - 1)[first]  # vertices numbered by first use
            point_vertex = np.empty(len(sel), dtype=np.int64)
            point_vertex[order] = rank[group]
            self.vertices = np.ascontiguousarray(qs[is_first])
            counts = np.bincount(bs[is_first], minlength=nb)
        else:
            point_vertex = np.zeros(0, dtype=np.int64)
            self.vertices = np.zeros((0, 3), dtype=np.int64)
            counts = np.zeros(nb, dtype=np.int64)
        self.counts = counts
        self.v0 = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.point_vertex = point_vertex  # vertex (batch numbering) of each selected point
        self.point_building = bs
        # where each numbered ring's indices start in point_vertex, and how many
        self.numbered = numbered
        self.ring_n_arr = np.where(numbered, kept, 0)
        self.ring_at_arr = np.zeros(nring, dtype=np.int64)
        if nring > 1:
            np.cumsum(self.ring_n_arr[:-1], out=self.ring_at_arr[1:])

    # -- lists for the geometries built as lists -----------------------------------------------
    @cached_property
    def ring_at(self) -> list[int]:
        """Where each numbered ring's indices start in ``point_vertex``."""
        return self.ring_at_arr.tolist()

    @cached_property
    def ring_n(self) -> list[int]:
        """Indices of each numbered ring (0 for the others)."""
        return self.ring_n_arr.tolist()

    @cached_property
    def ring_ok(self) -> list[bool]:
        """Whether a ring is written."""
        return self.numbered.tolist()

    @cached_property
    def surf_ring0(self) -> list[int]:
        """First ring of each surface."""
        return self.batch.surf_ring0.tolist()

    @cached_property
    def surf_nrings(self) -> list[int]:
        """Rings of each surface."""
        return self.batch.surf_nrings.tolist()

    @cached_property
    def surf_kind(self) -> list[int]:
        """Semantic kind code of each surface."""
        return self.batch.surf_kind.tolist()

    @cached_property
    def boxes(self) -> list[tuple[int, ...] | None]:
        """Each building's vertex box (minx, miny, minz, maxx, maxy, maxz), None when empty."""
        boxes: list[tuple[int, ...] | None] = [None] * len(self.batch.buildings)
        if len(self.vertices):
            nonempty = np.flatnonzero(self.counts)
            starts = self.v0[nonempty]
            lo = np.minimum.reduceat(self.vertices, starts, axis=0)
            hi = np.maximum.reduceat(self.vertices, starts, axis=0)
            for i, b in enumerate(nonempty.tolist()):
                boxes[b] = (*lo[i].tolist(), *hi[i].tolist())
        return boxes

    # -- CityObjects ---------------------------------------------------------------------------
    def _objects(self, obj: ObjRec, parent: str | None,
                 geometries: Callable[[list[GeomRec]], Any],
                 objects: dict[str, dict[str, Any]]) -> int:
        """Put ``obj`` and its parts (depth first) into ``objects``; returns how many."""
        out: dict[str, Any] = {"type": obj.type}
        if obj.attributes:
            out["attributes"] = obj.attributes
        out["geometry"] = geometries(obj.geometries)
        if obj.addresses:
            out["address"] = obj.addresses
        if parent is not None:
            out["parents"] = [parent]
        objects[obj.id] = out
        count = 1
        if obj.parts:
            out["children"] = [p.id for p in obj.parts]
            for part in obj.parts:
                count += self._objects(part, obj.id, geometries, objects)
        return count

    def _geometry_list(self, idx: list[int]) -> Callable[[list[GeomRec]], Any]:
        def geometries(geoms: list[GeomRec]) -> list[dict[str, Any]]:
            out = []
            for g in geoms:
                geom = self._geometry(g.type, g.lod, g.s0, g.shells, idx)
                if geom is not None:
                    out.append(geom)
            return out
        return geometries

    def _geometry(self, gtype: str, lod: str, s0: int, shells_n: list[int],
                  idx: list[int]) -> dict[str, Any] | None:
        ring0, nrings, kinds_of = self.surf_ring0, self.surf_nrings, self.surf_kind
        at, n, ok = self.ring_at, self.ring_n, self.ring_ok
        if len(shells_n) == 1:
            s1 = s0 + shells_n[0]
            rings = ring0[s0:s1]
            if nrings[s0:s1].count(1) == s1 - s0 and all(ok[r] for r in rings):
                return self._simple(gtype, lod, s0, s1, rings, idx)
        kinds: list[int] = []
        shells: list[list[list[list[int]]]] = []
        values: list[list[int | None]] = []
        s = s0
        for count in shells_n:
            out_shell: list[list[list[int]]] = []
            out_values: list[int | None] = []
            for si in range(s, s + count):
                r0 = ring0[si]
                if not ok[r0]:
                    continue
                a = at[r0]
                if nrings[si] == 1:
                    out_shell.append([idx[a:a + n[r0]]])
                else:
                    out_shell.append([idx[at[r]:at[r] + n[r]]
                                      for r in range(r0, r0 + nrings[si]) if ok[r]])
                kind = kinds_of[si]
                if kind < 0:
                    out_values.append(None)
                else:
                    if kind not in kinds:
                        kinds.append(kind)
                    out_values.append(kinds.index(kind))
            s += count
            if out_shell:
                shells.append(out_shell)
                values.append(out_values)
        if not shells:
            return None
        solid = gtype == "Solid"
        result: dict[str, Any] = {"type": gtype, "lod": lod,
                                  "boundaries": shells if solid else shells[0]}
        if kinds:
            result["semantics"] = {"surfaces": [{"type": KIND_NAMES[k]} for k in kinds],
                                   "values": values if solid else values[0]}
        return result

    def _simple(self, gtype: str, lod: str, s0: int, s1: int, rings: list[int],
                idx: list[int]) -> dict[str, Any] | None:
        """A geometry of one shell whose surfaces all have one usable ring."""
        if s1 <= s0:
            return None
        at, n = self.ring_at, self.ring_n
        surfaces = [[idx[at[r]:at[r] + n[r]]] for r in rings]
        result: dict[str, Any] = {"type": gtype, "lod": lod,
                                  "boundaries": [surfaces] if gtype == "Solid" else surfaces}
        semantics = _semantics(self.surf_kind[s0:s1], gtype == "Solid")
        if semantics is not None:
            result["semantics"] = semantics
        return result

    def chunk(self, base: int) -> Chunk:
        """CityObjects and vertices of all buildings, vertex indices starting at ``base``."""
        batch = self.batch
        geometries = _Text(self, base).geometries
        objects: dict[str, dict[str, Any]] = {}
        expected = 0
        for building in batch.buildings:
            expected += self._objects(building, None, geometries, objects)
        if len(objects) == expected:
            body = orjson.dumps(objects)[1:-1]
        else:  # a gml:id used twice: keep every object, as the file's text did before
            parts = []
            for building in batch.buildings:
                one: dict[str, dict[str, Any]] = {}
                self._objects(building, None, geometries, one)
                parts.append(orjson.dumps(one)[1:-1])
            body = b",".join(parts)
        verts = orjson.dumps(self.vertices, option=_NUMPY)[1:-1] if len(self.vertices) else b""
        box = None
        if len(self.vertices):
            lo, hi = self.vertices.min(axis=0), self.vertices.max(axis=0)
            box = (*lo.tolist(), *hi.tolist())
        return Chunk(body, expected, verts, len(self.vertices), box)

    @cached_property
    def _local(self) -> list[int]:
        """Each selected point's vertex numbered within its building."""
        if not len(self.point_vertex):
            return []
        return (self.point_vertex - self.v0[self.point_building]).tolist()

    def feature(self, b: int) -> Feature:
        """Building ``b`` as a Feature with its own vertex numbering (from 0)."""
        v0, v1 = int(self.v0[b]), int(self.v0[b + 1])
        objects: dict[str, dict[str, Any]] = {}
        building = self.batch.buildings[b]
        self._objects(building, None, self._geometry_list(self._local), objects)
        return Feature(building.id, objects, self.vertices[v0:v1], self.boxes[b])
