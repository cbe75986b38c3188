"""`assess --mlflow/--window` and `metrics` end to end, through the real entry point, on a
repository built with dated commits and a real MLflow server filled through MLflow's client:
the evidence names the server's objects and the commits, the four delivery metrics are the
ones computed by hand, and a server that cannot be read leaves one warning and the report."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.history.gitrepo import commit, git, init
from tests.live import mlflowfill as fill
from tests.live.conftest import MlflowServer, free_port

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
TODAY = NOW.date()
TOKEN = "s3cret-token-never-shown"
BOT = "github-actions[bot]"


def ago(days: int) -> str:
    """The ISO date ``days`` before today (commits are made at 12:00 UTC of it)."""
    return (TODAY - dt.timedelta(days=days)).isoformat()


def noon(days: int, hours: int = 0) -> dt.datetime:
    return dt.datetime.combine(TODAY - dt.timedelta(days=days), dt.time(12), dt.UTC) + (
        dt.timedelta(hours=hours))


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "DATABRICKS_"))}
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], capture_output=True,
                          text=True, check=False, env={**clean, **(env or {})})


@dataclass(frozen=True)
class Team:
    repo: Path
    server: MlflowServer
    commits: dict[str, str]  # name -> sha


@pytest.fixture(scope="module")
def team(
    own_mlflow_server: MlflowServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Team]:
    """A churn team: training code and params changed, one params change reverted, a bot
    committing data locks and metrics twice, three registered versions (one set aside)."""
    root = init(tmp_path_factory.mktemp("team") / "churn")
    shas = {
        "c1": commit(root, {"src/train.py": "print('fit')\n", "params.yaml": "lr: 0.1\n",
                            "README.md": "# churn\n"}, ago(100), "Ann", "Train a first model"),
        "c2": commit(root, {"params.yaml": "lr: 0.2\n"}, ago(60), "Bob", "Raise the rate"),
    }
    stamp = f"{ago(59)}T12:00:00+00:00"
    git(root, "revert", "--no-edit", shas["c2"], env={
        "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_NAME": "Bob",
        "GIT_AUTHOR_EMAIL": "bob@example.org", "GIT_COMMITTER_NAME": "Bob",
        "GIT_COMMITTER_EMAIL": "bob@example.org"})
    shas["revert"] = git(root, "rev-parse", "HEAD")
    shas["bot1"] = commit(root, {"dvc.lock": "outs: [a]\n", "metrics.json": '{"auc": 0.8}\n'},
                          ago(40), BOT, "Nightly retrain")
    shas["bot2"] = commit(root, {"dvc.lock": "outs: [b]\n", "metrics.json": '{"auc": 0.81}\n'},
                          ago(20), BOT, "Nightly retrain")
    shas["c6"] = commit(root, {"src/train.py": "print('fit better')\n"}, ago(10), "Ann",
                        "Better features")

    server = own_mlflow_server
    mlflow = fill.client(server.url)
    exp = fill.experiment(mlflow, "churn-training")
    r1 = fill.run(mlflow, exp, noon(99), params={"lr": "0.1"}, metrics={"auc": [0.8]},
                  commit=shas["c1"])
    r2 = fill.run(mlflow, exp, noon(9), params={"lr": "0.1"}, metrics={"auc": [0.82]},
                  commit=shas["c6"])
    r3 = fill.run(mlflow, exp, noon(6), params={"lr": "0.1"}, metrics={"auc": [0.7]},
                  commit=shas["c6"])
    fill.model(mlflow, "churn-model", [r1, r2, r3], aliases={"champion": 1, "challenger": 2},
               stages={3: "Archived"})
    fill.set_times(server.db, "churn-model", noon(99, 1), noon(5, 6), {
        1: (noon(100, 24), noon(5, 6)),      # v1: a day after c1; promoted back 6 h after v3
        2: (noon(10, 48), noon(10, 48)),     # v2: two days after c6
        3: (noon(5), noon(5, 1)),            # v3: made 5 days ago, then archived
    })
    yield Team(root, server, shas)


def test_assess_reads_the_server_and_history_and_names_their_objects(team: Team) -> None:
    proc = cli("assess", str(team.repo), "--mlflow", team.server.url, "--window", "365d",
               "-f", "json", env={"MLFLOW_TRACKING_TOKEN": TOKEN})
    assert proc.returncode == 0, proc.stderr
    assert TOKEN not in proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    practices = {p["id"]: p for p in report["practices"]}
    registry = practices["model.registry"]
    assert registry["state"] == "met"
    assert [(e["object"], e["origin"]) for e in registry["evidence"]] == [
        ("models:/churn-model/3", "mlflow")]
    assert "model 'churn-model' has 3 versions" in registry["evidence"][0]["detail"]
    tracking = practices["model.experiment-tracking"]
    assert tracking["state"] == "met"
    assert any("3 runs in experiment 'churn-training'" in e["detail"]
               for e in tracking["evidence"])
    challenger = practices["model.champion-challenger"]
    assert challenger["state"] == "met"
    assert challenger["evidence"][0]["object"] == "models:/churn-model@challenger"
    scheduled = [e for e in practices["model.ct-triggers"]["evidence"]
                 if e.get("origin") == "git history"]
    assert [e["object"] for e in scheduled] == [f"commit:{team.commits['bot2'][:7]}"]
    assert report["live"]["sources"] == [f"mlflow {team.server.url}", "git history"]
    assert [w for w in report["warnings"] if w["kind"] == "live"] == []


def test_metrics_gives_the_four_delivery_metrics_with_their_sources(team: Team) -> None:
    proc = cli("metrics", str(team.repo), "--mlflow", team.server.url, "--window", "365d",
               "-f", "json")
    assert proc.returncode == 0, proc.stderr
    measured = {m["id"]: m for m in json.loads(proc.stdout)["metrics"]}
    assert list(measured) == [
        "release-frequency", "lead-time", "change-failure-rate", "time-to-restore"]
    assert [m["source"] for m in measured.values()] == [
        "mlflow registry", "mlflow registry + git history", "mlflow registry", "mlflow registry"]
    # three versions registered since the registry began (the model was made 99 days ago
    # and 1 hour later): measured from there, not from the window's start
    covered = (NOW - noon(99, 1)) / dt.timedelta(days=1)
    assert measured["release-frequency"]["value"] == round(3 / covered * 30, 2)
    assert measured["release-frequency"]["events"] == 3
    # v1: c1 -> a day; v2: the earliest ML change after c1 (c2, 60 days ago) -> v2 two days
    # after c6; v3 was trained on c6 again, so it brings no change and gives no lead time
    v2 = (noon(10, 48) - noon(60)) / dt.timedelta(hours=1)
    assert measured["lead-time"]["value"] == round((24.0 + v2) / 2, 2)
    # v3 was archived and the older v1 promoted back 6 hours later: one of three rolled back
    assert measured["change-failure-rate"]["value"] == round(100 / 3, 2)
    assert measured["time-to-restore"]["value"] == 6.0


def test_metrics_from_git_history_alone(team: Team) -> None:
    proc = cli("metrics", str(team.repo), "--window", "365d", "-f", "json")
    assert proc.returncode == 0, proc.stderr
    measured = {m["id"]: m for m in json.loads(proc.stdout)["metrics"]}
    assert {m["source"] for m in measured.values()} == {"git history"}
    # the bot's two commits record retrained models (dvc.lock, metrics.json)
    assert measured["release-frequency"]["events"] == 2
    # ML changes: c1, c2, the bot's two data locks, c6 (the revert is no change); c2 was
    # reverted a day later
    assert measured["change-failure-rate"]["value"] == 20.0
    assert measured["time-to-restore"]["value"] == 24.0


@pytest.mark.parametrize("fmt", ["terminal", "markdown", "html"])
def test_metrics_in_every_format_names_each_metric_and_source(team: Team, fmt: str) -> None:
    proc = cli("metrics", str(team.repo), "--mlflow", team.server.url, "--window", "365d",
               "-f", fmt)
    assert proc.returncode == 0, proc.stderr
    for text in ("Release frequency", "Lead time", "Change-failure rate", "Time to restore",
                 "mlflow registry"):
        assert text.lower() in proc.stdout.lower(), text


def test_an_unreachable_server_is_one_warning_and_the_report_stands(team: Team) -> None:
    plain = json.loads(cli("assess", str(team.repo), "-f", "json").stdout)
    closed = f"http://127.0.0.1:{free_port()}"
    proc = cli("assess", str(team.repo), "--mlflow", closed, "-f", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    live = [w["message"] for w in report["warnings"] if w["kind"] == "live"]
    assert len(live) == 1 and live[0].startswith("mlflow: ") and "unreachable" in live[0]
    assert (report["stage"], [d["level"] for d in report["dimensions"]]) == (
        plain["stage"], [d["level"] for d in plain["dimensions"]])
    assert "Traceback" not in proc.stderr


def test_bad_live_options_are_usage_errors(team: Team) -> None:
    for args, text in (
        (["--mlflow", "file:///etc/passwd"], "MLflow URL"),
        (["--window", "forever"], "window"),
        (["--window", "0d"], "window"),
    ):
        proc = cli("assess", str(team.repo), *args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert text in proc.stderr and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    proc = cli("metrics", str(team.repo.parent / "missing"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
