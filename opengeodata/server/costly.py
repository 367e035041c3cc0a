"""Costly requests cannot occupy every worker: a per-process gate with a few slots.

A coverage render or a result download (``f=csv/fgb/gpkg`` of all matches) costs seconds of
CPU and tens of MB; a tile or a page of features costs milliseconds. Each worker process runs
at most ``OPENGEODATA_COSTLY_REQUESTS`` costly requests at once (default 1, so with the default
two threads one thread always stays free for cheap requests); one more is answered at once with
``503`` and ``Retry-After`` instead of queueing behind the others and holding a thread.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from opengeodata.errors import ServerBusyError


class Gate:
    """A bounded number of costly requests per process; more get ``ServerBusyError``."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._free = threading.BoundedSemaphore(slots)

    def _acquire(self, what: str) -> None:
        if not self._free.acquire(blocking=False):
            raise ServerBusyError(
                f"{what}: this server process is already running {self.slots} costly "
                "request(s) (OPENGEODATA_COSTLY_REQUESTS); retry in a few seconds, or ask for "
                "less (a smaller bbox, scale-size, or limit)")

    @contextmanager
    def slot(self, what: str) -> Iterator[None]:
        """Hold a slot while the block runs (``ServerBusyError`` if none is free)."""
        self._acquire(what)
        try:
            yield
        finally:
            self._free.release()

    def stream(self, what: str, body: Iterable[bytes]) -> Iterable[bytes]:
        """Hold a slot (taken now) until the streamed ``body`` is exhausted or closed."""
        self._acquire(what)
        return _Held(body, self._free)


class _Held:
    """An iterable body that releases its slot once, when exhausted or closed."""

    def __init__(self, body: Iterable[bytes], free: threading.BoundedSemaphore) -> None:
        self._body = iter(body)
        self._free: threading.BoundedSemaphore | None = free

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._body)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Release the slot (idempotent) and close the wrapped body."""
        close = getattr(self._body, "close", None)
        try:
            if close is not None:
                close()
        finally:
            if self._free is not None:
                self._free.release()
                self._free = None
