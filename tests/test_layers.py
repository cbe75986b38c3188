"""The data flows one way: a test parses every import (those inside functions too; only the
``if TYPE_CHECKING:`` ones are left out, they never run) and checks that no module imports a
layer above its own, and that no two modules import each other, directly or in a ring.

Layers, bottom up: base (errors, formats, file I/O, user cache...) < catalogue < evidence <
engine < report < everything that wires them (fixes, history, store, api, cli...)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
BASE = {
    "mlkaizen", "mlkaizen.errors", "mlkaizen.formats", "mlkaizen.fsio", "mlkaizen.usercache",
    "mlkaizen.entry_points", "mlkaizen.textfmt", "mlkaizen.config",
}
RANKS = {"catalogue": 1, "evidence": 2, "engine": 3, "report": 4}
TOP = 5


def _modules() -> dict[str, Path]:
    out = {}
    for path in (SRC / "mlkaizen").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str) -> set[str]:
    """The project modules ``module`` imports, wherever the import statement stands."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(sub) for sub in ast.walk(node))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                origin = ".".join([*base, *([node.module] if node.module else [])])
            else:
                origin = node.module or ""
            names = [origin, *(f"{origin}.{a.name}" for a in node.names)]
        for name in names:
            if name.startswith("mlkaizen"):
                found = _resolve(name)
                if found is not None and found != module:
                    out.add(found)
    return out


def rank(module: str) -> int:
    if module in BASE or any(module.startswith(b + ".") for b in BASE if b != "mlkaizen"):
        return 0
    parts = module.split(".")
    return RANKS.get(parts[1], TOP) if len(parts) > 1 else 0


GRAPH = {m: imports_of(m) for m in MODULES}


def test_nothing_imports_against_the_flow() -> None:
    against = sorted(
        f"{m} -> {d}" for m, deps in GRAPH.items() for d in deps if rank(d) > rank(m)
    )
    assert against == []


def test_no_import_cycle() -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    rings: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(GRAPH[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            ring = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                ring.append(w)
                if w == v:
                    break
            if len(ring) > 1:
                rings.append(sorted(ring))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert rings == []


def test_the_engine_opens_no_file_and_detectors_see_no_source() -> None:
    engine = {d for m, deps in GRAPH.items() if m.startswith("mlkaizen.engine.") for d in deps}
    assert not {d for d in engine if d.startswith(("mlkaizen.fsio", "mlkaizen.evidence.tree"))}
    detectors = defaultdict(set)
    for m, deps in GRAPH.items():
        if m.startswith("mlkaizen.evidence.detectors."):
            detectors[m] = {d for d in deps if d.startswith(("mlkaizen.engine",
                                                             "mlkaizen.report",
                                                             "mlkaizen.store"))}
    assert not any(detectors.values())


def test_the_checker_sees_an_import_inside_a_function(tmp_path: Path) -> None:
    # near miss for the parser itself: a function-level import counts, a TYPE_CHECKING one not
    text = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from mlkaizen.report import html\n"
        "def f():\n    from mlkaizen.engine import model\n"
    )
    tree = ast.parse(text)
    seen = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert [n.module for n in seen] == ["typing", "mlkaizen.report", "mlkaizen.engine"]
    assert rank("mlkaizen.engine.model") > rank("mlkaizen.evidence.tree") > rank(
        "mlkaizen.catalogue.loader") > rank("mlkaizen.formats.yamlsafe")


def test_the_server_stands_on_the_store_and_nothing_below_stands_on_it() -> None:
    # the server reads and writes through the store, never through the command line; only
    # the command line (serve, user, token) imports the server
    server = {m for m in GRAPH if m.startswith("mlkaizen.server")}
    assert server, "the server package is missing"
    assert not {d for m in server for d in GRAPH[m] if d.startswith("mlkaizen.cli")}
    users = {m for m, deps in GRAPH.items() for d in deps
             if d in server and m not in server}
    assert {u for u in users if not u.startswith("mlkaizen.cli")} == set()
    store = {m for m in GRAPH if m.startswith("mlkaizen.store")}
    assert not {d for m in store for d in GRAPH[m] if d in server}
