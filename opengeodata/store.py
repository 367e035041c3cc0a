"""The published data store: versions per dataset and one atomic ``live`` pointer.

Layout under ``<data_dir>/published/<id>/``::

    versions/<version>/manifest.json   complete, verified versions
    versions/<version>/<files>
    live -> versions/<version>         symlink, switched atomically with rename(2)

Storage seam: with ``OPENGEODATA_OBJECT_STORE`` set, every commit, rollback and prune is
mirrored to object storage (:mod:`opengeodata.store_remote`: files uploaded before the switch,
the live pointer written last), and a *serving* store (``Store.from_settings(s, serving=True)``)
reads manifests, live pointers and files from there instead of the local folder. Readers use
only ``live_manifest``, ``manifest``, ``versions``, ``live_stamp``, ``blob`` and ``local_file``,
so they never know where the bytes are. The publisher keeps its local copy as working state
(incremental skips, previous versions) and ``clean_stale`` brings the mirror up to date.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from opengeodata.blob import Blob, LocalBlob
from opengeodata.errors import NotFoundError, OpenGeoDataError, PublishError
from opengeodata.manifest import MANIFEST_NAME, Manifest
from opengeodata.objectstore import ObjectStore, connect
from opengeodata.store_remote import RemoteMirror

if TYPE_CHECKING:
    from opengeodata.settings import Settings

LIVE = "live"
PENDING = ".pending-"
TRASH = ".trash-"


class Store:
    """Access to published versions and staging folders under a data dir."""

    def __init__(self, data_dir: Path, objects: ObjectStore | None = None, *,
                 serving: bool = False) -> None:
        self.data_dir = data_dir
        self.published = data_dir / "published"
        self.staging_root = data_dir / "staging"
        self.sources_root = data_dir / "sources"
        self.quarantine_root = data_dir / "quarantine"
        self.cache_root = data_dir / "cache"
        self.objects = objects
        self.remote = RemoteMirror(objects) if objects is not None else None
        #: read from object storage (a server) instead of the local folder (the publisher)
        self.reads_remote = serving and self.remote is not None
        #: copy files that need a real path (GeoPackages for SQLite) from object storage when
        #: the published model is built; False when nothing reads them (PostGIS features)
        self.fetch_copies = True
        if objects is not None and serving:
            objects.configure_gdal()

    @classmethod
    def from_settings(cls, settings: Settings, *, serving: bool = False) -> Store:
        """The store of ``settings``: local, or mirrored to ``settings.object_store``."""
        objects = connect(settings.object_store) if settings.object_store else None
        return cls(settings.data_dir, objects, serving=serving)

    def child(self, name: str) -> Store:
        """A store rooted at ``<data_dir>/<name>`` (and ``<prefix>/<name>/`` remotely)."""
        objects = self.objects.child(name) if self.objects is not None else None
        return Store(self.data_dir / name, objects, serving=self.reads_remote)

    @property
    def object_store_url(self) -> str | None:
        """The ``s3://`` URL files are mirrored to, or None for local files only."""
        return self.objects.url if self.objects is not None else None

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
        if self.remote is not None and self.reads_remote:
            return self.remote.live_manifest(dataset_id)
        folder = self.live_dir(dataset_id)
        return Manifest.read(folder) if folder else None

    def manifest(self, dataset_id: str, version: str) -> Manifest:
        """Manifest of a kept version; NotFoundError if there is no such complete version."""
        if self.remote is not None and self.reads_remote:
            manifest = self.remote.manifest(dataset_id, version)
            if manifest is None:
                raise NotFoundError(f"dataset {dataset_id!r} has no version {version!r}")
            return manifest
        try:
            return Manifest.read(self.version_dir(dataset_id, version))
        except (OSError, ValueError):
            raise NotFoundError(f"dataset {dataset_id!r} has no version {version!r}") from None

    def blob(self, dataset_id: str, version: str, name: str) -> Blob:
        """A file of a version (only plain names inside the published data); NotFoundError."""
        if not _plain(dataset_id) or not _plain(version) or not _plain(name):
            raise NotFoundError(f"no file {name!r} in version {version!r} of {dataset_id!r}")
        if self.remote is not None and self.reads_remote:
            return self.remote.blob(dataset_id, version, name)
        path = self.dataset_dir(dataset_id) / "versions" / version / name
        real: Path | None
        try:
            real = path.resolve(strict=True)
            root = self.published.resolve(strict=True)
        except (OSError, RuntimeError):
            real = root = None
        if real is None or root is None or not real.is_relative_to(root) or not real.is_file():
            raise NotFoundError(f"no file {name!r} in version {version!r} of {dataset_id!r}")
        return LocalBlob(real, name)

    def local_file(self, dataset_id: str, version: str, name: str, *,
                   fetch: bool = True) -> Path:
        """A local path of a version's file (copied from object storage into the cache once,
        for readers that need a real file, such as SQLite for GeoPackages). Without ``fetch``
        only the path it has (or would have) is returned, unchecked."""
        if not fetch:
            if self.remote is not None and self.reads_remote:
                return self.cache_root / dataset_id / version / name
            return self.dataset_dir(dataset_id) / "versions" / version / name
        blob = self.blob(dataset_id, version, name)
        if blob.local_path is not None:
            return blob.local_path
        target = self.cache_root / dataset_id / version / name
        if target.is_file() and target.stat().st_size == blob.size:
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{name}.{uuid.uuid4().hex}")
        try:
            with tmp.open("wb") as fh:
                for chunk in blob.stream(0, blob.size):
                    fh.write(chunk)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        for old in (self.cache_root / dataset_id).iterdir():
            if old.name != version and old.name not in self.versions(dataset_id):
                shutil.rmtree(old, ignore_errors=True)
        return target

    def live_ids(self) -> list[str]:
        """Ids of every dataset with a live version."""
        if self.remote is not None and self.reads_remote:
            return self.remote.live_ids()
        if not self.published.is_dir():
            return []
        return sorted(p.name for p in self.published.iterdir() if self.live_dir(p.name))

    def versions(self, dataset_id: str) -> list[str]:
        """Complete versions of a dataset, oldest first."""
        if self.remote is not None and self.reads_remote:
            return self.remote.versions(dataset_id)
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
        if self.remote is not None and self.reads_remote:
            return self.remote.live_stamp()
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
        With object storage the files are uploaded first and the remote live pointer is
        written after the local switch; if that fails the local switch is undone.
        """
        if not (staging / MANIFEST_NAME).is_file():
            raise PublishError(f"{dataset_id}: staging folder has no manifest; not published")
        folder = self.dataset_dir(dataset_id)
        target = folder / "versions" / version
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            raise PublishError(f"{dataset_id}: version {version} already exists")
        _fsync_tree(staging)
        if self.remote is not None:
            try:
                self.remote.upload_version(dataset_id, version, staging)
            except OpenGeoDataError:
                self._forget_remote(dataset_id, version)
                raise
        marker = folder / f"{PENDING}{version}"
        marker.touch()
        _fsync_dir(folder)
        os.replace(staging, target)
        _fsync_dir(target.parent)
        try:
            self.switch_live(dataset_id, version)
        except OpenGeoDataError:
            self.remove_version(dataset_id, version)
            self._forget_remote(dataset_id, version)
            marker.unlink(missing_ok=True)
            raise
        marker.unlink()
        return target

    def switch_live(self, dataset_id: str, version: str) -> None:
        """Point ``live`` at ``version`` (one atomic rename of a symlink; then remotely)."""
        self.version_dir(dataset_id, version)  # raises NotFoundError
        self._switch(dataset_id, version)

    def _switch(self, dataset_id: str, version: str) -> None:
        previous = self._local_live(dataset_id)
        self._link(dataset_id, version)
        if self.remote is None:
            return
        try:
            if not self.remote.has_version(dataset_id, version):
                self.remote.upload_version(dataset_id, version, self.version_dir(dataset_id,
                                                                                 version))
            self.remote.set_live(dataset_id, version)
        except OpenGeoDataError:
            if previous is not None:
                self._link(dataset_id, previous)
            else:
                (self.dataset_dir(dataset_id) / LIVE).unlink(missing_ok=True)
            raise

    def _link(self, dataset_id: str, version: str) -> None:
        folder = self.dataset_dir(dataset_id)
        tmp = folder / f".{LIVE}.{uuid.uuid4().hex}"
        os.symlink(Path("versions") / version, tmp)
        os.replace(tmp, folder / LIVE)
        _fsync_dir(folder)

    def _local_live(self, dataset_id: str) -> str | None:
        live = self.live_dir(dataset_id)
        return live.name if live is not None else None

    def _forget_remote(self, dataset_id: str, version: str) -> None:
        """Best effort: remove a version's partial upload (clean_stale retries later)."""
        if self.remote is None:
            return
        with contextlib.suppress(Exception):  # the original error is what the caller reports
            self.remote.remove_version(dataset_id, version)

    def live_version(self, dataset_id: str) -> str | None:
        """Name of the live version, or None."""
        if self.remote is not None and self.reads_remote:
            return self.remote.live_version(dataset_id)
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
        if self.remote is not None:
            kept = set(self.versions(dataset_id))
            remote_live = self.remote.live_version(dataset_id)
            for version in self.remote.stored_versions(dataset_id):
                if version not in kept and version != remote_live:
                    self.remote.remove_version(dataset_id, version)
        return removed

    def check_complete(self, dataset_id: str, version: str) -> Manifest:
        """The manifest of a version whose files all exist with their recorded sizes."""
        folder = self.version_dir(dataset_id, version)
        manifest = Manifest.read(folder)
        for out in manifest.files:
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
        if self.remote is not None:
            removed += self._sync_remote(dataset_id)
        return removed

    def _sync_remote(self, dataset_id: str) -> list[str]:
        """Bring object storage in line with the local store: partial or unknown versions
        removed, the live pointer naming the local live version (uploaded if missing)."""
        assert self.remote is not None
        done: list[str] = []
        kept = set(self.versions(dataset_id))
        remote_live = self.remote.live_version(dataset_id)
        for version in self.remote.stored_versions(dataset_id):
            if version == remote_live:
                continue
            if version not in kept or not self.remote.has_version(dataset_id, version):
                self.remote.remove_version(dataset_id, version)
                done.append(f"{self.remote.objects.url}: version {version} (not kept or partial)")
        local_live = self._local_live(dataset_id)
        if local_live is not None and local_live != remote_live:
            self._switch(dataset_id, local_live)
            done.append(f"{self.remote.objects.url}: live pointer was {remote_live}, now "
                        f"{local_live}")
        return done


def _plain(name: str) -> bool:
    """A plain file or folder name: no separators, no '..', no NUL, no leading dot."""
    return bool(name) and "/" not in name and "\\" not in name and "\0" not in name \
        and ".." not in name and not name.startswith(".")


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
