"""Small process helpers for the local cluster: free ports, users, start, wait, stop by pid."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from opengeodata.errors import OpenGeoDataError


class ClusterStartError(OpenGeoDataError):
    """A part of the local cluster (Swift, nginx, a server replica) did not start or stop."""

    code = "ClusterError"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def service_user(preferred: str) -> str | None:
    """The non-root user to run a service as: ``preferred`` when we are root, else None
    (already non-root: run as ourselves)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(preferred)
    except KeyError:
        return "nobody"
    return preferred


def give_to(user: str | None, *paths: Path) -> None:
    """chown -R ``paths`` to ``user`` (no-op when not root)."""
    if user is None:
        return
    for path in paths:
        for sub in [path, *path.rglob("*")]:
            shutil.chown(sub, user, user if _has_group(user) else None)


def _has_group(name: str) -> bool:
    import grp

    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


def spawn(argv: Sequence[str], log: Path, *, user: str | None = None,
          env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.Popen[bytes]:
    """Start ``argv`` in the background (own session), output appended to ``log``."""
    cmd = list(argv)
    if user is not None:
        cmd = ["runuser", "-u", user, "--", *cmd]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env, cwd=cwd, start_new_session=True)


def wait_port(port: int, what: str, log: Path, proc: subprocess.Popen[bytes] | None = None,
              timeout: float = 30.0) -> None:
    """Wait until ``port`` accepts connections; ClusterStartError with the log's tail if not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port):
            return
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.1)
    raise ClusterStartError(f"{what} did not start on 127.0.0.1:{port}; {log}:\n{tail(log)}")


def tail(log: Path, lines: int = 15) -> str:
    """The last lines of a log file (or a note that it is missing)."""
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (and is not a zombie of ours)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def read_pid(path: Path) -> int | None:
    """The pid in a pid file, or None."""
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def stop_pid(pid: int, timeout: float = 10.0) -> None:
    """SIGTERM the process group of ``pid`` (its own session), SIGKILL after ``timeout``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        except PermissionError:
            os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                _reap(pid)
                return
            _reap(pid)
            time.sleep(0.05)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def stop_pidfile(path: Path) -> None:
    """Stop the process named in pid file ``path`` and remove the file."""
    pid = read_pid(path)
    if pid is not None and pid_alive(pid):
        stop_pid(pid)
    path.unlink(missing_ok=True)
