"""Keep bad input: the sources of a failed run go to ``data/quarantine/<id>/<timestamp>/``
together with an ``error.txt`` report, so nothing the data team fed in is lost.

The quarantine is bounded per dataset: at most ``OPENGEODATA_QUARANTINE_KEEP`` folders (the
oldest are removed) using at most ``OPENGEODATA_QUARANTINE_MAX_BYTES`` of disk. The copies in
``data/sources`` are hard-linked, anything else is copied keeping the holes of sparse files,
so a failure costs no second copy; input beyond the budget is named in ``error.txt`` but not
kept.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pipelines.files import allocated_bytes, copy_sparse, link_or_copy

ERROR_FILE = "error.txt"


@dataclass(frozen=True)
class Kept:
    """Where the input went and what the bounds left out (for the run's output)."""

    folder: Path
    note: str


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.1f} MiB"


def _folder_bytes(folder: Path) -> int:
    return sum(allocated_bytes(p) for p in folder.rglob("*") if p.is_file())


def _prune(root: Path, newest: Path, keep: int, max_bytes: int) -> list[str]:
    """Remove the oldest folders beyond ``keep`` folders or ``max_bytes`` in total."""
    folders = sorted(p for p in root.iterdir() if p.is_dir() and p != newest)
    removed = []
    total = _folder_bytes(newest) + sum(_folder_bytes(p) for p in folders)
    while folders and (len(folders) + 1 > keep or total > max_bytes):
        old = folders.pop(0)
        total -= _folder_bytes(old)
        shutil.rmtree(old, ignore_errors=True)
        removed.append(old.name)
    return removed


def quarantine(
    data_dir: Path,
    dataset_id: str,
    files: Iterable[Path],
    error: BaseException,
    *,
    step: str,
    details: dict[str, str] | None = None,
    keep: int = 5,
    max_bytes: int = 1 << 30,
) -> Kept:
    """Link or copy ``files`` (those that exist) within the budget and write ``error.txt``."""
    now = datetime.now(UTC)
    root = data_dir / "quarantine" / dataset_id
    folder = root / f"{now:%Y%m%dT%H%M%S}.{now.microsecond:06d}Z"
    folder.mkdir(parents=True, exist_ok=True)
    kept: list[str] = []
    skipped: list[str] = []
    used = 0
    for path in files:
        if not path.is_file() or (folder / path.name).exists():
            continue
        size = allocated_bytes(path)
        if used + size > max_bytes:
            skipped.append(f"{path.name} ({_mib(size)})")
            continue
        # links only to our own copies (replaced, never rewritten); bundled samples are copied
        if path.resolve().is_relative_to(data_dir.resolve()):
            link_or_copy(path, folder / path.name)
        else:
            copy_sparse(path, folder / path.name)
        kept.append(path.name)
        used += size
    removed = _prune(root, folder, keep, max_bytes)
    limits = f"quarantine limits: {keep} folder(s), {_mib(max_bytes)} per dataset"
    lines = [
        f"dataset: {dataset_id}",
        f"time: {now.isoformat(timespec='seconds').replace('+00:00', 'Z')}",
        f"step: {step}",
        f"error: {type(error).__name__}",
        f"message: {error}",
        f"files: {', '.join(kept) if kept else '(none)'}",
    ]
    if skipped:
        lines.append(f"not kept (over the {limits}): {', '.join(skipped)}")
    lines += [f"{key}: {value}" for key, value in (details or {}).items()]
    (folder / ERROR_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    notes = [f"{len(kept)} file(s), {_mib(used)}"]
    if skipped:
        notes.append(f"not kept (over the budget): {', '.join(skipped)}")
    if removed:
        notes.append(f"removed {len(removed)} older quarantine folder(s)")
    return Kept(folder, f"{'; '.join(notes)} ({limits})")
