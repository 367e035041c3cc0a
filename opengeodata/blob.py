"""A published file wherever it is stored: a local file or an object in object storage.

Readers never open paths themselves: they get a :class:`Blob` from the store and use its range
reads (PMTiles directories and tiles, downloads), its stream (downloads) or, for GDAL, its
``gdal_path`` (a local path or ``/vsis3/...``).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opengeodata.objectstore import ObjectStore

CHUNK = 1 << 20


class Blob:
    """An immutable file of a published version."""

    name: str
    size: int
    #: identity for caches: the same key is always the same bytes
    key: str
    #: the file on the local filesystem, when it is one
    local_path: Path | None = None

    @property
    def gdal_path(self) -> str:
        """The name GDAL opens (a path or ``/vsis3/bucket/key``)."""
        raise NotImplementedError

    def gdal_options(self) -> dict[str, str]:
        """GDAL configuration needed to open ``gdal_path``."""
        return {}

    def read(self, offset: int, length: int) -> bytes:
        """``length`` bytes at ``offset`` (fewer at the end of the file)."""
        raise NotImplementedError

    def stream(self, start: int, end: int) -> Iterator[bytes]:
        """Bytes ``start`` to ``end`` (exclusive) in chunks."""
        raise NotImplementedError

    def open(self) -> io.RawIOBase:
        """A seekable binary file object reading this blob."""
        return BlobReader(self)


class LocalBlob(Blob):
    """A file on the local filesystem."""

    def __init__(self, path: Path, name: str | None = None) -> None:
        self.local_path = path
        self.name = name or path.name
        self.size = path.stat().st_size
        self.key = str(path)

    @property
    def gdal_path(self) -> str:
        return str(self.local_path)

    def read(self, offset: int, length: int) -> bytes:
        assert self.local_path is not None
        fd = os.open(self.local_path, os.O_RDONLY)
        try:
            return os.pread(fd, length, offset)
        finally:
            os.close(fd)

    def stream(self, start: int, end: int) -> Iterator[bytes]:
        assert self.local_path is not None
        with self.local_path.open("rb") as fh:
            fh.seek(start)
            left = end - start
            while left > 0 and (block := fh.read(min(CHUNK, left))):
                left -= len(block)
                yield block

    def open(self) -> io.RawIOBase:
        assert self.local_path is not None
        return self.local_path.open("rb", buffering=0)


class RemoteBlob(Blob):
    """An object in object storage, read with range requests."""

    def __init__(self, objects: ObjectStore, key: str, size: int, name: str) -> None:
        self.objects = objects
        self.object_key = key
        self.size = size
        self.name = name
        self.key = f"{objects.url}/{key}"

    @property
    def gdal_path(self) -> str:
        return self.objects.gdal_path(self.object_key)

    def gdal_options(self) -> dict[str, str]:
        return self.objects.gdal_options()

    def read(self, offset: int, length: int) -> bytes:
        length = max(0, min(length, self.size - offset))
        return self.objects.read(self.object_key, offset, length)

    def stream(self, start: int, end: int) -> Iterator[bytes]:
        return self.objects.stream(self.object_key, start, min(end, self.size))


def as_blob(source: Blob | Path) -> Blob:
    """A Blob for a store Blob or a local path."""
    return LocalBlob(source) if isinstance(source, Path) else source


class BlobReader(io.RawIOBase):
    """A seekable file over a Blob: each run of sequential reads is one streamed request.

    ``limit`` (set by whoever knows the requested byte range) bounds the request, so a Range
    download fetches only its range from object storage.
    """

    def __init__(self, blob: Blob, limit: int | None = None) -> None:
        self.blob = blob
        self.pos = 0
        self.limit = limit
        self._chunks: Iterator[bytes] | None = None
        self._buf = b""
        self._buf_pos = -1

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.pos, io.SEEK_END: self.blob.size}[whence]
        self.pos = max(0, base + offset)
        return self.pos

    def readinto(self, target: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self.read(len(target))
        target[:len(data)] = data
        return len(data)

    def read(self, size: int = -1) -> bytes:
        end = self.blob.size if self.limit is None else min(self.limit, self.blob.size)
        if size < 0:
            size = end - self.pos
        out = bytearray()
        while len(out) < size and self.pos < end:
            if self._buf_pos != self.pos or not self._buf:
                if self._chunks is None or self._buf_pos != self.pos:
                    self._close_stream()
                    self._chunks = iter(self.blob.stream(self.pos, end))
                self._buf = next(self._chunks, b"")
                self._buf_pos = self.pos
                if not self._buf:
                    break
            take = self._buf[: size - len(out)]
            out += take
            self._buf = self._buf[len(take):]
            self.pos += len(take)
            self._buf_pos = self.pos
        return bytes(out)

    def _close_stream(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()
        self._chunks = None

    def close(self) -> None:
        self._close_stream()
        super().close()
