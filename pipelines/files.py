"""File copies that never inflate disk use: holes of sparse files stay holes.

``shutil.copy2`` writes a 2 GB sparse file as 2 GB of zeros; :func:`copy_sparse` copies only
the data extents (``SEEK_DATA``/``SEEK_HOLE``, ``copy_file_range`` where the kernel has it, so
copy-on-write file systems share the blocks) and :func:`link_or_copy` hard-links when it can.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

CHUNK = 8 << 20


def allocated_bytes(path: Path) -> int:
    """Bytes a file really occupies on disk (its blocks, not its apparent size)."""
    return path.stat().st_blocks * 512


def _extents(fd: int, size: int) -> list[tuple[int, int]]:
    """(offset, length) of the data extents of an open file; one extent if holes are unknown."""
    extents: list[tuple[int, int]] = []
    offset = 0
    try:
        while offset < size:
            start = os.lseek(fd, offset, os.SEEK_DATA)
            end = os.lseek(fd, start, os.SEEK_HOLE)
            extents.append((start, end - start))
            offset = end
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # no more data after offset
            return extents
        return [(0, size)]
    return extents


def _copy_range(src: int, dst: int, offset: int, length: int) -> None:
    os.lseek(src, offset, os.SEEK_SET)
    os.lseek(dst, offset, os.SEEK_SET)
    left = length
    while left > 0:
        try:
            done = os.copy_file_range(src, dst, min(left, 1 << 30))
        except OSError:
            done = 0
        if done == 0:  # not supported here: plain reads and writes
            block = os.read(src, min(left, CHUNK))
            if not block:
                return
            done = os.write(dst, block)
        left -= done


def copy_sparse(src: Path, dest: Path) -> None:
    """Copy ``src`` to ``dest`` with its times, keeping holes (no dense copy of sparse files)."""
    size = src.stat().st_size
    with src.open("rb") as fin, dest.open("wb") as fout:
        for offset, length in _extents(fin.fileno(), size):
            _copy_range(fin.fileno(), fout.fileno(), offset, length)
        fout.truncate(size)
    shutil.copystat(src, dest)


def link_or_copy(src: Path, dest: Path) -> None:
    """Hard-link ``src`` to ``dest`` (no extra space), else copy it keeping holes."""
    try:
        os.link(src, dest)
    except OSError:
        copy_sparse(src, dest)
