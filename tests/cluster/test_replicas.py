"""The two server replicas of the cluster share no per-process path (gunicorn's control socket
above all), and a replica stopped gracefully exits at once, cleanly, without touching the
other one."""

from __future__ import annotations

import os
import signal
import stat
import time
from pathlib import Path

from opengeodata.cluster import run
from opengeodata.cluster.procs import pid_alive, port_open
from opengeodata.server.wsgi import control_socket
from opengeodata.settings import Settings
from tests.cluster.test_failover import get


def _socket(info: run.ClusterInfo, n: int) -> Path:
    settings = Settings(data_dir=Path(info.replica_env(n)["OPENGEODATA_DATA_DIR"]))
    return control_socket(settings, "127.0.0.1", info.replica_ports[n - 1])


def _bound_unix_paths() -> set[str]:
    lines = Path("/proc/net/unix").read_text().splitlines()[1:]
    return {parts[-1] for parts in (line.split() for line in lines) if len(parts) >= 8}


def test_each_replica_has_its_own_control_socket(ogd_cluster: run.ClusterInfo) -> None:
    sockets = [_socket(ogd_cluster, n) for n in (1, 2)]
    assert sockets[0] != sockets[1]
    bound = _bound_unix_paths()
    for path in sockets:
        assert stat.S_ISSOCK(path.stat().st_mode), path
        assert str(path) in bound, f"{path} is not held by a running server"


def test_graceful_stop_of_a_replica_is_clean(ogd_cluster: run.ClusterInfo) -> None:
    info = ogd_cluster
    root = Path(info.root)
    pid = run.replica_pid(root, 2)
    assert pid is not None and pid_alive(pid)
    port = info.replica_ports[1]
    # open what a worker keeps open: COG readers (GDAL datasets) of its threads, the LISTEN
    # connection; their cleanup at exit used to print tracebacks
    for _ in range(4):
        assert get(port, "/collections/dop20/coverage?f=png&scale-size=E(64)")[0] == 200
        assert get(port, "/collections/dop20/tiles/WebMercatorQuad/17/43111/69402?f=png"
                   )[0] in (200, 404)
    log = root / "server-2.log"
    offset = log.stat().st_size
    try:
        started = time.monotonic()
        os.kill(pid, signal.SIGTERM)  # the gunicorn master: workers stop, listeners too
        while pid_alive(pid) and time.monotonic() - started < 15:
            time.sleep(0.1)
        assert not pid_alive(pid), "the replica did not stop within 15 s of SIGTERM"
        assert time.monotonic() - started < 10
        with log.open("rb") as out:
            out.seek(offset)
            tail = out.read().decode(errors="replace")
        assert "Traceback" not in tail and "Exception in thread" not in tail, tail
        assert "Shutting down" in tail, tail
        # the other replica's socket is untouched (one shared path: the last to stop removed it)
        assert stat.S_ISSOCK(_socket(info, 1).stat().st_mode)
        assert str(_socket(info, 1)) in _bound_unix_paths()
    finally:
        if not port_open(info.replica_ports[1]):
            run.start_replica(info, 2)
    assert str(_socket(info, 2)) in _bound_unix_paths()
