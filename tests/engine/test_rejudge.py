"""Re-judging a stored assessment with answers given later gives what assessing with those
answers gives: the bundled example through the public API with a real answers file, and
hand-made findings (exemptions, implications, conflicts) through ``evaluate``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlkaizen.api import assess
from mlkaizen.config import Config
from mlkaizen.engine.assess import evaluate
from mlkaizen.engine.model import Assessment, Subject
from mlkaizen.engine.rejudge import rejudge
from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.answers import AnswersFile, Combined, combine
from tests.engine.helpers import ALL_DETECTORS, CATALOGUE, TODAY, found, met_all_of_level

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "churn-prediction"
CAT = {"id": CATALOGUE.id, "version": CATALOGUE.version}
ALL = [p.id for p in CATALOGUE.practices]


def combined(per_person: dict[str, dict[str, Any]]) -> dict[str, Combined]:
    return combine([
        AnswersFile.model_validate({"respondent": who, "catalogue": CAT, "answers": answers})
        for who, answers in per_person.items()
    ])


def write_answers(folder: Path, per_person: dict[str, dict[str, Any]]) -> Path:
    folder.mkdir(exist_ok=True)
    for who, answers in per_person.items():
        doc = {"respondent": who, "catalogue": CAT, "answers": answers}
        (folder / f"{who}.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    return folder


def judged(a: Assessment) -> dict[str, Any]:
    """Everything the judgement decides (the whole report but where it came from)."""
    return a.model_dump(mode="json")


def example() -> Assessment:
    return assess(EXAMPLE)


# ---- with no answer, nothing changes -----------------------------------------------------

EXPIRED = Config.model_validate({
    "exempt": {
        "model.champion-challenger": {"reason": "one model", "owner": "ops",
                                      "expires": "2026-01-01"},
        "data.drift-feedback": {"reason": "no drift yet", "owner": "ops",
                                "expires": "2026-02-01"},
        "data.versioning": {"reason": "data is static", "owner": "ops", "expires": "2027-06-01"},
    },
    "not_applicable": {"deployment.progressive-delivery": {"reason": "batch only"}},
    "attest": {"data.access-control": {"answer": "yes", "by": "carol", "date": "2026-02-03"}},
})


def _fixtures() -> list[tuple[str, Any]]:
    """(name, (findings, detectors run, config)) of hand-made assessments."""
    registry = CATALOGUE.practice("model.registry")
    assert registry is not None and registry.detection is not None
    implied = [found(registry.detection.met_if_any[0])]
    return [
        ("level-1 evidence", (met_all_of_level(1), ALL_DETECTORS, Config())),
        ("exemptions, expired too, an attestation, an implication",
         (met_all_of_level(2) + implied, ALL_DETECTORS, EXPIRED)),
        ("a detector that did not run",
         (met_all_of_level(1), ALL_DETECTORS - {"ci_runs_tests"}, Config())),
    ]


FIXTURES = _fixtures()


def made(fixture: Any, answers: dict[str, Combined] | None = None,
         respondents: list[str] | None = None) -> Assessment:
    findings, ran, config = fixture
    return evaluate(CATALOGUE, findings, ran, config, Subject(name="t", path="t"), today=TODAY,
                    answers=answers, respondents=respondents)


@pytest.mark.parametrize("fixture", [f for _, f in FIXTURES], ids=[n for n, _ in FIXTURES])
def test_no_answers_change_nothing_in_engine_fixtures(fixture: Any) -> None:
    a = made(fixture)
    if fixture[2] is EXPIRED:  # the fixture holds what it is meant to
        notes = {p.id: p.note for p in a.practices}
        assert notes["model.champion-challenger"].startswith("exemption expired on 2026-01-01")
        assert notes["data.drift-feedback"].startswith("exemption expired on 2026-02-01")
        assert notes["deployment.progressive-delivery"] == "not applicable: batch only"
    assert judged(rejudge(CATALOGUE, a, {}, [])) == judged(a)


def test_no_answers_change_nothing_in_the_example() -> None:
    a = example()
    again = rejudge(CATALOGUE, a, {}, [])
    assert (again.stage, again.potential_stage) == (a.stage, a.potential_stage) == (
        "Manual MLOps", "Manual MLOps")
    assert {d.id: d.level for d in again.dimensions} == {d.id: d.level for d in a.dimensions}
    assert [(p.id, p.state, p.source) for p in again.practices] == [
        (p.id, p.state, p.source) for p in a.practices]
    assert again.roadmap == a.roadmap
    assert judged(again) == judged(a)


def test_no_answers_change_nothing_in_a_repository_of_projects(make_repo: Any) -> None:
    from tests.evidence.test_projects import MONOREPO

    a = assess(make_repo(MONOREPO))
    assert a.focus is not None and len(a.sub_projects) == 2
    assert judged(rejudge(CATALOGUE, a, {}, [])) == judged(a)


# ---- with answers: the same as assessing with them ---------------------------------------


def test_yes_to_what_blocks_the_next_stage_raises_it_as_assess_does(tmp_path: Path) -> None:
    a = example()
    blocking = sorted({b.practice for d in a.dimensions for b in d.blockers})
    assert "organization.automated-governance" in blocking
    answers = {"maria": {p: {"answer": "yes", "link": "https://wiki.example/ml"}
                         for p in blocking}}
    expected = assess(EXAMPLE, answers=[write_answers(tmp_path / "answers", answers)])
    got = rejudge(CATALOGUE, a, combined(answers), ["maria"])
    assert (got.stage, got.stage_index) == (expected.stage, expected.stage_index) == (
        "Automated MLOps", 4)
    assert {d.id: d.level for d in got.dimensions} == {d.id: 2 for d in got.dimensions}
    assert {d.id: d.level for d in got.dimensions} == {d.id: d.level for d in expected.dimensions}
    assert got.respondents == ["maria"] and got.answers_used == len(blocking)
    assert judged(got) == judged(expected)
    # the stored report is left as it was
    assert a.stage == "Manual MLOps"


def test_a_partial_answer_to_one_blocker_is_not_enough(tmp_path: Path) -> None:
    a = example()
    blocking = sorted({b.practice for d in a.dimensions for b in d.blockers})
    answers = {"maria": {p: "yes" for p in blocking}}
    answers["maria"]["deployment.cicd"] = "partly"
    got = rejudge(CATALOGUE, a, combined(answers), ["maria"])
    expected = assess(EXAMPLE, answers=[write_answers(tmp_path / "a", answers)])
    assert got.stage == expected.stage == "Manual MLOps"
    assert judged(got) == judged(expected)


def test_no_on_a_practice_the_evidence_shows_is_a_conflict_and_stays_met(tmp_path: Path) -> None:
    a = example()
    met = next(p for p in a.practices if p.state.value == "met" and p.source.value == "detected"
               and not p.implied_by)
    answers = {"bo": {met.id: "no"}}
    got = rejudge(CATALOGUE, a, combined(answers), ["bo"])
    practice = got.practice(met.id)
    assert practice is not None
    assert (practice.state.value, practice.source.value) == ("met", "detected")
    assert practice.conflict == f"answered 'no' by bo, but the repository shows it ({met.note})"
    assert practice.note == f"{met.note}; conflicts with bo's answer 'no'"
    assert got.stage == a.stage
    expected = assess(EXAMPLE, answers=[write_answers(tmp_path / "a", answers)])
    assert judged(got) == judged(expected)


def test_disagreeing_respondents_the_cautious_answer_wins(tmp_path: Path) -> None:
    a = example()
    answers = {"alice": {"organization.automated-governance": "yes",
                         "deployment.rollback": "yes"},
               "bob": {"organization.automated-governance": "no",
                       "deployment.rollback": "yes"}}
    got = rejudge(CATALOGUE, a, combined(answers), ["alice", "bob"])
    governance = got.practice("organization.automated-governance")
    rollback = got.practice("deployment.rollback")
    assert governance is not None and rollback is not None
    assert (governance.state.value, governance.disagreement, governance.agreement) == (
        "unmet", True, 0.5)
    assert governance.note == "attested 'no' by alice, bob (most cautious answer)"
    assert (rollback.state.value, rollback.disagreement, rollback.agreement) == ("met", False, 1.0)
    assert got.respondents == ["alice", "bob"]
    expected = assess(EXAMPLE, answers=[write_answers(tmp_path / "a", answers)])
    assert judged(got) == judged(expected)


@pytest.mark.parametrize("answer", ["yes", "partly", "no", "not-applicable", "unknown"])
def test_one_answer_to_every_practice_of_the_example(tmp_path: Path, answer: str) -> None:
    answers = {"ann": {p: answer for p in ALL}}
    got = rejudge(CATALOGUE, example(), combined(answers), ["ann"])
    expected = assess(EXAMPLE, answers=[write_answers(tmp_path / "a", answers)])
    assert judged(got) == judged(expected)


@pytest.mark.parametrize("answer", ["yes", "partly", "no", "not-applicable", "unknown"])
@pytest.mark.parametrize("fixture", [f for _, f in FIXTURES], ids=[n for n, _ in FIXTURES])
def test_one_answer_to_every_practice_of_engine_fixtures(fixture: Any, answer: str) -> None:
    """Exempt, expired, not applicable, implied, attested and not-run practices answered,
    with a second respondent disagreeing on one."""
    answers = combined({"ann": {p: answer for p in ALL}, "ben": {ALL[0]: "no"}})
    got = rejudge(CATALOGUE, made(fixture), answers, ["ann", "ben"])
    assert judged(got) == judged(made(fixture, answers, ["ann", "ben"]))


def test_an_implied_practice_answered(tmp_path: Path) -> None:
    registry = CATALOGUE.practice("model.registry")
    assert registry is not None and registry.detection is not None
    findings = [found(registry.detection.met_if_any[0])]

    def run(answers: dict[str, Combined] | None = None) -> Assessment:
        return evaluate(CATALOGUE, findings, ALL_DETECTORS, Config(), Subject(name="t", path="t"),
                        today=TODAY, answers=answers, respondents=["ann"] if answers else None)

    a = run()
    tracking = a.practice("model.experiment-tracking")
    assert tracking is not None and tracking.implied_by == ["model.registry"]
    for answer, state, source in [("no", "met", "detected"), ("yes", "met", "attested")]:
        answers = combined({"ann": {"model.experiment-tracking": answer}})
        got = rejudge(CATALOGUE, a, answers, ["ann"])
        p = got.practice("model.experiment-tracking")
        assert p is not None and (p.state.value, p.source.value) == (state, source)
        expected = run(answers).practice("model.experiment-tracking")
        assert expected is not None
        assert (p.state, p.source, p.implied_by) == (
            expected.state, expected.source, expected.implied_by)
        assert (p.conflict, p.note, p.evidence) == (
            expected.conflict, expected.note, expected.evidence)
    assert p.implied_by == []
    assert p.conflict == "answered 'yes' by ann, but the repository shows no evidence of it"


def test_web_answers_replace_the_repositorys_for_the_same_practice(tmp_path: Path) -> None:
    in_repo = {"dora": {"organization.automated-governance": "yes",
                        "deployment.rollback": "partly"}}
    a = assess(EXAMPLE, answers=[write_answers(tmp_path / "repo", in_repo)])
    assert a.stage == "Manual MLOps"
    got = rejudge(CATALOGUE, a, combined({"eve": {"deployment.rollback": "no"}}), ["eve"])
    governance = got.practice("organization.automated-governance")
    rollback = got.practice("deployment.rollback")
    assert governance is not None and rollback is not None
    assert governance.note == "attested 'yes' by dora"  # kept: no web answer for it
    assert (rollback.state.value, rollback.note) == ("unmet", "attested 'no' by eve")
    assert got.respondents == ["dora", "eve"]
    assert got.answers_used == a.answers_used == 2
    # a "don't know" on the web settles nothing: the repository's answer stays
    kept = rejudge(CATALOGUE, a, combined({"eve": {"deployment.rollback": "unknown"}}), ["eve"])
    rollback = kept.practice("deployment.rollback")
    assert rollback is not None and rollback.note == "attested 'partly' by dora"


def test_a_report_of_another_catalogue_or_unknown_practices_are_refused() -> None:
    a = example()
    other = a.model_copy(update={"catalogue": {**a.catalogue, "id": "elsewhere"}})
    with pytest.raises(MLKaizenError, match="judged against catalogue elsewhere"):
        rejudge(CATALOGUE, other, {}, [])
    ruled = a.model_copy(update={"catalogue": {**a.catalogue, "rule": "0" * 12}})
    with pytest.raises(MLKaizenError, match="practices or level rule differ"):
        rejudge(CATALOGUE, ruled, {}, [])
    bogus = {"model.nope": Combined("model.nope", "yes", {"x": "yes"}, 1.0, False)}
    with pytest.raises(MLKaizenError, match=r"unknown practices: model\.nope"):
        rejudge(CATALOGUE, a, bogus, ["x"])
    assert rejudge(CATALOGUE, a, {}, []).stage == a.stage  # near miss: the same catalogue


def test_an_assessment_from_answers_alone(tmp_path: Path) -> None:
    first = {"ann": {"data.access-control": "yes"}}
    a = assess(None, answers=[write_answers(tmp_path / "one", first)], today=dt.date(2026, 1, 1))
    assert judged(rejudge(CATALOGUE, a, {}, [])) == judged(a)
    more = {"bob": {p: "yes" for p in ALL if p.startswith("data.")}}
    got = rejudge(CATALOGUE, a, combined(more), ["bob"])
    expected = assess(None, answers=[write_answers(tmp_path / "two", {**first, **more})],
                      today=dt.date(2026, 1, 1))
    assert got.stage == expected.stage
    assert {d.id: d.level for d in got.dimensions} == {d.id: d.level for d in expected.dimensions}


def test_a_repository_of_projects_re_judges_its_focus(make_repo: Any, tmp_path: Path) -> None:
    from mlkaizen.engine.portfolio import spread_text
    from tests.evidence.test_projects import MONOREPO

    root = make_repo(MONOREPO)
    a = assess(root)
    assert a.focus is not None
    blocking = sorted({b.practice for d in a.dimensions for b in d.blockers})
    answers = {"ann": dict.fromkeys(blocking, "yes")}
    got = rejudge(CATALOGUE, a, combined(answers), ["ann"])
    assert got.stage_index > a.stage_index
    assert (got.focus, [r.path for r in got.sub_projects]) == (
        a.focus, [r.path for r in a.sub_projects])
    rows = {r.path: r for r in got.sub_projects}
    focus = rows[a.focus]
    assert (focus.stage, focus.levels) == (got.stage, {d.id: d.level for d in got.dimensions})
    assert got.spread == spread_text([(r.stage_index, r.stage) for r in got.sub_projects])
    assert got.spread != a.spread
    others = [r for r in a.sub_projects if r.path != a.focus]
    assert [rows[r.path] for r in others] == others  # as judged without the answers
    # the focus project judged with the same answers by assess
    expected = assess(root, answers=[write_answers(tmp_path / "a", answers)])
    same = next(r for r in expected.sub_projects if r.path == a.focus)
    assert (same.stage, same.levels) == (focus.stage, focus.levels)
