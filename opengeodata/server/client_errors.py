"""Quiet logging of client errors answered by pygeoapi.

pygeoapi logs every exception it answers at ERROR, with a traceback, also a 400 for a bad
parameter, which buries real server errors in the logs. While ``ogcapi.execute`` runs a
pygeoapi function, :class:`ClientErrorFilter` holds back the ERROR records of pygeoapi's
loggers; when the answer is known, :func:`deferred` drops them for a 4xx (logging one concise
WARNING line instead) and emits them unchanged (tracebacks included) for anything else.

The filter is installed by the app factory (:func:`install`); records logged outside
``deferred`` pass untouched.
"""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Response, request

LOGGER = logging.getLogger("opengeodata.server.requests")
PREFIX = "pygeoapi"
#: records held back during the current pygeoapi call (None: not inside one)
_HELD: contextvars.ContextVar[list[logging.LogRecord] | None] = contextvars.ContextVar(
    "opengeodata_held_log_records", default=None)


class ClientErrorFilter(logging.Filter):
    """Holds back pygeoapi's ERROR records while :func:`deferred` is active."""

    def filter(self, record: logging.LogRecord) -> bool:
        held = _HELD.get()
        if held is None or record.levelno < logging.ERROR:
            return True
        held.append(record)
        return False


def _pygeoapi_loggers() -> list[logging.Logger]:
    names = [n for n in list(logging.root.manager.loggerDict)
             if n == PREFIX or n.startswith(PREFIX + ".")]
    return [logging.getLogger(n) for n in names]


def install() -> None:
    """Add the filter to every pygeoapi logger that does not have it yet (idempotent)."""
    for logger in _pygeoapi_loggers():
        if not any(isinstance(f, ClientErrorFilter) for f in logger.filters):
            logger.addFilter(ClientErrorFilter())


def _description(response: Response) -> str:
    if response.is_streamed or not response.is_json:
        return ""
    try:
        body = json.loads(response.get_data())
    except ValueError:
        return ""
    return str(body.get("description", "")) if isinstance(body, dict) else ""


@contextmanager
def deferred() -> Iterator[list[Response]]:
    """Run a pygeoapi call; put its response in the yielded list to settle its log records."""
    install()  # providers loaded since the app was built bring new loggers
    held: list[logging.LogRecord] = []
    token = _HELD.set(held)
    answer: list[Response] = []
    try:
        yield answer
    finally:
        _HELD.reset(token)
        _settle(held, answer)


def _settle(held: list[logging.LogRecord], answer: list[Response]) -> None:
    status = answer[0].status_code if answer else 500  # no answer: an exception escaped
    if 400 <= status < 500:
        if held:
            LOGGER.warning("%s %s -> %d %s", request.method, request.full_path.rstrip("?"),
                           status, _description(answer[0]) or held[-1].getMessage())
        return
    for record in held:
        logging.getLogger(record.name).handle(record)
