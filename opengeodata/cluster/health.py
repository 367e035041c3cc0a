"""The health watcher: polls every replica's ``/health`` and keeps nginx's upstream in line.

A replica that answers anything but 200 (503 when its read database is unreachable), or
does not answer within a second, is marked ``down`` in nginx's ``upstream.conf`` and nginx is
reloaded gracefully; when it is healthy again it is put back. Requests in flight are never
cut: nginx's own failover (``proxy_next_upstream``) covers the seconds in between.
"""

from __future__ import annotations

import http.client
import signal
import time
from pathlib import Path
from types import FrameType

from opengeodata.cluster import nginx

INTERVAL = 0.5


def healthy(port: int, timeout: float = 1.0) -> bool:
    """Whether the replica on ``port`` answers ``GET /health`` with 200."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/health", headers={"Accept": "application/json"})
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def watch(nginx_root: Path, replicas: list[int], *, interval: float = INTERVAL,
          rounds: int | None = None) -> None:
    """Poll forever (or ``rounds`` times), marking unhealthy replicas down in nginx."""
    stopping = False

    def _stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    down: set[int] | None = None
    n = 0
    while not stopping and (rounds is None or n < rounds):
        now_down = {p for p in replicas if not healthy(p)}
        if now_down != down:
            nginx.set_down(nginx_root, replicas, now_down)
            print(f"{time.strftime('%H:%M:%S')} healthy: "
                  f"{sorted(set(replicas) - now_down)}, down: {sorted(now_down)}", flush=True)
            down = now_down
        n += 1
        time.sleep(interval)
