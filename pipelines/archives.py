"""Zip deliveries: refuse zip bombs before anything is expanded, stream members.

Every zip source is checked from its central directory when it is extracted: the expanded
size of all members together (``OPENGEODATA_ARCHIVE_MAX_BYTES``) and the compression ratio of
each big member (``OPENGEODATA_ARCHIVE_MAX_RATIO``) are bounded, and member names must be plain
relative paths. Python's zip reader never returns more bytes than the directory announces, so
a member cannot expand beyond the checked size; :func:`copy_member` streams it in blocks.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO

from opengeodata.errors import SourceError

#: Members smaller than this are never refused for their ratio (text, world files).
RATIO_FLOOR = 16 << 20
CHUNK = 1 << 20


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.1f} MiB"


def check_archive(dataset_id: str, path: Path, max_bytes: int, max_ratio: float) -> int:
    """Refuse a zip bomb (expanded size, ratio, unsafe names); the expanded size in bytes."""
    where = f"{dataset_id}: {path.name}"
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(f"{where}: not a valid zip archive: {exc}") from exc
    total = 0
    for info in infos:
        name = PurePosixPath(info.filename)
        if name.is_absolute() or ".." in name.parts or "\\" in info.filename:
            raise SourceError(f"{where}: member {info.filename!r}: refused: not a plain "
                              "relative path inside the archive")
        if info.is_dir():
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_FLOOR and ratio > max_ratio:
            raise SourceError(
                f"{where}: member {info.filename!r}: refused: expands from "
                f"{_mib(info.compress_size)} to {_mib(info.file_size)} (ratio {ratio:,.0f}:1, "
                f"more than the limit {max_ratio:g}:1 of OPENGEODATA_ARCHIVE_MAX_RATIO); "
                "a zip bomb or a member full of padding")
        total += info.file_size
        if total > max_bytes:
            raise SourceError(
                f"{where}: member {info.filename!r}: refused: the archive expands to more than "
                f"{_mib(max_bytes)} (OPENGEODATA_ARCHIVE_MAX_BYTES); a zip bomb or a delivery "
                "too big for one refresh")
    return total


def copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, out: IO[bytes]) -> None:
    """Stream one member into ``out`` block by block (never the whole member in memory)."""
    with archive.open(info) as member:
        shutil.copyfileobj(member, out, CHUNK)
