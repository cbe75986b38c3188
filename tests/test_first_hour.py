"""The first hour of a new user: one loop out of the box. The store works after a plain
install, the survey's answers are found by the next `assess` (and by `target`, `map` and
`history`) where the survey saved them, every report says how many answers it used and from
whom, and the plan commands keep to the subject they are run for. Everything runs through the
real command line on a copy of the bundled example made a git repository."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE

PROFILE_INPUT = "y\nn\nn\ncloud\nbatch\nmonthly\nhigh\nlow\n12\n1\n"
EVERY_YES = "y\n\n" * 40  # each open question: yes, no link or comment


def cli(*args: str, stdin: str = "", cwd: Path | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], input=stdin, text=True,
                          capture_output=True, cwd=cwd, env=env, check=False)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args],
        check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    dest = tmp_path / "churn"
    shutil.copytree(EXAMPLE, dest)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "first")
    return dest


def levels(data: dict[str, object]) -> dict[str, int]:
    return {d["id"]: d["level"] for d in data["dimensions"]}  # type: ignore[attr-defined]


def test_every_report_says_how_many_answers_it_used_and_from_whom(repo: Path,
                                                                  tmp_path: Path) -> None:
    for who in ("alice", "bo"):
        done = cli("survey", str(repo), "--respondent", who, stdin=EVERY_YES)
        assert done.returncode == 0, done.stderr
        # the survey's last line says where the answers went and what reads them
        assert done.stdout.endswith(
            f"saved 17 answers to {repo}/.mlkaizen/answers/{who}.yaml; 0 left; "
            f"`mlkaizen assess {repo}` uses them\n"
        )
    assert sorted(p.name for p in (repo / ".mlkaizen" / "answers").iterdir()) == [
        "alice.yaml", "bo.yaml"]
    line = "Used 17 answers from alice, bo."
    tables = {"terminal": " Dimension ", "markdown": "| Dimension |",
              "html": '<div class="card" id="chart">'}
    for fmt in ("terminal", "markdown", "html"):
        out = tmp_path / f"report.{fmt}"
        proc = cli("assess", str(repo), "-f", fmt, "-o", str(out), "-q")
        assert proc.returncode == 0, proc.stderr
        text = out.read_text()
        assert text.count(line) == 1, fmt
        # in every format, under the summary, before the details
        assert text.index("The first steps to") < text.index(line) < text.index(tables[fmt])
    data = json.loads(cli("assess", str(repo), "-f", "json").stdout)
    assert (data["answers_used"], data["respondents"], data["questions"]) == (
        17, ["alice", "bo"], [])
    # near miss: --answers still chooses, and a repository without answers has no such line
    other = tmp_path / "other"
    (other / ".mlkaizen" / "answers").mkdir(parents=True)
    shutil.copy(repo / ".mlkaizen" / "answers" / "bo.yaml", other / ".mlkaizen" / "answers")
    chosen = json.loads(cli("assess", str(repo), "--answers",
                            str(other / ".mlkaizen" / "answers"), "-f", "json").stdout)
    assert chosen["respondents"] == ["bo"]
    shutil.rmtree(repo / ".mlkaizen" / "answers")
    plain = cli("assess", str(repo)).stdout
    assert "Used " not in plain and "answer them with `mlkaizen survey" in plain


def test_target_map_and_history_read_the_answers_without_flags(repo: Path) -> None:
    assert cli("profile", "--out", str(repo / "profile.yaml"), stdin=PROFILE_INPUT).returncode == 0
    before = json.loads(cli("target", str(repo), "-f", "json").stdout)
    assert cli("survey", str(repo), "--respondent", "alice", stdin=EVERY_YES).returncode == 0
    after = json.loads(cli("target", str(repo), "-f", "json").stdout)
    current = {d["id"]: d["current"] for d in after["dimensions"]}
    assert {d["id"]: d["current"] for d in before["dimensions"]}["data"] == 2
    assert current["data"] == 3  # the answers settle data's level-3 questions
    # and the target says so, as every report does
    assert (after["respondents"], before["respondents"]) == (["alice"], [])
    said = cli("target", str(repo)).stdout.splitlines()
    assert said[1] == f"Used {after['answers_used']} answers from alice."
    assert after["answers_used"] > 1
    mapped = json.loads(cli("map", str(repo), "-f", "json").stdout)
    assert [row["respondents"] for row in mapped["subjects"]] == [1]
    name = mapped["subjects"][0]["subject"]
    for fmt in ("terminal", "markdown", "html"):
        shown = cli("map", str(repo), "-f", fmt).stdout
        assert len(re.findall(rf"{name}: Used \d+ answers from alice\.", shown)) == 1, fmt
    # explain --stage tells the same stage as assess, from the same answers, at the width given
    explained = cli("explain", "--stage", str(repo),
                    env={**os.environ, "COLUMNS": "80"}).stdout
    assert "Data is at level 3 (continuously improved)." in explained
    assert max(len(line) for line in explained.splitlines()) <= 80
    weights = cli("explain", "--weights", str(repo)).stdout
    assert re.search(r"^Data +100% +100%$", weights, re.M), weights
    # history judges each commit with the answers committed by then, not today's
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "answers")
    first, second = git(repo, "rev-list", "--reverse", "HEAD").splitlines()
    replay = json.loads(cli("history", str(repo), first, second, "-f", "json").stdout)
    assert [p["levels"]["data"] for p in replay["points"]] == [2, 3]
    assert [p["respondents"] for p in replay["points"]] == [[], ["alice"]]
    n = replay["points"][1]["answers_used"]
    assert n > 1
    for fmt in ("terminal", "markdown", "html"):  # every history report says it, once
        shown = cli("history", str(repo), first, second, "-f", fmt).stdout
        assert shown.count(f"the newest used {n} answers from alice") == 1, fmt


def test_trusted_ref_reads_the_answers_folder_of_the_base_commit(repo: Path) -> None:
    folder = repo / ".mlkaizen" / "answers"
    folder.mkdir(parents=True)
    head = "respondent: ann\ncatalogue: {id: ad-hoc-to-kaizen, version: '1'}\nanswers:\n"
    (folder / "ann.yaml").write_text(head + "  organization.defined-roles: no\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "answers")
    base = git(repo, "rev-parse", "HEAD")
    (folder / "ann.yaml").write_text(head + "  organization.defined-roles: yes\n")
    (folder / "pr.yaml").write_text(head.replace("ann", "pr") + "  data.versioned: yes\n")

    def state(*extra: str) -> tuple[str, list[str], list[str]]:
        proc = cli("assess", str(repo), "-f", "json", *extra)
        assert proc.returncode == 0, proc.stderr
        data = json.loads(proc.stdout)
        roles = next(p for p in data["practices"] if p["id"] == "organization.defined-roles")
        changed = sorted(w["file"] for w in data["warnings"] if w["kind"] == "trusted-ref")
        return roles["state"], data["respondents"], changed

    assert state() == ("met", ["ann", "pr"], [])
    assert state("--trusted-ref", base) == (
        "unmet", ["ann"], [".mlkaizen/answers/ann.yaml", ".mlkaizen/answers/pr.yaml"])
    # near miss: a base commit without the folder judges without answers (by the config's
    # attestation), listing the new ones as not applied
    first = git(repo, "rev-list", "--max-parents=0", "HEAD")
    assert state("--trusted-ref", first) == (
        "met", [], [".mlkaizen/answers/ann.yaml", ".mlkaizen/answers/pr.yaml"])


def test_a_sub_folder_is_assessed_as_asked_and_its_repository_named(repo: Path) -> None:
    note = ("mlkaizen: note: assessing the sub-folder src/ of the repository churn; run "
            "`mlkaizen assess ..` for the whole repository\n")
    inside = cli("assess", "-f", "json", cwd=repo / "src")
    assert (inside.returncode, inside.stderr) == (0, note)
    data = json.loads(inside.stdout)
    assert data["subject"]["name"] == "src"
    assert data["warnings"][0] == {
        "kind": "sub-folder", "file": None, "line": None,
        "message": "assessed the sub-folder src/ of the repository churn alone: what lies "
        "outside it (CI, settings, other projects) is not seen; assess the repository's top "
        "for the whole"}
    # a bare dependency list does not make a code folder a project of its own
    (repo / "src" / "requirements.txt").write_text("scikit-learn==1.5.0\n")
    assert cli("assess", "-f", "json", cwd=repo / "src").stderr == note
    quiet = cli("assess", "-q", cwd=repo / "src")
    assert quiet.stderr == "" and "assessed the sub-folder src/" in quiet.stdout
    # near misses: the top itself, a sub-folder chosen with --scope, and one that declares a
    # project of its own (as the bundled example does in this repository) say nothing
    (repo / "svc").mkdir()
    (repo / "svc" / "pyproject.toml").write_text("[project]\nname = 'svc'\n")
    for args, cwd in ((("assess",), repo), (("assess", "--scope", "src"), repo),
                      (("assess",), repo / "svc")):
        proc = cli(*args, "-f", "json", cwd=cwd)
        assert proc.stderr == "", args
        assert [w["kind"] for w in json.loads(proc.stdout)["warnings"]
                if w["kind"] == "sub-folder"] == []


def test_an_empty_folder_or_one_without_ml_gets_one_line(tmp_path: Path) -> None:
    empty, plain, ml = tmp_path / "empty", tmp_path / "plain", tmp_path / "ml"
    for folder in (empty, plain, ml):
        folder.mkdir()
        git(folder, "init", "-q")
    (plain / "README.md").write_text("# A web page\n")
    (plain / "app.py").write_text("print('hello')\n")
    (ml / "train.py").write_text("from sklearn.linear_model import LogisticRegression\n"
                                 "LogisticRegression().fit([[0], [1]], [0, 1])\n")
    proc = cli("assess", str(empty))
    assert (proc.returncode, proc.stdout) == (0, "nothing to assess: empty is an empty folder\n")
    proc = cli("assess", str(plain))
    assert (proc.returncode, proc.stdout) == (
        0, "no sign of an ML project in plain (2 files): no training code, data versioning, "
        "pipeline, tracking, tests or CI found; give the folder of an ML project\n")
    data = json.loads(cli("assess", str(plain), "-f", "json").stdout)  # still a full report
    assert data["warnings"][0]["kind"] == "nothing-found" and data["stage"] == "Ad hoc"
    # near miss: a report with more to say (what changed since the stored assessment) is kept
    db = f"sqlite:///{tmp_path / 'kaizen.db'}"
    assert cli("assess", str(plain), "--save", "--db", db).stdout.startswith("no sign")
    again = cli("assess", str(plain), "--db", db).stdout
    assert again.startswith("MLKaizen · plain\n") and "Since the stored assessment #1:" in again
    # near miss: one training script is a sign: a full report
    proc = cli("assess", str(ml))
    assert proc.stdout.startswith("MLKaizen · ml\n") and "no sign" not in proc.stdout


def test_the_first_hour_is_one_loop(repo: Path, tmp_path: Path) -> None:
    """The README's loop with nothing but what a new user types: the store needs no extra,
    the survey's answers are used by the next `assess`, and plans, log, history and diff
    follow. The store is the default one, in the user's data folder (here a scratch one)."""
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLKAIZEN_", "GIT_"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"),
               XDG_CACHE_HOME=str(home / "cache"), GIT_AUTHOR_NAME="t",
               GIT_AUTHOR_EMAIL="t@t.invalid", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t.invalid")

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        done = cli(*args, stdin=stdin, cwd=repo, env=env)
        assert done.returncode == 0, (args, done.stderr)
        assert "Traceback" not in done.stderr and "internal error" not in done.stderr
        return done

    first = run("assess", "--save")
    assert "mlkaizen: saved as assessment #1 of churn" in first.stderr
    assert "Open questions (17, ! blocks the next stage):" in first.stdout
    assert "! organization.automated-governance:" in first.stdout
    assert (home / "data" / "mlkaizen" / "mlkaizen.db").is_file()
    # one answer, then the input ends: the survey stops, keeping what was answered
    asked = run("survey", "--respondent", "alice", stdin="y\nhttps://wiki/release-gates\n")
    assert "answers so far are saved in .mlkaizen/answers/alice.yaml" in asked.stdout
    second = run("assess")
    assert "Used 1 answer from alice." in second.stdout
    assert "Open questions (16, ! blocks the next stage):" in second.stdout
    assert "organization.automated-governance:" not in second.stdout.split("Open questions")[1]
    added = run("plan", "add", "operations.drift-alerts", "--owner", "alice", "--due",
                "2999-01-31")
    assert added.stdout == "plan item #1: operations.drift-alerts, owner alice, due 2999-01-31\n"
    log = run("log").stdout.splitlines()
    assert len(log) == 2 and log[1].split()[0] == "1" and "Manual MLOps" in log[1]
    git(repo, "add", ".mlkaizen")
    git(repo, "commit", "-qm", "survey answers")
    history = run("history").stdout
    assert history.startswith("MLKaizen history · churn (")
    diff = run("diff", "HEAD~1", "HEAD").stdout.splitlines()  # commits: answers committed
    assert {"  organization: 1 -> 2", "  + organization.automated-governance: unknown -> met"
            } <= set(diff)
    stored = run("assess", "--save")
    assert "saved as assessment #2 of churn" in stored.stderr
    assert "Used 1 answer from alice." in stored.stdout
    between = run("diff", "1", "2").stdout.splitlines()
    assert "  + organization.automated-governance: unknown -> met" in between
    # the log counts the survey's answers as the report does, the config's attestations apart
    head, newest, oldest = run("log").stdout.splitlines()
    assert newest.endswith("; 1 answer by 1 respondent; 2 attestations")
    assert oldest.endswith("organization=1; 2 attestations")
    assert head.index("levels") == newest.index("data=") == oldest.index("data=")


def test_the_readme_shows_what_the_run_prints() -> None:
    """The README's example output is a real run's, cut with `...` (each line shown is
    printed, in that order), and the catalogue version it names is the current one."""
    import re

    from mlkaizen import load_catalogue

    readme = (EXAMPLE.parents[1] / "README.md").read_text()
    block = readme.split("$ mlkaizen assess examples/churn-prediction\n", 1)[1]
    shown = [line.rstrip() for line in block.split("```", 1)[0].splitlines()]
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}
    run = cli("assess", "examples/churn-prediction", cwd=EXAMPLE.parents[1], env=env)
    assert run.returncode == 0 and run.stderr == "", run.stderr
    printed = [line.rstrip() for line in run.stdout.splitlines()]
    at = 0
    for line in (x for x in shown if x != "..."):
        assert line in printed[at:], f"README shows {line!r}, the run does not print it here"
        at = printed.index(line, at) + 1
    assert any(x.startswith("Roadmap (") for x in shown)
    versions = set(re.findall(r"ad-hoc-to-kaizen (\d{4}\.\d+\.\d+)", readme))
    assert versions == {load_catalogue().version}


def test_the_log_counts_answers_as_the_report_does(repo: Path, tmp_path: Path) -> None:
    """Two respondents answering the same practices settle each once; a "don't know"
    settles nothing; the config's attestations are counted apart."""
    for who, stdin in (("alice", EVERY_YES), ("bo", EVERY_YES), ("cy", "dk\n\n")):
        assert cli("survey", str(repo), "--respondent", who, stdin=stdin).returncode == 0
    env = {**os.environ, "MLKAIZEN_DB": f"sqlite:///{tmp_path / 'store.db'}"}
    saved = cli("assess", str(repo), "--save", env=env)
    assert saved.returncode == 0, saved.stderr
    assert "Used 17 answers from alice, bo, cy." in saved.stdout
    _, line = cli("log", str(repo), env=env).stdout.splitlines()
    assert line.endswith("; 17 answers by 3 respondents; 2 attestations")
