"""A private, writable copy of the session's published data for download tests."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from opengeodata.manifest import MANIFEST_NAME, Manifest, OutputFile
from opengeodata.settings import Settings
from opengeodata.store import Store


def private_copy(published: Settings, tmp: Path) -> Settings:
    """Copy published data (symlinks kept) and declarations into ``tmp``."""
    shutil.copytree(published.data_dir / "published", tmp / "data" / "published", symlinks=True)
    shutil.copytree(published.datasets_dir, tmp / "datasets")
    return published.model_copy(update={"data_dir": tmp / "data", "datasets_dir": tmp / "datasets"})


def add_output(store: Store, dataset_id: str, out: OutputFile) -> None:
    """Append ``out`` to the live manifest (the file itself is the caller's business)."""
    folder = store.live_dir(dataset_id)
    assert folder is not None
    manifest = Manifest.read(folder)
    manifest.outputs.append(out)
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest.model_dump(mode="json")))


def publish_changed_version(store: Store, dataset_id: str, version: str, name: str,
                            content: bytes) -> Manifest:
    """Publish a copy of the live version with file ``name`` replaced by ``content``."""
    live = store.live_dir(dataset_id)
    assert live is not None
    with store.staging(dataset_id) as staging:
        shutil.copytree(live, staging, dirs_exist_ok=True)
        (staging / name).write_bytes(content)
        manifest = Manifest.read(staging)
        outputs = [
            o.model_copy(update={"size": len(content),
                                 "sha256": hashlib.sha256(content).hexdigest()})
            if o.name == name else o for o in manifest.outputs
        ]
        manifest = manifest.model_copy(update={"version": version, "outputs": outputs})
        manifest.write(staging)
        store.commit(dataset_id, staging, version)
    return manifest
