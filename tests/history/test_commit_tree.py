"""A commit read straight from the object database: same API as a work tree, limits kept,
symlinks never followed, nothing written, no hook or filter run."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from mlkaizen.evidence.gitcommit import BlobCache, CommitTree, GitObjects
from mlkaizen.evidence.limits import ScanLimits
from mlkaizen.history import replay
from tests.history.gitrepo import commit, fingerprint, git, init, practice_history


def test_a_commit_reads_like_a_work_tree(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    first = commit(root, {"a.py": "import os\n", "docs/b.md": "# b\n"}, "2025-01-01", "A", "1")
    commit(root, {"a.py": "import sys\n", "c.txt": "c\n"}, "2025-01-02", "A", "2")
    with GitObjects(root) as objects:
        tree = CommitTree(objects, first, root)
        assert tree.files == ["a.py", "docs/b.md"]
        assert tree.text("a.py") == "import os\n"  # the old content, not the work tree's
        assert tree.sizes == {"a.py": 10, "docs/b.md": 4}
        assert tree.listing == "git-commit"
        assert tree.named("B.MD") == ["docs/b.md"]
        assert tree.python("a.py") is not None
        assert tree.text("c.txt") is None  # not in that commit


def test_symlinks_submodule_entries_and_limits(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    (root / "big.yaml").write_text("x: " + "y" * 200 + "\n")
    os.symlink("/etc/passwd", root / "passwd.txt")
    os.symlink("big.yaml", root / "inside.yaml")
    sha = commit(root, {"small.py": "x = 1\n"}, "2025-01-01", "A", "1")
    with GitObjects(root) as objects:
        tree = CommitTree(objects, sha, root, limits=ScanLimits(max_file_bytes=100))
        assert tree.files == ["big.yaml", "small.py"]  # symlinks never followed, even inside
        assert tree.skipped["symlink_in_commit"] == 2
        assert tree.text("big.yaml") is None and tree.skipped["too_large"] == 1
        assert tree.text("small.py") == "x = 1\n"
        tight = CommitTree(objects, sha, root, limits=ScanLimits(max_bytes_read=3))
        assert tight.text("small.py") == "x = 1\n"  # the budget is spent by this read
        assert tight.text("big.yaml") is None and tight.skipped["max_bytes_read"] == 1
        few = CommitTree(objects, sha, root, limits=ScanLimits(max_files=1))
        assert few.files == ["big.yaml"] and few.skipped["max_files"] == 1
        kinds = {w.values["kind"] for w in tree.warnings}
        assert kinds == {"symlink", "limit"}


def test_a_missing_blob_is_reported_and_skipped(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    sha = commit(root, {"a.py": "a = 1\n", "b.py": "b = 2\n"}, "2025-01-01", "A", "1")
    blob = git(root, "rev-parse", f"{sha}:b.py")
    (root / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    with GitObjects(root) as objects:
        tree = CommitTree(objects, sha, root)
        assert tree.text("b.py") is None and tree.skipped["missing_blob"] == 1
        assert tree.text("a.py") == "a = 1\n"  # the reader goes on after a missing object
    h = replay(root, every=1)
    assert len(h.points) == 1 and h.skipped == []


def test_parsed_forms_are_shared_by_blob_id(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    one = commit(root, {"a.py": "import os\n"}, "2025-01-01", "A", "1")
    two = commit(root, {"b.py": "import os\n", "c.py": "import sys\n"}, "2025-01-02", "A", "2")
    cache = BlobCache()
    with GitObjects(root) as objects:
        CommitTree(objects, one, root, cache=cache).python("a.py")
        later = CommitTree(objects, two, root, cache=cache)
        assert [later.python(f) is not None for f in later.files] == [True, True, True]
    # a.py and b.py share one blob: read and parsed once; c.py is new
    assert (cache.blobs_read, cache.parses) == (2, 2)


HOSTILE_CONFIG = """
[core]
    fsmonitor = {script}
    hooksPath = {hooks}
    pager = {script}
    askPass = {script}
    sshCommand = {script}
[filter "evil"]
    smudge = {script}
    clean = {script}
    process = {script}
    required = true
[diff "evil"]
    textconv = {script}
    command = {script}
[diff]
    external = {script}
[uploadpack]
    packObjectsHook = {script}
"""


def test_replay_writes_nothing_and_runs_no_hook_or_filter(tmp_path: Path) -> None:
    root = tmp_path / "churn"
    ids = practice_history(root)
    marker = tmp_path / "ran"
    script = tmp_path / "evil.sh"
    script.write_text(f"#!/bin/sh\necho \"$0 $*\" >> {marker}\ncat\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "pre-commit", "reference-transaction", "post-index-change"):
        (hooks / hook).write_text(script.read_text())
        (hooks / hook).chmod(0o755)
    (root / ".gitattributes").write_text("* filter=evil diff=evil\n")
    with (root / ".git" / "config").open("a") as cfg:
        cfg.write(HOSTILE_CONFIG.format(script=script, hooks=hooks))
    (root / "train.py").write_text("uncommitted work\n")
    before = fingerprint(root)
    h = replay(root, every="month")
    assert [p.commit.sha for p in h.points][-1] == ids[-1]
    assert len(h.changes) == 5  # shared tooling comes with the environment
    assert not marker.exists(), marker.read_text()
    assert fingerprint(root) == before
