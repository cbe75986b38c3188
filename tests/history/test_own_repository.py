"""`history` and `diff` replay only the repository they are given: no `.git` link, gitlink,
`commondir`, `core.worktree`, alternates or link in the object store leads them to another
one. A real linked worktree and a real submodule still replay."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mlkaizen.cli import main
from mlkaizen.errors import MLKaizenError
from mlkaizen.history import replay
from tests.history.gitrepo import BASE_ENV, TRACKING, commit, git, init

SECRET = "Secret subject of another repository"


@pytest.fixture
def other(tmp_path: Path) -> Path:
    """Another repository on the machine, which must never be replayed."""
    root = init(tmp_path / "other")
    commit(root, {"train.py": TRACKING}, "2025-01-10", "Zed", SECRET)
    return root


def ours(tmp_path: Path) -> Path:
    root = init(tmp_path / "ours")
    commit(root, {"README.md": "# ours\n"}, "2025-02-10", "Ann", "Start")
    return root


def dot_git_link(tmp_path: Path, other: Path) -> Path:
    root = tmp_path / "ours"
    root.mkdir()
    (root / ".git").symlink_to(other / ".git")
    return root


def gitfile_to_repository(tmp_path: Path, other: Path) -> Path:
    root = tmp_path / "ours"
    root.mkdir()
    (root / ".git").write_text(f"gitdir: {other / '.git'}\n")
    return root


def gitfile_to_another_worktree(tmp_path: Path, other: Path) -> Path:
    git(other, "worktree", "add", "-q", str(tmp_path / "theirs"))
    root = tmp_path / "ours"
    root.mkdir()
    (root / ".git").write_text(f"gitdir: {other / '.git' / 'worktrees' / 'theirs'}\n")
    return root


def gitfile_to_a_module_of_another_checkout(tmp_path: Path, other: Path) -> Path:
    module = other / ".git" / "modules" / "lib"
    subprocess.run(["git", "init", "-q", "--bare", str(module)], check=True, env=BASE_ENV)
    git(other, "config", "--file", str(module / "config"), "core.worktree", "../../../lib")
    root = tmp_path / "ours"
    root.mkdir()
    (root / ".git").write_text(f"gitdir: {module}\n")
    return root


def core_worktree(tmp_path: Path, other: Path) -> Path:
    root = ours(tmp_path)
    git(root, "config", "core.worktree", str(other))
    return root


def alternates(tmp_path: Path, other: Path) -> Path:
    root = ours(tmp_path)
    (root / ".git" / "objects" / "info" / "alternates").write_text(
        f"{other / '.git' / 'objects'}\n"
    )
    return root


def commondir(tmp_path: Path, other: Path) -> Path:
    root = ours(tmp_path)
    (root / ".git" / "commondir").write_text(f"{other / '.git'}\n")
    return root


def linked_pack(tmp_path: Path, other: Path) -> Path:
    root = ours(tmp_path)
    git(other, "repack", "-q", "-a", "-d")
    pack = next((other / ".git" / "objects" / "pack").glob("*.pack"))
    (root / ".git" / "objects" / "pack" / pack.name).symlink_to(pack)
    return root


def linked_refs(tmp_path: Path, other: Path) -> Path:
    root = ours(tmp_path)
    heads = root / ".git" / "refs" / "heads"
    subprocess.run(["rm", "-rf", str(heads)], check=True)
    heads.symlink_to(other / ".git" / "refs" / "heads")
    return root


CASES: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "dot_git_link": (dot_git_link, "`.git` is a link to another folder"),
    "gitfile_to_repository": (
        gitfile_to_repository,
        "`.git` points to another repository (not this checkout's worktree or submodule)",
    ),
    "gitfile_to_another_worktree": (
        gitfile_to_another_worktree, "`.git` names the worktree folder of another checkout"
    ),
    "gitfile_to_a_module_of_another_checkout": (
        gitfile_to_a_module_of_another_checkout,
        "`.git` points to another repository (not this checkout's worktree or submodule)",
    ),
    "core_worktree": (
        core_worktree, "the repository's work tree is another folder (core.worktree)"
    ),
    "alternates": (alternates, "`objects/info/alternates` borrows objects from another repository"),
    "commondir": (
        commondir, "`.git/commondir` points git to the objects and refs of another repository"
    ),
    "linked_pack": (linked_pack, "`pack/pack-"),
    "linked_refs": (linked_refs, "`refs/heads` of the repository is a link"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_history_refuses_a_pointer_to_another_repository(
    name: str, tmp_path: Path, other: Path
) -> None:
    build, message = CASES[name]
    root = build(tmp_path, other)
    with pytest.raises(MLKaizenError) as exc:
        replay(root, every=1)
    assert message in exc.value.message
    assert exc.value.message.endswith("history reads only the repository it is given")


@pytest.mark.parametrize("command", ["history", "diff"])
@pytest.mark.parametrize("name", ["gitfile_to_repository", "core_worktree", "alternates"])
def test_history_and_diff_say_so_in_one_line(
    name: str, command: str, tmp_path: Path, other: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = CASES[name][0](tmp_path, other)
    args = ["history", str(root)] if command == "history" else [
        "diff", "HEAD~0", "HEAD", "--path", str(root)]
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    assert exc.value.code == 2
    assert err.startswith(f"mlkaizen: error: {root}: ") and err.count("\n") == 1
    assert CASES[name][1] in err
    assert SECRET not in out + err and out == ""


def test_a_linked_worktree_of_the_repository_replays(tmp_path: Path) -> None:
    main_repo = ours(tmp_path)
    git(main_repo, "worktree", "add", "-q", str(tmp_path / "wt"))
    result = replay(tmp_path / "wt", every=1)
    assert [p.commit.message for p in result.points] == ["Start"]


def test_a_submodule_replays(tmp_path: Path, other: Path) -> None:
    parent = ours(tmp_path)
    subprocess.run(["git", "-c", "protocol.file.allow=always", "-C", str(parent), "submodule",
                    "add", "-q", str(other), "lib"], check=True, capture_output=True,
                   env=BASE_ENV)
    assert (parent / "lib" / ".git").is_file()
    result = replay(parent / "lib", every=1)
    assert [p.commit.message for p in result.points] == [SECRET]  # its own history


def test_a_plain_repository_replays_from_a_sub_folder(tmp_path: Path) -> None:
    root = ours(tmp_path)
    commit(root, {"svc/train.py": TRACKING}, "2025-03-10", "Bob", "Service")
    result = replay(root / "svc", every=1)
    assert [p.commit.message for p in result.points] == ["Start", "Service"]
    assert [p.files_listed for p in result.points] == [0, 1]  # the folder's own files
    assert os.path.isdir(root / ".git")


@pytest.mark.parametrize("name", ["core_worktree", "alternates", "commondir", "linked_refs"])
def test_assess_uses_no_git_that_leads_to_another_repository(
    name: str, tmp_path: Path, other: Path
) -> None:
    # the same pointers in a `.git` folder: assess walks the folder itself and says why,
    # and nothing of the other repository (its files, its commit subject) reaches the report
    from mlkaizen.evidence.git import pointer_problem

    build, message = CASES[name]
    root = build(tmp_path, other)
    pointer_problem.cache_clear()
    problem = pointer_problem(root.resolve())
    assert problem is not None and problem.startswith(message)
    assert problem.endswith("; git not used, the folder was walked instead")
    from mlkaizen import api

    a = api.assess(root)
    assert any(w.kind == "git" and message in w.message for w in a.warnings)
    files = {e.file for p in a.practices for e in p.evidence}
    assert "train.py" not in files


def test_near_miss_a_plain_git_folder_is_used_by_assess(tmp_path: Path) -> None:
    from mlkaizen.evidence.git import pointer_problem

    root = ours(tmp_path)
    pointer_problem.cache_clear()
    assert pointer_problem(root.resolve()) is None


def worktree_config(tmp_path: Path, other: Path) -> Path:
    root = ours(tmp_path)
    git(root, "config", "core.repositoryformatversion", "1")
    git(root, "config", "extensions.worktreeConfig", "true")
    (root / ".git" / "config.worktree").write_text(f"[core]\n\tworktree = {other}\n")
    return root


def fifo_index(tmp_path: Path, other: Path) -> Path:
    root = ours(tmp_path)
    (root / ".git" / "index").unlink()
    os.mkfifo(root / ".git" / "index")
    return root


def fifo_include(tmp_path: Path, other: Path) -> Path:
    root = ours(tmp_path)
    os.mkfifo(root / ".git" / "hang")
    git(root, "config", "include.path", "hang")
    return root


BLOCKING = {
    "worktree_config": (worktree_config,
                        "the repository's work tree is another folder (core.worktree)"),
    "fifo_index": (fifo_index, "`index` of the repository is not a regular file"),
    "fifo_include": (fifo_include, "git config includes `hang`, which is not a regular file"),
}


@pytest.mark.parametrize("name", sorted(BLOCKING))
def test_git_is_not_run_on_a_git_folder_that_blocks_or_leads_elsewhere(
    name: str, tmp_path: Path, other: Path
) -> None:
    from mlkaizen import api
    from mlkaizen.evidence.git import pointer_problem

    build, message = BLOCKING[name]
    root = build(tmp_path, other)
    pointer_problem.cache_clear()
    problem = pointer_problem(root.resolve())
    assert problem == f"{message}; git not used, the folder was walked instead"
    a = api.assess(root)  # returns: git never ran on the FIFO
    assert a.scan is not None and a.scan.listing == "walk"
    assert any(w.kind == "git" and message in w.message for w in a.warnings)


def test_a_sub_folder_of_a_repository_is_judged_by_the_repositorys_git_folder(
    tmp_path: Path, other: Path
) -> None:
    from mlkaizen import api
    from mlkaizen.evidence.git import pointer_problem

    root = dot_git_link(tmp_path, other)
    (root / "sub").mkdir()
    (root / "sub" / "train.py").write_text("import sklearn\n")
    pointer_problem.cache_clear()
    assert pointer_problem((root / "sub").resolve()) == pointer_problem(root.resolve())
    assert pointer_problem((root / "sub").resolve()) is not None
    a = api.assess(root / "sub")
    assert a.scan is not None and a.scan.listing == "walk"
    proc = subprocess.run([sys.executable, "-m", "mlkaizen", "assess", str(root / "sub"),
                           "--trusted-ref", "HEAD", "-q"], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    # near miss: a sub-folder of an ordinary repository still uses git
    plain = ours(tmp_path / "plain")
    (plain / "sub").mkdir()
    (plain / "sub" / "train.py").write_text("import sklearn\n")
    pointer_problem.cache_clear()
    assert pointer_problem((plain / "sub").resolve()) is None
    assert api.assess(plain / "sub").scan.listing == "git"  # type: ignore[union-attr]


def test_a_gitfile_whose_config_includes_a_fifo_is_refused_before_git_reads_it(
    tmp_path: Path, other: Path
) -> None:
    from mlkaizen.evidence.git import foreign_repository

    module = other / ".git" / "modules" / "lib"
    subprocess.run(["git", "init", "-q", "--bare", str(module)], check=True, env=BASE_ENV)
    os.mkfifo(module / "hang")
    git(other, "config", "--file", str(module / "config"), "include.path", "hang")
    root = tmp_path / "ours"
    root.mkdir()
    (root / ".git").write_text(f"gitdir: {module}\n")
    assert foreign_repository(root) == "git config includes `hang`, which is not a regular file"
