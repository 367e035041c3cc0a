"""pipelines.cadastral has no import cycle (layers <-> nba was one, also via TYPE_CHECKING)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "pipelines" / "cadastral"


def imports(path: Path) -> set[str]:
    """Names of the pipelines.cadastral modules a file imports (anywhere in it)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
            [a.name for a in node.names] if isinstance(node, ast.Import) else [])
        for name in names:
            if name.startswith("pipelines.cadastral."):
                found.add(name.split(".")[2])
    return found


def test_no_import_cycle_in_cadastral() -> None:
    graph = {p.stem: imports(p) for p in PACKAGE.glob("*.py")}
    assert "nba" in graph["layers"] and "checks" in graph["nba"]

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, set()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = sorted(m for m in graph if reaches(m, m, {m}))
    assert cycles == [], f"import cycle through {cycles}"
