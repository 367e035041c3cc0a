"""``make cluster``: Swift (S3), PostgreSQL primary + replica, two server replicas, nginx.

Everything runs on 127.0.0.1 from Debian/PyPI packages, under one folder (``data/cluster``)::

    env               settings: source it and `opengeodata refresh` publishes into the cluster
    cluster.json      ports of every part
    swift/            Swift all-in-one (rings, device folder, logs)
    pg/               PostgreSQL primary/ and replica/ (opengeodata.postgis.cluster)
    publisher/        the publisher's working copy (staging, sources, local versions)
    server-N/         a replica's cache folder; server-N.pid its gunicorn master; server-N.log
    nginx/            nginx prefix: config, upstream.conf, cache, logs; health.pid the watcher
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from opengeodata.cluster import nginx, swift
from opengeodata.cluster.health import healthy
from opengeodata.cluster.procs import (
    ClusterStartError,
    free_port,
    pid_alive,
    port_open,
    read_pid,
    spawn,
    stop_pidfile,
    tail,
)

BUCKET = "opengeodata"
PREFIX = "published"
NGINX_PORT = 8080
STATE = "cluster.json"


@dataclass
class ClusterInfo:
    """What is running where."""

    root: str
    nginx_port: int
    replica_ports: list[int]
    #: per replica: "replica" (the streaming replica) or "primary"
    reads: list[str]
    env: dict[str, str] = field(default_factory=dict)
    database_url: str | None = None
    database_read_url: str | None = None

    @property
    def url(self) -> str:
        """The cluster's public URL (nginx)."""
        return f"http://127.0.0.1:{self.nginx_port}"

    def replica_env(self, n: int) -> dict[str, str]:
        """The environment of server replica ``n`` (1-based)."""
        env = {**self.env, "OPENGEODATA_DATA_DIR": str(Path(self.root) / f"server-{n}")}
        if self.database_url:
            read = self.database_read_url if self.reads[n - 1] == "replica" else None
            env["OPENGEODATA_DATABASE_READ_URL"] = read or self.database_url
        return env


def project_root() -> Path:
    """The checkout (datasets/ and config/ live there)."""
    return Path(__file__).resolve().parents[2]


def missing() -> str | None:
    """Why the cluster cannot run on this machine (a missing package), or None."""
    import shutil

    from opengeodata.postgis import cluster as pg

    for cmd, package in (("swift-proxy-server", "swift-proxy"),
                         ("swift-object-server", "swift-object"),
                         ("swift-ring-builder", "swift"), ("nginx", "nginx")):
        if shutil.which(cmd) is None and not Path(f"/usr/sbin/{cmd}").exists():
            return f"{cmd} not found (Debian package {package}; `make cluster-deps` as root)"
    return pg.available()


def load(root: Path) -> ClusterInfo:
    """The cluster recorded in ``root``; ClusterStartError if there is none."""
    try:
        return ClusterInfo(**json.loads((root / STATE).read_text()))
    except (OSError, ValueError, TypeError) as exc:
        raise ClusterStartError(f"no cluster in {root} ({exc}); run `make cluster`") from None


def _postgres(root: Path, fast: bool) -> tuple[str, str | None]:
    from opengeodata.postgis import cluster as pg

    if (reason := pg.available()) is not None:
        raise ClusterStartError(f"PostgreSQL/PostGIS cannot run: {reason}; run `make postgis` "
                                "as root")
    running = pg.start(root / "pg", replica=True, fast=fast)
    return running.primary_url, running.replica_url


def write_env(info: ClusterInfo, root: Path) -> Path:
    """``root/env``: shell exports of the publisher's settings."""
    lines = ["# opengeodata cluster (make cluster): `. data/cluster/env` points",
             "# `opengeodata refresh` at it; `make cluster-stop` stops it."]
    lines += [f"export {k}={_quote(v)}" for k, v in sorted(info.env.items())]
    path = root / "env"
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


def _quote(value: str) -> str:
    import shlex

    return shlex.quote(value)


def publish(info: ClusterInfo, datasets: list[str] | None = None, *, echo: bool = False,
            timeout: float = 3600) -> None:
    """``opengeodata refresh`` with the cluster's settings (all datasets by default); its
    output goes to ``publish.log`` (and, with ``echo``, to the terminal as it runs)."""
    env = {**os.environ, **info.env}
    log = Path(info.root) / "publish.log"
    cmd = [sys.executable, "-m", "opengeodata.cli", "refresh", *(datasets or [])]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            out.write(line)
            if echo:
                print(line, end="", flush=True)
        code = proc.wait(timeout=timeout)
    if code != 0:
        raise ClusterStartError(f"publishing into the cluster failed (see {log}):\n"
                                f"{tail(log, 30)}")


def spawn_replica(info: ClusterInfo, n: int, *, workers: int = 1) -> int:
    """Start server replica ``n`` (``opengeodata serve``) in the background; returns its pid."""
    root = Path(info.root)
    port = info.replica_ports[n - 1]
    if port_open(port):
        raise ClusterStartError(f"port 127.0.0.1:{port} of server replica {n} is taken")
    env = {**os.environ, **info.replica_env(n)}
    proc = spawn([sys.executable, "-m", "opengeodata.cli", "serve", "--host", "127.0.0.1",
                  "--port", str(port), "--workers", str(workers)], root / f"server-{n}.log",
                 env=env)
    (root / f"server-{n}.pid").write_text(str(proc.pid))
    return proc.pid


def wait_replica(info: ClusterInfo, n: int, timeout: float = 90) -> None:
    """Wait until replica ``n`` answers ``/health``; ClusterStartError with its log if not."""
    root = Path(info.root)
    log = root / f"server-{n}.log"
    port = info.replica_ports[n - 1]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pid = read_pid(root / f"server-{n}.pid")
        if pid is None or not pid_alive(pid):
            raise ClusterStartError(f"server replica {n} exited; {log}:\n{tail(log)}")
        if healthy(port):
            return
        time.sleep(0.2)
    raise ClusterStartError(f"server replica {n} not healthy on 127.0.0.1:{port} after "
                            f"{timeout:.0f} s; {log}:\n{tail(log)}")


def start_replica(info: ClusterInfo, n: int, *, workers: int = 1) -> int:
    """Start server replica ``n`` and wait until it is healthy; returns its pid."""
    pid = spawn_replica(info, n, workers=workers)
    wait_replica(info, n)
    return pid


def start_watcher(info: ClusterInfo) -> int:
    """The health watcher (a background process); returns its pid."""
    root = Path(info.root)
    proc = spawn([sys.executable, "-m", "opengeodata.cluster", "watch", str(root)],
                 root / "health.log")
    (root / "health.pid").write_text(str(proc.pid))
    return proc.pid


def start(root: Path, *, datasets: list[str] | None = None, nginx_port: int = NGINX_PORT,
          reads: tuple[str, str] = ("replica", "replica"), workers: int = 1,
          fast: bool = False, echo: bool = False, log: Any = print) -> ClusterInfo:
    """Start every part (publishing ``datasets``, default all) and return the running cluster."""
    root = root.resolve()
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    if os.geteuid() == 0:  # the services run as swift, postgres and www-data
        for folder in root.parents:
            if not folder.stat().st_mode & 0o001:
                raise ClusterStartError(
                    f"{folder} is not traversable by other users, so the swift, postgres and "
                    f"www-data services cannot reach {root}; use a cluster folder elsewhere, "
                    "e.g. make cluster CLUSTER_DIR=/tmp/opengeodata-cluster")
    stop(root, keep_data=True)
    if port_open(nginx_port):
        raise ClusterStartError(f"127.0.0.1:{nginx_port} is taken; stop what listens there "
                                "(or `make cluster-stop`)")
    log("cluster: starting Swift (S3 API)")
    sw = swift.start(root / "swift")
    swift.create_bucket(sw, BUCKET)
    log("cluster: starting PostgreSQL primary and streaming replica")
    database_url, read_url = _postgres(root, fast)
    project = project_root()
    env = {**sw.env(), "OPENGEODATA_OBJECT_STORE": f"s3://{BUCKET}/{PREFIX}",
           "OPENGEODATA_DATA_DIR": str(root / "publisher"),
           "OPENGEODATA_DATASETS_DIR": str(project / "datasets"),
           "OPENGEODATA_CONFIG_DIR": str(project / "config"),
           "OPENGEODATA_BASE_URL": f"http://127.0.0.1:{nginx_port}"}
    env["OPENGEODATA_DATABASE_URL"] = database_url
    info = ClusterInfo(str(root), nginx_port, [free_port(), free_port()], list(reads), env,
                       database_url, read_url)
    (root / STATE).write_text(json.dumps(asdict(info), indent=2))
    write_env(info, root)
    log(f"cluster: publishing {', '.join(datasets) if datasets else 'every bundled dataset'}")
    publish(info, datasets, echo=echo)
    for n in (1, 2):
        log(f"cluster: starting server replica {n} on 127.0.0.1:{info.replica_ports[n - 1]} "
            f"(reads the {reads[n - 1]} database)")
        spawn_replica(info, n, workers=workers)
    for n in (1, 2):
        wait_replica(info, n)
    log(f"cluster: starting nginx on {info.url}")
    nginx.start(root / "nginx", nginx_port, info.replica_ports, access_log=False)
    start_watcher(info)
    log(f"cluster: up at {info.url}; settings in {root / 'env'}")
    return info


def stop(root: Path, *, keep_data: bool = True) -> None:
    """Stop every part of the cluster in ``root`` (data kept for the next start)."""
    root = root.resolve()
    stop_pidfile(root / "health.pid")
    nginx.stop(root / "nginx")
    for n in (1, 2):
        stop_pidfile(root / f"server-{n}.pid")
    swift.stop(root / "swift")
    if (root / "pg").exists():
        from opengeodata.postgis import cluster as pg

        pg.stop(root / "pg")


def replica_pid(root: Path, n: int) -> int | None:
    """The pid of server replica ``n`` from its pid file."""
    return read_pid(root / f"server-{n}.pid")
