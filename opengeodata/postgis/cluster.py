"""Start and stop a local PostgreSQL 15 + PostGIS primary and one streaming replica.

For tests, benchmarks and ``make cluster`` (the cluster engineer calls these). The servers run
as a non-root user: as root the data folders are given to Debian's ``postgres`` user and every
command runs through ``runuser -u postgres``. They listen on 127.0.0.1 only (no Unix socket),
with ``trust`` authentication for 127.0.0.1 (a local deployment; never expose these ports).

API::

    pg = start(root, port=0, replica_port=0, replica=True)   # -> PgCluster
    pg.primary_url    # postgresql://postgres@127.0.0.1:<port>/opengeodata  (PostGIS enabled)
    pg.replica_url    # same database on the streaming replica (None without a replica)
    stop_replica(root); start_replica(root)                  # e.g. to test a failing replica
    stop(root)                                               # replica first, then primary

``root`` holds ``primary/`` and ``replica/`` data folders, their logs and ``cluster.json``
(ports); ``start`` on a running cluster returns it unchanged, on a stopped one restarts it
keeping the data. Port 0 picks a free port. Ancestors of ``root`` must be traversable by the
``postgres`` user when running as root (``/tmp/...`` or a project ``data/`` folder is fine;
pytest's private ``/tmp/pytest-of-root`` is not).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from opengeodata.errors import OpenGeoDataError

DATABASE = "opengeodata"
SUPERUSER = "postgres"
RUN_USER = "postgres"
PG_VERSION = "15"
STATE_FILE = "cluster.json"


class ClusterError(OpenGeoDataError):
    """The local PostgreSQL cluster could not be started or stopped."""

    code = "ClusterError"


@dataclass(frozen=True)
class PgCluster:
    """A running local cluster: its URLs, ports and data folders."""

    root: Path
    port: int
    replica_port: int | None

    @property
    def primary_url(self) -> str:
        """libpq URL of the ``opengeodata`` database on the primary."""
        return url(self.port)

    @property
    def replica_url(self) -> str | None:
        """libpq URL of the same database on the streaming replica (None without one)."""
        return url(self.replica_port) if self.replica_port else None

    @property
    def primary_dir(self) -> Path:
        return self.root / "primary"

    @property
    def replica_dir(self) -> Path:
        return self.root / "replica"


def url(port: int, database: str = DATABASE) -> str:
    """The libpq URL of ``database`` on 127.0.0.1:``port``."""
    return f"postgresql://{SUPERUSER}@127.0.0.1:{port}/{database}"


def bindir() -> Path:
    """Folder of PostgreSQL 15's server programs (Debian layout); ClusterError if missing."""
    folder = Path(os.environ.get("OPENGEODATA_PG_BINDIR", f"/usr/lib/postgresql/{PG_VERSION}/bin"))
    if not (folder / "postgres").is_file():
        raise ClusterError(f"PostgreSQL {PG_VERSION} is not installed ({folder}/postgres missing);"
                           " run `make postgis` as root")
    return folder


def available() -> str | None:
    """None if PostgreSQL 15 and PostGIS 3 are installed, else the reason they cannot run."""
    try:
        bindir()
    except ClusterError as exc:
        return str(exc)
    share = Path(f"/usr/share/postgresql/{PG_VERSION}/extension/postgis.control")
    if not share.is_file():
        return f"PostGIS 3 for PostgreSQL {PG_VERSION} is not installed ({share} missing)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: cannot start postgres as a non-root user"
    return None


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(*args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    cmd = list(args)
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", RUN_USER, "--", *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False,
                          cwd="/")
    if check and proc.returncode != 0:
        raise ClusterError(f"{Path(args[0]).name} failed ({proc.returncode}): "
                           f"{(proc.stderr or proc.stdout).strip()[-800:]}")
    return proc


def _own(path: Path) -> None:
    """Give ``path`` to the postgres user when running as root."""
    if os.geteuid() == 0:
        shutil.chown(path, RUN_USER, RUN_USER)


def _running(data: Path) -> bool:
    return (data / "postmaster.pid").is_file() and _run(
        str(bindir() / "pg_ctl"), "status", "-D", str(data), check=False).returncode == 0


def _settings(port: int, fast: bool) -> str:
    lines = [f"port = {port}", "listen_addresses = '127.0.0.1'", "unix_socket_directories = ''",
             "max_connections = 200", "wal_level = replica", "max_wal_senders = 5",
             "hot_standby = on", "hot_standby_feedback = on",
             "max_standby_streaming_delay = 5s", "shared_buffers = 128MB",
             "work_mem = 16MB", "maintenance_work_mem = 128MB", "logging_collector = off",
             "jit = off"]
    if fast:  # tests: no durability needed, much faster publishes
        lines += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
    return "\n".join(lines) + "\n"


def _pg_ctl_start(data: Path, log: Path) -> None:
    if not log.exists():
        log.touch()
        _own(log)
    _run(str(bindir() / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(data), "-l", str(log))


def _wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        proc = _run(str(bindir() / "pg_isready"), "-h", "127.0.0.1", "-p", str(port),
                    check=False)
        if proc.returncode == 0:
            return
        if time.monotonic() > deadline:
            raise ClusterError(f"PostgreSQL on 127.0.0.1:{port} not ready after {timeout:.0f}s")
        time.sleep(0.2)


def _psql(port: int, sql: str, database: str = "postgres") -> str:
    proc = _run(str(bindir() / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER,
                "-d", database, "-v", "ON_ERROR_STOP=1", "-qAtc", sql)
    return proc.stdout.strip()


def _load_state(root: Path) -> dict[str, int | None]:
    path = root / STATE_FILE
    return json.loads(path.read_text()) if path.is_file() else {}


def _init_primary(cluster: PgCluster, fast: bool) -> None:
    data = cluster.primary_dir
    data.mkdir(parents=True)
    _own(data)
    _run(str(bindir() / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust",
         "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions")
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(_settings(cluster.port, fast))
    with (data / "pg_hba.conf").open("a") as hba:
        hba.write("host replication all 127.0.0.1/32 trust\n")


def _init_replica(cluster: PgCluster) -> None:
    data = cluster.replica_dir
    data.mkdir(parents=True)
    _own(data)
    data.chmod(0o700)
    _run(str(bindir() / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(cluster.port),
         "-U", SUPERUSER, "-D", str(data), "-R", "-X", "stream", "-c", "fast")
    with (data / "postgresql.auto.conf").open("a") as conf:
        conf.write(f"port = {cluster.replica_port}\n")


def start(root: Path, port: int = 0, replica_port: int | None = 0, *, replica: bool = True,
          fast: bool = False) -> PgCluster:
    """Initialise (first time) and start the primary and, with ``replica``, a streaming replica.

    Returns the running :class:`PgCluster` (``primary_url``, ``replica_url``). The database
    ``opengeodata`` exists with the ``postgis`` extension. ``port``/``replica_port`` 0 pick
    free ports (kept in ``root/cluster.json`` for restarts); ``fast`` turns off fsync (tests).
    """
    if (reason := available()) is not None:
        raise ClusterError(reason)
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    _own(root)
    state = _load_state(root)
    port = int(state.get("port") or port or free_port())
    rport: int | None = None
    if replica:
        rport = int(state.get("replica_port") or replica_port or free_port())
    cluster = PgCluster(root, port, rport)
    fresh = not (cluster.primary_dir / "PG_VERSION").is_file()
    if fresh:
        shutil.rmtree(cluster.primary_dir, ignore_errors=True)
        _init_primary(cluster, fast)
    if not _running(cluster.primary_dir):
        _pg_ctl_start(cluster.primary_dir, root / "primary.log")
    _wait_ready(port)
    if fresh or not _psql(port, f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"):
        _psql(port, f"CREATE DATABASE {DATABASE}")
        _psql(port, "CREATE EXTENSION IF NOT EXISTS postgis", DATABASE)
    (root / STATE_FILE).write_text(json.dumps({"port": port, "replica_port": rport}))
    if replica:
        start_replica(root)
    return cluster


def start_replica(root: Path) -> PgCluster:
    """Start (creating it with pg_basebackup -R the first time) the streaming replica."""
    root = root.resolve()
    state = _load_state(root)
    if not state.get("port"):
        raise ClusterError(f"{root}: no cluster here; call start() first")
    rport = int(state.get("replica_port") or free_port())
    cluster = PgCluster(root, int(state["port"] or 0), rport)
    if not (cluster.replica_dir / "PG_VERSION").is_file():
        shutil.rmtree(cluster.replica_dir, ignore_errors=True)
        _init_replica(cluster)
        (root / STATE_FILE).write_text(json.dumps({"port": cluster.port, "replica_port": rport}))
    if not _running(cluster.replica_dir):
        _pg_ctl_start(cluster.replica_dir, root / "replica.log")
    _wait_ready(rport)
    return cluster


def _stop(data: Path) -> None:
    if data.is_dir() and _running(data):
        _run(str(bindir() / "pg_ctl"), "stop", "-w", "-t", "60", "-m", "fast", "-D", str(data))


def stop_replica(root: Path) -> None:
    """Stop the replica (fast shutdown); its data is kept for ``start_replica``."""
    _stop(root.resolve() / "replica")


def stop(root: Path, *, remove: bool = False) -> None:
    """Stop the replica, then the primary; ``remove`` also deletes ``root``."""
    root = root.resolve()
    if (reason := available()) is None:
        stop_replica(root)
        _stop(root / "primary")
    elif not remove:
        raise ClusterError(reason)
    if remove:
        shutil.rmtree(root, ignore_errors=True)


def pids(root: Path) -> dict[str, int]:
    """Postmaster pids of the running servers (``primary``, ``replica``)."""
    out = {}
    for name in ("primary", "replica"):
        pid_file = root / name / "postmaster.pid"
        try:
            out[name] = int(pid_file.read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            continue
    return out


def describe(cluster: PgCluster) -> dict[str, object]:
    """JSON-able facts of a cluster (for logs and ``data/cluster/env``)."""
    facts = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(cluster).items()}
    return {**facts, "primary_url": cluster.primary_url, "replica_url": cluster.replica_url}
