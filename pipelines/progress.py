"""Progress output: rich bars on a terminal, plain log lines otherwise, silence with --quiet."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as RichProgress

Advance = Callable[[int], None]


def _no_advance(n: int = 1) -> None:
    """Advance callback of a step nobody watches."""


class Progress:
    """Reports the steps of refresh runs.

    ``bar=True`` shows a rich progress bar per running step (use on a terminal); otherwise each
    step logs a start and a done line with its duration (CI logs). ``quiet`` hides everything but
    what callers print themselves; ``verbose`` adds detail lines.
    """

    def __init__(self, console: Console | None = None, *, bar: bool = False,
                 quiet: bool = False, verbose: bool = False,
                 sink: Callable[[str], None] | None = None, prefix: str = "") -> None:
        self.console = console or Console(stderr=True, highlight=False)
        self.bar = bar and not quiet
        self.quiet = quiet
        self.verbose = verbose and not quiet
        self.sink = sink
        self.prefix = prefix
        self._rich: RichProgress | None = None
        self._root: Progress = self

    # -- lifecycle -------------------------------------------------------------------------
    def __enter__(self) -> Progress:
        if self.bar and self._root is self and self._rich is None:
            self._rich = RichProgress(
                SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(),
                MofNCompleteColumn(), TimeElapsedColumn(),
                console=self.console, transient=True,
            )
            self._rich.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._root is self and self._rich is not None:
            self._rich.stop()
            self._rich = None

    def scoped(self, prefix: str) -> Progress:
        """The same output with a prefix (e.g. ``[dataset] ``) on every line."""
        child = Progress(self.console, bar=self.bar, quiet=self.quiet, verbose=self.verbose,
                         sink=self.sink, prefix=self.prefix + prefix)
        child._root = self._root
        return child

    # -- output ----------------------------------------------------------------------------
    def _emit(self, message: str) -> None:
        line = self.prefix + message
        if self.sink is not None:
            self.sink(line)
            return
        rich = self._root._rich
        (rich.console if rich is not None else self.console).print(line, markup=False,
                                                                      soft_wrap=True)

    def log(self, message: str) -> None:
        """A progress line (hidden with --quiet)."""
        if not self.quiet:
            self._emit(message)

    def detail(self, message: str) -> None:
        """A detail line (only with --verbose)."""
        if self.verbose:
            self._emit(message)

    @contextmanager
    def step(self, label: str, total: int | None = None) -> Iterator[Advance]:
        """A long step: a bar on a terminal, start/done lines otherwise. Yields ``advance(n)``."""
        started = time.perf_counter()
        rich = self._root._rich
        if self.quiet:
            yield _no_advance
            return
        if rich is not None:
            task = rich.add_task(self.prefix + label, total=total)

            def advance(n: int = 1) -> None:
                rich.advance(task, n)

            try:
                yield advance
            finally:
                rich.remove_task(task)
            if self.verbose:
                self._emit(f"{label}: done in {time.perf_counter() - started:.1f} s")
            return
        self._emit(f"{label} ...")
        done = 0

        def count(n: int = 1) -> None:
            nonlocal done
            done += n
            if self.verbose and total:
                self._emit(f"{label}: {done}/{total}")

        yield count
        self._emit(f"{label}: done in {time.perf_counter() - started:.1f} s")
