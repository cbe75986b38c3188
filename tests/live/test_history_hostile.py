"""The git-history source on hostile or unusual histories: control characters, megabyte
messages, paths with newlines, a commit budget, shallow clones, no commits, a detached
HEAD, odd tags, and paths that are not a repository. Never a traceback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.facts.live import ChangeKind, Problem
from mlkaizen.evidence.sources.githistory import read_history
from tests.history.gitrepo import commit, git, init

SINCE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
UNTIL = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)
SHALLOW = Problem(source="git history", message=(
    "shallow clone: the history starts at the oldest commit fetched "
    "(fetch more with `git fetch --unshallow`)"))


def test_control_characters_in_a_subject_become_spaces(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    commit(root, {"train.py": "a\n"}, "2025-03-01", "Ann\x1b[2J", "Fix\x1b[31m red\x07 bell")
    [c] = read_history(root, SINCE, UNTIL).commits
    assert c.subject == "Fix [31m red  bell"
    assert c.author == "Ann [2J"


def commit_file(root: Path, stamp: str, message: str) -> str:
    """Commit a change to train.py with a message too long for a command line."""
    (root / "train.py").write_text(stamp, encoding="utf-8")
    (root.parent / "message.txt").write_text(message, encoding="utf-8")
    env = {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_NAME": "Ann",
           "GIT_AUTHOR_EMAIL": "ann@example.org", "GIT_COMMITTER_NAME": "Ann",
           "GIT_COMMITTER_EMAIL": "ann@example.org"}
    git(root, "add", "-A", env=env)
    git(root, "commit", "-q", "-F", str(root.parent / "message.txt"), env=env)
    return git(root, "rev-parse", "HEAD")


def test_a_megabyte_subject_is_cut_and_the_revert_line_still_read(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    first = commit(root, {"train.py": "a\n"}, "2025-03-01", "Ann", "one")
    message = "x" * 3_000_000 + "\n\n" + "y" * 3_000 + "\nThis reverts commit " + first + ".\n"
    big = commit_file(root, "2025-03-02T12:00:00+00:00", message)
    facts = read_history(root, SINCE, UNTIL)
    c = next(x for x in facts.commits if x.sha == big)
    assert c.subject == "x" * 197 + "..."
    assert c.reverts == first


def test_a_revert_line_beyond_the_first_4_kib_of_the_body_is_not_read(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    first = commit(root, {"README.md": "a\n"}, "2025-03-01", "Ann", "one")
    message = "Undo\n\n" + "y" * 5_000 + "\nThis reverts commit " + first + ".\n"
    commit(root, {"README.md": "b\n"}, "2025-03-02", "Ann", message)
    assert read_history(root, SINCE, UNTIL).commits == []


def test_paths_with_newlines(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    odd = commit(root, {"training/a\nb.py": "x\n"}, "2025-03-01", "Ann", "odd name")
    commit(root, {"train.py\nREADME.md": "x\n"}, "2025-03-02", "Ann", "not code")
    facts = read_history(root, SINCE, UNTIL)
    assert [(c.sha, c.kinds, c.paths) for c in facts.commits] == [
        (odd, {ChangeKind.TRAINING_CODE}, ("training/a b.py",)),
    ]
    assert facts.commits_total == 2


def test_the_commit_budget_keeps_the_newest(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    ids = [commit(root, {"train.py": f"{i}\n"}, f"2025-03-{i + 1:02d}", "Ann", f"c{i}")
           for i in range(25)]
    facts = read_history(root, SINCE, UNTIL, max_commits=10)
    assert not facts.complete
    assert facts.commits_total == 10
    assert [c.sha for c in facts.commits] == ids[:-11:-1]
    assert set(facts.commit_times) == set(ids[-10:])
    assert facts.problems == [Problem(source="git history", message=(
        "limit max_commits=10 reached: only the newest 10 commits of the window are read "
        "(narrow the window)"))]
    assert read_history(root, SINCE, UNTIL, max_commits=25).complete


def test_a_shallow_clone_does_not_take_its_boundary_for_a_change(tmp_path: Path) -> None:
    origin = init(tmp_path / "origin")
    commit(origin, {"train.py": "a\n"}, "2025-01-10", "Ann", "one")
    two = commit(origin, {"params.yaml": "lr: 1\n"}, "2025-02-10", "Ann", "two")
    three = commit(origin, {"README.md": "x\n", "dvc.lock": "x\n"}, "2025-03-10", "Ann", "three")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{origin}", str(clone))
    facts = read_history(clone, SINCE, UNTIL)
    assert facts.problems == [SHALLOW]
    assert facts.commits_total == 2
    assert set(facts.commit_times) == {two, three}
    assert [(c.sha, c.kinds, c.paths) for c in facts.commits] == [
        (three, {ChangeKind.DATA_POINTER}, ("dvc.lock",)),
    ]


def test_no_commits_yet(tmp_path: Path) -> None:
    root = init(tmp_path / "empty")
    facts = read_history(root, SINCE, UNTIL)
    assert (facts.head, facts.commits_total, facts.commits, facts.tags) == ("", 0, [], [])
    assert facts.problems == [
        Problem(source="git history", message="the repository has no commits yet")
    ]


def test_a_detached_head_reads_what_it_reaches(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    one = commit(root, {"train.py": "a\n"}, "2025-03-01", "Ann", "one")
    commit(root, {"train.py": "b\n"}, "2025-03-02", "Ann", "two")
    git(root, "checkout", "-q", "--detach", one)
    facts = read_history(root, SINCE, UNTIL)
    assert facts.head == one
    assert [c.sha for c in facts.commits] == [one]


def test_a_tag_of_a_tag_is_peeled_to_its_commit(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    one = commit(root, {"README.md": "a\n"}, "2025-03-01", "Ann", "one")
    env = {"GIT_COMMITTER_DATE": "2025-04-01T00:00:00+00:00", "GIT_COMMITTER_NAME": "Ann",
           "GIT_COMMITTER_EMAIL": "ann@example.org"}
    git(root, "tag", "-a", "inner", "-m", "x", one, env=env)
    git(root, "tag", "-a", "outer", "-m", "y", "inner", env=env)
    git(root, "tag", "-a", "blob", "-m", "z", f"{one}:README.md", env=env)
    facts = read_history(root, SINCE, UNTIL)
    assert sorted((t.name, t.sha) for t in facts.tags) == [("inner", one), ("outer", one)]
    assert [c.sha for c in facts.commits] == [one]  # kept as a tag's target


def test_naive_times_are_taken_as_utc(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    one = commit(root, {"train.py": "a\n"}, "2025-03-01", "Ann", "one")
    facts = read_history(root, dt.datetime(2025, 3, 1, 12), dt.datetime(2025, 3, 1, 12))
    assert [c.sha for c in facts.commits] == [one]
    assert facts.since == dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(MLKaizenError) as exc:
        read_history(tmp_path, SINCE, UNTIL)
    assert (exc.value.message, exc.value.path) == (
        "not a git repository (history needs one)", str(tmp_path))
    (tmp_path / "f.txt").write_text("x", encoding="utf-8")
    with pytest.raises(MLKaizenError) as exc:
        read_history(tmp_path / "f.txt", SINCE, UNTIL)
    assert exc.value.message == "not a directory; give a folder of a git repository"


def test_a_borrowed_object_store_is_refused(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    commit(root, {"train.py": "a\n"}, "2025-03-01", "Ann", "one")
    (root / ".git" / "objects" / "info" / "alternates").write_text(
        str(tmp_path / "elsewhere"), encoding="utf-8")
    with pytest.raises(MLKaizenError) as exc:
        read_history(root, SINCE, UNTIL)
    assert exc.value.message == (
        "`objects/info/alternates` borrows objects from another repository; history reads "
        "only the repository it is given")


def test_nothing_is_written(tmp_path: Path) -> None:
    from tests.history.gitrepo import fingerprint

    root = init(tmp_path / "r")
    commit(root, {"train.py": "a\n", ".github/workflows/x.yml": "on: {schedule: [cron: x]}\n"},
           "2025-03-01", "Ann", "one")
    git(root, "tag", "v1")
    before = fingerprint(root)
    read_history(root, SINCE, UNTIL)
    assert fingerprint(root) == before


def test_an_author_date_no_calendar_shows(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    (root / "train.py").write_text("x\n", encoding="utf-8")
    git(root, "add", "-A")
    tree = git(root, "write-tree")
    env = {"GIT_AUTHOR_NAME": "Ann", "GIT_AUTHOR_EMAIL": "ann@example.org",
           "GIT_COMMITTER_NAME": "Ann", "GIT_COMMITTER_EMAIL": "ann@example.org",
           "GIT_AUTHOR_DATE": "@999999999999 +0000",  # the year 33658
           "GIT_COMMITTER_DATE": "2025-03-01T00:00:00+00:00"}
    sha = git(root, "commit-tree", tree, "-m", "far", env=env)
    git(root, "update-ref", "HEAD", sha)
    [c] = read_history(root, SINCE, UNTIL).commits
    assert c.authored == c.committed == dt.datetime(2025, 3, 1, tzinfo=dt.UTC)


def test_a_commit_of_very_many_files_is_classified_by_its_first_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlkaizen.evidence.sources import githistory, history_log

    monkeypatch.setattr(history_log, "MAX_COMMIT_PATHS", 3)
    monkeypatch.setattr(githistory, "MAX_COMMIT_PATHS", 3)
    root = init(tmp_path / "r")
    files: dict[str, str | None] = {f"a{i}.txt": "x\n" for i in range(3)}
    files["train.py"] = "x\n"  # the fourth path, in git's order
    big = commit(root, files, "2025-03-01", "Ann", "vendored")
    small = commit(root, {"train.py": "y\n"}, "2025-03-02", "Ann", "small")
    facts = read_history(root, SINCE, UNTIL)
    assert [c.sha for c in facts.commits] == [small]
    assert facts.commits_total == 2
    assert facts.problems == [Problem(source="git history", message=(
        "1 commit changed over 3 files: only their first 3 paths are classified"))]
    assert big in facts.commit_times


def test_the_repository_config_cannot_change_what_git_prints(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    first = commit(root, {"train.py": "a\n", ".github/workflows/x.yml": "on:\n  schedule:\n"
                          "    - cron: '0 1 * * *'\n"}, "2025-03-01", "Ann", "Start")
    second = commit(root, {"params.yaml": "lr: 1\n", "old.py": "x\n"}, "2025-03-02", "Ann",
                    "Tune")
    commit(root, {"old.py": None, "new.py": "x\n"}, "2025-03-03", "Ann", "Rename")
    third = commit(root, {".github/workflows/x.yml": "on:\n  schedule:\n"
                          "    - cron: '0 2 * * *'\n"}, "2025-03-04", "Ann", "Later")
    expected = read_history(root, SINCE, UNTIL)
    assert [(c.sha, c.kinds) for c in expected.commits] == [
        (third, {ChangeKind.CI, ChangeKind.SCHEDULE}),  # the cron replaced: revised
        (second, {ChangeKind.PARAMS}),
        (first, {ChangeKind.TRAINING_CODE, ChangeKind.CI}),  # first added: no revision
    ]
    for key, value in (("i18n.logOutputEncoding", "UTF-16"), ("log.showRoot", "false"),
                       ("diff.renames", "copies"), ("diff.relative", "true"),
                       ("core.quotePath", "true"), ("log.mailmap", "true"),
                       ("diff.external", "false"), ("pager.log", "false"),
                       ("diff.noprefix", "true"), ("diff.mnemonicPrefix", "true"),
                       ("color.ui", "always"), ("color.diff", "always"),
                       ("diff.context", "5"), ("diff.interHunkContext", "9")):
        git(root, "config", key, value)
    assert read_history(root, SINCE, UNTIL) == expected
