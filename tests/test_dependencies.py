"""Every third-party module the package imports is a declared dependency: in the base install
if a base-install module imports it outside a guarded optional import, else in an extra."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "mlkaizen"


def _declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    base = {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}
    extras = {
        canonicalize_name(Requirement(r).name)
        for reqs in project["optional-dependencies"].values()
        for r in reqs
    }
    return base, extras


def _imported(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name.partition(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.partition(".")[0])
    return out


def _third_party(names: set[str]) -> set[str]:
    return {n for n in names if n not in sys.stdlib_module_names and n != "mlkaizen"}


def test_every_imported_distribution_is_declared() -> None:
    base, extras = _declared()
    dists = packages_distributions()
    missing = {}
    for path in sorted(SRC.rglob("*.py")):
        for module in _third_party(_imported(path)):
            names = {canonicalize_name(d) for d in dists.get(module, [module])}
            if not names & (base | extras):
                missing[module] = str(path.relative_to(ROOT))
    assert missing == {}


def test_near_miss_an_undeclared_import_is_seen(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom markdown_it import MarkdownIt\nimport mlkaizen.api\n")
    assert _third_party(_imported(module)) == {"markdown_it"}
    assert {canonicalize_name(d) for d in packages_distributions()["markdown_it"]} == {
        "markdown-it-py"}
