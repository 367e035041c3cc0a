"""Keep bad input: copy the sources of a failed run to ``data/quarantine/<id>/<timestamp>/``
together with an ``error.txt`` report, so nothing the data team fed in is lost."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

ERROR_FILE = "error.txt"


def quarantine(
    data_dir: Path,
    dataset_id: str,
    files: Iterable[Path],
    error: BaseException,
    *,
    step: str,
    details: dict[str, str] | None = None,
) -> Path:
    """Copy ``files`` (those that exist) and write ``error.txt``; return the folder."""
    now = datetime.now(UTC)
    root = data_dir / "quarantine" / dataset_id
    folder = root / f"{now:%Y%m%dT%H%M%S}.{now.microsecond:06d}Z"
    folder.mkdir(parents=True, exist_ok=True)
    kept: list[str] = []
    for path in files:
        if path.is_file():
            shutil.copy2(path, folder / path.name)
            kept.append(path.name)
    lines = [
        f"dataset: {dataset_id}",
        f"time: {now.isoformat(timespec='seconds').replace('+00:00', 'Z')}",
        f"step: {step}",
        f"error: {type(error).__name__}",
        f"message: {error}",
        f"files: {', '.join(kept) if kept else '(none)'}",
    ]
    lines += [f"{key}: {value}" for key, value in (details or {}).items()]
    (folder / ERROR_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
