"""The store's mirror in object storage: versions uploaded before the switch, pointer last.

Layout under the object store prefix (relative keys)::

    published/<id>/versions/<version>/<files>          uploaded first
    published/<id>/versions/<version>/manifest.json    uploaded after every file
    live/<id>                                          the version name, written last

A version is complete once its ``manifest.json`` exists; ``live/<id>`` only ever names a
complete version. All pointers are listed with one request (``live_stamp``), so servers
notice a publish cheaply. Manifests of versions are immutable and cached.
"""

from __future__ import annotations

import mimetypes
import threading
import time
from pathlib import Path

from opengeodata.blob import RemoteBlob
from opengeodata.errors import NotFoundError, PublishError
from opengeodata.manifest import MANIFEST_NAME, Manifest
from opengeodata.objectstore import ObjectStore

VERSIONS_TTL = 1.0


class RemoteMirror:
    """Reads and writes one store's versions and live pointers in object storage."""

    def __init__(self, objects: ObjectStore) -> None:
        self.objects = objects
        self._manifests: dict[tuple[str, str], Manifest] = {}
        self._versions: dict[str, tuple[float, list[str]]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def version_prefix(dataset_id: str, version: str) -> str:
        """Key prefix of one version's files."""
        return f"published/{dataset_id}/versions/{version}/"

    # -- reading -----------------------------------------------------------------------
    def live_version(self, dataset_id: str) -> str | None:
        """The version ``live/<id>`` names, or None."""
        raw = self.objects.get(f"live/{dataset_id}")
        return raw.decode().strip() or None if raw is not None else None

    def live_ids(self) -> list[str]:
        """Ids of every dataset with a live pointer."""
        return sorted(o.key.removeprefix("live/") for o in self.objects.listing("live/"))

    def live_stamp(self) -> tuple[tuple[str, str], ...]:
        """(id, pointer ETag) of every live pointer, from one listing."""
        return tuple((o.key.removeprefix("live/"), o.etag) for o in self.objects.listing("live/"))

    def manifest(self, dataset_id: str, version: str) -> Manifest | None:
        """The manifest of a complete version, or None."""
        key = (dataset_id, version)
        cached = self._manifests.get(key)
        if cached is not None:
            return cached
        raw = self.objects.get(self.version_prefix(dataset_id, version) + MANIFEST_NAME)
        if raw is None:
            return None
        manifest = Manifest.model_validate_json(raw)
        with self._lock:
            self._manifests[key] = manifest
        return manifest

    def live_manifest(self, dataset_id: str) -> Manifest | None:
        """The manifest of the live version, or None."""
        version = self.live_version(dataset_id)
        return self.manifest(dataset_id, version) if version else None

    def versions(self, dataset_id: str, *, fresh: bool = False) -> list[str]:
        """Complete versions, oldest first (listing cached for a second)."""
        now = time.monotonic()
        cached = self._versions.get(dataset_id)
        if cached is not None and not fresh and now - cached[0] < VERSIONS_TTL:
            return cached[1]
        prefix = f"published/{dataset_id}/versions/"
        names = sorted({o.key[len(prefix):].split("/", 1)[0] for o in self.objects.listing(prefix)
                        if o.key.endswith("/" + MANIFEST_NAME)})
        self._versions[dataset_id] = (now, names)
        return names

    def blob(self, dataset_id: str, version: str, name: str) -> RemoteBlob:
        """A file of a version named in its manifest; NotFoundError otherwise."""
        manifest = self.manifest(dataset_id, version)
        if manifest is None:
            raise NotFoundError(f"dataset {dataset_id!r} has no version {version!r}")
        size = next((o.size for o in manifest.files if o.name == name), None)
        if size is None:
            raise NotFoundError(f"version {version} of {dataset_id!r} has no file {name!r}")
        return RemoteBlob(self.objects, self.version_prefix(dataset_id, version) + name, size,
                          name)

    # -- writing -----------------------------------------------------------------------
    def upload_version(self, dataset_id: str, version: str, folder: Path) -> None:
        """Upload every file of ``folder``, ``manifest.json`` last (it marks completeness)."""
        manifest = Manifest.read(folder)
        types = {o.name: o.media_type for o in manifest.outputs}
        prefix = self.version_prefix(dataset_id, version)
        files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST_NAME)
        for path in files:
            rel = path.relative_to(folder).as_posix()
            media = types.get(rel) or mimetypes.guess_type(rel)[0] or "application/octet-stream"
            self.objects.upload(prefix + rel, path, media)
        self.objects.upload(prefix + MANIFEST_NAME, folder / MANIFEST_NAME, "application/json")

    def has_version(self, dataset_id: str, version: str) -> bool:
        """Whether a complete copy of ``version`` is in object storage."""
        return self.objects.get(self.version_prefix(dataset_id, version) + MANIFEST_NAME) \
            is not None

    def set_live(self, dataset_id: str, version: str) -> None:
        """Write the live pointer (only ever to a complete version)."""
        if not self.has_version(dataset_id, version):
            raise PublishError(f"{dataset_id}: version {version} is not complete in "
                               f"{self.objects.url}; not switching to it")
        self.objects.put(f"live/{dataset_id}", version.encode(), "text/plain")

    def remove_version(self, dataset_id: str, version: str) -> None:
        """Delete one version's objects (the manifest first: it is incomplete from then on)."""
        prefix = self.version_prefix(dataset_id, version)
        keys = [o.key for o in self.objects.listing(prefix)]
        manifest = prefix + MANIFEST_NAME
        if manifest in keys:
            self.objects.delete([manifest])
        self.objects.delete([k for k in keys if k != manifest])
        with self._lock:
            self._manifests.pop((dataset_id, version), None)

    def stored_versions(self, dataset_id: str) -> list[str]:
        """Every version with any object (complete or not)."""
        prefix = f"published/{dataset_id}/versions/"
        return sorted({o.key[len(prefix):].split("/", 1)[0] for o in self.objects.listing(prefix)})
