"""The git-history source on repositories the tests build: commits of a window with their
kinds of change, schedules and thresholds, reverts, automation, tags, merges, a folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mlkaizen.evidence.facts.live import ChangeKind, Commit, HistoryFacts, Problem, Tag
from mlkaizen.evidence.live import LiveOptions, gather
from mlkaizen.evidence.sources.githistory import read_history
from tests.history.gitrepo import commit, git, init

K = ChangeKind
SINCE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
UNTIL = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)
WORKFLOW = 'on:\n  schedule:\n    - cron: "0 3 * * *"\njobs: {}\n'
CI_NEAR_MISS = "env:\n  lr_schedule: cosine\n  scheduler: none\n  rescheduled: 'yes'\njobs: {}\n"


def noon(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T12:00:00+00:00")


def dated(day: str, name: str = "Ann") -> dict[str, str]:
    stamp = f"{day}T12:00:00+00:00"
    return {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": f"{name.lower()}@example.org", "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": f"{name.lower()}@example.org"}


def build(root: Path) -> dict[str, str]:
    """A year of a team's history; returns the commit ids by name."""
    init(root)
    c: dict[str, str] = {}
    c["start"] = commit(root, {"README.md": "# churn\n", "train.py": "fit()\n"}, "2024-12-01",
                        "Ann", "Start")
    c["train"] = commit(root, {"train.py": "fit(2)\n", "params.yaml": "lr: 0.1\n"}, "2025-01-10",
                        "Ann", "Train a model")
    c["docs"] = commit(root, {"README.md": "# churn model\n"}, "2025-02-01", "Bob", "Docs")
    c["data"] = commit(root, {"data/raw.csv.dvc": "outs: []\n", "dvc.lock": "schema: '2.0'\n"},
                       "2025-02-15", "Cy", "Version the data")
    c["nightly"] = commit(root, {".github/workflows/retrain.yml": WORKFLOW}, "2025-03-01", "Dee",
                          "Retrain nightly")
    c["weekly"] = commit(root, {".github/workflows/retrain.yml": WORKFLOW.replace(
        "0 3 * * *", "0 3 * * 1")}, "2025-03-03", "Dee", "Retrain weekly")
    c["ci"] = commit(root, {".github/workflows/ci.yml": CI_NEAR_MISS}, "2025-03-05", "Eve",
                     "CI settings")
    c["dag"] = commit(root, {"dags/nightly.py": 'DAG("x", schedule_interval="@daily")\n',
                             "src/utils.py": 'schedule = "0 3 * * *"\n'}, "2025-03-10", "Eve",
                      "Airflow DAG")
    c["dag2"] = commit(root, {"dags/nightly.py": 'DAG("x", schedule_interval="@weekly")\n',
                              "src/utils.py": 'schedule = "0 4 * * *"\n'}, "2025-03-11", "Eve",
                       "Airflow DAG weekly")
    c["drift"] = commit(root, {"monitoring/drift.yaml": "drift_share: 0.3\n"}, "2025-04-01",
                        "Fay", "Drift monitoring")
    c["panel"] = commit(root, {"monitoring/drift.yaml": "drift_share: 0.3\ntitle: Drift threshold "
                               "panel\n", "params.yaml": "lr: 0.1\nthreshold: 0.5\n"},
                        "2025-04-02", "Fay", "Panel title")
    c["loosen"] = commit(root, {"monitoring/drift.yaml": "drift_share: 0.4\ntitle: Drift "
                                "threshold panel\n"}, "2025-04-03", "Fay",
                         "Loosen the drift share")
    c["metrics"] = commit(root, {"metrics.json": '{"auc": 0.9}\n'}, "2025-05-01",
                          "github-actions[bot]", "Update metrics",
                          email="41898282+github-actions[bot]@users.noreply.github.com")
    c["tune"] = commit(root, {"params.yaml": "lr: 0.2\nthreshold: 0.5\n"}, "2025-05-10", "Gus",
                       "Tune the learning rate")
    git(root, "revert", "--no-edit", c["tune"], env=dated("2025-05-11", "Hal"))
    c["revert"] = git(root, "rev-parse", "HEAD")
    git(root, "checkout", "-q", "-b", "side", c["revert"])
    c["side"] = commit(root, {"networks/net.py": "class Net: ...\n"}, "2025-06-10", "Ida",
                       "A new network")
    git(root, "checkout", "-q", "main")
    c["other"] = commit(root, {"notes.txt": "x\n"}, "2025-06-12", "Ann", "Notes")
    git(root, "merge", "--no-ff", "-q", "-m", "Merge side", "side", env=dated("2025-06-15"))
    c["merge"] = git(root, "rev-parse", "HEAD")
    c["by-ci"] = commit(root, {"train.py": "fit(3)\n"}, "2025-07-01", "Hal", "Retrain",
                        committer="Jenkins", committer_email="jenkins@ci.example.org")
    c["late"] = commit(root, {"train.py": "fit(4)\n"}, "2026-02-01", "Ann", "Next year")
    git(root, "tag", "-a", "v1.0", "-m", "release", c["docs"], env=dated("2025-06-01"))
    git(root, "tag", "old", c["start"])  # a lightweight tag: the commit's time, 2024
    git(root, "tag", "v1.1", c["by-ci"])  # lightweight, in the window
    git(root, "tag", "-a", "tree-tag", "-m", "a tree", f"{c['train']}^{{tree}}",
        env=dated("2025-06-02"))
    return c


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[HistoryFacts, dict[str, str]]:
    root = tmp_path_factory.mktemp("hist") / "churn"
    ids = build(root)
    return read_history(root, SINCE, UNTIL), ids


def one(facts: HistoryFacts, sha: str) -> Commit:
    return next(c for c in facts.commits if c.sha == sha)


def test_the_commits_kept_newest_first(history: tuple[HistoryFacts, dict[str, str]]) -> None:
    facts, c = history
    names = {v: k for k, v in c.items()}
    assert [names[x.sha] for x in facts.commits] == [
        "by-ci", "side", "revert", "tune", "metrics", "loosen", "panel", "drift", "dag2", "ci",
        "weekly", "nightly", "data", "docs", "train",
    ]
    assert facts.commits_total == 18  # the window: all but "start" and "late"
    assert facts.complete and facts.problems == []
    assert facts.repository == "churn"
    assert facts.head == c["late"]


def test_kinds_of_each_commit(history: tuple[HistoryFacts, dict[str, str]]) -> None:
    facts, c = history
    kinds = {k: one(facts, c[k]).kinds for k in c if any(x.sha == c[k] for x in facts.commits)}
    assert kinds == {
        "train": {K.TRAINING_CODE, K.PARAMS},
        "docs": set(),  # kept as the target of tag v1.0
        "data": {K.DATA_POINTER},
        "nightly": {K.CI},  # a schedule first added is no revision
        "weekly": {K.CI, K.SCHEDULE},  # its cron line replaced: the cadence revised
        "ci": {K.CI},  # lr_schedule, scheduler, rescheduled: not schedules
        "dag2": {K.SCHEDULE},  # a schedule in src/utils.py is not an orchestrator's
        "drift": {K.MONITORING},  # a threshold first set is no revision
        "loosen": {K.MONITORING, K.THRESHOLD},
        "panel": {K.MONITORING, K.PARAMS},  # a title naming a threshold; params' threshold
        "metrics": {K.METRICS},
        "tune": {K.PARAMS},
        "revert": {K.PARAMS},
        "side": {K.TRAINING_CODE},
        "by-ci": {K.TRAINING_CODE},
    }


def test_one_commit_in_full(history: tuple[HistoryFacts, dict[str, str]]) -> None:
    facts, c = history
    assert one(facts, c["train"]) == Commit(
        sha=c["train"], committed=noon("2025-01-10"), authored=noon("2025-01-10"),
        author="Ann", email="ann@example.org", subject="Train a model",
        kinds=frozenset({K.TRAINING_CODE, K.PARAMS}), paths=("params.yaml", "train.py"),
    )
    assert one(facts, c["dag2"]).paths == ("dags/nightly.py",)
    assert one(facts, c["panel"]).paths == ("monitoring/drift.yaml", "params.yaml")


def test_reverts_and_automation(history: tuple[HistoryFacts, dict[str, str]]) -> None:
    facts, c = history
    assert [(x.sha, x.reverts) for x in facts.commits if x.reverts] == [(c["revert"], c["tune"])]
    assert one(facts, c["revert"]).subject == 'Revert "Tune the learning rate"'
    assert {x.sha for x in facts.commits if x.automation} == {c["metrics"], c["by-ci"]}


def test_tags_of_the_window(history: tuple[HistoryFacts, dict[str, str]]) -> None:
    facts, c = history
    assert facts.tags == [
        Tag(name="v1.1", sha=c["by-ci"], when=noon("2025-07-01")),
        Tag(name="v1.0", sha=c["docs"], when=noon("2025-06-01")),
    ]


def test_merges_and_times(history: tuple[HistoryFacts, dict[str, str]]) -> None:
    facts, c = history
    assert c["merge"] not in {x.sha for x in facts.commits}
    assert c["other"] not in {x.sha for x in facts.commits}
    assert facts.commit_times[c["merge"]] == noon("2025-06-15")
    assert set(facts.commit_times) == {v for k, v in c.items() if k not in ("start", "late")}


def test_window_bounds_are_included(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    first = commit(root, {"train.py": "a\n"}, "2025-03-01", "Ann", "one")
    second = commit(root, {"train.py": "b\n"}, "2025-03-02", "Ann", "two")
    commit(root, {"train.py": "c\n"}, "2025-03-03", "Ann", "three")
    facts = read_history(root, noon("2025-03-01"), noon("2025-03-02"))
    assert [x.sha for x in facts.commits] == [second, first]
    later = read_history(root, noon("2025-03-01") + dt.timedelta(seconds=1),
                         noon("2025-03-02") - dt.timedelta(seconds=1))
    assert (later.commits, later.commits_total, later.commit_times) == ([], 0, {})


def test_a_folder_limits_the_commits(tmp_path: Path) -> None:
    root = init(tmp_path / "mono")
    a = commit(root, {"churn/train.py": "a\n", "fraud/train.py": "a\n"}, "2025-03-01", "Ann",
               "both")
    b = commit(root, {"fraud/params.yaml": "lr: 1\n"}, "2025-03-02", "Ann", "fraud only")
    d = commit(root, {"churn/README.md": "x\n", ".github/workflows/ci.yml": WORKFLOW},
               "2025-03-03", "Ann", "churn docs and root CI")
    facts = read_history(root / "churn", SINCE, UNTIL)
    assert facts.commits_total == 2
    assert [(x.sha, x.kinds, x.paths) for x in facts.commits] == [
        (a, {K.TRAINING_CODE}, ("churn/train.py",)),
    ]
    assert set(facts.commit_times) == {a, b, d}  # the whole repository's, to place runs
    whole = read_history(root, SINCE, UNTIL)
    assert [x.sha for x in whole.commits] == [d, b, a]
    assert one(whole, d).kinds == {K.CI}


def test_gather_reads_the_history(tmp_path: Path) -> None:
    root = init(tmp_path / "g")
    sha = commit(root, {"train.py": "a\n"}, "2025-03-01", "Ann", "one")
    live = gather(root, LiveOptions(window=dt.timedelta(days=30), history=True,
                                    until=noon("2025-03-10")))
    assert live.history is not None
    assert [x.sha for x in live.history.commits] == [sha]
    assert live.problems == []


def test_gather_turns_a_folder_outside_git_into_a_problem(tmp_path: Path) -> None:
    live = gather(tmp_path, LiveOptions(history=True, until=UNTIL))
    assert live.history is None
    assert live.problems == [
        Problem(source="git history", message="not a git repository (history needs one)")
    ]


def test_the_diff_search_in_small_batches_and_in_every_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many commits are searched a batch at a time; with too many files to name, every
    file of the commits is searched and the classifier still picks the files."""
    from mlkaizen.evidence.sources import history_log

    root = tmp_path / "churn"
    build(root)
    expected = read_history(root, SINCE, UNTIL)
    monkeypatch.setattr(history_log, "SEARCH_BATCH", 1)
    monkeypatch.setattr(history_log, "MAX_SPECS", 0)
    assert read_history(root, SINCE, UNTIL) == expected
    assert sum(K.SCHEDULE in c.kinds for c in expected.commits) == 2


def test_a_renamed_or_deleted_threshold_file_is_no_revision(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    commit(root, {"monitoring/drift.yaml": "drift_share: 0.3\n"}, "2025-03-01", "Ann", "Add")
    moved = commit(root, {"monitoring/drift.yaml": None,
                          "monitoring/data_drift.yaml": "drift_share: 0.3\n"},
                   "2025-03-02", "Ann", "refactor: re-renamed files")
    changed = commit(root, {"monitoring/data_drift.yaml": "drift_share: 0.25\n"},
                     "2025-03-03", "Ann", "Tighten")
    gone = commit(root, {"monitoring/data_drift.yaml": None}, "2025-03-04", "Ann", "Drop")
    facts = read_history(root, SINCE, UNTIL)
    assert [(x.sha, x.kinds) for x in facts.commits if x.sha in (moved, changed, gone)] == [
        (gone, {K.MONITORING}),
        (changed, {K.MONITORING, K.THRESHOLD}),
        (moved, {K.MONITORING}),
    ]


def test_a_revert_naming_an_abbreviated_commit(tmp_path: Path) -> None:
    root = init(tmp_path / "r")
    tuned = commit(root, {"params.yaml": "lr: 1\n"}, "2025-03-01", "Ann", "Tune")
    back = commit(root, {"params.yaml": "lr: 2\n"}, "2025-03-02", "Ann",
                  f"Undo the tuning\n\nThis reverts commit {tuned[:10]}.")
    near = commit(root, {"params.yaml": "lr: 3\n"}, "2025-03-03", "Ann",
                  "Again\n\nThis reverts commit 12345.")  # too short to name a commit
    facts = read_history(root, SINCE, UNTIL)
    assert [(x.sha, x.reverts) for x in facts.commits] == [
        (near, None), (back, tuned[:10]), (tuned, None)]
