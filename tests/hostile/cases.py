"""The hostile-repository corpus: each case builds a tree that tries to crash, slow down,
mislead or escape the scanner. Generated here, never committed as binaries.

A case writes into ``root`` (the scanned folder) and may use ``outside`` (a sibling folder
that must never be read). It returns what the scan must say about it.
"""

from __future__ import annotations

import json
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
    # another command than `assess ROOT --format json --out REPORT`: its arguments, with
    # {root}, {out} and {outside} replaced; rc 0 then only needs `check` (if any) to pass
    command: tuple[str, ...] | None = None
    cwd: str = "out"  # "out" or "root": where the command runs (CI runs in the checkout)
    stdin: bytes = b""
    env: dict[str, str] = field(default_factory=dict, compare=False)
    as_module: bool = False  # run like `python -m mlkaizen` (working folder on sys.path)
    writes_tree: bool = False  # the command may legitimately write into the tree (fix)
    check: Callable[[Path], None] | None = field(default=None, compare=False)  # on root


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

# a FastAPI app that loads a model: what the serving-image fix needs to fit
SERVING_APP = ("import joblib\nfrom fastapi import FastAPI\n\nmodel = joblib.load('model.joblib')\n"
               "app = FastAPI()\n")

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


# =========================================================================== beyond `assess`
# Helpers for cases that need a git history or a command other than `assess`.
def git(root: Path, *args: str) -> None:
    import subprocess

    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=Ann", "-c", "user.email=ann@example.org",
         "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        check=True, capture_output=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    )


def marker_script(outside: Path, name: str = "tool") -> Path:
    """An executable that, if ever run, leaves a marker in ``outside``."""
    path = outside / "bin" / name
    write(path, f"#!/bin/sh\ntouch '{outside}/PWNED-{name}'\ncat >/dev/null 2>&1\nexit 0\n")
    path.chmod(0o755)
    return path


def committed(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        write(root / rel, text)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")


def signed_commit(root: Path) -> None:
    """A commit object that carries a (fake) signature, so that `log.showSignature` would
    make git call `gpg.program` on it."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    run = {"check": True, "capture_output": True, "text": True, "env": env}
    tree = subprocess.run(["git", "-C", str(root), "write-tree"], **run).stdout.strip()  # type: ignore[call-overload]
    head = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], **run).stdout.strip()  # type: ignore[call-overload]
    body = (f"tree {tree}\nparent {head}\nauthor Ann <ann@example.org> 1700000000 +0000\n"
            "committer Ann <ann@example.org> 1700000000 +0000\n"
            "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n"
            " -----END PGP SIGNATURE-----\n\nsigned\n")
    sha = subprocess.run(["git", "-C", str(root), "hash-object", "-t", "commit", "-w",  # type: ignore[call-overload]
                          "--stdin"], input=body, **run).stdout.strip()
    subprocess.run(["git", "-C", str(root), "update-ref", "HEAD", sha], **run)  # type: ignore[call-overload]


# --------------------------------------------------------------------------- writes via links
@case
def baseline_folder_is_a_symlink_outside(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    (outside / "dot-mlkaizen").mkdir()
    (root / ".mlkaizen").symlink_to(outside / "dot-mlkaizen")
    return Expect(command=("baseline", "save", "{root}"), error="symbolic link")


@case
def baseline_file_is_a_dangling_symlink(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    (root / ".mlkaizen").mkdir()
    (root / ".mlkaizen" / "baseline.json").symlink_to(outside / "planted.json")
    return Expect(command=("baseline", "save", "{root}"), error="symbolic link")


@case
def survey_answers_folder_is_a_symlink(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    (root / ".mlkaizen").mkdir()
    (root / ".mlkaizen" / "answers").symlink_to(outside)
    return Expect(command=("survey", "{root}", "--respondent", "ann"), error="symbolic link",
                  stdin=b"y\n\n" * 80)


@case
def badge_default_output_is_a_committed_symlink(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    write(outside / "victim.svg", "keep me\n")
    (root / "mlkaizen.svg").symlink_to(outside / "victim.svg")
    return Expect(command=("badge", "."), cwd="root", error="symbolic link")


@case
def profile_output_is_a_dangling_symlink(root: Path, outside: Path) -> Expect:
    (root / "profile.yaml").symlink_to(outside / "planted.yaml")
    answers = b"no\nno\nno\ncloud\nbatch\nmonthly\nlow\nlow\n1\n1\n"
    return Expect(command=("profile", "--force"), cwd="root", error="symbolic link",
                  stdin=answers)


@case
def ci_report_file_is_a_committed_symlink(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    write(outside / "secret.txt", "token=abc\n")
    (root / "mlkaizen-report.md").symlink_to(outside / "secret.txt")
    return Expect(command=("assess", ".", "--format", "markdown", "--out",
                           "mlkaizen-report.md"), cwd="root", error="symbolic link")


@case
def fix_force_on_a_hard_link_to_outside(root: Path, outside: Path) -> Expect:
    _ml_repo(root)
    write(root / "serve.py", SERVING_APP)  # a serving app, so the image fix fits
    write(outside / "victim.md", "outside content\n")
    os.link(outside / "victim.md", root / "Dockerfile")
    return Expect(command=("fix", "deployment.packaged-artifact", "--force", "--path", "{root}"),
                  error="hard links")


@case
def path_argument_through_a_committed_link(root: Path, outside: Path) -> Expect:
    write(outside / "fraud" / "train.py", TRAIN)
    (root / "services").symlink_to(outside)
    return Expect(command=("assess", "services/fraud", "--format", "json"), cwd="root",
                  error="services is a link that leads out of the working folder")


@case
def baseline_save_path_through_a_committed_link(root: Path, outside: Path) -> Expect:
    write(outside / "fraud" / "train.py", TRAIN)
    (root / "services").symlink_to(outside)
    return Expect(command=("baseline", "save", "services/fraud"), cwd="root",
                  error="services is a link that leads out of the working folder")


@case
def history_through_a_gitlink_to_another_repository(root: Path, outside: Path) -> Expect:
    import subprocess

    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.devnull,
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    subprocess.run(["git", "init", "-q", str(outside / "secret")], check=True, env=env)
    write(root / ".git", f"gitdir: {outside / 'secret' / '.git'}\n")
    return Expect(command=("history", "{root}"), error="history reads only the repository")


# --------------------------------------------------------------------------- code executed
def _filter_repo(root: Path, outside: Path) -> None:
    """A repository whose config names a clean filter for every file, and a file whose
    index entry is stale (same size, new mtime), so `git status` would run the filter."""
    committed(root, {"train.py": TRAIN, ".gitattributes": "* filter=evil\n"})
    tool = marker_script(outside, "filter")
    with open(root / ".git" / "config", "a", encoding="utf-8") as fh:
        fh.write(f"[filter \"evil\"]\n\tclean = {tool}\n\tsmudge = {tool}\n\trequired = true\n")
    os.utime(root / "train.py", (1_900_000_000, 1_900_000_000))


@case
def git_clean_filter_from_repository_config(root: Path, outside: Path) -> Expect:
    _filter_repo(root, outside)
    return Expect(command=("fix", "organization.review-process", "--path", "{root}"),
                  writes_tree=True)


@case
def git_file_pointing_inside_the_tree(root: Path, outside: Path) -> Expect:
    _filter_repo(root, outside)
    os.rename(root / ".git", root / "vendor-git")
    write(root / ".git", "gitdir: vendor-git\n")
    return Expect(command=("fix", "organization.review-process", "--path", "{root}"),
                  writes_tree=True)


@case
def gpg_program_with_show_signature(root: Path, outside: Path) -> Expect:
    committed(root, {"train.py": TRAIN})
    signed_commit(root)
    tool = marker_script(outside, "gpg")
    with open(root / ".git" / "config", "a", encoding="utf-8") as fh:
        fh.write(f"[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {tool}\n")
    return Expect(command=("fix", "organization.code-ownership", "--path", "{root}"),
                  writes_tree=True)


@case
def bare_repository_committed_in_a_subfolder(root: Path, outside: Path) -> Expect:
    work = outside / "work"
    work.mkdir()
    committed(work, {"train.py": TRAIN})
    signed_commit(work)
    git(work, "clone", "-q", "--bare", str(work), str(root / "sub"))
    write(root / "sub" / "train.py", TRAIN)
    tool = marker_script(outside, "gpg")
    with open(root / "sub" / "config", "a", encoding="utf-8") as fh:
        fh.write(f"[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {tool}\n"
                 f"[core]\n\tfsmonitor = {tool}\n")
    import shutil

    shutil.rmtree(work)
    return Expect(command=("fix", "organization.code-ownership", "--path", "{root}/sub"),
                  writes_tree=True)


@case
def pip_compile_on_repository_requirements(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    write(root / "requirements.in", "pkg @ file://./vendor/pkg\n")
    marker_script(outside, "pip-compile")
    return Expect(command=("fix", "operations.reproducible-environment", "--dry-run",
                           "--path", "{root}"),
                  env={"PATH": f"{outside}/bin:{os.environ.get('PATH', '')}"})


@case
def module_run_from_inside_the_repository(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    plant = f"open({str(outside / 'PWNED-import')!r}, 'w').close()\n"
    for name in ("typer.py", "rich.py", "yaml.py", "pydantic.py", "evil_plugin.py"):
        write(root / name, plant)
    write(root / "evil-0.1.dist-info" / "METADATA", "Metadata-Version: 2.1\nName: evil\n"
          "Version: 0.1\n")
    write(root / "evil-0.1.dist-info" / "entry_points.txt",
          "[mlkaizen.detectors]\nevil = evil_plugin\n[mlkaizen.catalogues]\nevil = evil_plugin\n")
    return Expect(command=("assess", ".", "--format", "json", "--out", "{out}/report.json"),
                  cwd="root", as_module=True)


# --------------------------------------------------------------------------- injection by fix
def _ml_repo(root: Path, script: str = "train.py") -> None:
    write(root / script, "import joblib\nfrom sklearn.linear_model import LogisticRegression\n\n"
          "model = LogisticRegression().fit([[1]], [0])\njoblib.dump(model, 'm.joblib')\n")


def _workflow_runs_quoted(root: Path) -> None:
    import yaml

    flow = yaml.safe_load((root / ".github" / "workflows" / "mlkaizen-retrain.yml").read_text())
    steps = flow["jobs"]["retrain"]["steps"]
    assert steps[-1]["run"] == "python 'train$(touch PWNED).py'\n", steps[-1]


@case
def shell_in_training_script_name(root: Path, outside: Path) -> Expect:
    _ml_repo(root, "train$(touch PWNED).py")
    return Expect(command=("fix", "model.ct-triggers", "--path", "{root}"), writes_tree=True,
                  check=_workflow_runs_quoted)


@case
def azure_macro_in_training_script_name(root: Path, outside: Path) -> Expect:
    # Azure expands $(var) in a script before the shell runs, inside quotes too: the commit
    # message (attacker text) would become part of the command
    _ml_repo(root, "train$(Build.SourceVersionMessage).py")
    write(root / ".pipelines" / "build.yml",
          "trigger: [main]\npool: {vmImage: ubuntu-latest}\nsteps:\n  - script: echo build\n")
    return Expect(command=("fix", "model.ct-triggers", "--path", "{root}"),
                  error="contains the CI expression `$(`, which Azure Pipelines expands")


@case
def gitlab_input_in_requirements_file_name(root: Path, outside: Path) -> Expect:
    _ml_repo(root)
    write(root / "requirements$[[ inputs.x ]].txt", "scikit-learn\n")
    write(root / ".gitlab-ci.yml", "test:\n  script:\n    - echo test\n")
    return Expect(command=("fix", "model.ct-triggers", "--path", "{root}"),
                  error="contains the CI expression `$[[`, which GitLab CI expands")


@case
def newline_in_data_folder_name(root: Path, outside: Path) -> Expect:
    _ml_repo(root)
    write(root / "data" / "x\n- path: evil" / "rows.csv", "a,b\n1,2\n")
    return Expect(command=("fix", "data.versioned", "--path", "{root}"),
                  error="contains a control character")


def _schema_has_no_code(root: Path) -> None:
    import ast

    tree = ast.parse((root / "schemas.py").read_text())
    imports = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert imports == {"pandera.pandas"}, imports
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    assert all(isinstance(c.func, ast.Attribute) and c.func.attr == "Field" for c in calls)


@case
def python_code_in_a_column_name(root: Path, outside: Path) -> Expect:
    _ml_repo(root)
    column = 'a"); import os; os.system("touch PWNED"); x=("'
    header = '"' + column.replace('"', '""') + '",b'  # CSV quoting of the column name
    write(root / "data" / "raw" / 'c""".csv', header + "\n1,2\n")
    return Expect(command=("fix", "data.schema-declared", "--path", "{root}"), writes_tree=True,
                  check=_schema_has_no_code)


def _devcontainer_is_plain(root: Path) -> None:
    path = next(root.rglob("devcontainer.json"))
    doc = json.loads(path.read_text())
    assert set(doc) <= {"name", "image", "postCreateCommand"}, doc  # no injected key


@case
def json_in_the_project_folder_name(root: Path, outside: Path) -> Expect:
    project = root / 'x", "initializeCommand": "touch PWNED'
    _ml_repo(project)
    return Expect(command=("fix", "operations.reproducible-environment", "--path",
                           str(project)), writes_tree=True, check=_devcontainer_is_plain)


def _no_owner_from_history(root: Path) -> None:
    rules = [line for line in (root / ".github" / "CODEOWNERS").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert rules == ["* @your-team"], rules


@case
def code_owner_from_a_forged_author(root: Path, outside: Path) -> Expect:
    committed(root, {"train.py": TRAIN})
    write(root / "b.py", "x = 1\n")
    git(root, "add", "b.py")
    git(root, "commit", "-qm", "b", "--author", "Eve <@attacker-org/admins>")
    return Expect(command=("fix", "organization.code-ownership", "--path", "{root}"),
                  writes_tree=True, check=_no_owner_from_history)


@case
def committed_folder_replaced_by_a_link_outside(root: Path, outside: Path) -> Expect:
    committed(root, {"train.py": TRAIN, "cfg/dvc.yaml": "stages: {}\n"})
    import shutil

    shutil.rmtree(root / "cfg")
    write(outside / "cfg" / "dvc.yaml", "stages: {train: {cmd: python train.py}}\n")
    write(outside / "cfg" / "secret.yaml", "token: abc\n")
    (root / "cfg").symlink_to(outside / "cfg")
    return Expect(warning="a folder on this path is a symlink that points outside")


# --------------------------------------------------------------------------- unbounded work
@case
def makefile_recipe_called_thousands_of_times(root: Path, outside: Path) -> Expect:
    write(root / "Makefile", "a:\n" + ("\techo " + "y" * 100 + "\n") * 3000)
    write(root / ".github" / "workflows" / "ci.yml",
          "on: push\njobs:\n  t:\n    steps:\n      - run: " + "make a " * 2000 + "\n")
    return Expect(warning="max_expansion_bytes")


@case
def script_naming_itself_called_thousands_of_times(root: Path, outside: Path) -> Expect:
    write(root / "ci.sh", "bash ci.sh\n" * 1000 + "pytest\n")
    jobs = "".join(f"  j{i}:\n    steps:\n      - run: bash ci.sh --n {i}\n"
                   for i in range(400))
    write(root / ".github" / "workflows" / "ci.yml", "on: push\njobs:\n" + jobs)
    return Expect(warning="max_expansion_total", args=("--parse-timeout", "0"))


@case
def thousands_of_workflows(root: Path, outside: Path) -> Expect:
    flow = "on: push\njobs:\n" + "".join(f"  j{i}:\n    steps: [{{run: pytest}}]\n"
                                         for i in range(5))
    for i in range(1_100):
        write(root / ".github" / "workflows" / f"w{i}.yml", flow)
    return Expect(warning="max_ci_files=1,000", args=("--parse-timeout", "0"))


@case
def tens_of_thousands_of_jobs(root: Path, outside: Path) -> Expect:
    for n in range(2):
        flow = "on: push\njobs:\n" + "".join(f"  j{i}: {{steps: [{{run: pytest}}]}}\n"
                                             for i in range(6_000))
        write(root / ".github" / "workflows" / f"w{n}.yml", flow)
    return Expect(warning="max_ci_jobs=10,000", args=("--parse-timeout", "0"))


@case
def nested_large_gitignores(root: Path, outside: Path) -> Expect:
    folder = root
    for i in range(20):
        write(folder / ".gitignore", "".join(f"/never-{i}-{j}.tmp\n" for j in range(5_000)))
        folder = folder / f"d{i}"
    write(folder / "train.py", TRAIN)
    return Expect(warning="max_gitignore_", evidence="model.experiment-tracking")


@case
def requirements_with_a_hundred_thousand_lines(root: Path, outside: Path) -> Expect:
    write(root / "requirements.txt", "".join(f"pkg{i}==1.0\n" for i in range(100_000)))
    return Expect(warning="max_requirement_lines=20,000")


@case
def folders_nested_1200_deep(root: Path, outside: Path) -> Expect:
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(1_200):
            os.mkdir("d", dir_fd=fd)
            nxt = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nxt
        with open(os.open("train.py", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as fh:
            fh.write(TRAIN)
    finally:
        os.close(fd)
    write(root / "train.py", TRAIN)
    return Expect(warning="max_dir_depth=512", evidence="model.experiment-tracking")


@case
def azure_template_used_by_many_pipelines(root: Path, outside: Path) -> Expect:
    write(root / "t" / "steps.yml",
          "steps:\n" + "".join(f"- script: echo {i}\n" for i in range(2_000)))
    for n in range(40):  # 80,000 steps once expanded
        write(root / "pipes" / f"p{n}.yml",
              "trigger: none\npool: {vmImage: x}\nsteps:\n- template: ../t/steps.yml\n")
    write(root / "train.py", TRAIN)
    return Expect(warning="limit max_ci_steps=20,000 reached",
                  evidence="model.experiment-tracking")


@case
def composite_action_used_by_a_composite_action(root: Path, outside: Path) -> Expect:
    leaf = "runs:\n  using: composite\n  steps:\n" + "".join(
        f"    - run: echo {i} {'y' * 80}\n" for i in range(300))
    mid = "runs:\n  using: composite\n  steps:\n" + "    - uses: ./.github/actions/b\n" * 300
    write(root / ".github" / "actions" / "b" / "action.yml", leaf)
    write(root / ".github" / "actions" / "a" / "action.yml", mid)
    write(root / ".github" / "workflows" / "ci.yml", "on: push\njobs:\n  t:\n    steps:\n"
          + "      - uses: ./.github/actions/a\n" * 300)
    write(root / "train.py", TRAIN)
    return Expect(warning="limit max_expansion_bytes=131,072 reached",
                  evidence="model.experiment-tracking")


@case
def gitlab_thousands_of_wildcard_includes(root: Path, outside: Path) -> Expect:
    write(root / ".gitlab-ci.yml", "include:\n" + "".join(
        f"  - local: 'ci/p{i}*.yml'\n" for i in range(3_000)) + "test:\n  script: [pytest]\n")
    for i in range(300):
        write(root / "ci" / f"q{i}.yml", f"job{i}:\n  script: [echo {i}]\n")
    write(root / "train.py", TRAIN)
    return Expect(warning="limit max_gitlab_includes=150 reached",
                  evidence="model.experiment-tracking")


@case
def python_file_of_two_megabytes_of_calls(root: Path, outside: Path) -> Expect:
    line = "x = foo.bar(1, 'a', key=2)\n"  # its syntax tree alone took over 600 MB
    write(root / "gen.py", "import mlflow\n" + line * (2_000_000 // len(line)))
    write(root / "train.py", TRAIN)
    return Expect(warning="limit max_parsed_source=262,144", evidence="model.experiment-tracking")


@case
def template_line_of_unclosed_openers(root: Path, outside: Path) -> Expect:
    write(root / "train.py.j2", TRAIN + "# " + "{%" * 100_000 + "\n")  # 200 KB: 93 s, once
    write(root / "conf.yaml.j2", "a: 1\n# " + "{#" * 150_000 + "\n")
    write(root / "junk.py", b"\0binary")
    return Expect(warning="binary content", evidence="model.experiment-tracking")


# --------------------------------------------------------------------------- bad input
@case
def fifo_given_as_config(root: Path, outside: Path) -> Expect:
    os.mkfifo(root / "cfg.yaml")
    return Expect(args=("--config", str(root / "cfg.yaml")), error="not a regular file")


@case
def fifo_as_the_repository_baseline(root: Path, outside: Path) -> Expect:
    (root / ".mlkaizen").mkdir()
    os.mkfifo(root / ".mlkaizen" / "baseline.json")
    return Expect(args=("--fail-on-regression",), error="not a regular file")


@case
def dangling_baseline_link_with_the_regression_gate(root: Path, outside: Path) -> Expect:
    """A pull request links the baseline away: the regression gate fails closed (exit 2),
    never "gate passed"."""
    write(root / "train.py", TRAIN)
    (root / ".mlkaizen").mkdir()
    (root / ".mlkaizen" / "baseline.json").symlink_to(outside / "never-created.json")
    return Expect(args=("--fail-on-regression",), error="is a symbolic link")


@case
def baseline_folder_linked_outside_with_the_regression_gate(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    (outside / "dot-mlkaizen").mkdir()
    write(outside / "dot-mlkaizen" / "baseline.json", "{}")
    (root / ".mlkaizen").symlink_to(outside / "dot-mlkaizen")
    return Expect(args=("--fail-on-regression",), error="'.mlkaizen' is a symbolic link")


@case
def fifo_given_as_profile(root: Path, outside: Path) -> Expect:
    os.mkfifo(root / "p.yaml")
    return Expect(command=("target", "{root}", "--profile", "{root}/p.yaml"),
                  error="not a regular file")


@case
def fifo_given_to_model_validate(root: Path, outside: Path) -> Expect:
    os.mkfifo(root / "c.yaml")
    return Expect(command=("model", "validate", "{root}/c.yaml"), error="not a regular file")


@case
def fifo_where_a_fix_writes(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    (root / ".github").mkdir()
    os.mkfifo(root / ".github" / "pull_request_template.md")
    return Expect(command=("fix", "organization.review-process", "--path", "{root}"),
                  error="not a regular file")


@case
def folder_where_a_fix_writes(root: Path, outside: Path) -> Expect:
    _ml_repo(root)
    write(root / "serve.py", SERVING_APP)
    (root / "Dockerfile").mkdir()
    return Expect(command=("fix", "deployment.packaged-artifact", "--path", "{root}"),
                  error="is a directory where a file is expected")


@case
def fail_under_superscript_digit(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    return Expect(args=("--fail-under", "²"), error="--fail-under '²'")


@case
def profile_with_a_5000_digit_integer(root: Path, outside: Path) -> Expect:
    write(root / "profile.yaml", "models: " + "9" * 5_000 + "\n")
    return Expect(command=("edge-advice", "--profile", "{root}/profile.yaml"),
                  error="invalid YAML value")


@case
def survey_resume_file_not_utf8(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    write(root / ".mlkaizen" / "answers" / "ann.yaml",
          b"respondent: ann\nanswers: {}\n# \xff\xfe\n")
    return Expect(command=("survey", "{root}", "--respondent", "ann"), error="not UTF-8")


@case
def map_over_a_sparse_three_gigabyte_yaml(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    with open(root / "big.yaml", "wb") as fh:
        fh.truncate(3 << 30)
    return Expect(command=("map", "{root}", "-f", "json", "--out", "{out}/map.json"))


@case
def committed_profile_links_outside(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    write(outside / "profile.yaml", "needs_regulatory_compliance: true\n")
    (root / "profile.yaml").symlink_to(outside / "profile.yaml")
    return Expect(command=("target", "{root}"), error="no profile")


# ------------------------------------------------- the surfaces of the first-hour workflow


@case
def survey_respondent_named_as_a_path_out(root: Path, outside: Path) -> Expect:
    # the respondent names the answers file: `../../../x` once saved it beside the repository
    write(root / "train.py", TRAIN)
    return Expect(command=("survey", "{root}", "--respondent", "../../../x"),
                  error="a name, not a path", stdin=b"n\n\n" * 40)


@case
def survey_respondent_with_an_escape_sequence(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    return Expect(command=("survey", "{root}", "--respondent", "ann\x1b]0;owned\x07"),
                  error="a name, not a path", stdin=b"n\n\n" * 40)


@case
def default_answers_folder_links_outside(root: Path, outside: Path) -> Expect:
    # answers read without being named come from the repository only, never through a link
    write(root / "train.py", TRAIN)
    write(outside / "ann.yaml", "respondent: ann\ncatalogue: {id: ad-hoc-to-kaizen}\n"
          "answers: {data.versioned: yes}\n")
    (root / ".mlkaizen").mkdir()
    (root / ".mlkaizen" / "answers").symlink_to(outside)
    return Expect(warning="points outside the scanned root",
                  absent=('"ann"',))


@case
def default_answers_file_links_outside(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    write(outside / "ann.yaml", "respondent: ann\ncatalogue: {id: ad-hoc-to-kaizen}\n"
          "answers: {data.versioned: yes}\n")
    (root / ".mlkaizen" / "answers").mkdir(parents=True)
    (root / ".mlkaizen" / "answers" / "ann.yaml").symlink_to(outside / "ann.yaml")
    return Expect(warning="points outside the scanned root",
                  absent=('"ann"',))


@case
def default_answers_file_is_a_fifo(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    (root / ".mlkaizen" / "answers").mkdir(parents=True)
    os.mkfifo(root / ".mlkaizen" / "answers" / "ann.yaml")
    return Expect(command=("assess", "{root}", "--format", "json", "--out", "{out}/r.json"))


@case
def default_answers_folder_is_a_file(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    write(root / ".mlkaizen" / "answers", "not a folder\n")
    return Expect(command=("survey", "{root}", "--respondent", "ann"), error="not a folder",
                  stdin=b"n\n\n" * 40)


@case
def default_answers_alias_bomb(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    write(root / ".mlkaizen" / "answers" / "ann.yaml", "\n".join(lines) + "\n")
    return Expect(command=("assess", "{root}", "--format", "json", "--out", "{out}/r.json"),
                  error="alias bomb")


@case
def confirmation_quotes_a_hostile_step_name(root: Path, outside: Path) -> Expect:
    # a question turned into a confirmation quotes the CI step that suggests the answer
    write(root / "train.py", TRAIN)
    name = "Roll_Back \x1b[31m<script>alert(1)</script> [x](https://evil.example) @team"
    workflow = {"on": {"push": {}}, "jobs": {"rb": {"runs-on": "ubuntu-latest", "steps": [
        {"name": name, "run": "echo hi"}]}}}
    write(root / ".github" / "workflows" / "ci.yml", json.dumps(workflow))
    return Expect(fmt="markdown",
                  present=("Roll\\_Back \\\\x1b\\[31m\\<script\\>",),
                  absent=("<script>", "](https://evil", "\x1b", "@team"))


@case
def model_card_of_340_000_labelled_lines(root: Path, outside: Path) -> Expect:
    # a card is judged by its sections: finding where each label's text ends was quadratic
    write(root / "train.py", TRAIN)
    write(root / "MODEL_CARD.md", "ab: c\n" * 340_000)
    return Expect(command=("assess", "{root}", "--format", "json", "--out", "{out}/r.json"))


@case
def workflow_of_3000_scheduled_training_jobs(root: Path, outside: Path) -> Expect:
    # whether each training job keeps its model once looked at every step after it
    write(root / "train.py", TRAIN)
    jobs = {f"j{i}": {"runs-on": "x", "steps": [{"run": "python train.py"}]}
            for i in range(3000)}
    write(root / ".github" / "workflows" / "retrain.yml",
          json.dumps({"on": {"schedule": [{"cron": "0 3 * * 1"}]}, "jobs": jobs}))
    return Expect(command=("assess", "{root}", "--format", "json", "--out", "{out}/r.json"))


def _old_objects(folder: Path, count: int = 40) -> None:
    """Files laid out as git objects, older than anything a run writes (a sweep's first
    choice)."""
    for i in range(count):
        path = folder / f"{i:02x}" / ("0" * 38)
        write(path, "x" * 2000)
        os.utime(path, (1_000_000 + i, 1_000_000 + i))


@case
def ci_cache_folder_is_a_committed_symlink(root: Path, outside: Path) -> Expect:
    # the user cache set inside the checkout (a CI cache recipe), its folder committed as a
    # link to where another repository's objects are: nothing lands there, nothing is removed
    write(root / "train.py", TRAIN)
    _old_objects(outside / "objects")
    (outside / "cache").mkdir()
    (outside / "cache" / "facts").symlink_to(outside / "objects")
    (root / ".cache").mkdir()
    (root / ".cache" / "mlkaizen").symlink_to(outside / "cache")
    return Expect(command=("assess", ".", "--format", "json", "--out", "{out}/r.json"),
                  cwd="root", env={"MLKAIZEN_CACHE_DIR": ".cache/mlkaizen",
                                   "MLKAIZEN_FACT_CACHE_MB": "0"})


@case
def ci_cache_size_marker_is_a_fifo(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    (root / ".cache" / "mlkaizen" / "facts").mkdir(parents=True)
    os.mkfifo(root / ".cache" / "mlkaizen" / "facts" / ".size")
    return Expect(command=("assess", ".", "--format", "json", "--out", "{out}/r.json"),
                  cwd="root", writes_tree=True,
                  env={"MLKAIZEN_CACHE_DIR": ".cache/mlkaizen", "MLKAIZEN_FACT_CACHE_MB": "0"})


@case
def ci_store_folder_is_a_committed_symlink(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    (root / ".mlkaizen").symlink_to(outside)
    return Expect(command=("assess", ".", "--save", "--db", "sqlite:///.mlkaizen/store.db"),
                  cwd="root", error="symbolic link")


@case
def ci_store_wal_is_a_committed_symlink(root: Path, outside: Path) -> Expect:
    write(root / "train.py", TRAIN)
    write(outside / "keep.txt", "keep me\n")
    (root / "store.db-wal").symlink_to(outside / "keep.txt")
    return Expect(command=("assess", ".", "--save"), cwd="root", error="symbolic link",
                  env={"MLKAIZEN_DB": "sqlite:///store.db"})
