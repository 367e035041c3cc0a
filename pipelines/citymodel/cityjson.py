"""CityJSON 2.0 features and streaming writers (CityJSON file and CityJSONSeq ``.city.jsonl``).

Vertices are quantized at 1 mm (``transform.scale`` 0.001) against one ``translate`` shared by
every file of a run. Writers buffer and spill to ``.part`` files so memory stays flat; the header
with ``metadata.geographicalExtent`` is written last.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.citymodel.crs import TARGET_URI
from pipelines.citymodel.model import CityObject, Geometry

SCALE = 0.001
VERSION = "2.0"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


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

    def bbox(self) -> tuple[int, ...] | None:
        """(minx, miny, minz, maxx, maxy, maxz) in quantized units."""
        if not self.vertices:
            return None
        xs, ys, zs = zip(*self.vertices, strict=True)
        return (min(xs), min(ys), min(zs), max(xs), max(ys), max(zs))


class _Vertices:
    """Quantizes and de-duplicates the vertices of one feature."""

    def __init__(self, transform: Transform) -> None:
        self.tx, self.ty, self.tz = transform.translate
        self.index: dict[tuple[int, int, int], int] = {}
        self.list: list[tuple[int, int, int]] = []

    def ring(self, flat: list[float]) -> list[int]:
        out: list[int] = []
        index, verts, tx, ty, tz = self.index, self.list, self.tx, self.ty, self.tz
        for i in range(0, len(flat), 3):
            key = (round((flat[i] - tx) * 1000), round((flat[i + 1] - ty) * 1000),
                   round((flat[i + 2] - tz) * 1000))
            j = index.get(key)
            if j is None:
                j = index[key] = len(verts)
                verts.append(key)
            if not out or out[-1] != j:
                out.append(j)
        if len(out) > 1 and out[0] == out[-1]:
            out.pop()
        return out


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


def build_feature(building: CityObject, transform: Transform) -> Feature:
    """The CityJSON objects of a building and its parts, sharing one vertex list."""
    verts = _Vertices(transform)
    objects: dict[str, dict[str, Any]] = {}

    def add(obj: CityObject, parent: str | None) -> None:
        out: dict[str, Any] = {"type": obj.type}
        if obj.attributes:
            out["attributes"] = obj.attributes
        geometries = [g for geom in obj.geometries if (g := _geometry(geom, verts)) is not None]
        out["geometry"] = geometries
        if obj.addresses:
            out["address"] = obj.addresses
        if parent is not None:
            out["parents"] = [parent]
        if obj.parts:
            out["children"] = [p.id for p in obj.parts]
        objects[obj.id] = out
        for part in obj.parts:
            add(part, obj.id)

    add(building, None)
    return Feature(building.id, objects, verts.list)


def _shift(boundaries: Any, depth: int, k: int) -> Any:
    if depth == 0:
        return [i + k for i in boundaries]
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
    """Text chunks kept in memory up to ``limit`` characters, then appended to a file."""

    path: Path
    limit: int
    chunks: list[str] = field(default_factory=list)
    size: int = 0
    spilled: bool = False

    def write(self, text: str) -> None:
        self.chunks.append(text)
        self.size += len(text)
        if self.size >= self.limit:
            self.flush()

    def flush(self) -> None:
        if self.chunks:
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write("".join(self.chunks))
            self.spilled = True
            self.chunks.clear()
            self.size = 0

    def copy_to(self, out: Any) -> None:
        self.flush()
        if self.spilled:
            with self.path.open(encoding="utf-8") as fh:
                shutil.copyfileobj(fh, out, 1 << 20)
            self.path.unlink()


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
                 buffer_chars: int = 4 << 20) -> None:
        self.path = path
        self.transform = transform
        self.title = title
        self.objects = _Spool(path.with_name(path.name + ".objects.part"), buffer_chars)
        self.vertices = _Spool(path.with_name(path.name + ".vertices.part"), buffer_chars)
        self.count = 0
        self.nverts = 0
        self.extent = _Extent()

    def add(self, feature: Feature) -> None:
        """Append a feature (vertex indices are shifted into the file's vertex list)."""
        parts = [f"{_dumps(key)}:{_dumps(_shifted(obj, self.nverts))}"
                 for key, obj in feature.objects.items()]
        self.objects.write(("," if self.count else "") + ",".join(parts))
        if feature.vertices:
            self.vertices.write(("," if self.nverts else "") + _dumps(feature.vertices)[1:-1])
        self.count += len(parts)
        self.nverts += len(feature.vertices)
        self.extent.add(feature.bbox())

    def close(self) -> Path:
        """Write the file (header, CityObjects, vertices) and remove the spool files."""
        head = {"type": "CityJSON", "version": VERSION, "transform": self.transform.as_json(),
                "metadata": metadata(self.title, self.extent.real(self.transform))}
        with self.path.open("w", encoding="utf-8") as out:
            out.write(_dumps(head)[:-1] + ',"CityObjects":{')
            self.objects.copy_to(out)
            out.write('},"vertices":[')
            self.vertices.copy_to(out)
            out.write("]}\n")
        return self.path

    def discard(self) -> None:
        """Remove spool files after a failure."""
        for spool in (self.objects, self.vertices):
            spool.path.unlink(missing_ok=True)


class CityJSONSeqWriter:
    """Streams features into CityJSONSeq: a CityJSON header line, then one CityJSONFeature each."""

    def __init__(self, path: Path, transform: Transform, title: str = "",
                 buffer_chars: int = 4 << 20) -> None:
        self.path = path
        self.transform = transform
        self.title = title
        self.lines = _Spool(path.with_name(path.name + ".features.part"), buffer_chars)
        self.extent = _Extent()

    def add(self, feature: Feature) -> None:
        """Append one CityJSONFeature line."""
        line = {"type": "CityJSONFeature", "id": feature.id, "CityObjects": feature.objects,
                "vertices": feature.vertices}
        self.lines.write(_dumps(line) + "\n")
        self.extent.add(feature.bbox())

    def close(self) -> Path:
        """Write the header line and the features."""
        head = {"type": "CityJSON", "version": VERSION, "transform": self.transform.as_json(),
                "metadata": metadata(self.title, self.extent.real(self.transform)),
                "CityObjects": {}, "vertices": []}
        with self.path.open("w", encoding="utf-8") as out:
            out.write(_dumps(head) + "\n")
            self.lines.copy_to(out)
        return self.path

    def discard(self) -> None:
        """Remove the spool file after a failure."""
        self.lines.path.unlink(missing_ok=True)
