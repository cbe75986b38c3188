"""The level rule, cell by cell, on a small hand-written catalogue: core practices (and groups
of alternatives), the quorum of supporting ones, exempt, not applicable, unknown, and levels
that stay cumulative."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mlkaizen.catalogue.loader import load_catalogue
from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.config import Config
from mlkaizen.engine.assess import evaluate
from mlkaizen.engine.explain import level_text, needs, rule_text
from mlkaizen.engine.model import Assessment, State, Subject
from mlkaizen.evidence.findings import Finding, Outcome

TODAY = dt.date(2026, 11, 27)
DETECTORS = {f"d_{x}" for x in "abcdefgh"}


def _practice(pid: str, level: int, seen_in: str = "repository") -> str:
    det = pid.split(".")[1]
    return f"""
  - id: data.{pid.split(".")[1]}
    dimension: data
    level: {level}
    seen_in: {seen_in}
    title: Practice {det}
    rationale: A practice written for the level-rule tests.
    detection: {{met_if_any: [d_{det}]}}
    question: Is {det} in place?
    remediation: Put {det} in place, as the tests ask.
    effort: S"""


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    text = f"""schema_version: 2
id: rule-test
version: "1"
title: Rule test
levels: [{{value: 0, name: fragmented}}, {{value: 1, name: standardised}},
         {{value: 2, name: automated}}, {{value: 3, name: improved}}]
dimensions: [{{id: data, name: Data, description: Data.}}]
stages:
  - {{id: s1, name: One, index: 1, description: start, requires: {{}}}}
  - {{id: s2, name: Two, index: 2, description: data 1, requires: {{data: 1}}}}
  - {{id: s3, name: Three, index: 3, description: data 2, requires: {{data: 2}}}}
cells:
  - {{dimension: data, level: 1, core: [data.a, [data.b, data.c]], quorum: 2}}
  - {{dimension: data, level: 2, core: [data.g], quorum: 0}}
practices:{_practice("data.a", 1)}{_practice("data.b", 1)}{_practice("data.c", 1)}\
{_practice("data.d", 1)}{_practice("data.e", 1, "elsewhere")}{_practice("data.f", 1)}\
{_practice("data.g", 2)}{_practice("data.h", 2)}
"""
    path = Path(tmp_path_factory.mktemp("cat")) / "rule.yaml"
    path.write_text(text)
    return load_catalogue(path, known_detectors=DETECTORS)


def run(cat: Catalogue, met: str, config: dict | None = None) -> Assessment:  # type: ignore[type-arg]
    findings = [
        Finding(detector=f"d_{x}", outcome=Outcome.FOUND, file="x.py", line=1, detail=x)
        for x in met
    ]
    return evaluate(
        cat,
        findings,
        DETECTORS,
        Config.model_validate(config or {}),
        Subject(name="t", path="t"),
        today=TODAY,
    )


def data(a: Assessment):  # type: ignore[no-untyped-def]
    return a.dimensions[0]


def test_core_and_quorum_hold_level_one(cat: Catalogue) -> None:
    d = data(run(cat, "abdf"))
    assert (d.level, d.potential_level) == (1, 1)
    assert d.rules[0].describe() == "core 2/2, supporting 2/3, quorum 2"
    assert d.summary().startswith("Data is standardised (core 2/2, supporting 2/3, quorum 2)")


def test_a_group_is_satisfied_by_any_one_member(cat: Catalogue) -> None:
    assert data(run(cat, "acdf")).level == 1


def test_one_missing_supporting_practice_alone_does_not_hold_a_level_down(cat: Catalogue) -> None:
    # d is unmet, but e and f reach the quorum of 2 (e attested: it lives elsewhere)
    cfg = {"attest": {"data.e": {"answer": "yes", "by": "t", "date": "2026-01-01"}}}
    assert data(run(cat, "abf", cfg)).level == 1


def test_quorum_short_blocks_with_the_supporting_gaps(cat: Catalogue) -> None:
    a = run(cat, "abd")
    d = data(a)
    assert (d.level, d.potential_level) == (0, 1)  # e unknown: met only potentially
    assert [(b.practice, b.role, b.state, b.quorum_short) for b in d.blockers] == [
        ("data.e", "supporting", State.UNKNOWN, 1),
        ("data.f", "supporting", State.UNMET, 1),
    ]


def test_core_gaps_come_first_and_a_group_is_named_with_its_alternatives(cat: Catalogue) -> None:
    d = data(run(cat, "d"))
    assert [(b.practice, b.role, b.any_of) for b in d.blockers] == [
        ("data.a", "core", []),
        ("data.b", "core", ["data.b", "data.c"]),
        ("data.c", "core", ["data.b", "data.c"]),
        ("data.e", "supporting", []),
        ("data.f", "supporting", []),
    ]


def test_a_missing_core_practice_holds_the_level_whatever_the_quorum(cat: Catalogue) -> None:
    d = data(
        run(cat, "bdf", {"attest": {"data.e": {"answer": "yes", "by": "t", "date": "2026-01-01"}}})
    )
    assert d.level == 0 and d.rules[0].describe() == "core 1/2, supporting 3/3, quorum 2"
    assert [b.practice for b in d.blockers] == ["data.a"]


def test_exempt_and_not_applicable_satisfy_core_and_quorum(cat: Catalogue) -> None:
    cfg = {
        "exempt": {
            "data.a": {"reason": "moving to lakeFS", "owner": "ops", "expires": "2027-01-01"}
        },
        "not_applicable": {
            "data.d": {"reason": "no raw data"},
            "data.f": {"reason": "no tabular data"},
        },
    }
    assert data(run(cat, "c", cfg)).level == 1


def test_expired_exemption_does_not_satisfy(cat: Catalogue) -> None:
    cfg = {
        "exempt": {
            "data.a": {"reason": "moving to lakeFS", "owner": "ops", "expires": "2026-01-01"}
        }
    }
    assert data(run(cat, "cdf", cfg)).level == 0


def test_unknown_core_counts_unmet_confirmed_and_met_potential(cat: Catalogue) -> None:
    # a detector that did not run leaves its practice unknown
    findings = [
        Finding(detector=f"d_{x}", outcome=Outcome.FOUND, file="x.py", line=1) for x in "bdf"
    ]
    a = evaluate(
        cat, findings, DETECTORS - {"d_a"}, Config(), Subject(name="t", path="t"), today=TODAY
    )
    assert (data(a).level, data(a).potential_level) == (0, 1)
    assert (a.stage, a.potential_stage) == ("One", "Two")


def test_levels_are_cumulative(cat: Catalogue) -> None:
    assert data(run(cat, "gh")).level == 0  # level 2 holds, level 1 does not
    # level 3 has no practice in this catalogue, so it holds as soon as level 2 does
    assert data(run(cat, "abdfg")).level == 3
    assert data(run(cat, "abdfh")).level == 1  # h is supporting at level 2; g is core


def test_roadmap_asks_for_core_gaps_and_only_as_many_supporting_as_short(cat: Catalogue) -> None:
    a = run(cat, "bd")
    steps = [(r.practice, r.for_stage) for r in a.roadmap]
    # e is unknown and short of the quorum: a question to verify, first
    assert steps[:3] == [("data.e", "Two"), ("data.a", "Two"), ("data.f", "Two")]
    assert [r.action for r in a.roadmap[:3]] == ["verify", "do", "do"]
    assert ("data.g", "Three") in steps and ("data.h", "Three") not in steps


def test_absence_is_honest(cat: Catalogue) -> None:
    states = {p.id: p.state for p in run(cat, "").practices}
    assert states["data.d"] is State.UNMET  # lives in the repository
    assert states["data.e"] is State.UNKNOWN  # lives elsewhere: a question
    a = run(cat, "")
    assert {q.practice for q in a.questions} == {"data.e"}


# The same rule in words, practices by title (never by id): what the reports print.


def test_an_unheld_level_names_its_missing_core_by_title_and_what_the_quorum_still_needs(
    cat: Catalogue,
) -> None:
    a = run(cat, "d")
    d = data(a)
    assert rule_text(d.rules[0], a) == (
        "Level 1 needs: “Practice a”; either “Practice b” or “Practice c”; 2 of 3 supporting "
        "practices (met so far: “Practice d”)"
    )
    # the summary leads with the roadmap's first two steps, the rest stays in the details
    assert a.explanation == (
        "Confirmed stage: One (stage 1 of 5). It is not Two yet: Data is at level 0 where it "
        "needs level 1. The first steps to Two: confirm “Practice e” (an open question), then "
        "put in place “Practice a”. The roadmap lists 2 more steps for it."
    )
    assert needs(d.blockers) == (
        "“Practice a”, either “Practice b” or “Practice c”, and 1 more of its 2 missing "
        "supporting practices (either “Practice e” or “Practice f”)"
    )


def test_a_quorum_already_reached_is_said_so(cat: Catalogue) -> None:
    a = run(cat, "bdf")  # core a missing, supporting d and f reach the quorum of 2
    assert rule_text(data(a).rules[0], a) == (
        "Level 1 needs: “Practice a”; 2 of 3 supporting practices (already met: “Practice d”, "
        "“Practice f”)"
    )


def test_a_held_level_and_the_next_one_in_words(cat: Catalogue) -> None:
    a = run(cat, "abdf")
    d = data(a)
    assert rule_text(d.rules[0], a) == (
        "Level 1 holds: its 2 core practices in place; 2 of 3 supporting practices met "
        "(2 needed)"
    )
    assert level_text(d, a) == "Data is at level 1 (standardised). Level 2 needs: “Practice g”."
    for text in (a.explanation, level_text(d, a)):
        assert "data." not in text  # ids stay in the details


def test_a_level_short_of_its_quorum_only_says_its_core_is_in_place(cat: Catalogue) -> None:
    a = run(cat, "ab")
    assert rule_text(data(a).rules[0], a) == (
        "Level 1 needs: 2 of 3 supporting practices (met so far: none); its core practices "
        "are in place"
    )


def test_the_summary_offers_two_alternatives_as_either_one(tmp_path: Path) -> None:
    """A core group of alternatives: the first two steps are either one, never both."""
    path = tmp_path / "either.yaml"
    path.write_text(f"""schema_version: 2
id: either-test
version: "1"
title: Either test
levels: [{{value: 0, name: fragmented}}, {{value: 1, name: standardised}}]
dimensions: [{{id: data, name: Data, description: Data.}}]
stages:
  - {{id: s1, name: One, index: 1, description: start, requires: {{}}}}
  - {{id: s2, name: Two, index: 2, description: data 1, requires: {{data: 1}}}}
cells:
  - {{dimension: data, level: 1, core: [[data.b, data.c]], quorum: 0}}
practices:{_practice("data.b", 1)}{_practice("data.c", 1, "elsewhere")}
""")
    either = load_catalogue(path, known_detectors=DETECTORS)
    a = run(either, "")
    assert [(r.practice, r.action) for r in a.roadmap] == [("data.c", "verify"), ("data.b", "do")]
    assert a.explanation.endswith(
        "The first steps to Two: confirm “Practice c” (an open question), or put in place "
        "“Practice b”."
    )
    # the near miss, two steps both needed ("…, then …"), is the test above with "d"
