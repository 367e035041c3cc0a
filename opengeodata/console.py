"""The command line's console for progress lines and errors (stderr, shared by all commands)."""

from __future__ import annotations

from rich.console import Console

#: rich resolves ``sys.stderr`` at each print, so test runners that swap it still capture output
console = Console(stderr=True, highlight=False)
