"""One lock per dataset (``fcntl.flock`` on ``data/locks/<id>.lock``) so parallel refreshes
(``make -j2 refresh``) never work on the same dataset at once. The kernel drops the lock when
the holder dies, even on ``kill -9``: a crashed run never blocks the next one."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from opengeodata.errors import DatasetBusyError


def lock_path(data_dir: Path, dataset_id: str) -> Path:
    """The lock file of a dataset."""
    return data_dir / "locks" / f"{dataset_id}.lock"


@contextmanager
def dataset_lock(
    data_dir: Path,
    dataset_id: str,
    *,
    wait: bool = True,
    log: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the dataset's lock; wait for a running refresh (saying so), or raise if not ``wait``."""
    path = lock_path(data_dir, dataset_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            if not wait:
                raise DatasetBusyError(
                    f"{dataset_id}: a refresh of this dataset is running (pid {holder})"
                ) from None
            if log is not None:
                log(f"a refresh of {dataset_id} is running (pid {holder}); waiting for it")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
