"""Progress output: bars on a terminal, plain lines otherwise, --quiet and --verbose anywhere."""

from __future__ import annotations

import io

from rich.console import Console

from opengeodata.settings import Settings
from pipelines.progress import Progress
from tests.pipelines.publish.util import add_dataset, cli, polygons


def test_plain_lines_when_not_a_terminal() -> None:
    lines: list[str] = []
    progress = Progress(sink=lines.append, verbose=True).scoped("[x] ")
    with progress.step("export", total=2) as advance:
        advance(1)
        advance(1)
    assert lines[0] == "[x] export ..."
    assert lines[1:3] == ["[x] export: 1/2", "[x] export: 2/2"]
    assert lines[-1].startswith("[x] export: done in ")


def test_bar_on_a_terminal() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=100)
    with Progress(console, bar=True) as progress, progress.scoped("[x] ").step(
        "normalize", total=4
    ) as advance:
        advance(4)
        progress._root._rich.refresh()  # type: ignore[union-attr]
    text = out.getvalue()
    assert "[x] normalize" in text and "4/4" in text and "━" in text
    assert "normalize ..." not in text  # no plain lines on a terminal


def test_quiet_says_nothing() -> None:
    lines: list[str] = []
    progress = Progress(sink=lines.append, quiet=True)
    with progress.step("read"):
        progress.log("hello")
        progress.detail("detail")
    assert lines == []


def test_cli_flags_before_or_after_the_subcommand(settings: Settings) -> None:
    add_dataset(settings, "flaechen", polygons(2), extra="outputs: [gpkg, csv]\n")
    verbose = cli(settings, "refresh", "flaechen", "--verbose")
    assert verbose.returncode == 0, verbose.stderr
    assert "[flaechen] export ..." in verbose.stderr
    assert "[flaechen] flaechen.csv:" in verbose.stderr and "sha256" in verbose.stderr
    quiet = cli(settings, "-q", "refresh", "--force", "flaechen")
    assert quiet.returncode == 0
    assert quiet.stderr.strip().startswith("✓ flaechen: published")
    assert "export" not in quiet.stderr
    quiet_after = cli(settings, "refresh", "flaechen", "--quiet")
    assert quiet_after.stderr.strip().startswith("= flaechen: unchanged")
