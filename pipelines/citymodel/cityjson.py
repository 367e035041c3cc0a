"""CityJSON 2.0 features and streaming writers (CityJSON file and CityJSONSeq ``.city.jsonl``).

Vertices are quantized at 1 mm (``transform.scale`` 0.001) against one ``translate`` shared by
every file of a run (:mod:`pipelines.citymodel.encode` builds the objects and vertices).
Writers buffer and spill to ``.part`` files so memory stays flat; the header with
``metadata.geographicalExtent`` is written last.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import orjson

from pipelines.citymodel.crs import TARGET_URI

SCALE = 0.001
VERSION = "2.0"


def _dumps(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY)


@dataclass(frozen=True)
class Transform:
    """CityJSON ``transform``: real = int * scale + translate."""

    translate: tuple[float, float, float]

    def as_json(self) -> dict[str, list[float]]:
        """The ``transform`` member."""
        return {"scale": [SCALE, SCALE, SCALE], "translate": list(self.translate)}


@dataclass
class Chunk:
    """A batch's CityObjects and vertices as JSON members (no surrounding brackets)."""

    objects: bytes
    count: int
    vertices: bytes
    nverts: int
    box: tuple[int, ...] | None


@dataclass(slots=True)
class Feature:
    """One building with its parts: CityObjects (vertex indices local) and quantized vertices."""

    id: str
    objects: dict[str, dict[str, Any]]
    vertices: np.ndarray  # (n, 3) int64
    #: (minx, miny, minz, maxx, maxy, maxz) in quantized units
    box: tuple[int, ...] | None = None


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
        if len(feature.vertices):
            self.vertices.write((b"," if self.nverts else b"") + _dumps(feature.vertices)[1:-1])
        self.count += len(feature.objects)
        self.nverts += len(feature.vertices)
        self.extent.add(feature.box)

    def add_chunk(self, chunk: Chunk) -> None:
        """Append a batch's objects and vertices (indices already counted from ``nverts``)."""
        if chunk.count:
            self.objects.write((b"," if self.count else b"") + chunk.objects)
        if chunk.nverts:
            self.vertices.write((b"," if self.nverts else b"") + chunk.vertices)
        self.count += chunk.count
        self.nverts += chunk.nverts
        self.extent.add(chunk.box)

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
