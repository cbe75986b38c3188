"""Start-up stays cheap: what ``import mlkaizen`` and ``mlkaizen --version`` load is counted
(modules imported), never timed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import mlkaizen

HEAVY = ("typer", "click", "rich", "pydantic", "yaml", "jinja2", "mlkaizen.api",
         "mlkaizen.evidence.detectors", "mlkaizen.catalogue.schema")


def _loaded_after(code: str) -> list[str]:
    probe = (f"import sys\n{code}\n"
             f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    return [line for line in out.splitlines() if line.startswith("[")][-1:]


def test_importing_the_package_and_the_cli_loads_nothing_heavy() -> None:
    assert _loaded_after("import mlkaizen, mlkaizen.cli, mlkaizen.errors") == ["[]"]


def test_version_is_answered_before_any_command_is_loaded() -> None:
    code = ("import mlkaizen.cli\nsys.argv = ['mlkaizen', '--version']\n"
            "mlkaizen.cli.main()")
    out = subprocess.run([sys.executable, "-c", f"import sys\n{code}\n"
                          f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    assert out == f"mlkaizen {mlkaizen.__version__}\n[]\n"


def test_version_through_the_app_and_as_a_module() -> None:
    from typer.testing import CliRunner

    from mlkaizen.cli import app

    result = CliRunner().invoke(app, ["--version"])
    assert (result.exit_code, result.output) == (0, f"mlkaizen {mlkaizen.__version__}\n")
    proc = subprocess.run([sys.executable, "-m", "mlkaizen", "--version"], capture_output=True,
                          text=True, check=False)
    assert (proc.returncode, proc.stdout) == (0, f"mlkaizen {mlkaizen.__version__}\n")
    # near miss: --version after a command is that command's (unknown) option, a usage error
    proc = subprocess.run([sys.executable, "-m", "mlkaizen", "detectors", "--version"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "No such option: --version" in proc.stderr


def test_public_names_still_import_from_the_package() -> None:
    from mlkaizen import Assessment, Catalogue, MLKaizenError, assess, load_catalogue

    assert assess.__module__ == "mlkaizen.api"
    assert (Assessment.__name__, Catalogue.__name__) == ("Assessment", "Catalogue")
    assert issubclass(MLKaizenError, Exception) and callable(load_catalogue)
    assert set(mlkaizen.__all__) <= set(dir(mlkaizen))
    try:
        mlkaizen.nope  # noqa: B018
    except AttributeError as exc:
        assert "nope" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_only_the_console_run_tunes_the_garbage_collector(tmp_path: Path) -> None:
    """The console script freezes what it built before exit (the interpreter then does not
    walk it again while clearing modules); a caller of ``main(argv)`` keeps its collector."""
    out = tmp_path / "r.json"
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print(gc.get_freeze_count() > 0, gc.get_threshold()[0]))\n"
        "from mlkaizen.cli import main\n"
        "given = sys.argv[3:]\n"
        "sys.argv = ['mlkaizen', 'assess', sys.argv[1], '-q', '-f', 'json', '-o', sys.argv[2]]\n"
        "main(sys.argv[1:] if given else None)\n"
    )
    lines = []
    for extra in ([], ["in-process"]):
        done = subprocess.run([sys.executable, "-c", probe, str(tmp_path), str(out), *extra],
                              capture_output=True, text=True, check=False)
        assert done.returncode in (0, 1), done.stderr
        lines.append(done.stdout.split())
    assert lines == [["True", "10000"], ["False", "700"]]


def test_each_command_is_mapped_to_the_module_that_registers_it() -> None:
    """A run imports only its command's module: the map must name, for every top-level
    command, the one module that registers it (each module checked in a process of its own)."""
    from mlkaizen.cli import COMMAND_MODULES

    probe = ("import sys, typer.main\nimport importlib\n"
             "importlib.import_module('mlkaizen.cli.' + sys.argv[1])\n"
             "from mlkaizen.cli.common import app\n"
             "group = typer.main.get_command(app)\n"
             "print(' '.join(sorted(n for n, c in group.commands.items()\n"
             "                      if getattr(c, 'commands', None) != {})))\n")
    registered: dict[str, str] = {}
    for module in sorted(set(COMMAND_MODULES.values())):
        out = subprocess.run([sys.executable, "-c", probe, module], capture_output=True,
                             text=True, check=True).stdout.split()
        assert out, module
        for name in out:
            assert name not in registered, (name, module)
            registered[name] = module
    assert registered == COMMAND_MODULES


def test_a_command_run_alone_helps_as_in_the_whole_app(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mlkaizen.cli import load_app

    whole = CliRunner().invoke(load_app(), ["plan", "add", "--help"])
    alone = subprocess.run([sys.executable, "-m", "mlkaizen", "plan", "add", "--help"],
                           capture_output=True, text=True, check=False, cwd=tmp_path,
                           env={**os.environ, "COLUMNS": "80", "TERM": "dumb"})
    assert whole.exit_code == alone.returncode == 0
    assert "Usage: mlkaizen plan add" in alone.stdout
    options = [re.findall(r"(?<![\w-])--?[a-z][\w-]*", out) for out in (alone.stdout, whole.output)]
    assert options[0] == options[1]
    assert {"--due", "--help"} <= set(options[0])
