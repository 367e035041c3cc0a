"""Server state: declarations, published manifests and the pygeoapi API, rebuilt on publish."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from pygeoapi.api import API
from pygeoapi.openapi import get_oas

from opengeodata.declaration import DeclaredDataset, load_all
from opengeodata.manifest import Manifest
from opengeodata.server import openapi_extra
from opengeodata.server.pygeoapi_config import FEATURE_PROVIDER, build_config, load_base
from opengeodata.settings import Settings
from opengeodata.store import Store

RECHECK_SECONDS = 1.0


@dataclass(frozen=True)
class Snapshot:
    """Everything the server knows about published data at one moment."""

    stamp: tuple[tuple[str, str], ...]
    datasets: dict[str, DeclaredDataset]
    manifests: dict[str, Manifest]
    config: dict[str, Any]
    api: API


class ServerState:
    """Holds the current Snapshot; rebuilds it when a live pointer changes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = Store(settings.data_dir)
        self.base_url = settings.public_url()
        self._base = load_base(settings.config_dir)
        self._lock = threading.Lock()
        self._checked = 0.0
        self._snapshot = self._build()

    def _build(self) -> Snapshot:
        stamp = self.store.live_stamp()
        declared = {d.decl.id: d for d in load_all(self.settings.datasets_dir)}
        manifests = {}
        for dataset_id in declared:
            manifest = self.store.live_manifest(dataset_id)
            if manifest is not None:
                manifests[dataset_id] = manifest
        config = build_config(self._base, self.base_url, self.store, list(declared.values()))
        features = [i for i, r in config["resources"].items()
                    if any(p.get("name") == FEATURE_PROVIDER for p in r.get("providers", []))]
        openapi = openapi_extra.extend(get_oas(config, fail_on_invalid_collection=False),
                                       manifests, features)
        return Snapshot(stamp, declared, manifests, config, API(config, openapi))

    def snapshot(self) -> Snapshot:
        """The current snapshot, rebuilt at most once a second if data was published."""
        now = time.monotonic()
        if now - self._checked >= RECHECK_SECONDS:
            with self._lock:
                self._checked = now
                if self.store.live_stamp() != self._snapshot.stamp:
                    self._snapshot = self._build()
        return self._snapshot
