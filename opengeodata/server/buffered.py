"""A gunicorn worker whose connections never hold a thread while they trickle in or out.

gunicorn's ``sync`` and ``gthread`` workers read the request and write the response in the
worker thread itself: 3-4 clients sending their headers slowly, or 8 clients reading a COG
slowly, occupy every thread and stall the server (gunicorn's own docs ask for a buffering
proxy in front). This worker keeps gunicorn as the process manager (forking, restarts,
timeouts, signals, ``OPENGEODATA_WORKERS``) and serves each process's connections with
waitress's event loop, which buffers:

- a request reaches a worker thread only when its headers and body are complete (a slow
  sender costs a socket and a buffer, no thread);
- a response is handed to the event loop: files sent with ``wsgi.file_wrapper`` (downloads,
  ``send_file``) are streamed from disk by the loop, other bodies are buffered (spilling to a
  temporary file above 1 MiB), so a slow reader costs no thread either;
- ``OPENGEODATA_THREADS`` threads per process run the app.

Idle connections are closed after ``CHANNEL_TIMEOUT`` seconds.
"""

from __future__ import annotations

import os
import time
from typing import Any

from gunicorn.workers.base import Worker

#: seconds without any byte in or out before a connection is closed
CHANNEL_TIMEOUT = 60
#: connections one process keeps open at once (waitress pauses accepting beyond)
CONNECTION_LIMIT = 1000
#: request line plus headers
MAX_HEADER_BYTES = 64 << 10


def waitress_options(threads: int, max_body: int) -> dict[str, Any]:
    """waitress's adjustments for one worker process."""
    return {
        "threads": threads,
        "channel_timeout": CHANNEL_TIMEOUT,
        "connection_limit": CONNECTION_LIMIT,
        "max_request_header_size": MAX_HEADER_BYTES,
        # a backstop only: the app answers bodies above OPENGEODATA_MAX_BODY_BYTES with a
        # JSON 413 naming the setting; waitress refuses far bigger ones before buffering them
        "max_request_body_size": max(16 << 20, 4 * max_body),
        "ident": "opengeodata",
        "asyncore_use_poll": True,
        "expose_tracebacks": False,
        "clear_untrusted_proxy_headers": True,
    }


class BufferedWorker(Worker):
    """gunicorn worker: waitress's buffering event loop on gunicorn's listening sockets."""

    #: set by ``opengeodata.server.wsgi`` before gunicorn forks
    max_body = 1 << 20

    def run(self) -> None:
        """Serve until gunicorn asks the worker to stop (or its parent goes away)."""
        from waitress import wasyncore
        from waitress.server import create_server

        options = waitress_options(max(1, self.cfg.threads), self.max_body)
        server: Any = create_server(self.wsgi, sockets=[s.sock for s in self.sockets],
                                    **options)
        mapping = getattr(server, "map", None) or server._map
        beat = 0.0
        try:
            while self.alive:
                now = time.monotonic()
                if now - beat >= 1.0:
                    self.notify()  # gunicorn's heartbeat: a stuck loop gets the worker restarted
                    beat = now
                if self.ppid != os.getppid():
                    break
                wasyncore.loop(timeout=0.5, map=mapping, use_poll=True, count=1)
        finally:
            server.task_dispatcher.shutdown()
            wasyncore.close_all(mapping)
