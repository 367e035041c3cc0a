"""bench_tiles (c): a bare WSGI app returning the same tile bytes from memory (the floor)."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

TILES: dict[str, bytes] = pickle.loads(Path(os.environ["BENCH_TILES_PICKLE"]).read_bytes())
HEADERS = [("Content-Type", "application/vnd.mapbox-vector-tile"),
           ("Content-Encoding", "gzip")]
NOT_FOUND = [("Content-Type", "text/plain")]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Look the path up in a dict and return the gzipped tile."""
    data = TILES.get(environ["PATH_INFO"])
    if data is None:
        start_response("404 Not Found", NOT_FOUND)
        return [b"not found"]
    start_response("200 OK", [*HEADERS, ("Content-Length", str(len(data)))])
    return [data]
