"""Properties of the engine over random findings and configs (Hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mlkaizen.config import Config
from mlkaizen.evidence.findings import Context, Finding, Outcome
from tests.engine.helpers import ALL_DETECTORS, CATALOGUE, found, run

DETECTORS = sorted(ALL_DETECTORS)
PRACTICES = [p.id for p in CATALOGUE.practices]
finding = st.builds(
    lambda d, o, c: found(d, outcome=o, context=c),
    st.sampled_from(DETECTORS), st.sampled_from([Outcome.FOUND, Outcome.PARTIAL]),
    st.sampled_from([Context.PROJECT, Context.TUTORIAL, Context.TEST]))
findings_st = st.lists(finding, max_size=40)
answers = st.dictionaries(st.sampled_from(PRACTICES),
                          st.sampled_from(["yes", "partly", "no", "not-applicable", "unknown"]),
                          max_size=15)


def config_of(attest: dict[str, str], exempt: list[str] | None = None) -> Config:
    return Config.model_validate({
        "attest": {k: {"answer": v, "by": "p", "date": "2026-01-01"} for k, v in attest.items()},
        "exempt": {k: {"reason": "reason", "owner": "o", "expires": "2099-01-01"}
                   for k in exempt or []}})


def levels(a):  # type: ignore[no-untyped-def]
    return {d.id: d.level for d in a.dimensions}


@settings(max_examples=60, deadline=None)
@given(findings_st, answers, st.sampled_from(DETECTORS))
def test_one_more_finding_never_lowers_a_level_or_the_stage(
        base: list[Finding], attest: dict[str, str], extra: str) -> None:
    cfg = config_of(attest)
    before = run(base, cfg)
    after = run([*base, found(extra)], cfg)
    assert after.stage_index >= before.stage_index
    assert after.potential_stage_index >= before.potential_stage_index
    assert all(levels(after)[k] >= v for k, v in levels(before).items())


@settings(max_examples=60, deadline=None)
@given(findings_st, answers, st.sampled_from(PRACTICES))
def test_an_exemption_never_lowers_a_level(base: list[Finding], attest: dict[str, str],
                                           exempt: str) -> None:
    before = run(base, config_of(attest))
    after = run(base, config_of(attest, [exempt]))
    assert all(levels(after)[k] >= v for k, v in levels(before).items())
    assert after.stage_index >= before.stage_index


@settings(max_examples=60, deadline=None)
@given(findings_st, answers, st.sampled_from(PRACTICES))
def test_a_yes_answer_never_lowers_a_level(base: list[Finding], attest: dict[str, str],
                                           practice: str) -> None:
    before = run(base, config_of(attest))
    after = run(base, config_of({**attest, practice: "yes"}))
    assert all(levels(after)[k] >= v for k, v in levels(before).items())


@settings(max_examples=80, deadline=None)
@given(findings_st, answers)
def test_stage_never_exceeds_what_the_gates_allow(base: list[Finding],
                                                  attest: dict[str, str]) -> None:
    a = run(base, config_of(attest))
    lv = levels(a)
    stage = next(s for s in CATALOGUE.stages if s.name == a.stage)
    assert all(lv[d] >= need for d, need in stage.requires.items())
    nxt = next((s for s in CATALOGUE.stages if s.index == stage.index + 1), None)
    if nxt is not None:
        assert any(lv[d] < need for d, need in nxt.requires.items())
        assert any(d.blockers for d in a.dimensions)
    assert a.potential_stage_index >= a.stage_index
    assert all(d.potential_level >= d.level for d in a.dimensions)
    for d in a.dimensions:
        for b in d.blockers:
            assert b.state.value in ("unmet", "partial", "unknown")
