"""The LISTEN thread of a server process: notified on publish, stopped cleanly on exit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

import psycopg

from opengeodata.postgis import cluster
from opengeodata.postgis.db import CHANNEL
from opengeodata.server.live_sync import LiveListener
from tests.conftest import ROOT


def _listening(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as con:
        row = con.execute("SELECT count(*) FROM pg_stat_activity WHERE query ~* '^LISTEN' "
                          "AND application_name = 'opengeodata'").fetchone()
    assert row is not None
    return int(row[0])


def test_listener_notifies_and_stops(pg_cluster: cluster.PgCluster) -> None:
    before = _listening(pg_cluster.primary_url)  # other apps of this test session
    notified = threading.Event()
    listener = LiveListener(pg_cluster.primary_url, notified.set)
    listener.ensure_running()
    assert listener.connected.wait(10), "the listener did not connect"
    assert _listening(pg_cluster.primary_url) == before + 1
    notified.clear()
    with psycopg.connect(pg_cluster.primary_url, autocommit=True) as con:
        con.execute("SELECT pg_notify(%s, 'x')", (CHANNEL,))
    assert notified.wait(5), "a NOTIFY did not reach the listener"
    started = time.monotonic()
    listener.stop()
    assert not listener.running
    assert time.monotonic() - started < 2 * LiveListener.POLL_SECONDS + 1
    assert _listening(pg_cluster.primary_url) == before  # its session ended
    listener.ensure_running()  # stopped for good: not restarted
    assert not listener.running


def test_process_exit_stops_the_listener(pg_cluster: cluster.PgCluster) -> None:
    """A process that ends normally (a gunicorn worker) stops its thread first: no hang, no
    traceback from a thread cut off while the interpreter shuts down."""
    script = textwrap.dedent(f"""
        import logging, sys
        logging.basicConfig(level=logging.INFO, stream=sys.stderr)
        from opengeodata.server.live_sync import LiveListener
        listener = LiveListener({pg_cluster.primary_url!r}, lambda: None)
        listener.ensure_running()
        assert listener.connected.wait(10)
        print("listening", flush=True)
    """)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "listening"
    assert f"LISTEN {CHANNEL}: stopped" in done.stderr
    assert "Traceback" not in done.stderr and "Exception in thread" not in done.stderr
    assert time.monotonic() - started < 20
