"""Answers as evidence: file validation with file:line, the combination rule, decisions,
agreement, conflicts with what the repository shows, and assessment from answers alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkaizen import assess, load_catalogue
from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.answers import AnswersFile, combine
from tests.conftest import MakeRepo

CAT = load_catalogue()
ROOT = Path(__file__).resolve().parents[2]
COMPANIES = ROOT / "examples" / "companies"


def answers_yaml(respondent: str, answers: dict[str, object], **extra: object) -> str:
    return yaml.safe_dump({"respondent": respondent,
                           "catalogue": {"id": CAT.id, "version": CAT.version},
                           "answers": answers, **extra}, sort_keys=False)


def af(respondent: str, answers: dict[str, str], **extra: object) -> AnswersFile:
    return AnswersFile.model_validate(yaml.safe_load(answers_yaml(respondent, answers, **extra)))


def test_most_cautious_answer_wins_and_agreement_is_measured() -> None:
    c = combine([af("a", {"model.registry": "yes"}), af("b", {"model.registry": "partly"}),
                 af("c", {"model.registry": "yes"})])["model.registry"]
    assert c.answer == "partly" and c.disagreement and c.agreement == pytest.approx(0.67)
    assert "most cautious" in c.by


def test_dont_know_is_ignored_and_not_applicable_needs_everyone() -> None:
    c = combine([af("a", {"x.y": "unknown"}), af("b", {"x.y": "yes"})])["x.y"]
    assert c.answer == "yes" and not c.disagreement
    na = combine([af("a", {"x.y": "not-applicable"}), af("b", {"x.y": "no"})])["x.y"]
    assert na.answer == "no" and na.disagreement
    all_na = combine([af("a", {"x.y": "n/a"}), af("b", {"x.y": "not-applicable"})])["x.y"]
    assert all_na.answer == "not-applicable"


def test_a_decision_overrides_the_rule() -> None:
    c = combine([af("a", {"x.y": "no"}), af("f", {}, decisions={"x.y": {"answer": "yes"}})])
    assert c["x.y"].answer == "yes" and c["x.y"].decided_by == "f"


@pytest.mark.parametrize(("body", "fragment", "line"), [
    (answers_yaml("a", {"data.nope": "yes"}), "unknown practice 'data.nope'", 6),
    (answers_yaml("a", {"model.registry": "maybe"}), "expected yes, partly, no", 6),
    (answers_yaml("a", {}).replace(CAT.id, "other-model"), "answers are for catalogue", 2),
    ("respondent: a\nanswers: {}\n", "catalogue", None),
])
def test_bad_answers_file_names_file_line_and_expectation(tmp_path: Path, body: str,
                                                          fragment: str, line: int | None
                                                          ) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(body)
    with pytest.raises(MLKaizenError) as info:
        assess(None, answers=[path])
    assert fragment in info.value.message and info.value.path == str(path)
    if line is not None:
        assert info.value.line == line


def test_conflicts_between_answers_and_evidence_are_reported(make_repo: MakeRepo,
                                                            tmp_path: Path) -> None:
    root = make_repo({"train.py": "import mlflow\nmlflow.log_metric('a', 1)\n"})
    path = tmp_path / "bo.yaml"
    path.write_text(answers_yaml("bo", {"model.experiment-tracking": "no",
                                        "model.registry": "yes"}))
    a = assess(root, answers=[path])
    tracking, registry = a.practice("model.experiment-tracking"), a.practice("model.registry")
    assert tracking is not None and registry is not None
    assert tracking.state.value == "met" and "answered 'no' by bo" in (tracking.conflict or "")
    assert registry.state.value == "met" and registry.source.value == "attested"
    assert "no evidence" in (registry.conflict or "")
    proc = subprocess.run([sys.executable, "-m", "mlkaizen", "assess", str(root), "--answers",
                           str(path), "-f", "markdown"], capture_output=True, text=True,
                          check=False)
    assert "### To discuss (1 respondent)" in proc.stdout
    assert "**conflict**" in proc.stdout


def test_example_companies_land_on_different_stages() -> None:
    stages = {}
    for company in sorted(COMPANIES.iterdir()):
        a = assess(None, answers=[company])
        assert a.subject.kind == "answers-only" and a.scan is None
        stages[company.name] = a.stage
    assert len(set(stages.values())) >= 3
    beta = assess(None, answers=[COMPANIES / "beta-bank"])
    assert beta.respondents == ["sara", "tom"]
    assert any(p.disagreement for p in beta.practices)
    release = beta.practice("deployment.documented-release")
    assert release is not None and "decision" in release.note


def test_no_repo_cli(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "mlkaizen", "assess", "--no-repo", "--answers",
                           str(COMPANIES / "beta-bank"), "--subject", "Beta", "-f", "json"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["subject"]["name"] == "Beta" and data["stage"] == "Manual MLOps"
    missing = subprocess.run([sys.executable, "-m", "mlkaizen", "assess", "--no-repo"],
                             capture_output=True, text=True, check=False)
    assert missing.returncode == 2 and "--answers" in missing.stderr


PRACTICES = [p.id for p in CAT.practices]
ANSWER = st.sampled_from(["yes", "partly", "no", "not-applicable", "unknown"])


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(PRACTICES), ANSWER, max_size=30),
       st.sampled_from(PRACTICES))
def test_adding_a_yes_answer_never_lowers_a_level(base: dict[str, str], practice: str) -> None:
    from mlkaizen.config import Config
    from mlkaizen.engine.assess import evaluate
    from mlkaizen.engine.model import Subject

    def levels(files: list[AnswersFile]) -> list[int]:
        a = evaluate(CAT, [], set(), Config(), Subject(name="s", path=""), scanned=False,
                     answers=combine(files))
        return [d.level for d in a.dimensions]

    before = levels([af("a", base)])
    after = levels([af("a", {**base, practice: "yes"})])
    assert all(x >= y for x, y in zip(after, before, strict=True))


SURVEY_MADE = "# Answers written by `mlkaizen survey`; safe to edit by hand.\n"


def test_answers_are_found_where_the_survey_saves_them(tmp_path: Path) -> None:
    from mlkaizen.evidence.answers import default_answers

    new = tmp_path / ".mlkaizen" / "answers"
    new.mkdir(parents=True)
    (new / "alice.yaml").write_text(answers_yaml("alice", {"deployment.rollback": "yes"}))
    (new / "profile.yaml").write_text("models: 1\n")  # a profile beside them is not answers
    (new / "notes.txt").write_text("respondent: x\n")
    found, notes = default_answers(tmp_path)
    assert (found, notes) == ([new / "alice.yaml"], [])
    a = assess(tmp_path, answers=list(found))
    assert (a.respondents, a.answers_used) == (["alice"], 1)
    assert a.practice("deployment.rollback").state.value == "met"  # type: ignore[union-attr]
    assert a.answers_line() == "Used 1 answer from alice."
    # near miss: no folder, nothing found, no line
    assert default_answers(tmp_path / "none") == ([], [])
    assert assess(tmp_path / ".mlkaizen").answers_line() is None


def test_an_older_survey_file_in_answers_is_read_with_a_note_to_move_it(tmp_path: Path) -> None:
    from mlkaizen.evidence.answers import default_answers

    old = tmp_path / "answers"
    old.mkdir()
    (old / "bo.yaml").write_text(SURVEY_MADE + answers_yaml("bo", {"deployment.rollback": "no"}))
    # near misses: a file the survey did not write (a data set of answers, say) is not read,
    # and one whose name is already in the new place is superseded by it
    (old / "quiz.yaml").write_text(answers_yaml("quiz", {"deployment.rollback": "yes"}))
    (old / "cy.yaml").write_text(SURVEY_MADE + answers_yaml("cy", {}))
    new = tmp_path / ".mlkaizen" / "answers"
    new.mkdir(parents=True)
    (new / "cy.yaml").write_text(answers_yaml("cy", {"deployment.rollback": "yes"}))
    found, notes = default_answers(tmp_path)
    assert found == [new / "cy.yaml", old / "bo.yaml"]
    assert notes == ["answers read from answers/ (bo.yaml), where an older mlkaizen saved "
                     "them: move them to .mlkaizen/answers/"]


@pytest.mark.parametrize("link", [".mlkaizen", ".mlkaizen/answers", ".mlkaizen/answers/x.yaml"])
def test_answers_found_by_name_are_never_reached_through_a_link(tmp_path: Path,
                                                               link: str) -> None:
    from mlkaizen.evidence.answers import default_answers

    outside = tmp_path / "outside"
    (outside / "answers").mkdir(parents=True)
    planted = answers_yaml("mallory", {"deployment.rollback": "yes"})
    (outside / "answers" / "x.yaml").write_text(planted)
    (outside / "x.yaml").write_text(planted)
    repo = tmp_path / "repo"
    (repo / ".mlkaizen" / "answers").mkdir(parents=True)
    target = {".mlkaizen": outside, ".mlkaizen/answers": outside / "answers",
              ".mlkaizen/answers/x.yaml": outside / "x.yaml"}[link]
    if link == ".mlkaizen":
        (repo / ".mlkaizen" / "answers").rmdir()
        (repo / ".mlkaizen").rmdir()
    elif link == ".mlkaizen/answers":
        (repo / ".mlkaizen" / "answers").rmdir()
    (repo / link).symlink_to(target)
    assert default_answers(repo) == ([], [])
