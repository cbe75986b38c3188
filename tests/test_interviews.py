"""Survey and profile driven through the real prompt library (Rich, reading stdin); target
and gap; facet rules; contradictions; the edge advisor."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mlkaizen.engine.edge import advise
from mlkaizen.engine.taxonomy import Profile, derive_target
from mlkaizen.errors import MLKaizenError
from tests.conftest import EXAMPLE
from tests.engine.helpers import CATALOGUE

GATES = {s.index: dict(s.requires) for s in CATALOGUE.stages}
DIMS = [d.id for d in CATALOGUE.dimensions]


def cli(*args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mlkaizen", *args], input=stdin, text=True,
                          capture_output=True, cwd=cwd, check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    dest = tmp_path / "churn"
    shutil.copytree(EXAMPLE, dest)
    subprocess.run(["git", "init", "-q", str(dest)], check=True)
    return dest


def test_survey_asks_only_open_questions_saves_each_answer_and_resumes(repo: Path) -> None:
    first = cli("survey", str(repo), "--respondent", "alice",
                stdin="y\nhttps://wiki/rollback\nmaybe\nn\n\n")  # then the input ends
    assert first.returncode == 0, first.stderr
    assert "17 open questions, 0 already answered" in first.stdout
    assert "please answer y, p, n, na or dk" in first.stdout
    assert "run again to resume" in first.stdout
    saved = yaml.safe_load((repo / ".mlkaizen" / "answers" / "alice.yaml").read_text())
    assert saved["respondent"] == "alice" and saved["answered_at"]
    assert saved["catalogue"] == {"id": "ad-hoc-to-kaizen", "version": CATALOGUE.version}
    # questions that block the next stage come first, core practices before supporting ones
    assert saved["answers"] == {"organization.automated-governance": {
                                    "answer": "yes", "link": "https://wiki/rollback"},
                                "deployment.rollback": {"answer": "no"}}
    detected = {"model.registry", "data.versioned"}  # settled by evidence, never asked
    assert not detected & set(saved["answers"])
    second = cli("survey", str(repo), "--respondent", "alice", stdin="dk\n\n")
    assert "2 already answered; 15 to go" in second.stdout
    saved = yaml.safe_load((repo / ".mlkaizen" / "answers" / "alice.yaml").read_text())
    assert len(saved["answers"]) == 3


def test_survey_answers_feed_the_assessment_and_checks(repo: Path) -> None:
    cli("survey", str(repo), "--respondent", "bo", stdin="y\n\n")
    folder = repo / ".mlkaizen" / "answers"
    data = json.loads(cli("assess", str(repo), "--answers", str(folder), "-f", "json").stdout)
    governance = next(p for p in data["practices"]
                      if p["id"] == "organization.automated-governance")
    assert governance["state"] == "met" and governance["source"] == "attested"
    assert data["respondents"] == ["bo"]
    # the next plain `assess` finds them where the survey saved them, and says so
    plain = cli("assess", str(repo), "-f", "json")
    assert json.loads(plain.stdout)["respondents"] == ["bo"], plain.stderr
    assert json.loads(plain.stdout)["answers_used"] == 1
    assert "Used 1 answer from bo." in cli("assess", str(repo)).stdout
    check = cli("survey", str(repo), "--answers", str(repo / ".mlkaizen" / "answers" / "bo.yaml"))
    assert check.returncode == 0 and "16 questions still open" in check.stdout


def test_survey_needs_a_respondent(repo: Path) -> None:
    proc = cli("survey", str(repo))
    assert proc.returncode == 2 and "--respondent" in proc.stderr


@pytest.mark.parametrize(
    "name", ["../../../x", "../x", "a/b", "a\\b", "..", "a\x1b[31mb", "a\nb"]
)
def test_a_respondent_is_a_name_never_a_path(repo: Path, name: str) -> None:
    """The respondent names the answers file in the answers folder: ``../../../x`` once
    saved ``x.yaml`` beside the repository's folder, ``a/b`` in a sub-folder no assessment
    reads; both are refused, and nothing is written anywhere."""
    before = sorted(p.relative_to(repo.parent) for p in repo.parent.rglob("*"))
    proc = cli("survey", str(repo), "--respondent", name, stdin="n\n\n")
    assert proc.returncode == 2, proc.stdout
    assert "--respondent" in proc.stderr and "a name, not a path" in proc.stderr
    assert "Traceback" not in proc.stderr and "\x1b" not in proc.stderr.replace("\\x1b", "")
    assert sorted(p.relative_to(repo.parent) for p in repo.parent.rglob("*")) == before


def test_a_respondent_name_with_dots_and_spaces_is_fine(repo: Path) -> None:
    proc = cli("survey", str(repo), "--respondent", "j.doe ..x", stdin="n\n\n")
    assert proc.returncode == 0, proc.stderr
    assert (repo / ".mlkaizen" / "answers" / "j.doe ..x.yaml").is_file()


PROFILE_INPUT = "y\nn\nn\ncloud\nbatch\nmonthly\nhigh\nlow\n12\n1\n"


def test_profile_prompts_and_target_reasoning(repo: Path) -> None:
    out = repo / "profile.yaml"
    made = cli("profile", "--out", str(out), stdin="maybe\n" + PROFILE_INPUT)
    assert made.returncode == 0, made.stderr
    assert "please answer one of: yes/no" in made.stdout
    profile = yaml.safe_load(out.read_text())
    assert profile["needs_regulatory_compliance"] is True and profile["models"] == 12
    assert cli("profile", "--out", str(out), stdin=PROFILE_INPUT).returncode == 2  # exists
    target = cli("target", str(repo))
    assert target.returncode == 0, target.stderr
    text = target.stdout
    assert "Target: Manual MLOps" in text and "published taxonomy rule" in text
    assert "deployment.progressive-delivery: batch scoring updated monthly" in text
    assert "high decision criticality: model needs level 2" in text
    assert "12 models: organization needs level 2" in text
    assert "organization.code-ownership: a team of one" in text
    report = json.loads(cli("target", str(repo), "-f", "json").stdout)
    gaps = {d["id"]: d["gap"] for d in report["dimensions"]}
    assert gaps["model"] == 1 and gaps["operations"] == 1 and gaps["data"] == 0
    assert report["effort_weeks"] == sum({"S": 0.5, "M": 2, "L": 6}[r["effort"]]
                                         for r in report["roadmap"])
    assert all(r["practice"] != "deployment.progressive-delivery" for r in report["roadmap"])


def test_contradictory_profile_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "p.yaml"
    proc = cli("profile", "--out", str(out),
               stdin="y\nn\nn\ncloud\nreal-time\nyearly\nlow\nhigh\n1\n3\n")
    assert proc.returncode == 2 and "contradictory facets" in proc.stderr
    assert "[type=" not in proc.stderr and not out.exists()
    out.write_text("needs_regulatory_compliance: false\nneeds_operational_excellence: false\n"
                   "decision_criticality: high\n")
    with pytest.raises(MLKaizenError, match="contradictory facets"):
        from mlkaizen.engine_files import load_profile

        load_profile(out)


@pytest.mark.parametrize(("facets", "check"), [
    ({"serving": "batch", "update_frequency": "quarterly"},
     lambda t: "deployment.progressive-delivery" in t.not_applicable),
    ({"serving": "real-time", "update_frequency": "quarterly"},
     lambda t: "deployment.progressive-delivery" not in t.not_applicable),
    ({"data_volatility": "low", "update_frequency": "yearly"},
     lambda t: "operations.alert-triggered-retraining" in t.not_applicable),
    ({"decision_criticality": "high"}, lambda t: t.levels["model"] == 2
     and t.levels["operations"] == 2 and t.levels["data"] == 1),
    ({"models": 10}, lambda t: t.levels["organization"] == 2),
    ({"models": 9}, lambda t: t.levels["organization"] == 1),
    ({"team_size": 1}, lambda t: "organization.review-process" in t.not_applicable),
])
def test_each_facet_rule(facets: dict[str, object], check) -> None:  # type: ignore[no-untyped-def]
    profile = Profile(needs_regulatory_compliance=True, needs_operational_excellence=False,
                      **facets)  # type: ignore[arg-type]
    assert check(derive_target(profile, GATES, DIMS))


@pytest.mark.parametrize(("factors", "expected"), [
    ({"task": "analytics", "edge_to_cloud_bandwidth": "high", "device_compute": "low",
      "retraining_data": "high"}, "centralised"),
    ({"task": "control", "edge_to_cloud_bandwidth": "medium", "device_compute": "medium",
      "retraining_data": "medium"}, "cloud-train-edge-infer"),
    ({"task": "perception", "edge_to_cloud_bandwidth": "low", "device_compute": "high",
      "retraining_data": "medium"}, "edge-fine-tuning"),
    ({"task": "control", "edge_to_cloud_bandwidth": "low", "device_compute": "high",
      "retraining_data": "high"}, "federated"),
])
def test_edge_advisor_recommendations(factors: dict[str, str], expected: str) -> None:
    advice = advise(Profile(needs_regulatory_compliance=False,
                            needs_operational_excellence=True, **factors))  # type: ignore[arg-type]
    assert advice.recommended == expected
    assert [o.id for o in advice.options] == ["centralised", "cloud-train-edge-infer",
                                              "edge-fine-tuning", "federated", "decentralised"]
    assert advice.assumed == []


def test_edge_advice_cli_states_assumptions(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("needs_regulatory_compliance: false\nneeds_operational_excellence: true\n"
                    "deployment: edge\ntask: control\n")
    proc = cli("edge-advice", "--profile", str(path))
    assert proc.returncode == 0 and "Recommended:" in proc.stdout
    assert "device_compute not in the profile; assumed medium" in proc.stdout
    assert "over-the-air model updates" in proc.stdout
    assert cli("edge-advice", "--profile", str(tmp_path / "none.yaml")).returncode == 2


def test_a_survey_file_an_older_version_saved_is_resumed_where_it_is(repo: Path) -> None:
    old = repo / "answers" / "alice.yaml"
    old.parent.mkdir()
    header = "# Answers written by `mlkaizen survey`; safe to edit by hand.\n"
    old.write_text(header + yaml.safe_dump({
        "respondent": "alice", "catalogue": {"id": CATALOGUE.id, "version": CATALOGUE.version},
        "answers": {"organization.automated-governance": {"answer": "yes"}}}))
    resumed = cli("survey", str(repo), "--respondent", "alice", stdin="n\n\n")
    assert f"resuming {old}, saved by an older mlkaizen" in resumed.stdout
    assert "1 already answered; 16 to go" in resumed.stdout
    assert len(yaml.safe_load(old.read_text())["answers"]) == 2
    assert not (repo / ".mlkaizen" / "answers").exists()
    # near miss: another respondent starts in the new place
    cli("survey", str(repo), "--respondent", "bo", stdin="n\n\n")
    assert (repo / ".mlkaizen" / "answers" / "bo.yaml").is_file()
    report = json.loads(cli("assess", str(repo), "-f", "json").stdout)
    assert report["respondents"] == ["alice", "bo"]
    assert [w["message"] for w in report["warnings"] if w["kind"] == "answers"] == [
        "answers read from answers/ (alice.yaml), where an older mlkaizen saved them: move "
        "them to .mlkaizen/answers/"]
