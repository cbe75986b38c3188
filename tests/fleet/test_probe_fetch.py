"""URLs git itself refuses before it reaches any remote fail their job at once (permanent:
no retry can help), with git's reason; an unreachable remote is still retried. Loopback
only: nothing listens on port 1."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mlkaizen.fleet.fetch import _fetch, _init
from mlkaizen.fleet.job import JobError


def _fetch_once(tmp_path: Path, url: str) -> JobError:
    repo = tmp_path / "cache" / "r.git"
    repo.parent.mkdir()
    _init(repo, time.monotonic() + 120, url)
    with pytest.raises(JobError) as caught:
        _fetch(repo, url, None, "refs/mlkaizen/x", time.monotonic() + 120)
    return caught.value


def test_a_url_with_an_encoded_newline_fails_permanently(tmp_path: Path) -> None:
    url = "https://127.0.0.1:1/a%0a.git"
    error = _fetch_once(tmp_path, url)
    assert error.permanent
    assert error.message == (f"{url}: git refuses the URL: credential url cannot be parsed: "
                             f"{url}/")


def test_an_unreachable_remote_is_still_retried(tmp_path: Path) -> None:
    """Near miss: the same URL without the newline reaches for the remote, and fails as a
    network failure does (transient)."""
    error = _fetch_once(tmp_path, "https://127.0.0.1:1/a.git")
    assert not error.permanent
    assert error.message.startswith("https://127.0.0.1:1/a.git: fetch failed: ")
