"""The hostile-repository corpus: each case builds a tree that tries to crash, slow down,
mislead or escape the scanner. Generated here, never committed as binaries.

A case writes into ``root`` (the scanned folder) and may use ``outside`` (a sibling folder
that must never be read). It returns what the scan must say about it.
"""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Expect:
    warning: str | None = None  # a substring of some warning's message (rc 0)
    error: str | None = None  # a substring of stderr (rc 2)
    evidence: str | None = None  # a practice that must still be met
    args: tuple[str, ...] = ()  # extra CLI arguments
    fmt: str = "json"  # the report format asked for
    present: tuple[str, ...] = ()  # exact (escaped) text the report must contain
    absent: tuple[str, ...] = ()  # text the report must not contain
    sockets: list[socket.socket] = field(default_factory=list, compare=False)


Builder = Callable[[Path, Path], Expect]
CASES: dict[str, Builder] = {}
TRAIN = "import mlflow\n\nmlflow.log_metric('auc', 0.9)\n"


def case(fn: Builder) -> Builder:
    CASES[fn.__name__] = fn
    return fn


def write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


# --------------------------------------------------------------------------- links and files
@case
def symlink_to_outside_file(root: Path, outside: Path) -> Expect:
    write(outside / "secret.py", TRAIN)
    (root / "train.py").symlink_to(outside / "secret.py")
    return Expect(warning="points outside the scanned root")


@case
def symlink_to_etc_passwd(root: Path, outside: Path) -> Expect:
    (root / "params.yaml").symlink_to("/etc/passwd")
    return Expect(warning="points outside the scanned root")


@case
def symlink_to_directory_above(root: Path, outside: Path) -> Expect:
    write(outside / "dvc.yaml", "stages: {}\n")
    (root / "up").symlink_to("..")
    (root / "out").symlink_to(outside)
    return Expect(warning="points outside the scanned root")


@case
def symlink_loop(root: Path, outside: Path) -> Expect:
    (root / "a.yaml").symlink_to(root / "b.yaml")
    (root / "b.yaml").symlink_to(root / "a.yaml")
    (root / "self").symlink_to(".")
    return Expect(warning="dangling or loops")


@case
def dangling_symlink(root: Path, outside: Path) -> Expect:
    (root / "dvc.yaml").symlink_to(root / "missing.yaml")
    return Expect(warning="dangling or loops")


@case
def fifo_named_like_config(root: Path, outside: Path) -> Expect:
    os.mkfifo(root / "params.yaml")
    os.mkfifo(root / "dvc.yaml")
    return Expect(warning="not a regular file")


@case
def unix_socket(root: Path, outside: Path) -> Expect:
    sock = socket.socket(socket.AF_UNIX)
    cwd = os.getcwd()
    os.chdir(root)  # a relative bind keeps the socket path short enough
    try:
        sock.bind("Dockerfile")
    finally:
        os.chdir(cwd)
    return Expect(warning="not a regular file", sockets=[sock])


@case
def device_entries(root: Path, outside: Path) -> Expect:
    if os.geteuid() == 0:
        os.mknod(root / "train.py", stat.S_IFCHR | 0o644, os.makedev(1, 5))  # like /dev/zero
    else:
        (root / "train.py").symlink_to("/dev/zero")
    (root / "requirements.txt").symlink_to("/dev/urandom")
    return Expect(warning="not a regular file" if os.geteuid() == 0 else "outside")


@case
def sparse_one_gigabyte(root: Path, outside: Path) -> Expect:
    with open(root / "train.py", "wb") as fh:
        fh.truncate(1 << 30)
    return Expect(warning="over the limit")


@case
def hundred_thousand_tiny_files(root: Path, outside: Path) -> Expect:
    for d in range(100):
        folder = root / f"pkg{d}"
        folder.mkdir()
        for i in range(1000):
            fd = os.open(folder / f"m{i}.py", os.O_WRONLY | os.O_CREAT, 0o644)
            os.write(fd, b"x = 1\n")
            os.close(fd)
    return Expect(warning="max_files=60000", args=("--max-files", "60000"))


@case
def path_four_thousand_deep(root: Path, outside: Path) -> Expect:
    folder = root
    for i in range(400):
        folder = folder / f"d{i:08d}"[:9]
    write(folder / "train.py", TRAIN)
    write(folder / "broken.ipynb", "{not json")
    return Expect(warning="notebook", evidence="model.experiment-tracking")


@case
def file_names_with_newlines(root: Path, outside: Path) -> Expect:
    write(root / "we\nird" / "dvc.yaml", "stages: [\n")
    write(root / "train\n.py", TRAIN)
    return Expect(warning="invalid YAML")


@case
def file_names_with_invalid_utf8(root: Path, outside: Path) -> Expect:
    folder = os.fsencode(root)
    os.makedirs(folder + b"/d\xff\xfe", exist_ok=True)
    with open(folder + b"/d\xff\xfe/dvc.yaml", "wb") as fh:
        fh.write(b"stages: {a: [\n")
    with open(folder + b"/tr\xe9in.py", "wb") as fh:
        fh.write(TRAIN.encode())
    return Expect(warning="invalid YAML", evidence="model.experiment-tracking")


@case
def shell_metacharacters_in_names(root: Path, outside: Path) -> Expect:
    write(root / ".github" / "workflows" / "$(touch PWNED).yml", "on: [push\n")
    write(root / "`reboot`;rm -rf ~.py", TRAIN)
    write(root / "a|b&c>d.yaml", "x: 1\n")
    return Expect(warning="invalid YAML", evidence="model.experiment-tracking")


# --------------------------------------------------------------------------- YAML / JSON / TOML
def _laughs(levels: int = 9) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels + 1):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


@case
def yaml_billion_laughs(root: Path, outside: Path) -> Expect:
    write(root / ".github" / "workflows" / "ci.yml", "on: push\njobs: {}\n" + _laughs())
    write(root / "dvc.yaml", "stages: {}\n" + _laughs())
    return Expect(warning="alias bomb")


@case
def yaml_deep_nesting(root: Path, outside: Path) -> Expect:
    write(root / "dvc.yaml", "stages: " + "[" * 20_000 + "]" * 20_000 + "\n")
    write(root / "params.yaml", "a:\n" + "".join("  " * i + "b:\n" for i in range(1, 400)))
    return Expect(warning="nests")


@case
def yaml_50mb_single_line(root: Path, outside: Path) -> Expect:
    write(root / "params.yaml", "key: " + "x" * (50 * 1024 * 1024) + "\n")
    return Expect(warning="over the limit")


@case
def workflow_recursive_anchor(root: Path, outside: Path) -> Expect:
    write(root / ".github" / "workflows" / "loop.yml",
          "on: push\njobs: &jobs\n  test:\n    steps: [*jobs]\n")
    return Expect(warning="recursive YAML anchor")


@case
def yaml_duplicate_keys_hiding_evidence(root: Path, outside: Path) -> Expect:
    write(root / ".github" / "workflows" / "ci.yml",
          "on: push\njobs:\n  t:\n    steps: [{run: pytest}]\njobs: {}\n")
    return Expect(warning="duplicate key")


@case
def toml_duplicate_keys(root: Path, outside: Path) -> Expect:
    write(root / "pyproject.toml", "[project]\nname = 'a'\nname = 'b'\n")
    return Expect(warning="invalid TOML")


@case
def json_duplicate_keys(root: Path, outside: Path) -> Expect:
    write(root / "grafana" / "dashboard.json", '{"panels": [], "panels": [1]}')
    return Expect(warning="duplicate key")


@case
def json_deep_nesting(root: Path, outside: Path) -> Expect:
    write(root / "grafana" / "dashboard.json", "[" * 100_000 + "]" * 100_000)
    return Expect(warning="nests too deeply")


@case
def notebook_gigantic_outputs(root: Path, outside: Path) -> Expect:
    out = '{"output_type": "stream", "name": "stdout", "text": ["' + "y" * (9 << 20) + '"]}'
    write(root / "explore.ipynb",
          '{"cells": [{"cell_type": "code", "source": ["import wandb\\n"], "outputs": ['
          + out + ']}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    return Expect(warning="over the limit")


@case
def notebook_invalid_json(root: Path, outside: Path) -> Expect:
    write(root / "nb.ipynb", '{"cells": [{"cell_type": "code", "source": ["import mlflow\\n"')
    write(root / "nb2.ipynb", '{"cells": "not a list"}')
    return Expect(warning="notebook")


# --------------------------------------------------------------------------- code and configs
@case
def python_syntax_error(root: Path, outside: Path) -> Expect:
    write(root / "train.py", "import mlflow\ndef broken(:\n    pass\n")
    return Expect(warning="syntax error")


@case
def python_ten_megabyte_string(root: Path, outside: Path) -> Expect:
    write(root / "train.py", "import mlflow\nBLOB = '" + "z" * (10 << 20) + "'\n")
    return Expect(warning="over the limit")


@case
def python_deeply_nested_expressions(root: Path, outside: Path) -> Expect:
    write(root / "parens.py", "import mlflow\nx = " + "(" * 100_000 + "1" + ")" * 100_000 + "\n")
    write(root / "chain.py", "import mlflow\nx = 1" + " + 1" * 200_000 + "\n")
    write(root / "calls.py", "import mlflow\nx = " + "f(" * 50_000 + ")" * 50_000 + "\n")
    return Expect(warning="parse")


@case
def dockerfile_ten_thousand_continuations(root: Path, outside: Path) -> Expect:
    write(root / "Dockerfile", "FROM python:3.11\nRUN echo start \\\n"
          + ("    && echo " + "x" * 40 + " \\\n") * 10_000 + "    && echo end\n")
    return Expect(warning="continuation")


@case
def gitignore_pathological_patterns(root: Path, outside: Path) -> Expect:
    write(root / ".gitignore", "*a*a*a*a*a*a*a*a*a*a*b\n" + "**/" * 500 + "x\n"
          + "\n".join(f"[{i}]*.log" for i in range(12_000)) + "\n" + "q" * 5000 + "\n")
    write(root / ("a" * 200) / ("a" * 200 + ".py"), TRAIN)
    return Expect(warning=".gitignore", evidence="model.experiment-tracking")


@case
def corrupt_git_directory(root: Path, outside: Path) -> Expect:
    write(root / ".git" / "HEAD", "garbage\x00\x01")
    write(root / ".git" / "config", "[core\nfsmonitor = touch PWNED\n")
    write(root / "train.py", TRAIN)
    return Expect(warning="git could not list files", evidence="model.experiment-tracking")


@case
def git_worktree_pointer_outside(root: Path, outside: Path) -> Expect:
    write(outside / "fake" / "HEAD", "ref: refs/heads/main\n")
    write(root / ".git", f"gitdir: {outside / 'fake'}\n")
    write(root / "train.py", TRAIN)
    return Expect(warning="points outside the scanned root", evidence="model.experiment-tracking")


@case
def unreadable_file_and_directory(root: Path, outside: Path) -> Expect:
    write(root / "params.yaml", "a: 1\n")
    (root / "params.yaml").chmod(0)
    write(root / "locked" / "train.py", TRAIN)
    (root / "locked").chmod(0)
    return Expect(warning="cannot read")


@case
def binary_disguised_as_code(root: Path, outside: Path) -> Expect:
    write(root / "train.py", b"import mlflow\x00\x00\x01\x02" * 100)
    return Expect(warning="binary content")


@case
def undecodable_bytes_in_code(root: Path, outside: Path) -> Expect:
    write(root / "train.py", b"import mlflow\n# \xff\xfe caf\xe9\nmlflow.log_metric('a', 1)\n")
    return Expect(warning="undecodable", evidence="model.experiment-tracking")


@case
def config_alias_bomb(root: Path, outside: Path) -> Expect:
    write(root / ".mlkaizen.yaml", _laughs())
    return Expect(error=".mlkaizen.yaml")


@case
def config_symlink_to_passwd(root: Path, outside: Path) -> Expect:
    (root / ".mlkaizen.yaml").symlink_to("/etc/passwd")
    return Expect(warning="points outside the scanned root")


@case
def huge_pyproject(root: Path, outside: Path) -> Expect:
    write(root / "pyproject.toml", "[project]\nname = 'x'\n" + "# pad\n" * (4 << 20))
    return Expect(warning="over the limit")


@case
def requirements_garbage(root: Path, outside: Path) -> Expect:
    write(root / "requirements.txt", "numpy==1.0\n" + "%%%not a requirement%%%\n" * 50
          + "x" * 100_000 + "\n")
    return Expect(warning="requirement not understood")


@case
def corrupt_baseline_found_in_the_repository(root: Path, outside: Path) -> Expect:
    write(root / ".mlkaizen" / "baseline.json", '{"stage": [' * 50_000)
    write(root / "train.py", TRAIN)
    return Expect(warning="baseline not used", evidence="model.experiment-tracking")


# --------------------------------------------------------------------------- injection into reports
WORKFLOW_TRIGGER = (
    "![p](http://evil.example/p.png) <img src=x onerror=alert(1)> www.evil.example $x$"
)
HOSTILE_NAME = "tr`<img src=x onerror=alert(1)>`ain\x1b]52;c;cHduZWQ=\x07\x1b[2J\u202e.py"


def _named_script(root: Path) -> None:
    write(root / HOSTILE_NAME, TRAIN)


def _hostile_workflow(root: Path) -> None:
    write(root / ".github" / "workflows" / "ci.yml",
          f"on:\n  push: {{}}\n  {WORKFLOW_TRIGGER!r}: {{}}\n"
          "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n")


@case
def markdown_report_links_images_and_html_from_the_repository(root: Path,
                                                              outside: Path) -> Expect:
    _named_script(root)
    _hostile_workflow(root)
    return Expect(fmt="markdown", present=(
        "triggers !\\[p\\](http\\://evil.example/p.png) \\<img src=x onerror=alert(1)\\> "
        "www\\.evil.example \\$x\\$",
        "[``tr`<img src=x onerror=alert(1)>`ain\\x1b]52;c;cHduZWQ=\\x07\\x1b[2J\\u202e.py:3``](",
    ), absent=("![p](", " <img", "http://evil", "\x1b", "\x07", "\u202e"))


@case
def terminal_report_control_sequences_in_names(root: Path, outside: Path) -> Expect:
    _named_script(root)
    write(root / "[bold red]x[/]" / "[link=http://evil.example]y[/link].yaml", "a: [\n")
    return Expect(fmt="terminal", present=(
        "tr`<img src=x\n  onerror=alert(1)>`ain\\x1b]52;c;cHduZWQ=\\x07\\x1b[2J\\u202e.py:3",
        "[bold red]x[/]/[link=http:/evil.example]y[/link].yaml:2",
    ), absent=("\x1b", "\x07", "\u202e"))


@case
def sarif_uri_from_names_with_scheme_space_and_fragment(root: Path, outside: Path) -> Expect:
    write(root / "javascript:alert(1)" / "a b#c?d%e" / "dvc.yaml", "stages: [\n")
    return Expect(fmt="sarif", present=(
        '"uri": "javascript%3Aalert%281%29/a%20b%23c%3Fd%25e/dvc.yaml"',
    ), absent=('"uri": "javascript:',))


# ------------------------------------------------------------------ the repository's own rules
def _lenient_catalogue() -> str:
    """The built-in catalogue with every stage requiring nothing."""
    import yaml

    from mlkaizen.catalogue.loader import builtin_path

    data = yaml.safe_load(builtin_path().read_text(encoding="utf-8"))
    for stage in data["stages"]:
        stage["requires"] = {}
    return yaml.safe_dump(data, sort_keys=False)


@case
def repository_catalogue_that_requires_nothing(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    write(root / "rules.yaml", _lenient_catalogue())
    write(root / ".mlkaizen.yaml", "catalogue: rules.yaml\n")
    return Expect(error="a repository cannot choose the rules it is judged by",
                  args=("--fail-under", "Kaizen MLOps"))


@case
def repository_catalogue_by_absolute_path_outside(root: Path, outside: Path) -> Expect:
    write(outside / "rules.yaml", _lenient_catalogue())
    write(root / ".mlkaizen.yaml", f"catalogue: {outside / 'rules.yaml'}\n")
    return Expect(error="a repository cannot choose the rules it is judged by",
                  args=("--fail-under", "Kaizen MLOps"))


@case
def repository_catalogue_allowed_but_above_the_root(root: Path, outside: Path) -> Expect:
    write(outside / "rules.yaml", _lenient_catalogue())
    write(root / ".mlkaizen.yaml", "catalogue: ../outside/rules.yaml\n")
    return Expect(error="must be a relative path inside the repository",
                  args=("--allow-repo-catalogue",))


@case
def repository_catalogue_allowed_but_dev_zero(root: Path, outside: Path) -> Expect:
    write(root / ".mlkaizen.yaml", "catalogue: /dev/zero\n")
    return Expect(error="must be a relative path inside the repository",
                  args=("--allow-repo-catalogue",))


@case
def repository_catalogue_allowed_but_a_fifo(root: Path, outside: Path) -> Expect:
    os.mkfifo(root / "rules.yaml")
    write(root / ".mlkaizen.yaml", "catalogue: rules.yaml\n")
    return Expect(error="is not a regular file", args=("--allow-repo-catalogue",))


@case
def repository_catalogue_allowed_but_linked_outside(root: Path, outside: Path) -> Expect:
    write(outside / "rules.yaml", _lenient_catalogue())
    (root / "cfg").symlink_to(outside)
    write(root / ".mlkaizen.yaml", "catalogue: cfg/rules.yaml\n")
    return Expect(error="symbolic link", args=("--allow-repo-catalogue",))


@case
def repository_catalogue_allowed_but_extends_a_file_outside(root: Path,
                                                           outside: Path) -> Expect:
    write(outside / "base.yaml", _lenient_catalogue())
    write(root / "rules.yaml",
          f"extends: {outside / 'base.yaml'}\nid: mine\nversion: '1'\ntitle: mine\n")
    write(root / ".mlkaizen.yaml", "catalogue: rules.yaml\n")
    return Expect(error="is not a built-in or installed catalogue id",
                  args=("--allow-repo-catalogue",))


@case
def repository_catalogue_allowed_is_named_in_the_report(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    write(root / "rules.yaml", "extends: ad-hoc-to-kaizen\nid: team-rules\nversion: '7'\n")
    write(root / ".mlkaizen.yaml", "catalogue: rules.yaml\n")
    return Expect(warning="judged against the catalogue team-rules 7 from the repository's "
                  "rules.yaml (--allow-repo-catalogue)", evidence="model.experiment-tracking",
                  args=("--allow-repo-catalogue",))
