"""Server state: the published model, its catalogue and the pygeoapi API, rebuilt on publish."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pygeoapi.api import API
from pygeoapi.openapi import get_oas

from opengeodata.catalogue.model import Catalogue
from opengeodata.declaration import DeclaredDataset, load_declaration
from opengeodata.errors import DeclarationError, OpenGeoDataError, StorageError
from opengeodata.manifest import Manifest
from opengeodata.published import Published
from opengeodata.published import build as build_published
from opengeodata.server import openapi_extra
from opengeodata.server.live_sync import LiveListener, read_database_has
from opengeodata.server.pygeoapi_config import build_config, load_base
from opengeodata.settings import Settings
from opengeodata.store import Store

RECHECK_SECONDS = 1.0
#: how soon to look again while the read database is behind the published files
RETRY_SECONDS = 0.1
LOGGER = logging.getLogger(__name__)
Stamp = tuple[tuple[str, str], ...]


def declaration_stamp(datasets_dir: Path) -> Stamp:
    """(file, mtime and size) of every dataset.yml: changes when a declaration is edited."""
    stamp = []
    for path in sorted(datasets_dir.glob("*/dataset.yml")):
        try:
            st = path.stat()
        except OSError:
            continue
        stamp.append((f"decl:{path.parent.name}", f"{st.st_mtime_ns}-{st.st_size}"))
    return tuple(stamp)


def load_declarations(datasets_dir: Path) -> dict[str, DeclaredDataset]:
    """Every valid declaration by id; a broken one is logged and skipped, never fatal.

    The data team may be editing a dataset.yml while the server runs: the other datasets
    stay served, and the edited one comes back as soon as it is valid again.
    """
    declared: dict[str, DeclaredDataset] = {}
    if not datasets_dir.is_dir():
        LOGGER.error("%s: datasets folder does not exist; serving no datasets", datasets_dir)
        return declared
    for path in sorted(datasets_dir.glob("*/dataset.yml")):
        try:
            dataset = load_declaration(path)
        except DeclarationError as exc:
            LOGGER.error("not serving %s: %s", path.parent.name, exc)
            continue
        declared[dataset.decl.id] = dataset
    return declared


@dataclass(frozen=True)
class Snapshot:
    """Everything the server knows about published data at one moment.

    ``published`` is the typed model every view reads; ``catalogue`` its records (built once);
    ``api`` the pygeoapi API over the configuration generated from ``published``.
    """

    stamp: Stamp
    published: Published
    catalogue: Catalogue
    api: API

    @property
    def datasets(self) -> Mapping[str, DeclaredDataset]:
        """Every valid declaration by id (also of datasets not published yet)."""
        return self.published.declarations

    @property
    def manifests(self) -> Mapping[str, Manifest]:
        """The live manifest of every published dataset by id."""
        return self.published.manifests


class ServerState:
    """Holds the current Snapshot; rebuilds it when a live pointer changes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = Store.from_settings(settings, serving=True)
        self.store.fetch_copies = not settings.read_database_url  # PostGIS: no GeoPackages
        self.base_url = settings.public_url()
        self._base = load_base(settings.config_dir)
        self._lock = threading.Lock()
        self._checked = 0.0
        self._stale = False
        self._closers: list[Callable[[], None]] = []
        self._listener: LiveListener | None = None
        if settings.database_url:
            self._listener = LiveListener(settings.database_url, self.mark_stale)
        self._snapshot: Snapshot | None = None
        self._failing: str | None = None  # why the last check failed (logged once)
        try:
            self._snapshot = self._build()
        except (OpenGeoDataError, OSError) as exc:  # e.g. the bucket listing failed
            self._failed(exc)

    def _build(self) -> Snapshot:
        stamp = self._stamp()
        declared = load_declarations(self.settings.datasets_dir)
        published = build_published(self.store, declared, self.base_url, self._base)
        catalogue = Catalogue.from_published(published)
        config = build_config(self._base, published, catalogue)
        openapi = openapi_extra.extend(get_oas(config, fail_on_invalid_collection=False),
                                       published)
        return Snapshot(stamp, published, catalogue, API(config, openapi))

    def _stamp(self) -> Stamp:
        return self.store.live_stamp() + declaration_stamp(self.settings.datasets_dir)

    def snapshot(self) -> Snapshot:
        """The current snapshot, rebuilt at most once a second if data was published.

        When the store or database cannot be read for a moment (a bucket listing fails), the
        last good snapshot keeps being served (a warning is logged, the check is repeated a
        second later); only a server that never had one answers 503 (the error raised).
        """
        if self._listener is not None:
            self._listener.ensure_running()
        now = time.monotonic()
        if self._due(now):
            with self._lock:
                if self._due(now):
                    self._refresh(now)
        if self._snapshot is None:
            raise StorageError(f"no published data could be read yet: {self._failing}; "
                               "retrying")
        return self._snapshot

    def _due(self, now: float) -> bool:
        """Whether to look at the live pointers now (without a snapshot: every 0.1 s)."""
        if self._snapshot is None:
            return now - self._checked >= RETRY_SECONDS
        return self._stale or now - self._checked >= RECHECK_SECONDS

    def _refresh(self, now: float) -> None:
        """Rebuild the snapshot if a live pointer changed (under the lock)."""
        self._checked, self._stale = now, False
        try:
            if self._snapshot is None or self._stamp() != self._snapshot.stamp:
                if self._read_database_ready():
                    self._snapshot = self._build()
                else:  # the replica has not replayed the new version yet: retry soon
                    self._checked = now - RECHECK_SECONDS + RETRY_SECONDS
                    return
        except (OpenGeoDataError, OSError) as exc:
            self._failed(exc)
            return
        if self._failing is not None:
            LOGGER.warning("published data readable again; serving the live versions")
            self._failing = None

    def _failed(self, exc: BaseException) -> None:
        """Note a failed check: warn once per outage, keep the last snapshot, retry later."""
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if self._failing is None:
            kept = ("keeping the last good snapshot" if self._snapshot is not None
                    else "no snapshot yet (503 until one is read)")
            LOGGER.warning("checking the published data failed: %s; %s, retrying every "
                           "%.0f s", reason, kept, RECHECK_SECONDS)
        self._failing = reason

    def on_close(self, closer: Callable[[], None]) -> None:
        """Run ``closer`` at :meth:`close` (open files, GDAL datasets of the views)."""
        self._closers.append(closer)

    def close(self) -> None:
        """At worker exit: stop the LISTEN thread, then release what views registered."""
        if self._listener is not None:
            self._listener.stop()
        for closer in reversed(self._closers):
            try:
                closer()
            except Exception as exc:
                LOGGER.warning("closing %s failed at exit: %s", closer, exc)

    def mark_stale(self) -> None:
        """Check the live pointers at the next request (a NOTIFY said something changed)."""
        self._stale = True

    def _read_database_ready(self) -> bool:
        """True unless PostGIS is configured and its read database lacks a live version."""
        url = self.settings.read_database_url
        if not url:
            return True
        manifests = {}
        for dataset_id in self.store.live_ids():
            manifest = self.store.live_manifest(dataset_id)
            if manifest is not None:
                manifests[dataset_id] = manifest
        return read_database_has(url, manifests)
