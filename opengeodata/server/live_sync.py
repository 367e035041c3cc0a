"""Publishes visible within seconds on every server: LISTEN/NOTIFY and the read-database gate.

Each worker process runs one daemon thread that ``LISTEN``s on ``ogd_live`` on the primary
(``OPENGEODATA_DATABASE_URL``: a hot standby cannot LISTEN) and marks the snapshot stale on
every notification; it reconnects with a short back-off when the database goes away. Polling
the live pointers once a second stays as the fallback. A snapshot only switches to the new
live versions once the read database (``OPENGEODATA_DATABASE_READ_URL``, else the primary) has
loaded all of them (:func:`read_database_has`).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg

from opengeodata.manifest import Manifest
from opengeodata.postgis import db

LOGGER = logging.getLogger(__name__)


def read_database_has(url: str, manifests: dict[str, Manifest]) -> bool:
    """True if every vector version in ``manifests`` is loaded in the database at ``url``."""
    wanted = {(m.dataset, m.version) for m in manifests.values()
              if m.layer and m.output("gpkg") is not None}
    if not wanted:
        return True
    try:
        with db.connect(url) as con:
            if not db.has_meta(con):
                return False
            have = set(con.execute(f"SELECT dataset, version FROM {db.META}.versions").fetchall())
    except psycopg.Error as exc:
        LOGGER.warning("read database unreachable while checking new versions: %s", exc)
        return False
    return wanted <= {(str(a), str(b)) for a, b in have}


class LiveListener:
    """One LISTEN thread per process; calls ``on_notify`` for every ``ogd_live`` message."""

    def __init__(self, url: str, on_notify: Callable[[], None]) -> None:
        self.url = url
        self.on_notify = on_notify
        self._pid = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.connected = threading.Event()

    def ensure_running(self) -> None:
        """Start the thread in this process (after a fork, the parent's thread is gone)."""
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            self.connected.clear()
            threading.Thread(target=self._run, name="ogd-live-listener", daemon=True).start()

    def stop(self) -> None:
        """Ask the thread to end (it checks between notifications, within a second)."""
        self._stop.set()

    def _run(self) -> None:
        delay = 0.2
        while not self._stop.is_set():
            try:
                with db.connect(self.url) as con:
                    con.execute(f"LISTEN {db.CHANNEL}")
                    self.connected.set()
                    self.on_notify()  # catch up with anything published while disconnected
                    delay = 0.2
                    while not self._stop.is_set():
                        for _note in con.notifies(timeout=1.0):
                            self.on_notify()
            except psycopg.Error as exc:
                # warn once per outage, then quietly keep retrying
                level = logging.WARNING if delay == 0.2 else logging.DEBUG
                self.connected.clear()
                LOGGER.log(level, "LISTEN %s: %s; retrying", db.CHANNEL,
                           str(exc).strip().splitlines()[0] if str(exc).strip() else exc)
                self._stop.wait(delay)
                delay = min(delay * 2, 5.0)


def lag_and_versions(url: str) -> dict[str, Any]:
    """Facts for ``/health`` about the read database; raises psycopg.Error if unreachable."""
    with db.connect(url, timeout=2) as con:
        con.execute("SET statement_timeout = 2000")
        started = time.monotonic()
        lag = db.replica_lag(con)
        live = db.live_versions(con)
        return {"replica_lag_seconds": None if lag is None else round(lag, 3),
                "replica": lag is not None, "live": live,
                "latency_ms": round((time.monotonic() - started) * 1000, 1)}
