"""A forged history cannot crash or exhaust `history`, `diff` or `assess --save`: malformed
dates and names are one note, names and subjects are cut as they are read, and every cap
(commits listed, points, commits assessed, contents read, parsed files kept) is named in a
note when it is hit."""

from __future__ import annotations

import importlib
import io
import json
import subprocess
from pathlib import Path

import pytest

from mlkaizen.cli import main
from mlkaizen.evidence import gitcommit
from mlkaizen.evidence.gitcommit import BlobCache, GitObjects
from mlkaizen.history import replay, timeline
from mlkaizen.history.model import CommitInfo
from mlkaizen.history.timeline import first_parent, parse_every, parse_when, sample
from tests.history.gitrepo import BASE_ENV, git, practice_history

replay_module = importlib.import_module("mlkaizen.history.replay")


def forge(root: Path, author: bytes, date: bytes, subject: bytes) -> str:
    """A commit on top of HEAD with the raw ``author`` name, ``date`` (committer and
    author) and ``subject`` git itself would refuse to write; HEAD moves to it."""
    tree = git(root, "rev-parse", "HEAD^{tree}")
    parent = git(root, "rev-parse", "HEAD")
    body = (b"tree " + tree.encode() + b"\nparent " + parent.encode() + b"\nauthor " + author
            + b" <a@example.org> " + date + b"\ncommitter Cy <c@example.org> " + date
            + b"\n\n" + subject + b"\n")
    proc = subprocess.run(["git", "-C", str(root), "hash-object", "-t", "commit", "--literally",
                           "-w", "--stdin"], input=body, capture_output=True, check=True,
                          env=BASE_ENV)
    sha = proc.stdout.decode().strip()
    git(root, "update-ref", "HEAD", sha)
    return sha


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


@pytest.fixture
def churn(tmp_path: Path) -> tuple[Path, list[str]]:
    root = tmp_path / "churn"
    return root, practice_history(root)


BAD_DATES = [b"99999999999999999999 +0000", b"-5 +0000", b"abc +0000",
             b"1700000000 +9999", b"253402300800 +0000"]


def test_malformed_dates_and_separators_in_names_are_one_note(
    churn: tuple[Path, list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = churn
    forged = [forge(root, b"Ann\x1fBob\x1fCy", date, b"Fix\x1f it") for date in BAD_DATES]
    code, out, err = run(["history", str(root), "--every", "commit", "-f", "json"], capsys)
    assert (code, err) == (0, "")
    data = json.loads(out)
    shorts = ", ".join(s[:7] for s in forged[::-1][:3])  # as listed: newest first
    assert data["notes"] == [
        f"5 commits with a malformed or out-of-range date ({shorts}, ...): shown at their "
        "committer time, or at 1970-01-01 without a usable one"
    ]
    points = data["points"][-5:]
    assert [p["commit"]["sha"] for p in points] == forged
    assert {p["commit"]["author"] for p in points} == {"Ann\x1fBob\x1fCy"}
    assert {p["commit"]["message"] for p in points} == {"Fix\x1f it"}
    assert [p["commit"]["committed"] for p in points] == [0, 0, 0, 1700000000, 0]
    assert [p["commit"]["author_date"] for p in points] == [
        "1970-01-01T00:00:00+00:00", "1970-01-01T00:00:00+00:00", "1970-01-01T00:00:00+00:00",
        "2023-11-14T22:13:20+00:00", "1970-01-01T00:00:00+00:00"]


@pytest.mark.parametrize("date", [BAD_DATES[0], BAD_DATES[2], BAD_DATES[4]])
def test_assess_save_stores_a_head_with_a_malformed_date_without_it(
    churn: tuple[Path, list[str]], date: bytes, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = churn
    sha = forge(root, b"Ann", date, b"Forged")
    monkeypatch.setenv("MLKAIZEN_DB", f"sqlite:///{tmp_path / 'store.db'}")
    code, _, err = run(["assess", str(root), "--save", "-f", "json", "-o",
                        str(tmp_path / "r.json"), "-q"], capsys)
    assert code == 0
    assert err.splitlines()[0] == (
        "mlkaizen: warning: the commit date of HEAD is malformed or out of range; "
        "stored without it")
    code, out, _ = run(["log", str(root), "-f", "json"], capsys)
    assert code == 0
    assert [x["commit"] for x in json.loads(out)] == [sha]


def test_a_4_mb_subject_and_name_are_cut_as_they_are_read(
    churn: tuple[Path, list[str]]
) -> None:
    root, _ = churn
    huge = forge(root, b"\xff" * (4 << 20), b"1745150500 +0000", "一".encode() * (4 << 20))
    line = first_parent(GitObjects(root))
    last = line[-1]
    assert last.sha == huge
    assert last.message == "一" * 197 + "..."
    assert last.author == "\ufffd" * 197 + "..."  # not UTF-8: shown replaced, still cut
    assert len(line) == 7


def test_records_never_hold_more_than_the_cap_of_a_field() -> None:
    stream = io.BytesIO(b"h1\nAnn\n" + b"s" * 5_000_000 + b"\0h2\n" + b"n" * 3_000_000
                        + b"\nshort\nextra\0")
    records = list(gitcommit._split_records(stream, 3, 10))
    assert records == [[b"h1", b"Ann", b"s" * 10], [b"h2", b"n" * 10, b"shortextra"]]


def test_max_commits_lists_the_newest_and_says_so(
    churn: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, ids = churn
    monkeypatch.setattr(timeline, "MAX_COMMITS", 4)
    h = replay(root, every=1)
    assert [p.commit.sha for p in h.points] == ids[2:]
    assert h.notes == ["limit max_commits=4 reached: the history starts at the 4th newest "
                       "commit of the first-parent line"]


def test_max_points_assesses_the_newest_samples(
    churn: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, ids = churn
    monkeypatch.setattr(replay_module, "MAX_POINTS", 2)
    h = replay(root, every=1)
    assert [p.commit.sha for p in h.points] == ids[4:]
    assert h.commits_assessed == 2
    assert h.notes == ["limit max_points=2 reached: only the newest 2 of 6 sampled commits "
                       "are assessed (narrow with --since, or sample less often with --every)"]


def test_max_assessed_stops_bisection(
    churn: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, ids = churn
    monkeypatch.setattr(replay_module, "MAX_ASSESSED", 3)
    h = replay(root, every=1, revisions=[ids[0], ids[5]])
    assert h.commits_assessed == 3  # the two samples and one bisection step
    assert [(c.practice, c.commit.sha, c.exact) for c in h.changes] == [
        ("model.experiment-tracking", ids[2], False),  # narrowed once, then the cap
        ("operations.reproducible-environment", ids[5], False),
        ("organization.shared-tooling", ids[5], False),
    ]
    assert h.notes == ["limit max_assessed=3 reached: 3 changes not pinned to their commit "
                       "(each is shown at the first commit assessed that has it)"]


def test_max_replay_bytes_cuts_the_oldest_samples(
    churn: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, ids = churn
    monkeypatch.setattr(replay_module, "MAX_REPLAY_BYTES", 1)
    h = replay(root, every=1)
    # the newest point is always assessed; the next one reads one new file: budget spent
    assert [p.commit.sha for p in h.points] == ids[4:]
    assert h.notes == [
        "limit max_replay_bytes=1 reached (file contents read from git after the newest "
        f"point): the 4 oldest sampled commits are not assessed; the history starts at "
        f"{ids[4][:7]} (narrow with --since, or sample less often)"
    ]


def test_max_replay_parsed_cuts_the_oldest_samples(
    churn: tuple[Path, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # large files that change every month are parsed at every point: their parses are
    # budgeted too, not only the bytes read (a 1.5 MB YAML file takes seconds a version)
    root, ids = churn
    monkeypatch.setattr(replay_module, "MAX_REPLAY_PARSED", 1)
    h = replay(root, every=1)
    assert [p.commit.sha for p in h.points] == ids[4:]
    assert h.notes == [
        "limit max_replay_parsed=1 reached (file contents parsed after the newest "
        f"point): the 4 oldest sampled commits are not assessed; the history starts at "
        f"{ids[4][:7]} (narrow with --since, or sample less often)"
    ]
    # near miss: a budget the replay does not reach cuts nothing
    monkeypatch.setattr(replay_module, "MAX_REPLAY_PARSED", 10**9)
    whole = replay(root, every=1)
    assert [p.commit.sha for p in whole.points] == ids and whole.notes == []


def test_the_parse_cache_is_bounded_least_recently_used_first() -> None:
    cache = BlobCache(max_parsed=2, max_parsed_bytes=100)
    cache.remember(("a", "yaml"), 1, [], 10)
    cache.remember(("b", "yaml"), 2, [], 10)
    assert cache.recall(("a", "yaml")) == (1, [])  # a is now the most recent
    cache.remember(("c", "yaml"), 3, [], 10)
    assert list(cache.parsed) == [("a", "yaml"), ("c", "yaml")] and cache.evicted == 1
    cache.remember(("d", "yaml"), 4, [], 95)  # over the bytes: all older ones go
    assert list(cache.parsed) == [("d", "yaml")] and cache.parsed_held == 95
    assert cache.evicted == 3


def test_a_replay_names_a_full_parse_cache(churn: tuple[Path, list[str]]) -> None:
    root, _ = churn
    cache = BlobCache(max_parsed=1)
    h = replay(root, every=1, cache=cache)
    assert len(cache.parsed) == 1 and cache.evicted > 1
    assert h.notes == [
        f"parse cache full ({gitcommit.MAX_PARSED_BYTES:,} bytes or "
        f"{gitcommit.MAX_PARSED:,} parsed files): {cache.evicted} parsed files dropped and "
        "parsed again when needed"
    ]


def test_every_takes_a_span_of_days() -> None:
    day = 86_400
    commits = [CommitInfo(sha=f"{i:040d}", author="a", author_date="", committed=t * day,
                          message="") for i, t in enumerate([0, 10, 29, 31, 59, 61, 90])]
    # 30-day spans counted back from the newest (day 90): (60, 90], (30, 60], (0, 30], ...
    assert sample(commits, "30d") == [0, 2, 4, 6]
    assert parse_every("6m") == "180d" and parse_every("2w") == "14d"
    assert parse_every("1y") == "365d" and parse_every(" 3 ") == 3


@pytest.mark.parametrize("text", ["0", "0d", "²", "٣", "-1", "1e3", "99999999999"])
def test_every_refuses_what_is_not_a_count_or_span(text: str) -> None:
    from mlkaizen.errors import MLKaizenError

    with pytest.raises(MLKaizenError, match="expected week, month, commit, a number N > 0"):
        parse_every(text)


def test_ages_never_overflow() -> None:
    import datetime as dt

    now = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)
    assert parse_when("999999999y", now, "--since") == int(now.timestamp()) - (
        999999999 * 365 * 86_400)
    assert parse_when("0001-01-01T00:00:00+01:00", now, "--since") == -62135600400
    for text in ("9999999999d", "99999-01-01"):
        with pytest.raises(Exception) as exc:
            parse_when(text, now, "--since")
        assert type(exc.value).__name__ == "MLKaizenError"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--since", "999999999y"], 0, ""),
        (["--every", "6m"], 0, ""),
        (["--every", "0"], 2, "mlkaizen: error: --every '0': expected week, month, commit, "
                              "a number N > 0 or a span (6m, 2w)\n"),
        (["--until", "99999999999y"], 2, "mlkaizen: error: --until '99999999999y': expected "
                                         "a date (2025-01-31) or an age (10d, 3w, 6m, 2y)\n"),
    ],
)
def test_history_options_work_or_are_one_line_errors(
    churn: tuple[Path, list[str]], args: list[str], code: int, message: str,
    capsys: pytest.CaptureFixture[str]
) -> None:
    root, _ = churn
    got, out, err = run(["history", str(root), *args, "-f", "json"], capsys)
    assert (got, err) == (code, message)
    if code == 0:
        assert len(json.loads(out)["points"]) >= 1


def test_plan_abandon_refuses_an_id_too_large(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MLKAIZEN_DB", f"sqlite:///{tmp_path / 'store.db'}")
    code, _, err = run(["plan", "abandon", "99999999999999999999999", "--reason", "gone"],
                       capsys)
    assert code == 2
    assert err.startswith("mlkaizen: error: Invalid value for 'ITEM'") or err.startswith(
        "mlkaizen: error: Invalid value for 'item'")
    assert err.count("\n") == 1 and "9223372036854775807" in err
