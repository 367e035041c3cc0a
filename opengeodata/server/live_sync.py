"""Publishes visible within seconds on every server: LISTEN/NOTIFY and the read-database gate.

Each worker process runs one daemon thread that ``LISTEN``s on ``ogd_live`` on the primary
(``OPENGEODATA_DATABASE_URL``: a hot standby cannot LISTEN) and marks the snapshot stale on
every notification; it reconnects with a short back-off when the database goes away. Polling
the live pointers once a second stays as the fallback. A snapshot only switches to the new
live versions once the read database (``OPENGEODATA_DATABASE_READ_URL``, else the primary) has
loaded all of them (:func:`read_database_has`).
"""

from __future__ import annotations

import atexit
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
    """One LISTEN thread per process; calls ``on_notify`` for every ``ogd_live`` message.

    :meth:`stop` ends the thread and waits for it (within ``POLL_SECONDS``); it also runs at
    the exit of every process that started one (a gunicorn worker's normal exit), so no
    thread is cut off in the middle of a database call while the interpreter shuts down.
    """

    #: how often the thread looks at the stop flag while no notification arrives
    POLL_SECONDS = 0.25

    def __init__(self, url: str, on_notify: Callable[[], None]) -> None:
        self.url = url
        self.on_notify = on_notify
        self._pid = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()

    def ensure_running(self) -> None:
        """Start the thread in this process (after a fork, the parent's thread is gone)."""
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid() or self._stop.is_set():
                return
            self._pid = os.getpid()
            self.connected.clear()
            self._thread = threading.Thread(target=self._run, name="ogd-live-listener",
                                            daemon=True)
            self._thread.start()
            atexit.register(self.stop)

    @property
    def running(self) -> bool:
        """Whether this process's thread is alive."""
        thread = self._thread
        return thread is not None and self._pid == os.getpid() and thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread and wait for it (it closes its connection on the way out)."""
        self._stop.set()
        thread = self._thread
        if (thread is None or self._pid != os.getpid() or not thread.is_alive()
                or thread is threading.current_thread()):
            return
        thread.join(timeout)
        if thread.is_alive():
            LOGGER.warning("LISTEN %s: the listener thread did not stop within %.0f s",
                           db.CHANNEL, timeout)
        else:
            LOGGER.info("LISTEN %s: stopped", db.CHANNEL)

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
                        for _note in con.notifies(timeout=self.POLL_SECONDS):
                            self.on_notify()
            except psycopg.Error as exc:
                self.connected.clear()
                if self._stop.is_set():
                    break  # the connection went away because we are stopping
                # warn once per outage, then quietly keep retrying
                level = logging.WARNING if delay == 0.2 else logging.DEBUG
                LOGGER.log(level, "LISTEN %s: %s; retrying", db.CHANNEL,
                           str(exc).strip().splitlines()[0] if str(exc).strip() else exc)
                self._stop.wait(delay)
                delay = min(delay * 2, 5.0)
        self.connected.clear()


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
