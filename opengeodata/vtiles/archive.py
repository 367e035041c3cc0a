"""Read tiles straight from a PMTiles v3 archive: memory-mapped, directories cached.

One :class:`Archive` per archive file (a published version never changes, so it is keyed by
its resolved real path or object key); the root directory is parsed once, leaf directories on
first use. A local archive is memory-mapped: a tile lookup is a binary search plus one slice
of the map. An archive in object storage (a :class:`~opengeodata.blob.Blob` without a local
path) is read with range requests: header and root directory in one request, each leaf
directory once, tiles on demand with a small LRU cache; never the whole archive.
"""

from __future__ import annotations

import gzip
import json
import mmap
import threading
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pmtiles.tile import (
    Compression,
    MagicNumberNotFound,
    SpecVersionUnsupported,
    TileType,
    deserialize_directory,
    deserialize_header,
    zxy_to_tileid,
)

from opengeodata.blob import Blob, LocalBlob
from opengeodata.errors import PipelineError

MAX_DEPTH = 4
#: the PMTiles spec keeps header and root directory within the first 16 KiB
HEAD_BYTES = 16384
#: bytes of tiles kept per remote archive
REMOTE_CACHE_BYTES = 16 << 20


class _Ranged:
    """Range reads of a remote blob, sliceable like a memory map, with a small tile cache."""

    def __init__(self, blob: Blob) -> None:
        self.blob = blob
        self.head = blob.read(0, min(HEAD_BYTES, blob.size))
        self._cache: OrderedDict[tuple[int, int], bytes] = OrderedDict()
        self._cached = 0
        self._lock = threading.Lock()

    def __getitem__(self, span: slice) -> bytes:
        start, stop = int(span.start or 0), int(span.stop)
        if stop <= len(self.head):
            return self.head[start:stop]
        key = (start, stop)
        with self._lock:
            data = self._cache.get(key)
            if data is not None:
                self._cache.move_to_end(key)
                return data
        data = self.blob.read(start, stop - start)
        with self._lock:
            if key not in self._cache and len(data) <= REMOTE_CACHE_BYTES // 4:
                self._cache[key] = data
                self._cached += len(data)
                while self._cached > REMOTE_CACHE_BYTES:
                    _, old = self._cache.popitem(last=False)
                    self._cached -= len(old)
        return data


class _Directory:
    """A parsed directory as parallel arrays, searched with bisect."""

    __slots__ = ("ids", "lengths", "offsets", "runs")

    def __init__(self, buf: bytes, compression: Compression) -> None:
        if compression == Compression.NONE:
            buf = gzip.compress(buf)  # deserialize_directory expects gzip
        entries = deserialize_directory(buf)
        self.ids = [e.tile_id for e in entries]
        self.runs = [e.run_length for e in entries]
        self.offsets = [e.offset for e in entries]
        self.lengths = [e.length for e in entries]

    def find(self, tile_id: int) -> tuple[int, int, int] | None:
        """(run_length, offset, length) of the entry holding ``tile_id``, or None."""
        i = bisect_right(self.ids, tile_id) - 1
        if i < 0:
            return None
        run = self.runs[i]
        if run == 0 or tile_id < self.ids[i] + run:
            return run, self.offsets[i], self.lengths[i]
        return None


class Archive:
    """A PMTiles archive opened read-only with a memory map."""

    def __init__(self, source: Path | Blob) -> None:
        blob = LocalBlob(source) if isinstance(source, Path) else source
        self.path = blob.local_path
        self.key = blob.key
        self._map: mmap.mmap | _Ranged
        try:
            if blob.local_path is not None:
                with blob.local_path.open("rb") as fh:
                    self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            else:
                self._map = _Ranged(blob)
            self.header: dict[str, Any] = dict(deserialize_header(self._map[0:127]))
        except (OSError, ValueError, MagicNumberNotFound, SpecVersionUnsupported) as exc:
            raise PipelineError(f"{blob.key}: not a readable PMTiles v3 archive: {exc}") from exc
        self._internal = self.header["internal_compression"]
        self._data_offset = int(self.header["tile_data_offset"])
        self._leaf_offset = int(self.header["leaf_directory_offset"])
        self._root = self._directory(int(self.header["root_offset"]),
                                     int(self.header["root_length"]))
        self._leaves: dict[int, _Directory] = {}
        self._lock = threading.Lock()

    def _directory(self, offset: int, length: int) -> _Directory:
        return _Directory(self._map[offset:offset + length], self._internal)

    @property
    def gzipped(self) -> bool:
        """True if tiles are stored gzip-compressed."""
        return bool(self.header["tile_compression"] == Compression.GZIP)

    @property
    def is_mvt(self) -> bool:
        """True if the archive holds Mapbox Vector Tiles."""
        return bool(self.header["tile_type"] == TileType.MVT)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """minlon, minlat, maxlon, maxlat."""
        h = self.header
        return (h["min_lon_e7"] / 1e7, h["min_lat_e7"] / 1e7,
                h["max_lon_e7"] / 1e7, h["max_lat_e7"] / 1e7)

    @property
    def zooms(self) -> tuple[int, int]:
        """minzoom, maxzoom."""
        return int(self.header["min_zoom"]), int(self.header["max_zoom"])

    def metadata(self) -> dict[str, Any]:
        """The archive's JSON metadata (vector_layers, attribution, ...)."""
        start = int(self.header["metadata_offset"])
        raw = self._map[start:start + int(self.header["metadata_length"])]
        if self._internal == Compression.GZIP:
            raw = gzip.decompress(raw)
        return dict(json.loads(raw)) if raw else {}

    def entries(self) -> Iterator[tuple[int, int, int]]:
        """(tile id, absolute offset, length) of every addressed tile, in tile id order."""
        yield from self._walk(self._root)

    def _walk(self, directory: _Directory) -> Iterator[tuple[int, int, int]]:
        for tile_id, run, offset, length in zip(directory.ids, directory.runs,
                                                directory.offsets, directory.lengths,
                                                strict=True):
            if run == 0:
                yield from self._walk(self._directory(self._leaf_offset + offset, length))
            else:
                for i in range(run):
                    yield tile_id + i, self._data_offset + offset, length

    def read(self, offset: int, length: int) -> bytes:
        """Raw bytes at an absolute offset."""
        return self._map[offset:offset + length]

    def get(self, z: int, x: int, y: int) -> bytes | None:
        """The stored (possibly compressed) bytes of tile z/x/y, or None if absent."""
        found = self.locate(z, x, y)
        return None if found is None else self._map[found[0]:found[0] + found[1]]

    def locate(self, z: int, x: int, y: int) -> tuple[int, int] | None:
        """(absolute offset, length) of tile z/x/y in the archive, or None if absent."""
        tile_id = zxy_to_tileid(z, x, y)
        directory = self._root
        for _ in range(MAX_DEPTH):
            found = directory.find(tile_id)
            if found is None:
                return None
            run, offset, length = found
            if run:
                return self._data_offset + offset, length
            leaf = self._leaves.get(offset)
            if leaf is None:
                leaf = self._directory(self._leaf_offset + offset, length)
                with self._lock:
                    self._leaves[offset] = leaf
            directory = leaf
        return None


class ArchiveCache:
    """Open archives keyed by resolved real path or object key (versions are immutable)."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._open: dict[str, Archive] = {}
        self._lock = threading.Lock()

    def get(self, source: Path | Blob) -> Archive:
        """The archive of a local path or a store blob (opened once per key)."""
        if isinstance(source, Path):
            source = LocalBlob(source.resolve())
        key = source.key
        archive = self._open.get(key)
        if archive is None:
            archive = Archive(source)
            with self._lock:
                if len(self._open) >= self.size:
                    self._open.pop(next(iter(self._open)))
                self._open[key] = archive
        return archive
