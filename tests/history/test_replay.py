"""History replayed from git: the trajectory and the commits where practices changed."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlkaizen.errors import MLKaizenError
from mlkaizen.history import replay
from mlkaizen.history.render import render
from mlkaizen.history.timeline import parse_every, parse_when
from tests.history.gitrepo import TRACKING, commit, git, init, practice_history

TRACK = "model.experiment-tracking"
ENV = "operations.reproducible-environment"
VC = "organization.version-control"
SHARED = "organization.shared-tooling"  # a declared environment is shared tooling


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, list[str]]:
    root = tmp_path / "churn"
    return root, practice_history(root)


def changes(h: object) -> list[tuple[str, str, str, bool]]:
    return [(c.change, c.practice, c.commit.sha, c.exact) for c in h.changes]  # type: ignore[attr-defined]


def test_every_commit_gives_the_exact_trajectory(repo: tuple[Path, list[str]]) -> None:
    root, ids = repo
    h = replay(root, every=1)
    assert [p.commit.sha for p in h.points] == ids
    assert [p.satisfied for p in h.points] == [
        [VC], [TRACK, VC], [TRACK, ENV, SHARED, VC], [ENV, SHARED, VC], [TRACK, ENV, SHARED, VC], [TRACK, ENV, SHARED, VC],
    ]
    assert changes(h) == [
        ("gained", TRACK, ids[1], True),
        ("gained", ENV, ids[2], True),
        ("gained", SHARED, ids[2], True),
        ("lost", TRACK, ids[3], True),
        ("gained", TRACK, ids[4], True),
    ]
    assert [(p.commit.author, p.commit.day) for p in h.points][3] == ("Dee", "2025-03-05")
    assert h.skipped == [] and h.commits_assessed == 6


def test_monthly_samples_pin_changes_to_their_commit(repo: tuple[Path, list[str]]) -> None:
    root, ids = repo
    h = replay(root, every="month")
    # the last commit of January, February, March and April
    assert [p.commit.sha for p in h.points] == [ids[0], ids[2], ids[3], ids[5]]
    assert changes(h) == [
        ("gained", TRACK, ids[1], True),
        ("gained", ENV, ids[2], True),
        ("gained", SHARED, ids[2], True),
        ("lost", TRACK, ids[3], True),
        ("gained", TRACK, ids[4], True),
    ]
    # the samples, plus the two commits bisection had to look at
    assert h.commits_assessed == 6


def test_without_exact_a_change_is_placed_at_the_sample(repo: tuple[Path, list[str]]) -> None:
    root, ids = repo
    h = replay(root, every="month", exact=False)
    assert changes(h) == [
        ("gained", TRACK, ids[2], False),
        ("gained", ENV, ids[2], False),  # it was at the sample, but that was not checked
        ("gained", SHARED, ids[2], False),
        ("lost", TRACK, ids[3], True),  # adjacent samples: nothing to pin down
        ("gained", TRACK, ids[5], False),
    ]
    assert h.commits_assessed == 4


def test_every_n_counts_back_from_the_newest(repo: tuple[Path, list[str]]) -> None:
    root, ids = repo
    assert [p.commit.sha for p in replay(root, every=2).points] == [ids[1], ids[3], ids[5]]
    assert [p.commit.sha for p in replay(root, every=4).points] == [ids[1], ids[5]]


def test_since_and_until_window_the_line(repo: tuple[Path, list[str]]) -> None:
    root, ids = repo
    h = replay(root, every=1, since=_ts("2025-03-01"), until=_ts("2025-04-15"))
    assert [p.commit.sha for p in h.points] == [ids[3], ids[4]]
    assert changes(h) == [("gained", TRACK, ids[4], True)]


def test_explicit_revisions_in_commit_order(repo: tuple[Path, list[str]]) -> None:
    root, ids = repo
    h = replay(root, revisions=["HEAD", ids[0][:10], "main~2"])
    assert [p.commit.sha for p in h.points] == [ids[0], ids[3], ids[5]]
    assert changes(h) == [
        ("gained", ENV, ids[2], True),
        ("gained", SHARED, ids[2], True),
        ("gained", TRACK, ids[4], True),
    ]


def test_first_parent_line_skips_merged_side_commits(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    base = commit(root, {"README.md": "x\n"}, "2025-01-01", "Ann", "Start")
    git(root, "checkout", "-q", "-b", "side")
    side = commit(root, {"train.py": TRACKING}, "2025-01-02", "Bob", "Side work")
    git(root, "checkout", "-q", "main")
    commit(root, {"notes.md": "n\n"}, "2025-01-03", "Cy", "Main work")
    stamp = {"GIT_AUTHOR_DATE": "2025-01-04T12:00:00+00:00",
             "GIT_COMMITTER_DATE": "2025-01-04T12:00:00+00:00",
             "GIT_AUTHOR_NAME": "Dee", "GIT_AUTHOR_EMAIL": "d@x", "GIT_COMMITTER_NAME": "Dee",
             "GIT_COMMITTER_EMAIL": "d@x"}
    git(root, "merge", "-q", "--no-ff", "--no-edit", "side", env=stamp)
    merge = git(root, "rev-parse", "HEAD")
    h = replay(root, every=1)
    shas = [p.commit.sha for p in h.points]
    assert side not in shas and shas[0] == base and shas[-1] == merge and len(shas) == 3
    assert changes(h) == [("gained", TRACK, merge, True)]


def test_a_folder_of_the_repository_is_replayed_on_its_own_files(tmp_path: Path) -> None:
    root = init(tmp_path / "mono")
    commit(root, {"svc/README.md": "x\n", "other/train.py": TRACKING},
           "2025-01-01", "Ann", "Start")
    second = commit(root, {"svc/train.py": TRACKING}, "2025-01-02", "Bob", "Svc")
    h = replay(root / "svc", every=1)
    assert [p.files_listed for p in h.points] == [1, 2]
    assert changes(h) == [("gained", TRACK, second, True)]


def test_replay_cost_follows_what_changed(repo: tuple[Path, list[str]]) -> None:
    root, _ = repo
    h = replay(root, every=1)
    # files read per point grow with the tree; contents fetched from git only when a blob
    # is new. Points are assessed newest first (a replay's budget cuts the oldest): the
    # newest fetches its 4 files, commit 5 only its older README, commit 4 the plain
    # train.py; commits 1-3 hold nothing that was not fetched and parsed already
    assert [p.files_read for p in h.points] == [1, 2, 4, 4, 4, 4]
    assert [p.blobs_read for p in h.points] == [0, 0, 0, 1, 1, 4]
    assert [p.parses for p in h.points] == [0, 0, 0, 1, 1, 4]


def test_a_commit_config_is_used_and_a_broken_one_skips_the_commit(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    first = commit(root, {".mlkaizen.yaml": "not_applicable:\n  model.experiment-tracking:\n"
                          "    reason: no models trained here\n"}, "2025-01-01", "Ann", "Cfg")
    broken = commit(root, {".mlkaizen.yaml": "not_applicable: [\n"}, "2025-01-02", "Bob", "Oops")
    h = replay(root, every=1)
    assert [p.commit.sha for p in h.points] == [first]
    assert TRACK in h.points[0].satisfied
    assert [s.commit for s in h.skipped] == [broken]
    assert ".mlkaizen.yaml of this commit is not usable" in h.skipped[0].reason


def test_bad_input_is_refused(tmp_path: Path, repo: tuple[Path, list[str]]) -> None:
    root, _ = repo
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(MLKaizenError, match="not a git repository"):
        replay(plain)
    with pytest.raises(MLKaizenError, match="bad revision 'nope'"):
        replay(root, revisions=["nope"])
    with pytest.raises(MLKaizenError, match="bad revision '--output=x'"):
        replay(root, revisions=["--output=x"])
    with pytest.raises(MLKaizenError, match="no commits in the requested range"):
        replay(root, since=_ts("2030-01-01"))
    empty = init(tmp_path / "empty")
    with pytest.raises(MLKaizenError, match="no commits yet"):
        replay(empty)
    with pytest.raises(MLKaizenError, match="--every 'fortnight'"):
        parse_every("fortnight")
    with pytest.raises(MLKaizenError, match="--since 'soon'"):
        parse_when("soon", _now(), "--since")
    assert parse_every("commit") == 1 and parse_every("3") == 3
    assert parse_when("10d", _now(), "--since") == _ts("2025-06-21")


def test_shallow_clone_is_noted(tmp_path: Path, repo: tuple[Path, list[str]]) -> None:
    root, ids = repo
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "2", f"file://{root}", str(clone)],
                   check=True, capture_output=True)
    h = replay(clone, every=1)
    assert [p.commit.sha for p in h.points] == ids[4:]
    assert h.notes and h.notes[0].startswith("shallow clone")


def test_every_format(repo: tuple[Path, list[str]]) -> None:
    root, ids = repo
    h = replay(root, every="month")
    term = render(h, "terminal")
    assert "Levels over time" in term and "  Model" in term
    assert f"+ {TRACK} since {ids[1][:7]}, 2025-02-10, by Bob (Track experiments)" in term
    assert f"- {TRACK} lost at {ids[3][:7]}, 2025-03-05, by Dee (Drop mlflow)" in term
    assert json.loads(render(h, "json"))["changes"][0]["commit"]["sha"] == ids[1]
    md = render(h, "markdown")
    assert md.startswith("# MLKaizen history · churn") and "| 2025-03-05 |" in md
    page = render(h, "html")
    assert page.startswith("<!doctype html>") and "<svg" in page and "2025-04-20" in page


def test_the_html_page_is_styled_as_the_report_with_a_dated_chart(
    repo: tuple[Path, list[str]],
) -> None:
    import re
    import xml.etree.ElementTree as ET

    from mlkaizen.report.html import report_css

    root, _ = repo
    h = replay(root, every="month")
    page = render(h, "html")
    assert f"<style>\n{report_css()}</style>" in page  # the assessment report's style sheet
    assert '<div class="card" id="chart">' in page
    svgs = re.findall(r"<svg.*?</svg>", page, re.DOTALL)
    assert len(svgs) == 1
    chart = ET.fromstring(svgs[0])
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text for t in chart.iter(f"{ns}text")]
    # a dated x axis: the first and the last day at least
    days = [t for t in texts if t and re.fullmatch(r"\d{4}-\d{2}-\d{2}", t)]
    assert days[0] == h.points[0].commit.day and days[-1] == h.points[-1].commit.day
    assert "1 Ad hoc" in texts and "5 Kaizen MLOps" in texts and "Model" in texts
    # a dot a point on the stage line and on each dimension's line, each with its values
    tips = [c.findtext(f"{ns}title") for c in chart.iter(f"{ns}circle")]
    assert len(tips) == len(h.points) * (1 + len(h.dimensions))
    first = h.points[0]
    assert tips[0] == (
        f"{first.commit.day} {first.commit.short}: stage {first.stage_index} {first.stage}"
    )
    # later points are further right: x follows time
    xs = [float(c.get("cx", "0")) for c in chart.iter(f"{ns}circle")][: len(h.points)]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    assert "----" not in page


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], capture_output=True,
                          text=True, check=False)


def test_cli_history_and_its_errors(tmp_path: Path, repo: tuple[Path, list[str]]) -> None:
    root, ids = repo
    proc = cli("history", str(root), "--every", "month", "-f", "json")
    assert proc.returncode == 0, proc.stderr
    assert [p["commit"]["sha"] for p in json.loads(proc.stdout)["points"]][-1] == ids[5]
    for args, message in [
        ((str(tmp_path),), "not a git repository"),
        ((str(root), "nope"), "bad revision 'nope'"),
        ((str(root), "-f", "sarif"), "--format 'sarif'"),
    ]:
        proc = cli("history", *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
        assert "Traceback" not in proc.stderr


def _now() -> dt.datetime:

    return dt.datetime(2025, 7, 1, tzinfo=dt.UTC)


def _ts(day: str) -> int:
    return int(dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC).timestamp())
