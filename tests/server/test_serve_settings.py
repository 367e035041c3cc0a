"""Server settings: gunicorn worker class and threads come from OPENGEODATA_* variables."""

from __future__ import annotations

import pytest
from gunicorn.config import Config

from opengeodata.errors import SettingsError
from opengeodata.server.wsgi import gunicorn_options
from opengeodata.settings import Settings, from_environment


def test_threads_and_worker_class_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENGEODATA_THREADS", "3")
    monkeypatch.setenv("OPENGEODATA_WORKER_CLASS", "sync")
    options = gunicorn_options(Settings(), "127.0.0.1", 8080, 4)
    cfg = Config()
    for key, value in options.items():
        cfg.set(key, value)
    assert (cfg.threads, cfg.workers, cfg.bind) == (1, 4, ["127.0.0.1:8080"])
    assert cfg.worker_class_str == "sync"
    monkeypatch.setenv("OPENGEODATA_WORKER_CLASS", "gthread")
    options = gunicorn_options(Settings(), "127.0.0.1", 8080, 4)
    assert (options["worker_class"], options["threads"]) == ("gthread", 3)


def test_default_is_the_buffered_worker_with_two_threads(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENGEODATA_THREADS", raising=False)
    monkeypatch.delenv("OPENGEODATA_WORKER_CLASS", raising=False)
    options = gunicorn_options(Settings(), "127.0.0.1", 5000, 2)
    assert (options["worker_class"], options["threads"]) == (
        "opengeodata.server.buffered.BufferedWorker", 2)
    cfg = Config()
    cfg.set("worker_class", options["worker_class"])
    assert cfg.worker_class.__name__ == "BufferedWorker"


@pytest.mark.parametrize("name, value", [("OPENGEODATA_THREADS", "0"),
                                         ("OPENGEODATA_WORKER_CLASS", "eventlet")])
def test_bad_server_settings_are_rejected(monkeypatch: pytest.MonkeyPatch, name: str,
                                          value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        from_environment()
