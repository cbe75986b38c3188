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


def test_the_store_is_in_the_base_install_and_postgresql_adds_only_its_driver() -> None:
    """`assess --save`, `log`, `plan` and `diff` work after a plain `pip install .`."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    base = {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}
    extras = project["optional-dependencies"]
    assert {"sqlalchemy", "alembic"} <= base
    assert extras["store"] == []  # kept: `pip install 'mlkaizen[store]'` still works
    assert [Requirement(r).name for r in extras["postgresql"]] == ["psycopg"]


def test_the_store_is_imported_only_by_the_commands_that_use_it(tmp_path: Path) -> None:
    import subprocess

    probe = ("import sys\nfrom mlkaizen.cli import main\n"
             "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
             "print('sqlalchemy' in sys.modules, file=sys.stderr)\n")
    (tmp_path / "train.py").write_text("from sklearn.linear_model import LogisticRegression\n")
    runs = {}
    for args in (["--help"], ["assess", str(tmp_path), "-q", "-f", "json"],
                 ["assess", str(tmp_path), "-q", "-f", "json", "--db",
                  f"sqlite:///{tmp_path / 's.db'}"]):
        done = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True,
                              text=True, check=False)
        runs[args[0] if len(args) < 6 else "--db"] = done.stderr.splitlines()[-1]
    assert runs == {"--help": "False", "assess": "False", "--db": "True"}
