"""A small thread-safe least-recently-used cache (feature counts, edge-band id lists)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable


class LruCache[V]:
    """At most ``size`` entries; the least recently used one is dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def lookup(self, key: Hashable) -> tuple[bool, V | None]:
        """(True, value) for a cached key (values may be None), else (False, None)."""
        with self._lock:
            if key not in self._items:
                return False, None
            self._items.move_to_end(key)
            return True, self._items[key]

    def put(self, key: Hashable, value: V) -> None:
        """Cache ``value`` under ``key``."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
