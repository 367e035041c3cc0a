"""The `buffered` gunicorn worker: gunicorn's access log settings, max_requests, the event
loop's cost per request (no poll spin while an app thread sends, one send per small answer) and
keep-alive connections spread over the worker processes.

Slow-client protection is tested against a running server in test_hardening.py."""

from __future__ import annotations

import collections
import http.client
import os
import shlex
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from waitress import wasyncore

from opengeodata.server import buffered
from opengeodata.settings import Settings
from opengeodata.store import Store
from tests.conftest import serving

LOG_FORMAT = "%(m)s %(U)s %(q)s %(s)s %(b)s %({x-probe}i)s %({content-type}o)s %(H)s"


def _request(base: str, method: str, path: str,
             headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


@pytest.mark.parametrize("worker_class", ["buffered", "gthread"])
def test_access_log_follows_gunicorns_settings(published: Settings, tmp_path: Path,
                                               worker_class: str) -> None:
    """`--access-logfile` and `--access-logformat` (GUNICORN_CMD_ARGS) give the same lines for
    both worker classes: JSON, a file download (sent by the loop), HEAD, 404."""
    live = Store(published.data_dir).live_dir("stadtbezirke")
    assert live is not None
    gpkg = f"/downloads/stadtbezirke/{(live / 'stadtbezirke.gpkg').name}"
    log = tmp_path / "access.log"
    env = {"OPENGEODATA_WORKER_CLASS": worker_class,
           "GUNICORN_CMD_ARGS": f"--access-logfile {log} "
                                f"--access-logformat {shlex.quote(LOG_FORMAT)}"}
    expected: list[str] = []
    statuses: list[int] = []
    with serving(published, workers=1, env=env) as base:
        for method, path, probe in [
                ("GET", "/collections/stadtbezirke/items?limit=1&f=json", "probe-one"),
                ("GET", gpkg, "probe-two"), ("HEAD", gpkg, "probe-three"),
                ("GET", "/collections/nope?f=json", "probe-four")]:
            status, headers, body = _request(base, method, path, {"X-Probe": probe})
            statuses.append(status)
            p, _, q = path.partition("?")
            # gunicorn's gthread counts no bytes for a file it sends with sendfile()
            size = 0 if worker_class == "gthread" and method == "GET" and p == gpkg else len(body)
            expected.append(f"{method} {p} {q} {status} {size} {probe} "
                            f"{headers.get('content-type', '-')} HTTP/1.1")
    lines = [line for line in log.read_text().splitlines() if " probe-" in line]
    assert statuses == [200, 200, 200, 404]
    if worker_class == "buffered":
        assert f" 200 {(live / 'stadtbezirke.gpkg').stat().st_size} probe-two " in expected[1]
    assert sorted(lines) == sorted(expected)  # written after the answer: any order


def test_max_requests_restarts_the_worker(published: Settings, tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    env = {"GUNICORN_CMD_ARGS": f"--max-requests 3 --access-logfile {log} "
                                "--access-logformat '%(p)s %(s)s'"}
    with serving(published, workers=1, env=env) as base:
        statuses = [_request(base, "GET", "/collections?f=json")[0] for _ in range(10)]
    assert statuses == [200] * 10
    pids = {line.split()[0] for line in log.read_text().splitlines()}
    assert len(pids) >= 3, pids  # a new worker after every 3 requests


BODY = b"x" * 20_000


def _app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    size = int(environ.get("QUERY_STRING") or len(BODY))
    start_response("200 OK", [("Content-Type", "application/octet-stream"),
                              ("Content-Length", str(size))])
    return [BODY[:size]]


@contextmanager
def _loop(counts: dict[str, int]) -> Iterator[int]:
    """The buffered servers on a free port, their loop in a thread counting iterations."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.setblocking(False)
    mapping, dispatcher = buffered.create_servers(_app, [listener],
                                                  buffered.waitress_options(2, 1 << 20))
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            wasyncore.loop(timeout=0.2, map=mapping, use_poll=True, count=1)
            counts["iterations"] += 1

    thread = threading.Thread(target=run)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join()
        dispatcher.shutdown()
        wasyncore.close_all(mapping)


def _clients(port: int, n_clients: int, n_requests: int, query: str = "") -> None:
    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(n_requests):
            conn.request("GET", f"/?{query}")
            resp = conn.getresponse()
            assert resp.status == 200 and resp.read() == BODY[:int(query or len(BODY))]
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(n_clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_the_loop_does_not_spin_while_an_app_thread_sends() -> None:
    """waitress's loop polled a channel as writable while its app thread was inside `send`
    and spun (15-20 iterations per request here, each taking the GIL from the sender)."""
    counts = {"iterations": 0}
    with _loop(counts) as port:
        _clients(port, 4, 100)
    assert counts["iterations"] < 3 * 400, counts


def test_headers_and_a_small_body_go_out_in_one_send(monkeypatch: pytest.MonkeyPatch) -> None:
    sends: list[int] = []
    original = buffered.BufferedChannel.send

    def counting_send(self: buffered.BufferedChannel, data: bytes, do_close: bool = True) -> int:
        sent = int(original(self, data, do_close=do_close))
        sends.append(sent)
        return sent

    monkeypatch.setattr(buffered.BufferedChannel, "send", counting_send)
    with _loop({"iterations": 0}) as port:
        _clients(port, 1, 20, query="1500")
    assert len(sends) == 20 and all(n > 1500 for n in sends), sends



def _boards(n: int) -> list[buffered.ConnectionBoard]:
    """``n`` workers' views of one board (as forked workers share it)."""
    first = buffered.ConnectionBoard()
    views = [first]
    for _ in range(n - 1):
        view = buffered.ConnectionBoard()
        view.mem = first.mem
        views.append(view)
    for age, view in enumerate(views, start=1):
        view.join(age)
    return views


def test_a_worker_accepts_only_while_no_live_worker_has_fewer_connections() -> None:
    a, b = _boards(2)
    now = time.monotonic()
    assert a.may_accept(5, now)  # nobody else has published yet
    a.publish(3, now)
    b.publish(2, now)
    later = now + 1.5 * buffered.ConnectionBoard.REFRESH
    assert not a.may_accept(3, later) and b.may_accept(2, later)
    a.publish(2, later)
    latest = later + 1.5 * buffered.ConnectionBoard.REFRESH
    assert a.may_accept(2, latest) and b.may_accept(2, latest)  # ties accept
    b.leave()
    assert a.may_accept(9, latest + 1.5 * buffered.ConnectionBoard.REFRESH)


def test_stale_or_dead_workers_do_not_hold_up_accepting() -> None:
    a, b = _boards(2)
    now = time.monotonic()
    b.publish(0, now - 2 * buffered.ConnectionBoard.STALE)  # stopped updating
    assert a.may_accept(4, now)
    child = subprocess.Popen(["true"])
    child.wait()
    a2, b2 = _boards(2)
    b2.publish(0, now, pid=child.pid)  # its process is gone
    assert a2.may_accept(4, now)


def _burst(host: str, port: int, tag: str) -> None:
    """8 keep-alive connections opened together, then one request on each."""
    conns = [http.client.HTTPConnection(host, port, timeout=30) for _ in range(8)]
    for conn in conns:
        conn.connect()
    time.sleep(0.2)
    for i, conn in enumerate(conns):
        conn.request("GET", f"/collections?f=json&{tag}={i}")
    for conn in conns:
        assert conn.getresponse().read()
        conn.close()


def _pids(log: Path, tag: str) -> list[str]:
    return [line.split()[0] for line in log.read_text().splitlines() if f"{tag}=" in line]


def test_two_workers_share_keep_alive_connections(published: Settings, tmp_path: Path) -> None:
    """8 keep-alive clients connecting together often all landed in one worker process."""
    log = tmp_path / "access.log"
    env = {"GUNICORN_CMD_ARGS": f"--access-logfile {log} --access-logformat '%(p)s %(q)s'"}
    with serving(published, workers=2, env=env) as base:
        url = urllib.parse.urlsplit(base)
        host, port = str(url.hostname), int(url.port or 80)
        deadline = time.monotonic() + 30
        while len(set(_pids(log, "warm"))) < 2 and time.monotonic() < deadline:
            _burst(host, port, "warm")  # until the second worker has booted
        for _ in range(3):
            _burst(host, port, "probe")
    pids = _pids(log, "probe")
    assert len(pids) == 24
    per_worker = sorted(collections.Counter(pids).values())
    assert len(per_worker) == 2 and per_worker[0] >= 9, per_worker  # 12:12 when even


def test_a_killed_worker_does_not_hold_up_accepting(published: Settings, tmp_path: Path) -> None:
    """The worker with fewer connections is killed: the other accepts at once (it does not
    wait for the dead one, nor for its replacement to boot)."""
    log = tmp_path / "access.log"
    env = {"GUNICORN_CMD_ARGS": f"--access-logfile {log} --access-logformat '%(p)s %(q)s'"}
    with serving(published, workers=2, env=env) as base:
        url = urllib.parse.urlsplit(base)
        conns = []
        for i in range(3):  # one at a time: 2 in one worker, 1 in the other
            conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
            conn.request("GET", f"/collections?f=json&held={i}")
            assert conn.getresponse().read()
            conns.append(conn)
            time.sleep(0.1)
        time.sleep(0.3)
        held = collections.Counter(line.split()[0].strip("<>") for line in
                                   log.read_text().splitlines() if "held=" in line)
        assert sorted(held.values()) == [1, 2], held
        lonely = next(int(pid) for pid, n in held.items() if n == 1)
        os.kill(lonely, signal.SIGKILL)
        time.sleep(0.1)
        started = time.monotonic()
        status, _, _ = _request(base, "GET", "/collections?f=json&after=kill")
        assert status == 200 and time.monotonic() - started < 1.0
        for conn in conns:
            conn.close()


def test_a_trickling_client_does_not_hold_up_a_stopping_worker(published: Settings) -> None:
    """A stopping worker finishes requests under way but waits at most a second for one that
    arrives a header line every 0.3 s (gunicorn's graceful_timeout is 30 s)."""
    stop = threading.Event()

    def trickle(host: str, port: int) -> None:
        with socket.create_connection((host, port)) as sock:
            sock.sendall(b"GET /collections HTTP/1.1\r\nHost: x\r\n")
            while not stop.wait(0.3):
                try:
                    sock.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    return

    with serving(published, workers=1) as base:
        url = urllib.parse.urlsplit(base)
        client = threading.Thread(target=trickle, args=(url.hostname, url.port))
        client.start()
        time.sleep(1.0)
        stopping = time.monotonic()
    took = time.monotonic() - stopping
    stop.set()
    client.join(timeout=5)
    assert took < 8, took
