"""CityJSON 2.0 features and streaming writers (CityJSON file and CityJSONSeq ``.city.jsonl``).

Vertices are quantized at 1 mm (``transform.scale`` 0.001) against one ``translate`` shared by
every file of a run. Writers buffer and spill to ``.part`` files so memory stays flat; the header
with ``metadata.geographicalExtent`` is written last.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import orjson

from pipelines.citymodel.crs import TARGET_URI
from pipelines.citymodel.model import CityObject, Geometry

SCALE = 0.001
VERSION = "2.0"


_dumps = orjson.dumps


@dataclass(frozen=True)
class Transform:
    """CityJSON ``transform``: real = int * scale + translate."""

    translate: tuple[float, float, float]

    def as_json(self) -> dict[str, list[float]]:
        """The ``transform`` member."""
        return {"scale": [SCALE, SCALE, SCALE], "translate": list(self.translate)}


@dataclass(slots=True)
class Feature:
    """One building with its parts: CityObjects (vertex indices local) and quantized vertices."""

    id: str
    objects: dict[str, dict[str, Any]]
    vertices: list[tuple[int, int, int]]
    #: (minx, miny, minz, maxx, maxy, maxz) in quantized units
    box: tuple[int, ...] | None = None


class _Vertices:
    """Quantizes the rings of one feature; ``finish`` de-duplicates and numbers the vertices."""

    def __init__(self, transform: Transform) -> None:
        tx, ty, tz = transform.translate
        self.offset = (round(tx * 1000), round(ty * 1000), round(tz * 1000))
        self.rings: list[list[Any]] = []
        self.keys: list[tuple[int, ...]] = []
        self.slots: dict[int, tuple[int, int]] = {}

    def prepare(self, rings: list[list[float]]) -> None:
        """Quantize many rings at once (one pass over all coordinates of the feature)."""
        # np.rint rounds half to even like round(); int64 is exact for mm coordinates
        coords = np.fromiter(chain.from_iterable(rings), dtype=np.float64)
        quantized = np.rint(coords * 1000.0).astype(np.int64).reshape(-1, 3)
        self.keys = list(map(tuple, (quantized - self.offset).tolist()))
        pos = 0
        for ring in rings:
            n = len(ring) // 3
            self.slots[id(ring)] = (pos, pos + n)
            pos += n

    def ring(self, flat: list[float]) -> list[Any]:
        """The ring as quantized (x, y, z) keys; turned into vertex indices by ``finish``."""
        slot = self.slots.get(id(flat))
        if slot is None:  # a ring that was not prepared
            ox, oy, oz = self.offset
            q = list(map(round, map((1000.0).__mul__, flat)))
            keys: list[tuple[int, ...]] = list(zip(
                [v - ox for v in q[0::3]], [v - oy for v in q[1::3]], [v - oz for v in q[2::3]],
                strict=True))
        else:
            keys = self.keys[slot[0]:slot[1]]
        if len(set(keys)) != len(keys):  # drop repeated consecutive points (<= 1 mm apart)
            keys = [k for i, k in enumerate(keys) if i == 0 or k != keys[i - 1]]
            if len(keys) > 1 and keys[0] == keys[-1]:
                keys.pop()
        if len(keys) >= 3:
            self.rings.append(keys)
        return keys

    def finish(self) -> list[tuple[int, int, int]]:
        """Number the distinct vertices and replace the keys in every ring by indices."""
        vertices = list(dict.fromkeys(chain.from_iterable(self.rings)))
        get = dict(zip(vertices, range(len(vertices)), strict=True)).__getitem__
        for ring in self.rings:
            ring[:] = map(get, ring)
        return vertices


def _geometry(geom: Geometry, verts: _Vertices) -> dict[str, Any] | None:
    kinds: list[str] = []
    shells: list[list[list[list[int]]]] = []
    values: list[list[int | None]] = []
    for shell in geom.shells:
        out_shell: list[list[list[int]]] = []
        out_values: list[int | None] = []
        for surface in shell:
            rings = [verts.ring(r) for r in surface.rings]
            if not rings or len(rings[0]) < 3:
                continue
            out_shell.append([r for r in rings if len(r) >= 3])
            if surface.kind is None:
                out_values.append(None)
            else:
                if surface.kind not in kinds:
                    kinds.append(surface.kind)
                out_values.append(kinds.index(surface.kind))
        if out_shell:
            shells.append(out_shell)
            values.append(out_values)
    if not shells:
        return None
    result: dict[str, Any] = {"type": geom.type, "lod": geom.lod}
    if geom.type == "Solid":
        result["boundaries"] = shells
    else:
        result["boundaries"] = shells[0]
    if kinds:
        result["semantics"] = {"surfaces": [{"type": k} for k in kinds],
                               "values": values if geom.type == "Solid" else values[0]}
    return result


def _add_object(obj: CityObject, parent: str | None, verts: _Vertices,
                objects: dict[str, dict[str, Any]]) -> None:
    out: dict[str, Any] = {"type": obj.type}
    if obj.attributes:
        out["attributes"] = obj.attributes
    out["geometry"] = [g for geom in obj.geometries
                       if (g := _geometry(geom, verts)) is not None]
    if obj.addresses:
        out["address"] = obj.addresses
    if parent is not None:
        out["parents"] = [parent]
    if obj.parts:
        out["children"] = [p.id for p in obj.parts]
    objects[obj.id] = out
    for part in obj.parts:
        _add_object(part, obj.id, verts, objects)


def build_feature(building: CityObject, transform: Transform) -> Feature:
    """The CityJSON objects of a building and its parts, sharing one vertex list."""
    verts = _Vertices(transform)
    verts.prepare([r for obj in building.all_objects() for geom in obj.geometries
                   for surface in geom.surfaces() for r in surface.rings])
    objects: dict[str, dict[str, Any]] = {}
    _add_object(building, None, verts, objects)
    vertices = verts.finish()
    box = None
    if vertices:
        xs, ys, zs = zip(*vertices, strict=True)
        box = (min(xs), min(ys), min(zs), max(xs), max(ys), max(zs))
    return Feature(building.id, objects, vertices, box)


def _shift(boundaries: Any, depth: int, k: int) -> Any:
    if depth == 0:
        return list(map(k.__add__, boundaries))
    return [_shift(b, depth - 1, k) for b in boundaries]


def _shifted(obj: dict[str, Any], k: int) -> dict[str, Any]:
    if k == 0 or not obj.get("geometry"):
        return obj
    out = dict(obj)
    out["geometry"] = [
        dict(g, boundaries=_shift(g["boundaries"], 3 if g["type"] == "Solid" else 2, k))
        for g in obj["geometry"]
    ]
    return out


@dataclass
class _Extent:
    box: list[int] | None = None

    def add(self, bbox: tuple[int, ...] | None) -> None:
        if bbox is None:
            return
        if self.box is None:
            self.box = list(bbox)
            return
        b = self.box
        for i in range(3):
            b[i] = min(b[i], bbox[i])
            b[i + 3] = max(b[i + 3], bbox[i + 3])

    def real(self, transform: Transform) -> list[float] | None:
        if self.box is None:
            return None
        t = transform.translate
        return [round(v * SCALE + t[i % 3], 3) for i, v in enumerate(self.box)]


@dataclass
class _Spool:
    """Byte chunks kept in memory up to ``limit`` bytes, then appended to a file."""

    path: Path
    limit: int
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0
    spilled: bool = False

    def write(self, data: bytes) -> None:
        self.chunks.append(data)
        self.size += len(data)
        if self.size >= self.limit:
            self.flush()

    def flush(self) -> None:
        if self.chunks:
            with self.path.open("ab") as fh:
                fh.write(b"".join(self.chunks))
            self.spilled = True
            self.chunks.clear()
            self.size = 0

    def copy_to(self, out: BinaryIO) -> None:
        if self.spilled:
            self.flush()
            with self.path.open("rb") as fh:
                shutil.copyfileobj(fh, out, 1 << 20)
            self.path.unlink()
        else:
            out.write(b"".join(self.chunks))
            self.chunks.clear()


def metadata(title: str, extent: list[float] | None) -> dict[str, Any]:
    """CityJSON ``metadata``: EPSG:25832 reference system, extent, title."""
    meta: dict[str, Any] = {"referenceSystem": TARGET_URI}
    if extent is not None:
        meta["geographicalExtent"] = extent
    if title:
        meta["title"] = title
    return meta


class CityJSONWriter:
    """Streams features into one CityJSON 2.0 file."""

    def __init__(self, path: Path, transform: Transform, title: str = "",
                 buffer_bytes: int = 4 << 20) -> None:
        self.path = path
        self.transform = transform
        self.title = title
        self.objects = _Spool(path.with_name(path.name + ".objects.part"), buffer_bytes)
        self.vertices = _Spool(path.with_name(path.name + ".vertices.part"), buffer_bytes)
        self.count = 0
        self.nverts = 0
        self.extent = _Extent()

    def add(self, feature: Feature) -> None:
        """Append a feature (vertex indices are shifted into the file's vertex list)."""
        shift = self.nverts
        body = _dumps({key: _shifted(obj, shift) for key, obj in feature.objects.items()})
        self.objects.write((b"," if self.count else b"") + body[1:-1])
        if feature.vertices:
            self.vertices.write((b"," if self.nverts else b"") + _dumps(feature.vertices)[1:-1])
        self.count += len(feature.objects)
        self.nverts += len(feature.vertices)
        self.extent.add(feature.box)

    def close(self) -> Path:
        """Write the file (header, CityObjects, vertices) and remove the spool files."""
        head = {"type": "CityJSON", "version": VERSION, "transform": self.transform.as_json(),
                "metadata": metadata(self.title, self.extent.real(self.transform))}
        with self.path.open("wb") as out:
            out.write(_dumps(head)[:-1] + b',"CityObjects":{')
            self.objects.copy_to(out)
            out.write(b'},"vertices":[')
            self.vertices.copy_to(out)
            out.write(b"]}\n")
        return self.path

    def discard(self) -> None:
        """Remove spool files after a failure."""
        for spool in (self.objects, self.vertices):
            spool.path.unlink(missing_ok=True)


class CityJSONSeqWriter:
    """Streams features into CityJSONSeq: a CityJSON header line, then one CityJSONFeature each."""

    def __init__(self, path: Path, transform: Transform, title: str = "",
                 buffer_bytes: int = 4 << 20) -> None:
        self.path = path
        self.transform = transform
        self.title = title
        self.lines = _Spool(path.with_name(path.name + ".features.part"), buffer_bytes)
        self.extent = _Extent()

    def add(self, feature: Feature) -> None:
        """Append one CityJSONFeature line."""
        line = {"type": "CityJSONFeature", "id": feature.id, "CityObjects": feature.objects,
                "vertices": feature.vertices}
        self.lines.write(_dumps(line) + b"\n")
        self.extent.add(feature.box)

    def close(self) -> Path:
        """Write the header line and the features."""
        head = {"type": "CityJSON", "version": VERSION, "transform": self.transform.as_json(),
                "metadata": metadata(self.title, self.extent.real(self.transform)),
                "CityObjects": {}, "vertices": []}
        with self.path.open("wb") as out:
            out.write(_dumps(head) + b"\n")
            self.lines.copy_to(out)
        return self.path

    def discard(self) -> None:
        """Remove the spool file after a failure."""
        self.lines.path.unlink(missing_ok=True)
