"""Practice states from hand-written findings and config: every state and source."""

from __future__ import annotations

from mlkaizen.config import Config
from mlkaizen.engine.model import Source, State
from mlkaizen.evidence.findings import Context, Outcome
from tests.engine.helpers import found, run


def state(a, pid):  # type: ignore[no-untyped-def]
    p = a.practice(pid)
    assert p is not None
    return p


def test_detected_met_carries_evidence() -> None:
    a = run([found("experiment_tracking_used", "train.py", 7)])
    p = state(a, "model.experiment-tracking")
    assert (p.state, p.source) == (State.MET, Source.DETECTED)
    assert (p.evidence[0].file, p.evidence[0].line) == ("train.py", 7)


def test_absent_detectable_practice_is_unmet() -> None:
    p = state(run([]), "model.experiment-tracking")
    assert (p.state, p.source) == (State.UNMET, Source.DETECTED)


def test_absent_with_when_absent_unknown_is_unknown() -> None:
    p = state(run([]), "data.documented-sources")
    assert p.state is State.UNKNOWN


def test_question_only_practice_is_unknown_until_answered() -> None:
    assert state(run([]), "data.access-control").state is State.UNKNOWN
    cfg = Config.model_validate({"attest": {"data.access-control": {
        "answer": "partly", "by": "ann", "date": "2026-10-01"}}})
    p = state(run([], cfg), "data.access-control")
    assert (p.state, p.source) == (State.PARTIAL, Source.ATTESTED)
    assert "ann" in p.note


def test_partial_from_partial_detectors_and_from_met_if_all() -> None:
    a = run([found("training_code_present")])
    assert state(a, "model.training-pipeline").state is State.PARTIAL
    a = run([found("random_seeds_set")])  # met_if_all needs params too
    p = state(a, "model.reproducible-training")
    assert p.state is State.PARTIAL and "params_file_present" in p.note
    a = run([found("dependencies_pinned", outcome=Outcome.PARTIAL),
             found("dev_environment_defined")])
    assert state(a, "operations.reproducible-environment").state is State.PARTIAL


def test_tutorial_only_evidence_is_not_credited_and_says_so() -> None:
    a = run([found("experiment_tracking_used", "examples/demo.py", context=Context.TUTORIAL)])
    p = state(a, "model.experiment-tracking")
    assert p.state is State.UNMET and "tutorial" in p.note


def test_not_applicable_and_live_exemption() -> None:
    cfg = Config.model_validate({
        "not_applicable": {"deployment.progressive-delivery": {"reason": "batch only"}},
        "exempt": {"model.model-card": {"reason": "in review", "owner": "bo",
                                        "expires": "2027-01-01"}}})
    a = run([], cfg)
    assert state(a, "deployment.progressive-delivery").state is State.NOT_APPLICABLE
    p = state(a, "model.model-card")
    assert (p.state, p.source) == (State.EXEMPT, Source.CONFIGURED) and "bo" in p.note


def test_expired_exemption_counts_as_unmet_and_says_so() -> None:
    cfg = Config.model_validate({"exempt": {"data.documented-sources": {
        "reason": "later", "owner": "bo", "expires": "2026-01-01"}}})
    p = state(run([], cfg), "data.documented-sources")
    assert p.state is State.UNMET and "expired on 2026-01-01" in p.note


def test_detected_met_wins_over_attested_no_and_flags_the_conflict() -> None:
    cfg = Config.model_validate({"attest": {"model.experiment-tracking": {
        "answer": "no", "by": "cy", "date": "2026-10-01"}}})
    p = state(run([found("experiment_tracking_used")], cfg), "model.experiment-tracking")
    assert p.state is State.MET and "conflicts" in p.note


def test_detector_that_did_not_run_gives_unknown_not_unmet() -> None:
    a = run([], detectors_run=set())
    p = state(a, "model.experiment-tracking")
    assert p.state is State.UNKNOWN and "did not run" in p.note


def test_partly_seen_practice_that_may_live_elsewhere_stays_an_open_question() -> None:
    a = run([found("codeowners_present")])
    p = state(a, "organization.review-process")
    assert p.state is State.PARTIAL and p.open_question
    assert any(q.practice == p.id for q in a.questions)
    before = run([])
    org = {d.id: d for d in a.dimensions}["organization"]
    org_before = {d.id: d for d in before.dimensions}["organization"]
    assert org.potential_level >= org_before.potential_level
