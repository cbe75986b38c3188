"""Fetching git URLs into the fleet's bare cache: real git, ``file://`` remotes made in
``tmp_path``, no network."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from mlkaizen.fleet.fetch import (
    LOCAL_REF,
    _disk_full_as_error,
    _fetch,
    cache_path,
    fetch,
    redact,
)
from mlkaizen.fleet.job import DiskFullError, JobError
from tests.history.gitrepo import commit, git, init

TRAIN = "import mlflow\nmlflow.log_metric('auc', 0.9)\n"


@pytest.fixture
def remote(tmp_path: Path) -> tuple[str, Path, list[str]]:
    """A bare remote (``file://`` URL), the work tree it was cloned from, and its commits
    (a tag ``v1`` on the first, an annotated ``v2`` on the second, ``main`` at the third)."""
    work = init(tmp_path / "work")
    ids = [commit(work, {"README.md": "# churn\n"}, "2025-01-15", "Ann", "Start")]
    git(work, "tag", "v1")
    ids.append(commit(work, {"train.py": TRAIN}, "2025-02-10", "Bob", "Track"))
    git(work, "tag", "-a", "v2", "-m", "second",
        env={"GIT_COMMITTER_NAME": "Bob", "GIT_COMMITTER_EMAIL": "bob@example.org"})
    ids.append(commit(work, {"requirements.txt": "mlflow==2.0\n"}, "2025-03-01", "Cy", "Pin"))
    bare = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    return f"file://{bare}", work, ids


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_fetch_of_the_default_branch_into_a_bare_cache(
    tmp_path: Path, remote: tuple[str, Path, list[str]]
) -> None:
    url, _, ids = remote
    cache = tmp_path / "cache"
    got = fetch(url, None, cache, timeout=120)
    assert got.repo == cache_path(cache, url)
    assert got.repo.name == got.repo.name[:24] + ".git" and len(got.repo.name) == 28
    assert (got.commit, got.commit_date) == (ids[2], dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC))
    # bare and shallow: only git's own files, nothing of the commit checked out
    names = _files(got.repo)
    assert {"HEAD", "config", "shallow"} <= names
    assert not {"README.md", "train.py", "requirements.txt"} & {Path(n).name for n in names}
    assert all(n.split("/")[0] in {"HEAD", "config", "shallow", "objects", "refs"}
               for n in names)
    assert git(tmp_path, f"--git-dir={got.repo}", "rev-parse", "--is-bare-repository") == "true"
    # one commit fetched, not the history
    assert git(tmp_path, f"--git-dir={got.repo}", "rev-list", "--all", "--count") == "1"
    assert sorted(os.listdir(cache)) == [got.repo.name, got.repo.with_suffix(".lock").name]


def test_the_cache_is_reused_by_the_next_fetch(
    tmp_path: Path, remote: tuple[str, Path, list[str]]
) -> None:
    url, work, ids = remote
    cache = tmp_path / "cache"
    first = fetch(url, "main", cache, timeout=120)
    marker = first.repo / "objects" / "kept-by-the-first-fetch"
    marker.write_text("x")
    inode = first.repo.stat().st_ino
    again = fetch(url, "main", cache, timeout=120)
    assert (again.repo, again.commit) == (first.repo, ids[2])
    assert marker.exists() and again.repo.stat().st_ino == inode  # not cloned again
    # a new commit on the remote's branch is fetched into the same repository
    newer = commit(work, {"README.md": "# churn v2\n"}, "2025-04-01", "Dee", "Docs")
    git(work, "push", "-q", str(tmp_path / "remote.git"), "main")
    moved = fetch(url, "main", cache, timeout=120)
    assert (moved.repo, moved.commit) == (first.repo, newer)
    assert marker.exists()


def test_fetch_of_a_branch_a_tag_and_a_commit(
    tmp_path: Path, remote: tuple[str, Path, list[str]]
) -> None:
    url, _, ids = remote
    cache = tmp_path / "cache"
    assert fetch(url, "main", cache, timeout=120).commit == ids[2]
    assert fetch(url, "v1", cache, timeout=120).commit == ids[0]
    assert fetch(url, "v2", cache, timeout=120).commit == ids[1]  # an annotated tag, peeled
    assert fetch(url, "refs/tags/v1", cache, timeout=120).commit == ids[0]
    by_id = fetch(url, ids[1], cache, timeout=120)
    feb = dt.datetime(2025, 2, 10, 12, tzinfo=dt.UTC)
    assert (by_id.commit, by_id.commit_date) == (ids[1], feb)
    # each ref keeps a ref of its own in the cache (so none of them is collected)
    refs = git(tmp_path, f"--git-dir={by_id.repo}", "for-each-ref", "--format=%(refname)")
    assert len(refs.splitlines()) == 5 and all(r.startswith(LOCAL_REF) for r in refs.splitlines())


def test_a_commit_already_in_the_cache_needs_no_remote(
    tmp_path: Path, remote: tuple[str, Path, list[str]]
) -> None:
    url, _, ids = remote
    cache = tmp_path / "cache"
    fetch(url, ids[1], cache, timeout=120)
    shutil.rmtree(tmp_path / "remote.git")
    assert fetch(url, ids[1], cache, timeout=120).commit == ids[1]
    with pytest.raises(JobError) as gone:  # a branch is always asked for again
        fetch(url, "main", cache, timeout=120)
    assert not gone.value.permanent


def test_a_missing_ref_is_permanent_an_unreachable_remote_transient(
    tmp_path: Path, remote: tuple[str, Path, list[str]]
) -> None:
    url, _, ids = remote
    cache = tmp_path / "cache"
    with pytest.raises(JobError) as missing:
        fetch(url, "no-such-branch", cache, timeout=120)
    assert missing.value.permanent
    assert missing.value.message == (
        f"{url}: ref 'no-such-branch' not found: couldn't find remote ref no-such-branch"
    )
    unknown = "0123456789abcdef0123456789abcdef01234567"
    with pytest.raises(JobError) as no_commit:
        fetch(url, unknown, cache, timeout=120)
    assert no_commit.value.permanent
    assert no_commit.value.message.startswith(f"{url}: ref '{unknown}' not found: ")
    with pytest.raises(JobError) as short:
        fetch(url, ids[1][:10], cache, timeout=120)
    assert short.value.permanent
    assert short.value.message.endswith("(a commit is fetched by its full id)")
    nowhere = f"file://{tmp_path}/nowhere.git"
    with pytest.raises(JobError) as unreachable:
        fetch(nowhere, None, cache, timeout=120)
    assert not unreachable.value.permanent
    assert unreachable.value.message == (
        f"{nowhere}: fetch failed: '{tmp_path}/nowhere.git' does not appear to be a git "
        "repository"
    )


def test_ext_and_other_refused_urls_never_reach_git(tmp_path: Path) -> None:
    ran = tmp_path / "ran"
    cache = tmp_path / "cache"
    for url in (f"ext::sh -c touch% {ran}", f"ext::sh -c 'touch {ran}'", "fd::0",
                "http://example.org/a.git", "git://example.org/a.git", "-uhttps://x/a.git",
                "/srv/not/a/url"):
        with pytest.raises(JobError) as refused:
            fetch(url, None, cache, timeout=120)
        assert refused.value.permanent, url
    assert not ran.exists()
    assert not cache.exists()  # refused before anything was made
    with pytest.raises(JobError) as password:
        fetch("https://bob:s3cret@example.org/a.git", None, cache, timeout=120)
    assert password.value.message == (
        "https://***@example.org/a.git: a password in the URL is refused; use ssh keys or a "
        "credential the environment gives"
    )
    with pytest.raises(JobError) as bad_ref:
        fetch("https://example.org/a.git", "--upload-pack=touch x", cache, timeout=120)
    assert bad_ref.value.permanent


def test_git_itself_refuses_ext_under_the_fetch_settings(tmp_path: Path) -> None:
    """Defence in depth: were the URL check skipped, the protocol settings still stop git
    from running the command."""
    ran = tmp_path / "ran"
    repo = tmp_path / "cache.git"
    git(tmp_path, "init", "-q", "--bare", str(repo))
    with pytest.raises(JobError) as refused:
        _fetch(repo, f"ext::sh -c touch% {ran}", None, LOCAL_REF + "x", time.monotonic() + 120)
    assert "transport 'ext' not allowed" in refused.value.message
    assert not ran.exists()


def test_concurrent_fetches_of_one_url_share_one_repository(
    tmp_path: Path, remote: tuple[str, Path, list[str]]
) -> None:
    url, _, ids = remote
    cache = tmp_path / "cache"
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda ref: fetch(url, ref, cache, timeout=120),
                            ["main", "v1", "main", "v2"]))
    assert [g.commit for g in got] == [ids[2], ids[0], ids[2], ids[1]]
    assert {g.repo for g in got} == {cache_path(cache, url)}
    assert sorted(os.listdir(cache)) == sorted([cache_path(cache, url).name,
                                                cache_path(cache, url).with_suffix(".lock").name])


def test_a_held_lock_past_the_time_limit_is_a_transient_failure(
    tmp_path: Path, remote: tuple[str, Path, list[str]]
) -> None:
    url, _, _ = remote
    cache = tmp_path / "cache"
    cache.mkdir()
    lock = cache_path(cache, url).with_suffix(".lock")
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(JobError) as waited:
            fetch(url, None, cache, timeout=0.3)
    assert not waited.value.permanent
    assert waited.value.message == (
        f"{url}: another worker held the cache's lock past the time limit"
    )


def test_a_half_made_cache_repository_is_made_again(
    tmp_path: Path, remote: tuple[str, Path, list[str]]
) -> None:
    url, _, ids = remote
    cache = tmp_path / "cache"
    broken = cache_path(cache, url)
    broken.mkdir(parents=True)
    (broken / "config").write_text("left by a killed worker")
    leftover = broken.with_name(broken.name + ".new-999999")
    leftover.mkdir()
    assert fetch(url, None, cache, timeout=120).commit == ids[2]
    assert not leftover.exists()


def test_redact_hides_user_info() -> None:
    assert redact("fatal: https://tok:x@host/r.git and ssh://me@h/r") == (
        "fatal: https://***@host/r.git and ssh://***@h/r"
    )
    assert redact("https://host/r.git") == "https://host/r.git"


def test_a_damaged_remote_is_a_permanent_failure_with_its_reason(tmp_path: Path) -> None:
    work = init(tmp_path / "work")
    commit(work, {"README.md": "# churn\n", "train.py": TRAIN}, "2025-01-15", "Ann", "Start")
    blob = git(work, "rev-parse", "HEAD:train.py")
    (work / ".git" / "objects" / blob[:2] / blob[2:]).unlink()  # a blob lost on the remote
    url = f"file://{work}"
    with pytest.raises(JobError) as damaged:
        fetch(url, None, tmp_path / "cache", timeout=120)
    assert damaged.value.permanent
    assert damaged.value.message == (
        f"{url}: the remote repository is damaged (unable to read {blob}); fetch it again "
        "once it is repaired"
    )


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_disk_stops_the_run_other_cache_errors_fail_the_job(tmp_path: Path) -> None:
    with (
        pytest.raises(DiskFullError) as full,
        _disk_full_as_error(tmp_path),
        open("/dev/full", "wb") as fh,  # a real ENOSPC
    ):
        fh.write(b"x")
        fh.flush()
    assert full.value.message == (
        f"the disk of the fleet cache {tmp_path} is full (no space left on device)"
    )
    with pytest.raises(JobError) as other, _disk_full_as_error(tmp_path):
        os.mkdir(tmp_path / "no" / "such" / "parent")
    assert not other.value.permanent
    assert other.value.message == (
        f"the fleet cache {tmp_path} cannot be used: No such file or directory"
    )


def test_the_fetch_environment_is_rebuilt(
    tmp_path: Path, remote: tuple[str, Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing of the caller's git settings reaches the fetch; ssh runs in batch mode."""
    from mlkaizen.fleet.fetch import network_env

    url, _, ids = remote
    elsewhere = tmp_path / "elsewhere.git"
    monkeypatch.setenv("GIT_DIR", str(elsewhere))
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'protocol.ext.allow'='always'")
    monkeypatch.setenv("SSH_AUTH_SOCK", "/run/agent.sock")
    env = network_env()
    assert {k: v for k, v in env.items() if k.startswith("GIT_")} == {
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_NO_LAZY_FETCH": "1",
        "GIT_PAGER": "cat",
        "GIT_ALLOW_PROTOCOL": "https:ssh:file",
        "GIT_SSH_COMMAND": "ssh -o BatchMode=yes",
    }
    assert env["HOME"] == os.devnull and env["SSH_AUTH_SOCK"] == "/run/agent.sock"
    assert fetch(url, None, tmp_path / "cache", timeout=120).commit == ids[2]
    assert not elsewhere.exists()
