"""Fleet jobs of repositories an attacker made: a hostile ``.git/config`` and hooks, a
submodule to ``ext::``, a tree with ``..`` and ``a/b`` names, a blob over the size limit, no
commits, a HEAD to a missing branch. Nothing of the repository runs (a marker a hook or
filter would write never appears); each job ends done, or failed with its one-line reason."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from mlkaizen.catalogues import load_catalogue
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.fleet.job import JobError, Scanned, scan_entry
from mlkaizen.fleet.manifest import Entry
from tests.history.gitrepo import commit, git, init

HOSTILE_CONFIG = """
[core]
    fsmonitor = {script}
    hooksPath = {hooks}
    pager = {script}
    askPass = {script}
    sshCommand = {script}
    alternateRefsCommand = {script}
[filter "evil"]
    smudge = {script}
    clean = {script}
    process = {script}
    required = true
[diff "evil"]
    textconv = {script}
[uploadpack]
    packObjectsHook = {script}
    allowAnySHA1InWant = true
[gpg]
    program = {script}
[log]
    showSignature = true
"""
HOOKS = ("post-checkout", "pre-commit", "reference-transaction", "post-index-change",
         "pre-auto-gc", "fsmonitor-watchman", "post-update", "pre-upload-pack")
GITMODULES = """[submodule "x"]
    path = x
    url = ext::sh -c touch% {marker}
[submodule "y"]
    path = y
    url = --upload-pack=touch {marker}
"""


def _scan(entry: Entry, cache: Path, limits: ScanLimits | None = None) -> Scanned:
    return scan_entry(entry, cache=cache, catalogue=load_catalogue(None),
                      limits=limits or ScanLimits())


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    """A repository whose config, hooks, attributes and submodules would each run a script
    that writes the marker; the repository and the marker's path."""
    marker = tmp_path / "ran"
    script = tmp_path / "evil.sh"
    script.write_text(f"#!/bin/sh\necho \"$0 $*\" >> {marker}\ncat\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    repo = init(tmp_path / "evil")
    sha = commit(repo, {"train.py": "import mlflow\n", ".gitattributes": "* filter=evil\n",
                        ".gitmodules": GITMODULES.format(marker=marker)},
                 "2025-01-15", "Ann", "Start")
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{sha},x")
    commit(repo, {"README.md": "# evil\n"}, "2025-01-16", "Ann", "Gitlink")
    git(repo, "branch", "feat")
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in HOOKS:
        for folder in (hooks, repo / ".git" / "hooks"):
            (folder / name).write_text(script.read_text())
            (folder / name).chmod(0o755)
    with (repo / ".git" / "config").open("a") as cfg:
        cfg.write(HOSTILE_CONFIG.format(script=script, hooks=hooks))
    assert not marker.exists()
    return repo, marker


@pytest.mark.parametrize("how", ["file-url", "file-url-ref", "local-ref", "work-tree"])
def test_a_hostile_repository_is_assessed_and_nothing_of_it_runs(
    tmp_path: Path, hostile: tuple[Path, Path], how: str
) -> None:
    repo, marker = hostile
    entry = {
        "file-url": Entry(location=f"file://{repo}", kind="git"),
        "file-url-ref": Entry(location=f"file://{repo}", kind="git", ref="feat"),
        "local-ref": Entry(location=str(repo), kind="path", ref="feat"),
        "work-tree": Entry(location=str(repo), kind="path"),
    }[how]
    scanned = _scan(entry, tmp_path / "cache")
    assert scanned.commit == git(repo, "rev-parse", "HEAD")
    assert scanned.subjects[0].assessment.stage == "Ad hoc"
    assert not marker.exists(), marker.read_text()


def _tree(repo: Path, entries: list[tuple[str, bytes, str]]) -> str:
    body = b"".join(mode.encode() + b" " + name + b"\0" + bytes.fromhex(oid)
                    for mode, name, oid in sorted(entries, key=lambda e: e[1]))
    return subprocess.run(["git", "hash-object", "-w", "-t", "tree", "--literally", "--stdin"],
                          input=body, capture_output=True, check=True, cwd=repo
                          ).stdout.decode().strip()


def test_a_tree_with_dot_dot_and_slashed_names_is_read_from_objects_only(tmp_path: Path) -> None:
    """Git itself never makes such a tree; read from objects, the names are only names."""
    repo = init(tmp_path / "odd")
    blob = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"], input=b"import torch\n", capture_output=True,
        check=True, cwd=repo).stdout.decode().strip()
    inner = _tree(repo, [("100644", b"escape.yaml", blob)])
    top = _tree(repo, [("100644", b"ok.py", blob), ("40000", b"..", inner),
                       ("100644", b"a/b.py", blob), ("40000", b".", inner)])
    sha = subprocess.run(["git", "-c", "user.name=a", "-c", "user.email=a@b.c", "commit-tree",
                          top, "-m", "odd"], capture_output=True, check=True, cwd=repo
                         ).stdout.decode().strip()
    git(repo, "update-ref", "refs/heads/odd", sha)
    before = sorted(p.name for p in tmp_path.iterdir())
    scanned = _scan(Entry(location=str(repo), kind="path", ref="odd"), tmp_path / "cache")
    assert scanned.commit == sha
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no escape.yaml beside


def test_a_blob_over_the_file_limit_is_listed_not_read(tmp_path: Path) -> None:
    repo = init(tmp_path / "big")
    commit(repo, {"train.py": "import torch\n", "weights.py": "x = 1\n" * 200_000},
           "2025-01-15", "Ann", "Big")
    scanned = _scan(Entry(location=f"file://{repo}", kind="git"), tmp_path / "cache",
                    ScanLimits(max_file_bytes=1_000_000))
    warnings = [w.message for w in scanned.subjects[0].assessment.warnings]
    assert any(m.startswith("file is 1,200,000 bytes, over the limit of 1,000,000") for m
               in warnings), warnings


def test_an_empty_repository_and_a_head_to_a_missing_branch_fail_permanently(
    tmp_path: Path
) -> None:
    empty = init(tmp_path / "empty")
    orphan = init(tmp_path / "orphan")
    commit(orphan, {"train.py": "import torch\n"}, "2025-01-15", "Ann", "Start")
    git(orphan, "symbolic-ref", "HEAD", "refs/heads/gone")
    said = []
    for entry in (Entry(location=f"file://{empty}", kind="git"),
                  Entry(location=f"file://{orphan}", kind="git"),
                  Entry(location=str(empty), kind="path", ref="HEAD")):
        with pytest.raises(JobError) as caught:
            _scan(entry, tmp_path / "cache")
        assert caught.value.permanent
        said.append(caught.value.message)
    assert said[0].startswith(f"file://{empty}: the default branch not found: ")
    assert said[1].startswith(f"file://{orphan}: the default branch not found: ")
    assert said[2] == f"{empty}: the repository has no commits yet"


def test_a_local_repository_whose_head_names_a_missing_branch_is_read_at_its_ref(
    tmp_path: Path
) -> None:
    """A HEAD to a branch since deleted stops neither a ref that exists nor a commit; a ref
    that does not exist is said to be missing, not the repository to be empty."""
    repo = init(tmp_path / "orphan")
    sha = commit(repo, {"train.py": "import torch\n"}, "2025-01-15", "Ann", "Start")
    branch = git(repo, "symbolic-ref", "--short", "HEAD")
    git(repo, "symbolic-ref", "HEAD", "refs/heads/gone")
    for ref in (branch, sha):
        scanned = _scan(Entry(location=str(repo), kind="path", ref=ref), tmp_path / "cache")
        assert scanned.commit == sha
    for ref in ("HEAD", "gone"):
        with pytest.raises(JobError) as caught:
            _scan(Entry(location=str(repo), kind="path", ref=ref), tmp_path / "cache")
        assert caught.value.message == f"{repo}: ref {ref!r} not found in the repository"
