"""The import layering of the code: no cycles, no upward imports.

``opengeodata.cli`` on top; under it ``pipelines`` and ``opengeodata.server`` (never importing
each other); under them the catalogue, the feature engine (``engine``, ``providers``) and the
tile code (``tiles``, ``vtiles``); at the bottom the core (declaration, manifest, store,
settings, errors, published model, OGC constants). Every import counts, also one inside a
function or under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("opengeodata", "pipelines")
MIDDLE = ("catalogue", "providers", "engine", "vtiles", "tiles", "query")


def modules() -> dict[str, Path]:
    """Module name -> file of every module of the packages."""
    found = {}
    for base in PACKAGES:
        for path in (ROOT / base).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports(mods: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the project modules it imports (anywhere in its code)."""
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for target in targets:
                while target and target not in mods:
                    target = target.rpartition(".")[0]
                if (target and target != name and not name.startswith(target + ".")
                        and target not in PACKAGES):
                    edges[name].add(target)
    return edges


def layer(module: str) -> int:
    """4 cli, 3 pipelines/server, 2 catalogue/engine/tiles, 1 core."""
    parts = module.split(".")
    if module.startswith("opengeodata.cli"):
        return 4
    if parts[0] == "pipelines" or parts[1:2] == ["server"]:
        return 3
    if parts[1:2] and parts[1] in MIDDLE:
        return 2
    return 1


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def upward(edges: dict[str, set[str]]) -> list[str]:
    """Imports from a higher layer, and between pipelines and the server."""
    wrong = []
    for module, targets in edges.items():
        for target in sorted(targets):
            sideways = (layer(module) == layer(target) == 3
                        and module.startswith("pipelines") != target.startswith("pipelines"))
            if layer(target) > layer(module) or sideways:
                wrong.append(f"{module} -> {target}")
    return wrong


def test_layer_rule_examples() -> None:
    assert layer("opengeodata.cli") == 4 and layer("pipelines.cadastral.nas") == 3
    assert layer("opengeodata.server.app") == 3 and layer("opengeodata.engine.params") == 2
    assert layer("opengeodata.published") == 1 and layer("opengeodata.ogc") == 1
    assert upward({"opengeodata.store": {"opengeodata.server.state"}}) == [
        "opengeodata.store -> opengeodata.server.state"]
    assert upward({"pipelines.runner": {"opengeodata.server.app"}}) != []
    assert cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]


def test_no_import_cycles() -> None:
    assert cycles(imports(modules())) == []


def test_no_upward_imports() -> None:
    assert upward(imports(modules())) == []
