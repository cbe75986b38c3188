"""The fleet's cache when something else stands where it keeps its files: a symbolic link
for the lock or for the bare repository, a plain file, a repository left without its refs.
The fetch never writes through a link, and makes its own repository again. Real git,
``file://`` remotes in ``tmp_path``."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlkaizen.fleet.fetch import cache_path, fetch
from mlkaizen.fleet.job import JobError
from tests.history.gitrepo import commit, git, init


@pytest.fixture
def remote(tmp_path: Path) -> tuple[str, str]:
    """A bare remote's ``file://`` URL and its one commit."""
    work = init(tmp_path / "work")
    sha = commit(work, {"train.py": "import mlflow\n"}, "2025-01-15", "Ann", "Start")
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    return f"file://{bare}", sha


def _refs(repo: Path) -> str:
    return git(repo.parent, f"--git-dir={repo}", "for-each-ref", "--format=%(refname)")


def test_a_lock_file_that_is_a_symbolic_link_is_never_opened(
    tmp_path: Path, remote: tuple[str, str]
) -> None:
    url, _ = remote
    cache = tmp_path / "cache"
    cache.mkdir()
    lock = cache_path(cache, url).with_suffix(".lock")
    elsewhere = tmp_path / "elsewhere"  # would be made by opening the link with O_CREAT
    lock.symlink_to(elsewhere)
    with pytest.raises(JobError) as caught:
        fetch(url, None, cache, timeout=120)
    assert caught.value.message == (f"the fleet cache's lock file {lock} is a symbolic link; "
                                    "remove it (the cache makes its own)")
    assert not caught.value.permanent
    assert not elsewhere.exists()
    assert not cache_path(cache, url).exists()


def test_a_symbolic_link_where_the_repository_goes_is_replaced_not_written_through(
    tmp_path: Path, remote: tuple[str, str]
) -> None:
    url, sha = remote
    cache = tmp_path / "cache"
    cache.mkdir()
    other = tmp_path / "other.git"
    git(tmp_path, "init", "-q", "--bare", str(other))
    repo = cache_path(cache, url)
    repo.symlink_to(other)
    got = fetch(url, None, cache, timeout=120)
    assert got.commit == sha and got.repo == repo
    assert not repo.is_symlink() and repo.is_dir()
    assert _refs(other) == ""  # the repository the link named is untouched
    assert other.is_dir()


def test_a_file_where_the_repository_goes_is_replaced(
    tmp_path: Path, remote: tuple[str, str]
) -> None:
    url, sha = remote
    cache = tmp_path / "cache"
    cache.mkdir()
    cache_path(cache, url).write_text("not a repository\n")
    got = fetch(url, None, cache, timeout=120)
    assert got.commit == sha
    assert sorted(p.name for p in cache.iterdir()) == [got.repo.name,
                                                       got.repo.with_suffix(".lock").name]


def test_a_cache_repository_without_refs_is_made_again(
    tmp_path: Path, remote: tuple[str, str]
) -> None:
    url, sha = remote
    cache = tmp_path / "cache"
    repo = cache_path(cache, url)
    git(tmp_path, "init", "-q", "--bare", str(repo))
    for ref in sorted((repo / "refs").rglob("*"), reverse=True):
        ref.rmdir()
    (repo / "refs").rmdir()
    got = fetch(url, None, cache, timeout=120)
    assert got.commit == sha
    assert (repo / "refs").is_dir()


def test_a_whole_cache_repository_is_kept(tmp_path: Path, remote: tuple[str, str]) -> None:
    """Near miss: a repository with its HEAD, objects and refs is reused as it is."""
    url, sha = remote
    cache = tmp_path / "cache"
    first = fetch(url, None, cache, timeout=120)
    marker = first.repo / "objects" / "kept"
    marker.write_text("x")
    assert fetch(url, None, cache, timeout=120).commit == sha
    assert marker.read_text() == "x"


def test_a_cache_folder_that_is_a_symbolic_link_is_used(
    tmp_path: Path, remote: tuple[str, str]
) -> None:
    """Near miss: the folder itself may be a link (a user's choice); only the cache's own
    files are never followed."""
    url, sha = remote
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "cache").symlink_to(real)
    got = fetch(url, None, tmp_path / "cache", timeout=120)
    assert got.commit == sha
    assert (real / got.repo.name / "HEAD").is_file()


@pytest.mark.parametrize("where", ["cache", "cache/below"])
def test_a_cache_that_is_a_file_is_said_to_be_one(
    tmp_path: Path, remote: tuple[str, str], where: str
) -> None:
    url, _ = remote
    (tmp_path / "cache").write_text("a file\n")
    cache = tmp_path / where
    with pytest.raises(JobError) as caught:
        fetch(url, None, cache, timeout=120)
    assert caught.value.message == (f"the fleet cache {cache} cannot be used: it, or a folder "
                                    "of its path, is a file (give a folder with --cache)")
