"""CityJSON objects and quantized vertices of a :class:`~pipelines.citymodel.batch.Batch`.

For all buildings of a batch at once (numpy): coordinates are quantized (``transform``, 1 mm),
repeated consecutive points and the repeated first point of a ring dropped, rings with fewer
than three points left out, and the vertices of each building numbered in the order they are
first used (one ``lexsort`` over building number and coordinates). Then, per building, the
CityObjects with ``boundaries`` as vertex indices and ``semantics``: for the whole batch with
the indices of one file (:meth:`Encoded.chunk`), or per building with its own indices
(:meth:`Encoded.feature`, for CityJSONSeq, tiles and 3D Tiles).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson

from pipelines.citymodel.batch import KIND_NAMES, Batch, ObjRec
from pipelines.citymodel.cityjson import Chunk, Feature, Transform

_NUMPY = orjson.OPT_SERIALIZE_NUMPY


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
            keep[1:] = np.any(q[1:] != q[:-1], axis=1)
        keep[ring_start[ring_len > 0]] = True
        kept = np.bincount(ring_of_point[keep], minlength=nring)
        # a ring whose last remaining point repeats its first loses it
        kidx = np.flatnonzero(keep)
        kend = np.cumsum(kept)
        multi = np.flatnonzero(kept > 1)
        last = kidx[kend[multi] - 1]
        pop = np.all(q[last] == q[ring_start[multi]], axis=1)
        keep[last[pop]] = False
        kept[multi[pop]] -= 1
        ring_ok = kept >= 3
        # rings of the geometries that are written, per building
        nsurf = len(batch.surf_ring0)
        surf_building = np.full(nsurf, -1, dtype=np.int64)
        for b, building in enumerate(batch.buildings):
            for obj in building.all_objects():
                for g in obj.geometries:
                    surf_building[g.s0:g.s1] = b
        ring_building = np.repeat(surf_building, batch.surf_nrings)
        numbered = ring_ok & (ring_building >= 0)
        point_sel = keep & np.repeat(numbered, ring_len)
        sel = np.flatnonzero(point_sel)
        qs = q[sel]
        bs = ring_building[ring_of_point[sel]]
        nb = len(batch.buildings)
        if len(sel):
            order = np.lexsort((qs[:, 2], qs[:, 1], qs[:, 0], bs))
            sq, sb = qs[order], bs[order]
            new = np.ones(len(order), dtype=bool)
            new[1:] = (sb[1:] != sb[:-1]) | np.any(sq[1:] != sq[:-1], axis=1)
            group = np.cumsum(new) - 1
            first = order[new]  # earliest point of each distinct vertex (lexsort is stable)
            by_first = np.argsort(first, kind="stable")
            rank = np.empty(len(first), dtype=np.int64)
            rank[by_first] = np.arange(len(first))
            point_vertex = np.empty(len(sel), dtype=np.int64)
            point_vertex[order] = rank[group]
            self.vertices = np.ascontiguousarray(qs[first[by_first]])
            vertex_building = bs[first[by_first]]
            counts = np.bincount(vertex_building, minlength=nb)
        else:
            point_vertex = np.zeros(0, dtype=np.int64)
            self.vertices = np.zeros((0, 3), dtype=np.int64)
            counts = np.zeros(nb, dtype=np.int64)
        self.v0 = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.point_vertex = point_vertex  # vertex (batch numbering) of each selected point
        self.point_building = bs
        # where each numbered ring's indices start in point_vertex
        rs = np.zeros(nring, dtype=np.int64)
        nkept = np.where(numbered, kept, 0)
        if nring > 1:
            np.cumsum(nkept[:-1], out=rs[1:])
        self.ring_at = rs.tolist()
        self.ring_n = nkept.tolist()
        self.ring_ok = numbered.tolist()
        self.surf_ring0 = batch.surf_ring0.tolist()
        self.surf_nrings = batch.surf_nrings.tolist()
        self.surf_kind = batch.surf_kind.tolist()
        if len(self.vertices):
            vb = np.repeat(np.arange(nb), counts)
            nonempty = np.flatnonzero(counts)
            starts = self.v0[nonempty]
            lo = np.minimum.reduceat(self.vertices, starts, axis=0)
            hi = np.maximum.reduceat(self.vertices, starts, axis=0)
            self.boxes: list[tuple[int, ...] | None] = [None] * nb
            for i, b in enumerate(nonempty.tolist()):
                self.boxes[b] = (*lo[i].tolist(), *hi[i].tolist())
            del vb
        else:
            self.boxes = [None] * nb

    # -- CityObjects ---------------------------------------------------------------------------
    def _objects(self, building: ObjRec, idx: list[int],
                 objects: dict[str, dict[str, Any]]) -> None:
        stack: list[tuple[ObjRec, str | None]] = [(building, None)]
        while stack:
            obj, parent = stack.pop(0)
            out: dict[str, Any] = {"type": obj.type}
            if obj.attributes:
                out["attributes"] = obj.attributes
            geoms = []
            for g in obj.geometries:
                geom = self._geometry(g.type, g.lod, g.s0, g.shells, idx)
                if geom is not None:
                    geoms.append(geom)
            out["geometry"] = geoms
            if obj.addresses:
                out["address"] = obj.addresses
            if parent is not None:
                out["parents"] = [parent]
            if obj.parts:
                out["children"] = [p.id for p in obj.parts]
            objects[obj.id] = out
            stack[0:0] = [(p, obj.id) for p in obj.parts]

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
        codes = self.surf_kind[s0:s1]
        if max(codes) >= 0:
            kinds = list(dict.fromkeys(k for k in codes if k >= 0))
            index = {k: i for i, k in enumerate(kinds)}
            values = [index.get(k) for k in codes]
            result["semantics"] = {"surfaces": [{"type": KIND_NAMES[k]} for k in kinds],
                                   "values": [values] if gtype == "Solid" else values}
        return result

    def chunk(self, base: int, buildings: list[int] | None = None) -> Chunk:
        """CityObjects and vertices of all buildings, vertex indices starting at ``base``."""
        batch = self.batch
        idx = (self.point_vertex + base).tolist()
        objects: dict[str, dict[str, Any]] = {}
        expected = 0
        for building in batch.buildings:
            self._objects(building, idx, objects)
            expected += len(building.all_objects())
        if len(objects) == expected:
            body = orjson.dumps(objects)[1:-1]
        else:  # a gml:id used twice: keep every object, as the file's text did before
            parts = []
            for building in batch.buildings:
                one: dict[str, dict[str, Any]] = {}
                self._objects(building, idx, one)
                parts.append(orjson.dumps(one)[1:-1])
            body = b",".join(parts)
        verts = orjson.dumps(self.vertices, option=_NUMPY)[1:-1] if len(self.vertices) else b""
        box = None
        if len(self.vertices):
            lo, hi = self.vertices.min(axis=0), self.vertices.max(axis=0)
            box = (*lo.tolist(), *hi.tolist())
        return Chunk(body, expected, verts, len(self.vertices), box)

    def feature(self, b: int) -> Feature:
        """Building ``b`` as a Feature with its own vertex numbering (from 0)."""
        v0, v1 = int(self.v0[b]), int(self.v0[b + 1])
        if not hasattr(self, "_local"):
            self._local = (self.point_vertex - self.v0[self.point_building]).tolist() \
                if len(self.point_vertex) else []
        objects: dict[str, dict[str, Any]] = {}
        building = self.batch.buildings[b]
        self._objects(building, self._local, objects)
        return Feature(building.id, objects, self.vertices[v0:v1], self.boxes[b])
