"""The 3D Tiles archive format (3tz 1.3): write and read a tileset packed in one zip file.

Files are stored uncompressed; the last zip entry ``@3dtilesIndex1@`` holds one 24-byte entry
per file: the MD5 of the normalized path (16 bytes) and the offset of its local file header
(uint64 little endian), sorted by the MD5 read as two little-endian uint64 values. A reader
needs the end of the file (central directory tail), the index and then one read per file:
:class:`Archive3tz` does exactly that with ``os.pread`` (no zip module, no full scan), or with
any ``read_at(offset, size)`` callable (:meth:`Archive3tz.from_reader`, e.g. HTTP range
requests against an object store). A parsed index can be handed to the next opening of the
same file, so a server keeps no file open between requests.
"""

from __future__ import annotations

import hashlib
import os
import struct
import zipfile
from bisect import bisect_left
from collections.abc import Callable, Iterable
from pathlib import Path

from opengeodata.errors import OpenGeoDataError

INDEX_NAME = "@3dtilesIndex1@"
MEDIA_TYPE = "application/vnd.maxar.archive.3tz+zip"
_EOCD = struct.Struct("<4sHHHHIIH")
_CDH = struct.Struct("<4sHHHHHHIIIHHHHHII")
_LFH = struct.Struct("<4sHHHHHIIIHH")


class ArchiveError(OpenGeoDataError):
    """A 3tz file that is not valid (names the file and the problem)."""


def normalize(path: str) -> str:
    """The path as the index hashes it: forward slashes, no leading slash."""
    return path.replace("\\", "/").lstrip("/")


def _key(digest: bytes) -> tuple[int, int]:
    return (int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:], "little"))


def _md5(path: str) -> bytes:
    return hashlib.md5(normalize(path).encode(), usedforsecurity=False).digest()


class Writer3tz:
    """Streams files into a new 3tz archive; ``close`` appends the index."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.zf = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED, allowZip64=True)
        self.names: set[str] = set()

    def add(self, name: str, data: bytes) -> None:
        """Store one file (path inside the archive, content)."""
        name = normalize(name)
        if ".3tz" in name or name == INDEX_NAME or name in self.names:
            raise ArchiveError(f"{self.target.name}: file name {name!r} is not allowed "
                               "(reserved, duplicate or containing '.3tz')")
        self.names.add(name)
        info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        self.zf.writestr(info, data)

    def close(self) -> Path:
        """Write the ``@3dtilesIndex1@`` entry last and close the zip."""
        entries = sorted(((_md5(info.filename), info.header_offset)
                          for info in self.zf.infolist()), key=lambda e: _key(e[0]))
        index = b"".join(digest + struct.pack("<Q", offset) for digest, offset in entries)
        info = zipfile.ZipInfo(INDEX_NAME, date_time=(2020, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        self.zf.writestr(info, index)
        self.zf.close()
        return self.target

    def discard(self) -> None:
        """Close and remove a half-written archive."""
        self.zf.close()
        self.target.unlink(missing_ok=True)


def write_3tz(target: Path, files: Iterable[tuple[str, bytes]]) -> Path:
    """Write ``files`` (path, content) into ``target`` (stored, with the 3tz index last)."""
    writer = Writer3tz(target)
    try:
        for name, data in files:
            writer.add(name, data)
    except BaseException:
        writer.discard()
        raise
    return writer.close()


Index = tuple[list[tuple[int, int]], list[int]]
"""Sorted MD5 keys and local header offsets of an archive's files."""


class Archive3tz:
    """Random access to the files of a 3tz archive through its index."""

    def __init__(self, path: Path, index: Index | None = None) -> None:
        self.path = path
        self.fd: int | None = os.open(path, os.O_RDONLY)
        self._read_at: Callable[[int, int], bytes] = self._read_fd
        try:
            self.size = os.fstat(self.fd).st_size
            self.keys, self.offsets = index if index is not None else self._read_index()
        except BaseException:
            os.close(self.fd)
            raise

    @classmethod
    def from_reader(cls, name: str, size: int, read_at: Callable[[int, int], bytes],
                    index: Index | None = None) -> Archive3tz:
        """An archive read through ``read_at(offset, size)`` (``name`` for messages)."""
        self = cls.__new__(cls)
        self.path = Path(name)
        self.fd = None
        self._read_at = read_at
        self.size = size
        self.keys, self.offsets = index if index is not None else self._read_index()
        return self

    @property
    def index(self) -> Index:
        """The parsed index (hand it to the next ``Archive3tz`` of the same file)."""
        return self.keys, self.offsets

    def _read_fd(self, offset: int, size: int) -> bytes:
        assert self.fd is not None
        return os.pread(self.fd, size, offset)

    def close(self) -> None:
        """Close the file."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> Archive3tz:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _pread(self, size: int, offset: int) -> bytes:
        data = self._read_at(offset, size)
        if len(data) != size:
            raise ArchiveError(f"{self.path.name}: truncated at offset {offset}")
        return data

    def _read_index(self) -> Index:
        tail_size = min(self.size, 65536 + _EOCD.size)
        tail = self._pread(tail_size, self.size - tail_size)
        pos = tail.rfind(b"PK\x05\x06")
        if pos < 0:
            raise ArchiveError(f"{self.path.name}: not a zip file (no end of central directory)")
        _sig, _d, _cd, _n1, count, cd_size, cd_offset, _c = _EOCD.unpack_from(tail, pos)
        if cd_offset == 0xFFFFFFFF or count == 0xFFFF:
            raise ArchiveError(f"{self.path.name}: zip64 archives are not supported")
        # the last central directory entry is the index
        directory = self._pread(cd_size, cd_offset)
        last = None
        pos = 0
        for _ in range(count):
            fields = _CDH.unpack_from(directory, pos)
            if fields[0] != b"PK\x01\x02":
                raise ArchiveError(f"{self.path.name}: damaged central directory")
            name_len, extra_len, comment_len = fields[10], fields[11], fields[12]
            name = directory[pos + _CDH.size:pos + _CDH.size + name_len].decode()
            last = (name, fields[4], fields[8], fields[16], comment_len)
            pos += _CDH.size + name_len + extra_len + comment_len
        if last is None or last[0] != INDEX_NAME:
            raise ArchiveError(f"{self.path.name}: the last zip entry is not {INDEX_NAME}")
        _name, method, size, offset, comment_len = last
        if method != 0 or comment_len:
            raise ArchiveError(f"{self.path.name}: {INDEX_NAME} must be stored, without comment")
        index = self._local_data(offset, INDEX_NAME)
        if len(index) != size or size % 24:
            raise ArchiveError(f"{self.path.name}: {INDEX_NAME} has a bad size ({size})")
        keys = []
        offsets = []
        for i in range(0, size, 24):
            keys.append(_key(index[i:i + 16]))
            offsets.append(struct.unpack_from("<Q", index, i + 16)[0])
        if keys != sorted(keys):
            raise ArchiveError(f"{self.path.name}: {INDEX_NAME} is not sorted by MD5")
        if len(keys) != count - 1:
            raise ArchiveError(
                f"{self.path.name}: {INDEX_NAME} lists {len(keys)} files, the zip has {count - 1}")
        return keys, offsets

    def _local_data(self, offset: int, expected: str | None) -> bytes:
        head = self._pread(_LFH.size, offset)
        sig, _v, flags, method, _t, _d, _crc, csize, _usize, name_len, extra_len = (
            _LFH.unpack(head))
        if sig != b"PK\x03\x04":
            raise ArchiveError(f"{self.path.name}: no local file header at offset {offset}")
        name = self._pread(name_len, offset + _LFH.size).decode()
        if expected is not None and name != expected:
            raise KeyError(expected)
        if method != 0:
            raise ArchiveError(f"{self.path.name}: {name} is compressed (method {method})")
        if flags & 0x08 and csize == 0:
            raise ArchiveError(f"{self.path.name}: {name} has no size in its local header")
        return self._pread(csize, offset + _LFH.size + name_len + extra_len)

    def __contains__(self, path: str) -> bool:
        try:
            self.read(path)
        except KeyError:
            return False
        return True

    def read(self, path: str) -> bytes:
        """The content of ``path``; KeyError when the archive has no such file."""
        name = normalize(path)
        key = _key(_md5(name))
        i = bisect_left(self.keys, key)
        while i < len(self.keys) and self.keys[i] == key:
            try:
                return self._local_data(self.offsets[i], name)
            except KeyError:
                i += 1
        raise KeyError(path)

    def __len__(self) -> int:
        return len(self.keys)
