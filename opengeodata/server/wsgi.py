"""Run the app under gunicorn (production WSGI server, several workers)."""

from __future__ import annotations

import gc
import hashlib
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from opengeodata.settings import Settings


class GunicornServer(BaseApplication):
    """gunicorn with the app factory called in each worker (no shared import-time state)."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        # gunicorn's own options in GUNICORN_CMD_ARGS (``--access-logfile``,
        # ``--access-logformat``, ``--max-requests``, ...) win, as with the gunicorn command
        env_args = self.cfg.get_cmd_args_from_env()
        if env_args:
            parsed = self.cfg.parser().parse_args(env_args)
            for key, value in vars(parsed).items():
                if value is not None and key != "args":
                    self.cfg.set(key.lower(), value)

    def load(self) -> Flask:
        from opengeodata.server.app import create_app

        app = create_app(self.settings)
        # the app's long-lived objects (pygeoapi config, OpenAPI document, ...) are never
        # garbage: keep them out of the cyclic GC, whose full passes over them took ~80 ms
        # and stalled every request of the worker (p99 spikes under load)
        gc.collect()
        gc.freeze()
        return app


def worker_exit(_arbiter: Any, worker: Any) -> None:
    """gunicorn's ``worker_exit`` hook (in the worker): stop the app's background threads."""
    app = getattr(worker, "wsgi", None)
    state = getattr(app, "extensions", {}).get("opengeodata")
    if state is not None:
        state.close()


BUFFERED_WORKER = "opengeodata.server.buffered.BufferedWorker"


def worker_class_uri(settings: Settings) -> str:
    """gunicorn's ``worker_class`` (``-k``) for ``OPENGEODATA_WORKER_CLASS``."""
    return BUFFERED_WORKER if settings.worker_class == "buffered" else settings.worker_class


#: a Unix socket path longer than this does not fit sun_path (108 bytes with the NUL)
MAX_SOCKET_PATH = 100


def control_socket(settings: Settings, host: str, port: int) -> Path:
    """gunicorn's control socket for this server: ``<data dir>/run/gunicorn-<port>.ctl``.

    gunicorn's default (``$XDG_RUNTIME_DIR`` or ``~/.gunicorn/gunicorn.ctl``) is one path for
    every server of the user: a second server (the other replica of ``make cluster``) took it
    over, and stopping either removed the other's socket. A path too long for a Unix socket
    moves to the temp folder under a name derived from it (still one per server).
    """
    path = settings.data_dir.resolve() / "run" / f"gunicorn-{port}.ctl"
    if len(str(path)) > MAX_SOCKET_PATH:
        digest = hashlib.sha256(f"{path}|{host}".encode()).hexdigest()[:16]
        path = Path(tempfile.gettempdir()) / f"opengeodata-gunicorn-{digest}.ctl"
    return path


def gunicorn_options(settings: Settings, host: str, port: int, workers: int) -> dict[str, Any]:
    """gunicorn's settings for ``serve`` (worker class and threads from ``settings``).

    ``buffered`` (the default) is :class:`opengeodata.server.buffered.BufferedWorker`: slow
    clients hold no thread. ``sync`` runs one thread per worker (gunicorn would silently switch
    to gthread otherwise).
    """
    worker_class = worker_class_uri(settings)
    if settings.worker_class == "buffered":
        from opengeodata.server.buffered import BufferedWorker

        BufferedWorker.max_body = settings.max_body_bytes
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": worker_class,
        "threads": 1 if settings.worker_class == "sync" else settings.threads,
        "accesslog": "-",
        "timeout": 120,
        "preload_app": False,
        "control_socket": str(control_socket(settings, host, port)),
        "worker_exit": worker_exit,
    }


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve until interrupted."""
    GunicornServer(settings, gunicorn_options(settings, host, port, workers)).run()
