"""Columnar in-memory model of parsed CityGML buildings: one :class:`Batch` per few hundred.

Readers (:mod:`pipelines.citymodel.fastread`, or the element reader for unusual buildings via
:meth:`BatchBuilder.add_object`) append buildings to a :class:`BatchBuilder`; ``finish``
parses every coordinate text of the batch with one numpy call and lays the points out in
output order. Objects and geometries stay small Python records; surfaces, rings and points are
arrays:

- ``xyz`` (P, 3) float64: the points of every ring, ring after ring, closing point dropped;
- ``ring_start``/``ring_len``: each ring's points; rings of a surface follow each other;
- ``surf_ring0``/``surf_nrings``/``surf_kind``: each surface's rings and semantic type
  (index into :data:`KIND_NAMES`, -1 for none); surfaces of a geometry follow each other.

A :class:`GeomRec` names its surfaces by the range ``s0:s1`` (``shells``: surfaces per shell).
A ring referenced twice (an ``xlink:href`` to a polygon) is laid out twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from opengeodata.errors import DataValidationError
from pipelines.citymodel import compiled
from pipelines.citymodel.crs import SourceCrs
from pipelines.citymodel.model import MAX_COORDINATE, SEMANTIC_TYPES, CityObject

KIND_NAMES = SEMANTIC_TYPES


def _unusable(value: float) -> str:
    """The problem with a coordinate that is NaN, infinite or beyond ``MAX_COORDINATE``."""
    if np.isfinite(value):
        return f"a coordinate is out of range ({value:g})"
    return f"a coordinate is not a finite number ({value})"
KIND_CODES = {k: i for i, k in enumerate(KIND_NAMES)}


@dataclass(slots=True)
class GeomRec:
    """A Solid (``shells``: surfaces per shell) or MultiSurface at one LoD: surfaces s0:s1."""

    type: str
    lod: str
    s0: int
    s1: int
    shells: list[int]


@dataclass(slots=True)
class ObjRec:
    """A Building or BuildingPart: attributes, geometries (surface ranges) and parts."""

    id: str
    type: str
    attributes: dict[str, Any] = field(default_factory=dict)
    geometries: list[GeomRec] = field(default_factory=list)
    addresses: list[dict[str, str]] = field(default_factory=list)
    parts: list[ObjRec] = field(default_factory=list)
    code_spaces: dict[str, str] = field(default_factory=dict)
    source: str = ""
    line: int = 0

    def all_objects(self) -> list[ObjRec]:
        """This object and its parts, depth first."""
        out = [self]
        for part in self.parts:
            out.extend(part.all_objects())
        return out


@dataclass
class Batch:
    """Buildings with their surfaces, rings and points as arrays (see the module docstring)."""

    buildings: list[ObjRec]
    crs: SourceCrs | None
    xyz: np.ndarray
    ring_start: np.ndarray
    ring_len: np.ndarray
    surf_ring0: np.ndarray
    surf_nrings: np.ndarray
    surf_kind: np.ndarray

    _z: tuple[list[float], list[float]] | None = None
    _kinds: list[int] | None = None

    def kinds(self) -> list[int]:
        """``surf_kind`` as a list."""
        if self._kinds is None:
            self._kinds = self.surf_kind.tolist()
        return self._kinds

    def surface_z(self) -> tuple[list[float], list[float]]:
        """Lowest and highest z of every surface (all rings; inf/-inf when it has no points)."""
        if self._z is None:
            first, count = self.surface_points()
            lo = np.full(len(first), np.inf)
            hi = np.full(len(first), -np.inf)
            nonempty = np.flatnonzero(count > 0)
            if len(nonempty):
                z = self.xyz[:, 2]
                lo[nonempty] = np.minimum.reduceat(z, first[nonempty])
                hi[nonempty] = np.maximum.reduceat(z, first[nonempty])
            self._z = (lo.tolist(), hi.tolist())
        return self._z

    def geometry_z(self, geom: GeomRec) -> tuple[float, float] | None:
        """(min z, max z) of a geometry's points, None when it has none."""
        lo, hi = self.surface_z()
        if geom.s1 <= geom.s0:
            return None
        zmin, zmax = min(lo[geom.s0:geom.s1]), max(hi[geom.s0:geom.s1])
        return (zmin, zmax) if zmin <= zmax else None

    def ring_xy(self, ring: int) -> tuple[list[float], list[float]]:
        """x and y of a ring's points."""
        a = int(self.ring_start[ring])
        pts = self.xyz[a:a + int(self.ring_len[ring])]
        return pts[:, 0].tolist(), pts[:, 1].tolist()

    def surface_points(self) -> tuple[np.ndarray, np.ndarray]:
        """First point and number of points of every surface (its rings are contiguous)."""
        nsurf = len(self.surf_ring0)
        if not nsurf:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        ends = np.concatenate((self.ring_start, [len(self.xyz)]))
        first = ends[self.surf_ring0]
        last = ends[self.surf_ring0 + self.surf_nrings]
        return first, last - first


class BatchBuilder:
    """Collects buildings; ``finish`` parses their coordinates at once."""

    def __init__(self, crs: SourceCrs | None = None) -> None:
        self.crs = crs
        self.buildings: list[ObjRec] = []
        self.texts: list[str] = []  # posList texts (3D, closing point included)
        self.text_owner: list[int] = []  # building number of each text
        self.floats: list[list[float]] = []  # rings read by the element reader
        self.raw: list[int] = []  # raw ring -> text index (>= 0) or -1 - float index
        self.ring_raw: list[int] = []  # output ring -> raw ring
        self.surf_kind: list[int] = []
        self.surf_nrings: list[int] = []

    def __len__(self) -> int:
        return len(self.buildings)

    # -- appending -----------------------------------------------------------------------------
    def add_text(self, text: str) -> int:
        """A raw ring from a posList text; returns its number."""
        self.texts.append(text)
        self.text_owner.append(len(self.buildings))
        self.raw.append(len(self.texts) - 1)
        return len(self.raw) - 1

    def add_texts(self, texts: list[str]) -> int:
        """Raw rings from posList texts (numbered from the returned one on)."""
        first = len(self.raw)
        start = len(self.texts)
        self.texts.extend(texts)
        self.text_owner.extend([len(self.buildings)] * len(texts))
        self.raw.extend(range(start, start + len(texts)))
        return first

    def add_surfaces(self, kinds: list[int], raws: list[int]) -> None:
        """Surfaces of one ring each."""
        self.surf_kind.extend(kinds)
        self.surf_nrings.extend([1] * len(raws))
        self.ring_raw.extend(raws)

    def add_surface(self, kind: int, raws: list[int]) -> None:
        """A surface of the current geometry: its raw rings (exterior first)."""
        self.surf_kind.append(kind)
        self.surf_nrings.append(len(raws))
        self.ring_raw.extend(raws)

    @property
    def nsurf(self) -> int:
        """Surfaces so far (the start of the next geometry)."""
        return len(self.surf_kind)

    def add_building(self, building: ObjRec) -> None:
        """Register a building whose surfaces were added (call after its surfaces)."""
        self.buildings.append(building)

    def add_object(self, obj: CityObject) -> ObjRec:
        """Append a building read by the element reader (with its parts)."""
        ids: dict[int, int] = {}
        rec = self._convert(obj, ids)
        self.buildings.append(rec)
        return rec

    def _convert(self, obj: CityObject, ids: dict[int, int]) -> ObjRec:
        rec = ObjRec(obj.id, obj.type, obj.attributes, [], obj.addresses, [],
                     obj.code_spaces, obj.source, obj.line)
        for geom in obj.geometries:
            s0 = self.nsurf
            for shell in geom.shells:
                for surface in shell:
                    raws = []
                    for ring in surface.rings:
                        raw = ids.get(id(ring))
                        if raw is None:
                            self.floats.append(ring)
                            self.raw.append(-len(self.floats))
                            raw = ids[id(ring)] = len(self.raw) - 1
                        raws.append(raw)
                    self.add_surface(KIND_CODES.get(surface.kind or "", -1), raws)
            rec.geometries.append(GeomRec(geom.type, geom.lod, s0, self.nsurf,
                                          [len(shell) for shell in geom.shells]))
        for part in obj.parts:  # output order: the object, then its parts
            rec.parts.append(self._convert(part, ids))
        return rec

    # -- finishing -----------------------------------------------------------------------------
    def finish(self) -> Batch:
        """Parse the coordinates; lay out the points of every output ring."""
        raw_pts, raw_len = self._raw_points()
        raw_start = np.zeros(len(raw_len), dtype=np.int64)
        if len(raw_len) > 1:
            np.cumsum(raw_len[:-1], out=raw_start[1:])
        ring_raw = np.asarray(self.ring_raw, dtype=np.int64)
        ring_len = raw_len[ring_raw] if len(ring_raw) else np.zeros(0, np.int64)
        ring_start = np.zeros(len(ring_len), dtype=np.int64)
        if len(ring_len) > 1:
            np.cumsum(ring_len[:-1], out=ring_start[1:])
        total = int(ring_len.sum())
        if total == len(raw_pts) and np.array_equal(ring_raw, np.arange(len(raw_len))):
            xyz = raw_pts
        else:
            shift = np.repeat(raw_start[ring_raw] - ring_start, ring_len)
            xyz = raw_pts[np.arange(total) + shift]
        nrings = np.asarray(self.surf_nrings, dtype=np.int64)
        ring0 = np.zeros(len(nrings), dtype=np.int64)
        if len(nrings) > 1:
            np.cumsum(nrings[:-1], out=ring0[1:])
        return Batch(self.buildings, self.crs, xyz, ring_start, ring_len, ring0, nrings,
                     np.asarray(self.surf_kind, dtype=np.int8))

    def _raw_points(self) -> tuple[np.ndarray, np.ndarray]:
        """Points (closing point dropped) and point count of every raw ring."""
        text_pts, text_len = self._parse_texts()
        nraw = len(self.raw)
        raw_len = np.zeros(nraw, dtype=np.int64)
        raw = np.asarray(self.raw, dtype=np.int64)
        is_text = raw >= 0
        if not self.floats:
            return text_pts, text_len
        float_len = np.array([len(r) // 3 for r in self.floats], dtype=np.int64)
        float_pts = np.fromiter((c for r in self.floats for c in r), dtype=np.float64,
                                count=int(float_len.sum()) * 3).reshape(-1, 3)
        raw_len[is_text] = text_len[raw[is_text]]
        raw_len[~is_text] = float_len[-1 - raw[~is_text]]
        if not self.texts:
            order_pts = float_pts
            if np.array_equal(-1 - raw, np.arange(nraw)):
                return order_pts, raw_len
        # interleave: points of each raw ring from its source, in raw order
        text_start = np.concatenate(([0], np.cumsum(text_len)))[:-1]
        float_start = np.concatenate(([0], np.cumsum(float_len)))[:-1] + len(text_pts)
        src_start = np.where(is_text, text_start[np.maximum(raw, 0)] if len(text_start) else 0,
                             float_start[np.maximum(-1 - raw, 0)])
        start = np.concatenate(([0], np.cumsum(raw_len)))[:-1]
        both = np.concatenate((text_pts, float_pts))
        index = np.arange(int(raw_len.sum())) + np.repeat(src_start - start, raw_len)
        return both[index], raw_len

    def _parse_texts(self) -> tuple[np.ndarray, np.ndarray]:
        """All posList texts with one numpy call (``nan`` separates the rings)."""
        if not self.texts:
            return np.zeros((0, 3)), np.zeros(0, dtype=np.int64)
        parsed = compiled.rawc.parse_texts(self.texts) if compiled.rawc is not None else None
        if parsed is not None:  # plain decimal numbers, parsed as numpy would
            values = np.frombuffer(parsed[0], dtype=np.float64).copy()  # writable
            counts = np.frombuffer(parsed[1], dtype=np.int64)
        else:
            values, counts = self._parse_numpy()
        bad = np.flatnonzero(counts % 3)
        if len(bad):
            self._fail(int(bad[0]), f"{int(counts[bad[0]])} coordinate values do not form 3D "
                                    "points")
        usable = np.abs(values) < MAX_COORDINATE  # False for NaN too
        if not usable.all():
            at = int(np.flatnonzero(~usable)[0])
            text = int(np.searchsorted(np.cumsum(counts), at, side="right"))
            self._fail(text, _unusable(float(values[at])))
        pts = values.reshape(-1, 3)
        npts = counts // 3
        start = np.concatenate(([0], np.cumsum(npts)))[:-1]
        last = start + npts - 1
        closed = (npts >= 2) & np.all(pts[start] == pts[np.maximum(last, 0)], axis=1)
        if closed.any():
            pts = np.delete(pts, last[closed], axis=0)
            npts = npts - closed
        return pts, npts.astype(np.int64)

    def _parse_numpy(self) -> tuple[np.ndarray, np.ndarray]:
        """All values and the count per text, with numpy (``nan`` separates the texts)."""
        values: np.ndarray | None
        try:
            values = np.fromstring(" nan ".join(self.texts) + " nan", sep=" ")
        except ValueError:
            values = None
        ends = np.flatnonzero(np.isnan(values)) if values is not None else None
        if values is None or ends is None or len(ends) != len(self.texts):
            values, ends = self._parse_slowly()
        counts: np.ndarray = np.diff(np.concatenate(([-1], ends))) - 1
        return np.delete(values, ends), counts

    def _parse_slowly(self) -> tuple[np.ndarray, np.ndarray]:
        """Ring by ring with ``float`` (NaN in the data, or a value that is not a number)."""
        out: list[float] = []
        ends: list[int] = []
        for i, text in enumerate(self.texts):
            try:
                out.extend(map(float, text.split()))
            except ValueError as exc:
                self._fail(i, str(exc))
            ends.append(len(out) + len(ends))
        values = np.asarray(out, dtype=np.float64)
        ends_arr = np.asarray(ends, dtype=np.int64)
        # re-insert separators so the caller's layout (values with a marker per ring) holds
        with_marks = np.insert(values, ends_arr - np.arange(len(ends_arr)), np.nan)
        return with_marks, ends_arr

    def _fail(self, text: int, problem: str) -> None:
        building = self.buildings[self.text_owner[text]]
        raise DataValidationError(
            f"{building.source}: line {building.line}: building {building.id}: {problem}")
