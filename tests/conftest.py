"""Shared fixtures: tiny repositories written by the tests themselves."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "churn-prediction"

# the user cache of every run in the tests (subprocesses included): a folder of the test run's
# own, never the developer's ~/.cache, removed when the process that made it exits
_CACHE = tempfile.mkdtemp(prefix="mlk-test-cache-")
os.environ["MLKAIZEN_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

MakeRepo = Callable[..., Path]


@pytest.fixture(autouse=True)
def _fresh_fact_cache() -> Iterator[None]:
    """Each test starts with the parse cache as the environment sets it (a command run in
    the test process configures it with its own flags)."""
    from mlkaizen.evidence import factcache

    factcache.reset()
    yield
    factcache.reset()


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def committed_repo(root: Path, files: dict[str, str], branch: str | None = None) -> Path:
    """``files`` written under ``root`` and committed as one commit (Ann, ``init``)."""
    write_tree(root, dict(files))
    git = ["git", "-C", str(root), "-c", "user.name=Ann", "-c", "user.email=ann@example.org"]
    subprocess.run([*git[:3], "init", "-q", *(["-b", branch] if branch else [])], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "init"], check=True)
    return root


@pytest.fixture
def make_repo(tmp_path: Path) -> MakeRepo:
    """``make_repo({"path": "content"}, git=False)`` -> a fresh folder with those files."""
    counter = iter(range(1_000_000))

    def make(files: dict[str, str | bytes], *, git: bool = False) -> Path:
        root = tmp_path / f"repo{next(counter)}"
        root.mkdir()
        write_tree(root, files)
        if git:
            subprocess.run(["git", "init", "-q", str(root)], check=True)
            subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
        return root

    return make


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """The bundled example, copied into a git repository of its own."""
    dest = tmp_path / "churn-prediction"
    shutil.copytree(EXAMPLE, dest)
    subprocess.run(["git", "init", "-q", str(dest)], check=True)
    return dest


def lines_run_in(module_file: str, call: Callable[[], T]) -> tuple[T, int]:
    """``call()``'s result and how many lines of the module ``module_file`` ran meanwhile:
    the work, counted, not timed (a load on the machine cannot change it)."""
    from types import FrameType
    from typing import Any

    lines = 0

    def trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal lines
        if frame.f_code.co_filename != module_file:
            return None
        if event == "line":
            lines += 1
        return trace

    sys.settrace(trace)
    try:
        result = call()
    finally:
        sys.settrace(None)
    return result, lines


@contextlib.contextmanager
def files_opened_below(root: Path) -> Iterator[list[str]]:
    """The files below ``root`` opened while the block runs (paths relative to it), as the
    interpreter's audit hook sees them. An audit hook cannot be removed: once the block ends,
    it matches nothing any more."""
    opened: list[str] = []
    prefix = [str(root) + "/"]

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event == "open" and isinstance(args[0], str) and args[0].startswith(prefix[0]):
            opened.append(args[0][len(prefix[0]):])

    sys.addaudithook(hook)
    try:
        yield opened
    finally:
        prefix[0] = "\0"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Where the browser tests left their screenshots (tests/browser), when they ran."""
    shots = ROOT / "tests" / "browser" / "artifacts"
    if shots.is_dir() and any(shots.glob("*.png")):
        terminalreporter.write_line(f"browser screenshots: {shots}")
