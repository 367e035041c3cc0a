"""The published data store: versions per dataset and one atomic ``live`` pointer.

Layout under ``<data_dir>/published/<id>/``::

    versions/<version>/manifest.json   complete, verified versions
    versions/<version>/<files>
    live -> versions/<version>         symlink, switched atomically with rename(2)
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from opengeodata.errors import NotFoundError, PublishError
from opengeodata.manifest import MANIFEST_NAME, Manifest

LIVE = "live"


class Store:
    """Access to published versions and staging folders under a data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.published = data_dir / "published"
        self.staging_root = data_dir / "staging"
        self.sources_root = data_dir / "sources"
        self.quarantine_root = data_dir / "quarantine"

    # -- reading -----------------------------------------------------------------
    def dataset_dir(self, dataset_id: str) -> Path:
        """Folder of one dataset's published versions."""
        return self.published / dataset_id

    def live_dir(self, dataset_id: str) -> Path | None:
        """The real folder of the live version, or None if nothing is published."""
        link = self.dataset_dir(dataset_id) / LIVE
        try:
            target = link.resolve(strict=True)
        except (FileNotFoundError, RuntimeError, OSError):
            return None
        return target if (target / MANIFEST_NAME).is_file() else None

    def live_manifest(self, dataset_id: str) -> Manifest | None:
        """Manifest of the live version, or None."""
        folder = self.live_dir(dataset_id)
        return Manifest.read(folder) if folder else None

    def live_ids(self) -> list[str]:
        """Ids of every dataset with a live version."""
        if not self.published.is_dir():
            return []
        return sorted(p.name for p in self.published.iterdir() if self.live_dir(p.name))

    def versions(self, dataset_id: str) -> list[str]:
        """Complete versions of a dataset, oldest first."""
        root = self.dataset_dir(dataset_id) / "versions"
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if (p / MANIFEST_NAME).is_file())

    def version_dir(self, dataset_id: str, version: str) -> Path:
        """Folder of one version; NotFoundError if it does not exist."""
        if version not in self.versions(dataset_id):
            raise NotFoundError(f"dataset {dataset_id!r} has no version {version!r}")
        return self.dataset_dir(dataset_id) / "versions" / version

    def live_stamp(self) -> tuple[tuple[str, str], ...]:
        """Cheap fingerprint of every live pointer, to notice publishes."""
        if not self.published.is_dir():
            return ()
        out = []
        for p in sorted(self.published.iterdir()):
            try:
                out.append((p.name, os.readlink(p / LIVE)))
            except OSError:
                continue
        return tuple(out)

    # -- writing -----------------------------------------------------------------
    @contextmanager
    def staging(self, dataset_id: str) -> Iterator[Path]:
        """A fresh staging folder on the same filesystem; removed unless committed."""
        folder = self.staging_root / dataset_id / uuid.uuid4().hex
        folder.mkdir(parents=True)
        try:
            yield folder
        finally:
            if folder.exists():
                shutil.rmtree(folder, ignore_errors=True)

    def commit(self, dataset_id: str, staging: Path, version: str) -> Path:
        """Move a verified staging folder into place and make it live atomically."""
        if not (staging / MANIFEST_NAME).is_file():
            raise PublishError(f"{dataset_id}: staging folder has no manifest; not published")
        target = self.dataset_dir(dataset_id) / "versions" / version
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            raise PublishError(f"{dataset_id}: version {version} already exists")
        os.replace(staging, target)
        _fsync_dir(target.parent)
        self.switch_live(dataset_id, version)
        return target

    def switch_live(self, dataset_id: str, version: str) -> None:
        """Point ``live`` at ``version`` with one atomic rename of a symlink."""
        self.version_dir(dataset_id, version)  # raises NotFoundError
        folder = self.dataset_dir(dataset_id)
        tmp = folder / f".{LIVE}.{uuid.uuid4().hex}"
        os.symlink(Path("versions") / version, tmp)
        os.replace(tmp, folder / LIVE)
        _fsync_dir(folder)

    def prune(self, dataset_id: str, keep: int) -> list[str]:
        """Delete the oldest versions beyond ``keep``, never the live one."""
        live = self.live_dir(dataset_id)
        versions = self.versions(dataset_id)
        removed = []
        for version in versions[: max(0, len(versions) - keep)]:
            path = self.dataset_dir(dataset_id) / "versions" / version
            if live is not None and path.resolve() == live:
                continue
            shutil.rmtree(path, ignore_errors=True)
            removed.append(version)
        return removed

    def clean_stale(self, dataset_id: str) -> None:
        """Remove what a crashed run left: staging folders and stray pointer temp files."""
        shutil.rmtree(self.staging_root / dataset_id, ignore_errors=True)
        folder = self.dataset_dir(dataset_id)
        if folder.is_dir():
            for tmp in folder.glob(f".{LIVE}.*"):
                tmp.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
