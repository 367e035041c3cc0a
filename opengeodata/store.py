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
PENDING = ".pending-"
TRASH = ".trash-"


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

    def new_version_id(self, dataset_id: str, stamp: str, content_hash: str) -> str:
        """``<UTC timestamp>-<short content hash>``, numbered if that name is taken."""
        base = f"{stamp}-{content_hash[:8]}"
        root = self.dataset_dir(dataset_id) / "versions"
        version, n = base, 1
        while (root / version).exists():
            version, n = f"{base}-{n}", n + 1
        return version

    def commit(self, dataset_id: str, staging: Path, version: str) -> Path:
        """Move a verified staging folder into place and make it live atomically.

        A ``.pending-<version>`` marker exists from just before the move until the live pointer
        names the new version; if the process dies in between, ``clean_stale`` removes the
        never-published version. Either the old or the new version is live at every moment.
        """
        if not (staging / MANIFEST_NAME).is_file():
            raise PublishError(f"{dataset_id}: staging folder has no manifest; not published")
        folder = self.dataset_dir(dataset_id)
        target = folder / "versions" / version
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            raise PublishError(f"{dataset_id}: version {version} already exists")
        _fsync_tree(staging)
        marker = folder / f"{PENDING}{version}"
        marker.touch()
        _fsync_dir(folder)
        os.replace(staging, target)
        _fsync_dir(target.parent)
        self.switch_live(dataset_id, version)
        marker.unlink()
        return target

    def switch_live(self, dataset_id: str, version: str) -> None:
        """Point ``live`` at ``version`` with one atomic rename of a symlink."""
        self.version_dir(dataset_id, version)  # raises NotFoundError
        folder = self.dataset_dir(dataset_id)
        tmp = folder / f".{LIVE}.{uuid.uuid4().hex}"
        os.symlink(Path("versions") / version, tmp)
        os.replace(tmp, folder / LIVE)
        _fsync_dir(folder)

    def live_version(self, dataset_id: str) -> str | None:
        """Name of the live version, or None."""
        live = self.live_dir(dataset_id)
        return live.name if live is not None else None

    def remove_version(self, dataset_id: str, version: str) -> None:
        """Delete a version: renamed aside atomically first, so it never half-exists."""
        path = self.dataset_dir(dataset_id) / "versions" / version
        if not path.exists():
            return
        trash = self.dataset_dir(dataset_id) / f"{TRASH}{version}.{uuid.uuid4().hex[:8]}"
        os.replace(path, trash)
        shutil.rmtree(trash, ignore_errors=True)

    def prune(self, dataset_id: str, keep: int) -> list[str]:
        """Delete the oldest versions beyond ``keep``, never the live one."""
        live = self.live_version(dataset_id)
        versions = self.versions(dataset_id)
        removed = []
        for version in versions[: max(0, len(versions) - keep)]:
            if version == live:
                continue
            self.remove_version(dataset_id, version)
            removed.append(version)
        return removed

    def check_complete(self, dataset_id: str, version: str) -> Manifest:
        """The manifest of a version whose files all exist with their recorded sizes."""
        folder = self.version_dir(dataset_id, version)
        manifest = Manifest.read(folder)
        for out in manifest.outputs:
            path = folder / out.name
            if not path.is_file() or path.stat().st_size != out.size:
                raise PublishError(
                    f"{dataset_id}: version {version} is incomplete ({out.name} is missing or "
                    "has the wrong size); not switching to it"
                )
        return manifest

    def rollback(self, dataset_id: str, version: str | None = None) -> tuple[str | None, str]:
        """Make ``version`` (default: the one before the live one) live; returns (old, new)."""
        versions = self.versions(dataset_id)
        live = self.live_version(dataset_id)
        if not versions:
            raise NotFoundError(f"dataset {dataset_id!r} has no published versions")
        if version is None:
            if live is None or live not in versions:
                raise PublishError(f"{dataset_id}: no live version; name the version to use")
            index = versions.index(live)
            if index == 0:
                raise PublishError(
                    f"{dataset_id}: the live version {live} is the oldest kept version; "
                    "there is nothing to roll back to"
                )
            version = versions[index - 1]
        self.check_complete(dataset_id, version)
        if version != live:
            self.switch_live(dataset_id, version)
        return live, version

    def clean_stale(self, dataset_id: str) -> list[str]:
        """Remove what a crashed run left; returns what was removed (for the log).

        Staging folders, stray pointer temp files, half-deleted versions and versions that were
        moved into place but never made live (``.pending-`` marker still there). Call it only
        while holding the dataset's lock.
        """
        removed: list[str] = []
        staging = self.staging_root / dataset_id
        if staging.is_dir():
            for path in staging.iterdir():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(f"staging/{dataset_id}/{path.name}")
        folder = self.dataset_dir(dataset_id)
        if not folder.is_dir():
            return removed
        for tmp in folder.glob(f".{LIVE}.*"):
            tmp.unlink(missing_ok=True)
            removed.append(tmp.name)
        for trash in folder.glob(f"{TRASH}*"):
            shutil.rmtree(trash, ignore_errors=True)
            removed.append(trash.name)
        live = self.live_version(dataset_id)
        for marker in folder.glob(f"{PENDING}*"):
            version = marker.name[len(PENDING):]
            if version != live:
                self.remove_version(dataset_id, version)
                removed.append(f"versions/{version} (never made live)")
            marker.unlink(missing_ok=True)
        versions = folder / "versions"
        if versions.is_dir():
            for path in versions.iterdir():
                if path.is_dir() and not (path / MANIFEST_NAME).is_file():
                    shutil.rmtree(path, ignore_errors=True)
                    removed.append(f"versions/{path.name} (incomplete)")
        return removed


def _fsync_tree(folder: Path) -> None:
    """Flush every file of a finished staging folder to disk before it is published."""
    for path in folder.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(folder)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
