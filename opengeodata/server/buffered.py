"""A gunicorn worker whose connections never hold a thread while they trickle in or out.

gunicorn's ``sync`` and ``gthread`` workers read the request and write the response in the
worker thread itself: 3-4 clients sending their headers slowly, or 8 clients reading a COG
slowly, occupy every thread and stall the server (gunicorn's own docs ask for a buffering
proxy in front). This worker keeps gunicorn as the process manager (forking, restarts,
timeouts, signals, ``max_requests``, the access log, ``pre_request``/``post_request``,
``OPENGEODATA_WORKERS``) and serves each process's connections with waitress's event loop,
which buffers:

- a request reaches a worker thread only when its headers and body are complete (a slow
  sender costs a socket and a buffer, no thread);
- the app thread sends the response itself with one non-blocking ``send`` (headers and body
  together); what the socket does not take at once stays in the channel's buffer and the
  event loop sends it as the client reads: files sent with ``wsgi.file_wrapper`` (downloads,
  ``send_file``) are streamed from disk by the loop, other bodies are buffered (spilling to a
  temporary file above 1 MiB), so a slow reader costs no thread either;
- ``OPENGEODATA_THREADS`` threads per process run the app.

Two things are changed in waitress's channel, both for speed (see ``python -m bench
workers``): while an app thread is inside ``send`` the loop does not treat the channel as
writable (waitress's loop spun on ``poll`` until the send returned, taking the GIL from the
sending thread for up to the 5 ms switch interval per request), and the status line and
headers go out in the same ``send`` as the first body chunk.

Keep-alive connections are spread evenly over the worker processes (:class:`ConnectionBoard`),
a stopping worker finishes the requests under way (``graceful_timeout``), and idle connections
are closed after ``CHANNEL_TIMEOUT`` seconds.
"""

from __future__ import annotations

import mmap
import os
import socket
import struct
import time
from datetime import timedelta
from typing import Any

from gunicorn.workers.base import Worker
from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer, UnixWSGIServer
from waitress.task import ThreadedTaskDispatcher, WSGITask

#: seconds without any byte in or out before a connection is closed
CHANNEL_TIMEOUT = 60
#: connections one process keeps open at once (waitress pauses accepting beyond)
CONNECTION_LIMIT = 1000
#: request line plus headers
MAX_HEADER_BYTES = 64 << 10
#: a first body chunk up to this size is sent in one piece with the headers
COALESCE_BYTES = 256 << 10


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


class RequestInfo:
    """The request as gunicorn's access log and ``pre_request``/``post_request`` hooks see it
    (the attributes of ``gunicorn.http.Request`` they use)."""

    def __init__(self, request: Any) -> None:
        self.method: str = request.command
        self.uri: str = request.request_uri
        self.path: str = request.path
        self.query: str = request.query
        self.version: tuple[int, int] = (1, 1) if request.version == "1.1" else (1, 0)
        # waitress keys are upper case with "_" for "-" (it drops names that contain "_")
        self.headers: list[tuple[str, str]] = [(k.replace("_", "-"), v)
                                               for k, v in request.headers.items()]


class ResponseInfo:
    """The response as gunicorn's access log and ``post_request`` hook see it."""

    def __init__(self, status: str, headers: list[tuple[str, str]], sent: int) -> None:
        self.status = status
        self.status_code = int(status.split(None, 1)[0])
        self.headers = headers
        self.sent = sent
        self.response_length = sent


class BufferedTask(WSGITask):
    """waitress's WSGI task plus gunicorn's per-request duties (access log, hooks,
    ``max_requests``), sending the headers with the first body chunk."""

    body_bytes = 0
    wrote_header: bool = False

    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        environ.setdefault("RAW_URI", self.request.request_uri)  # as gunicorn sets it
        return environ

    def write(self, data: bytes) -> None:
        if data:
            self.body_bytes += len(data)
        if not self.wrote_header:
            worker: BufferedWorker | None = getattr(self.channel.server, "worker", None)
            if worker is not None and not worker.alive:
                self.set_close_on_finish()  # the worker is stopping: "Connection: close"
        if self.wrote_header or not self.complete or not data:
            super().write(data)
            return
        head = self.build_response_header()
        self.wrote_header = True
        cl = self.content_length
        if (not self.has_body or self.chunked_response or cl is None or len(data) > cl
                or len(data) > COALESCE_BYTES):
            self.channel.write_soon(head)
            super().write(data)
            return
        self.content_bytes_written += len(data)
        self.channel.write_soon(head + data)

    def execute(self) -> None:
        super().execute()
        if (not self.body_bytes and self.content_length and self.has_body
                and self.request.command != "HEAD"):
            self.body_bytes = self.content_length  # a wsgi.file_wrapper body, sent by the loop

    def service(self) -> None:
        worker: BufferedWorker | None = getattr(self.channel.server, "worker", None)
        if worker is None:
            super().service()
            return
        req = RequestInfo(self.request)
        worker.nr += 1
        if worker.nr >= worker.max_requests and worker.alive:
            worker.log.info("Autorestarting worker after current request.")
            worker.alive = False
        worker.cfg.pre_request(worker, req)
        started = time.monotonic()
        ok = False
        try:
            super().service()
            ok = True
        finally:
            worker.request_done(self, req, ok, time.monotonic() - started)


class BufferedChannel(HTTPChannel):
    """waitress's channel; not writable for the loop while an app thread is sending."""

    task_class = BufferedTask
    #: an app thread (or the loop) is inside ``_flush_some``
    flushing = False

    def writable(self) -> bool:
        return bool((self.total_outbufs_len and not self.flushing) or self.will_close
                    or self.close_when_flushed)

    def _flush_some(self, do_close: bool = True) -> bool:
        self.flushing = True
        try:
            return bool(super()._flush_some(do_close=do_close))
        finally:
            self.flushing = False


class _Accepting:
    """Accept only while the worker's :class:`ConnectionBoard` says so; tell it at once."""

    worker: BufferedWorker | None = None

    def handle_accept(self) -> None:
        super().handle_accept()  # type: ignore[misc]
        worker = self.worker
        if worker is not None and worker.board is not None:
            worker.board.publish(worker.connections(), time.monotonic())

    def readable(self) -> bool:
        ready = bool(super().readable())  # type: ignore[misc]
        worker = self.worker
        if worker is not None and worker.board is not None:
            worker.deferring = ready and not worker.board.may_accept(worker.connections(),
                                                                     time.monotonic())
            ready = ready and not worker.deferring
        return ready


class BufferedTcpServer(_Accepting, TcpWSGIServer):
    """waitress's TCP server with :class:`BufferedChannel` connections."""

    channel_class = BufferedChannel


class BufferedUnixServer(_Accepting, UnixWSGIServer):
    """waitress's Unix socket server with :class:`BufferedChannel` connections."""

    channel_class = BufferedChannel


class ConnectionBoard:
    """Open connections per worker process, in memory that gunicorn's master shares with the
    workers it forks.

    gunicorn's workers all accept from one listening socket, and the first to wake takes
    what is queued: 8 keep-alive clients starting together often all landed in one process
    (one core for all of them, the other idle). A worker accepts only while no live worker
    has fewer open connections (ties accept; entries of workers that stopped updating for
    ``STALE`` seconds, or whose process is gone, are ignored), so the fewest-connections
    worker always accepts and nobody waits long for a dead or stuck one (a loop that cannot
    get the GIL while a C extension holds it goes stale within ``STALE``: the others then
    accept as without the board). A worker that holds back polls again after ``DEFER``
    seconds; every worker's loop wakes at least every ``BEAT`` seconds to stay fresh.
    """

    SLOTS = 32
    #: seconds without an update after which a worker's entry is ignored
    STALE = 0.3
    #: longest poll of a worker's loop while the board is in use (its entry's heartbeat)
    BEAT = 0.05
    #: seconds the other workers' counts are reused before the board is read again
    REFRESH = 0.005
    #: poll timeout of a worker that holds back (the others may have overtaken it meanwhile)
    DEFER = 0.02
    _ENTRY = struct.Struct("qqd")  # pid, open connections, time.monotonic() of the update
    _ALL = struct.Struct("qqd" * SLOTS)

    def __init__(self) -> None:
        self.mem = mmap.mmap(-1, self._ALL.size)
        self.slot = 0
        self._published = (-1, 0.0)
        self._others: int | None = None
        self._read_at = -1.0

    def join(self, age: int) -> None:
        """Take the slot of the worker of this ``age`` (gunicorn counts them up)."""
        self.slot = age % self.SLOTS
        self._published = (-1, 0.0)

    def publish(self, count: int, now: float, pid: int | None = None) -> None:
        """This worker's open connections (written when they change, or every ``BEAT``)."""
        last, at = self._published
        if count != last or now - at >= self.BEAT:
            self._ENTRY.pack_into(self.mem, self.slot * self._ENTRY.size, pid or os.getpid(),
                                  count, now)
            self._published = (count, now)

    def leave(self) -> None:
        """This worker stops accepting (or exits): the others no longer wait for it."""
        self._ENTRY.pack_into(self.mem, self.slot * self._ENTRY.size, 0, 0, 0.0)
        self._published = (-1, 0.0)

    def fewest_elsewhere(self, now: float) -> int | None:
        """Fewest open connections of another live worker (None: no other worker)."""
        if now - self._read_at < self.REFRESH:
            return self._others
        values = self._ALL.unpack_from(self.mem)
        others = sorted((values[k + 1], values[k]) for k in range(0, len(values), 3)
                        if values[k] and k != 3 * self.slot and now - values[k + 2] < self.STALE)
        self._others = next((count for count, pid in others if _alive(pid)), None)
        self._read_at = now
        return self._others

    def may_accept(self, count: int, now: float) -> bool:
        """Whether a worker with ``count`` open connections should accept now."""
        others = self.fewest_elsewhere(now)
        return others is None or count <= others


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def create_servers(app: Any, sockets: list[socket.socket], options: dict[str, Any],
                   worker: BufferedWorker | None = None
                   ) -> tuple[dict[int, Any], ThreadedTaskDispatcher]:
    """One buffered waitress server per listening socket, sharing a socket map and threads."""
    adj = Adjustments(sockets=sockets, **options)
    mapping: dict[int, Any] = {}
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    for sock in sockets:
        cls = BufferedUnixServer if sock.family == socket.AF_UNIX else BufferedTcpServer
        server = cls(app, mapping, True, sock, dispatcher=dispatcher, adj=adj,
                     bind_socket=False,
                     sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()))
        server.worker = worker
    return mapping, dispatcher


class BufferedWorker(Worker):
    """gunicorn worker: waitress's buffering event loop on gunicorn's listening sockets."""

    #: set by ``opengeodata.server.wsgi`` before gunicorn forks
    max_body = 1 << 20
    #: made by gunicorn's master (``check_config``) before it forks the workers
    board: ConnectionBoard | None = None
    #: the board kept this worker from accepting: poll again soon
    deferring = False
    alive: bool
    servers: list[Any]

    @classmethod
    def check_config(cls, cfg: Any, log: Any) -> None:
        """In gunicorn's master, before the workers are forked: the shared board."""
        if cls.board is None:
            cls.board = ConnectionBoard()

    def connections(self) -> int:
        """This process's open connections."""
        return sum(len(server.active_channels) for server in self.servers)

    def request_done(self, task: BufferedTask, req: RequestInfo, ok: bool,
                     seconds: float) -> None:
        """gunicorn's duties after a request: access log and ``post_request``."""
        status = task.status if ok or task.wrote_header else "500 Internal Server Error"
        resp = ResponseInfo(status, task.response_headers, task.body_bytes)
        environ = task.environ or {}
        if environ:
            self.log.access(resp, req, environ, timedelta(seconds=seconds))
        try:
            self.cfg.post_request(self, req, environ, resp)
        except Exception:
            self.log.exception("Exception in post_request hook")

    def run(self) -> None:
        """Serve until gunicorn asks the worker to stop (or its parent goes away)."""
        options = waitress_options(max(1, self.cfg.threads), self.max_body)
        mapping, dispatcher = create_servers(self.wsgi, [s.sock for s in self.sockets],
                                             options, worker=self)
        self.servers = [o for o in mapping.values() if isinstance(o, _Accepting)]
        board = self.board
        if board is not None:
            board.join(self.age)
        beat = 0.0
        try:
            while self.alive:
                now = time.monotonic()
                if now - beat >= 1.0:
                    self.notify()  # gunicorn's heartbeat: a stuck loop gets the worker restarted
                    beat = now
                if self.ppid != os.getppid():
                    break
                if board is not None:
                    board.publish(self.connections(), now)
                timeout = (ConnectionBoard.DEFER if self.deferring else
                           ConnectionBoard.BEAT if board is not None else 0.5)
                wasyncore.loop(timeout=timeout, map=mapping, use_poll=True, count=1)
            else:
                self.drain(mapping)
        finally:
            if board is not None:
                board.leave()
            dispatcher.shutdown()
            wasyncore.close_all(mapping)

    def drain(self, mapping: dict[int, Any]) -> None:
        """Stop accepting and finish the requests under way (their answers say ``Connection:
        close``), for at most gunicorn's ``graceful_timeout``; idle connections are closed."""
        if self.board is not None:
            self.board.leave()
        for server in self.servers:
            server.accepting = False  # the listening sockets are left to the other workers
        started = time.monotonic()
        deadline = started + self.cfg.graceful_timeout
        while (now := time.monotonic()) < deadline and any(
                busy(obj, patient=now - started < 1.0) for obj in list(mapping.values())):
            self.notify()
            wasyncore.loop(timeout=0.05, map=mapping, use_poll=True, count=1)


def busy(obj: Any, patient: bool = True) -> bool:
    """A connection with a request under way or bytes to send; while ``patient`` also one just
    accepted or in the middle of sending its request (a trickling client holds up a stopping
    worker for a second at most)."""
    if not isinstance(obj, HTTPChannel):
        return False
    if obj.requests or obj.total_outbufs_len:
        return True
    quiet = time.time() - obj.last_activity
    return patient and quiet < 0.5 and (obj.last_activity == obj.creation_time
                                        or obj.request is not None)
