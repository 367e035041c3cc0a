"""The per-thread COG readers are closed at worker exit, cleanly: a reader left to the end of
its thread (or to the interpreter's shutdown) printed rasterio's "No GDAL environment exists"
traceback into the server log."""

from __future__ import annotations

import gc
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from rasterio.transform import from_origin

from opengeodata.server.raster_render import Cog, ReaderCache


def _cog(tmp_path: Path) -> Cog:
    path = tmp_path / "small.tif"
    with rasterio.open(path, "w", driver="GTiff", width=16, height=16, count=1, dtype="uint8",
                       crs="EPSG:25832", transform=from_origin(548000, 5801000, 1, 1)) as dst:
        dst.write(np.full((1, 16, 16), 7, dtype="uint8"))
    return Cog("small", str(path), "0" * 64, "EPSG:25832")


def test_readers_of_ended_threads_close_without_tracebacks(tmp_path: Path) -> None:
    cog = _cog(tmp_path)
    cache = ReaderCache()
    raised: list[Any] = []
    saved = sys.unraisablehook
    sys.unraisablehook = raised.append
    try:
        values: list[int] = []
        together = threading.Barrier(3)

        def request() -> None:  # three request threads of a worker at once
            values.append(int(cache.get(cog).dataset.read(1)[0, 0]))
            together.wait(10)

        threads = [threading.Thread(target=request) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()  # ... that end before the worker exits
        gc.collect()
        assert values == [7, 7, 7]
        assert raised == []  # their readers outlive the threads (the cache holds them)
        assert len(cache._caches) == 3
        thread = threading.Thread(target=lambda: cache.get(cog))
        thread.start()  # a new thread closes the ended threads' readers (no growth)
        thread.join()
        assert len(cache._caches) == 1
        cache.close()  # the rest when the worker exits
        assert cache._caches == []
        gc.collect()
    finally:
        sys.unraisablehook = saved
    assert raised == [], [f"{u.exc_type.__name__}: {u.exc_value}" for u in raised]


def test_readers_of_a_cache_never_closed_are_collected_without_tracebacks(tmp_path: Path) -> None:
    """An app dropped without close() (in-process apps, a crashed worker): its readers are
    collected later in another thread, e.g. the interpreter's shutdown in the main thread."""
    cog = _cog(tmp_path)
    raised: list[Any] = []
    saved = sys.unraisablehook
    sys.unraisablehook = raised.append
    try:
        cache: ReaderCache | None = ReaderCache()
        got: list[int] = []

        def request() -> None:
            assert cache is not None
            got.append(int(cache.get(cog).dataset.read(1)[0, 0]))

        thread = threading.Thread(target=request)
        thread.start()
        thread.join()
        assert got == [7]
        cache = None  # never closed: the readers go with the garbage, in this thread
        gc.collect()
    finally:
        sys.unraisablehook = saved
    assert raised == [], [f"{u.exc_type.__name__}: {u.exc_value}" for u in raised]
