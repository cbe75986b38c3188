"""The real command line against a hostile MLflow server and a hostile repository: names
with terminal escapes, bidi overrides, HTML and Markdown in every report format; a
repository that names a server or sets programs in its git config. Exit 0, no control or
direction-changing character, no script, no secret, no request the user did not ask for,
no program of the repository run."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.history.gitrepo import TRACKING, commit, git, init
from tests.live.stubs import Reply, minimal, serving

TOKEN = "t0ken-from-the-environment"
EVIL = ("ev\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\\x1b[2J<script>alert(1)"
        "</script>|x|](javascript:alert(2))\u202egnp.exe\x00`code`*b*<img src=x onerror=y>")
BAD_CHARS = ("\x1b", "\x00", "\x07")
DIRECTION = ("\u202e", "\u2066")
ASSESS_FORMATS = ("terminal", "json", "markdown", "html", "sarif")
METRICS_FORMATS = ("terminal", "json", "markdown", "html")
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")  # shown as it is: no tag starts in it
_RAW_TAG = re.compile(r"(?<!\\)<(script|img)")  # a tag not escaped as \<script


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MLFLOW_", "DATABRICKS_"))}
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], capture_output=True,
                          text=True, check=False, env={**clean, **(env or {})})


def _recent_ms(days: int) -> int:
    return int((dt.datetime.now(dt.UTC) - dt.timedelta(days=days)).timestamp() * 1000)


def _hostile_answers() -> dict[str, Reply]:
    t = _recent_ms(3)
    return {
        "experiments/search": Reply(body={"experiments": [
            {"experiment_id": "1", "name": EVIL, "creation_time": t}]}),
        "runs/search": Reply(body={"runs": [{"info": {
            "run_id": "r" + EVIL, "experiment_id": "1", "start_time": t, "status": "FINISHED",
            "user_id": EVIL}, "data": {"params": [{"key": "lr", "value": "1"}], "tags": [
                {"key": "mlflow.source.git.commit", "value": EVIL}]}}]}),
        "registered-models/search": Reply(body={"registered_models": [{
            "name": EVIL, "creation_timestamp": t, "aliases": [
                {"alias": "champion", "version": "1"}, {"alias": "c" + EVIL, "version": "2"}]}]}),
        "model-versions/search": Reply(body={"model_versions": [
            {"name": EVIL, "version": "1", "creation_timestamp": t, "run_id": "r" + EVIL,
             "current_stage": "Production" + EVIL},
            {"name": EVIL, "version": "2" + EVIL, "creation_timestamp": t + 5,
             "current_stage": "Archived"}]}),
    }


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = init(tmp_path_factory.mktemp("hostile") / "churn")
    day = (dt.date.today() - dt.timedelta(days=5)).isoformat()
    commit(root, {"src/train.py": TRACKING, "params.yaml": "lr: 0.1\n"}, day,
           "Ann\x1b[2J", "Train \x1b]8;;https://evil.example/\x1b\\ \u202e<script>x</script>")
    return root


def test_hostile_names_are_shown_escaped_in_every_format(repo: Path) -> None:
    env = {"MLFLOW_TRACKING_TOKEN": TOKEN}
    with serving(minimal(_hostile_answers())) as stub:
        runs = [("assess", f) for f in ASSESS_FORMATS] + [("metrics", f) for f in METRICS_FORMATS]
        for command, fmt in runs:
            proc = cli(command, str(repo), "--mlflow", stub.url, "--window", "30d", "-f", fmt,
                       env=env)
            out = proc.stdout + proc.stderr
            assert proc.returncode == 0, (command, fmt, proc.stderr)
            assert TOKEN not in out and "Traceback" not in out
            assert not [c for c in BAD_CHARS if c in out], (command, fmt)
            if fmt == "json":
                json.loads(proc.stdout)
            else:
                assert not [c for c in DIRECTION if c in out], (command, fmt)
            if fmt == "html":
                assert "<script" not in out and "<img" not in out, (command, fmt)
            if fmt == "markdown":
                assert not _RAW_TAG.search(_CODE_SPAN.sub("", out)), (command, fmt)
    assert stub.requests and all(r.headers["Authorization"] == f"Bearer {TOKEN}"
                                 for r in stub.requests)


def test_a_repository_cannot_name_a_server(tmp_path: Path) -> None:
    with serving(minimal()) as stub:
        root = init(tmp_path / "named")
        commit(root, {
            ".env": f"MLFLOW_TRACKING_URI={stub.url}\nMLFLOW_TRACKING_TOKEN=x\n",
            "MLproject": f"name: churn\ntracking_uri: {stub.url}\n",
            "train.py": f"import mlflow\nmlflow.set_tracking_uri('{stub.url}')\n",
        }, dt.date.today().isoformat(), "Ann", "Track")
        env = {"MLFLOW_TRACKING_URI": stub.url}
        for args in (["assess", str(root)], ["assess", str(root), "--window", "30d"],
                     ["metrics", str(root), "-f", "json"]):
            proc = cli(*args, env=env)
            assert proc.returncode == 0, proc.stderr
    assert stub.requests == []


def test_programs_in_the_repository_config_never_run(tmp_path: Path) -> None:
    root = init(tmp_path / "trap")
    day = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    commit(root, {"src/train.py": TRACKING, "params.yaml": "threshold: 0.5\n",
                  ".github/workflows/train.yml": "on:\n  schedule:\n    - cron: '0 0 * * *'\n"},
           day, "Ann", "Train nightly")
    git(root, "tag", "-a", "v1", "-m", "release", env={"GIT_COMMITTER_NAME": "Ann",
                                                         "GIT_COMMITTER_EMAIL": "a@example.org"})
    marker = tmp_path / "ran"
    program = tmp_path / "mark.py"
    program.write_text(f"import pathlib, sys\npathlib.Path({str(marker)!r}).touch()\n"
                       "sys.stdout.write(sys.stdin.read())\n", encoding="utf-8")
    command = f'"{sys.executable}" "{program}"'
    for key in ("core.pager", "core.fsmonitor", "diff.external", "gpg.program",
                "diff.x.textconv", "diff.x.command", "filter.x.smudge", "filter.x.clean",
                "core.sshCommand", "core.askPass", "credential.helper", "pager.log"):
        git(root, "config", key, command)
    git(root, "config", "log.showSignature", "true")
    git(root, "config", "core.hooksPath", str(tmp_path))
    (root / ".gitattributes").write_text("* diff=x filter=x\n", encoding="utf-8")
    for args in (["metrics", str(root), "--window", "30d"],
                 ["assess", str(root), "--window", "30d", "-f", "json"]):
        proc = cli(*args)
        assert proc.returncode == 0, proc.stderr
    assert not marker.exists()
