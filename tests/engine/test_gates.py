"""Levels, stages, blockers and the roadmap from hand-written findings."""

from __future__ import annotations

from mlkaizen.config import Config
from mlkaizen.engine.model import State
from tests.engine.helpers import (
    CATALOGUE,
    attest_all_undetectable,
    found,
    met_all_of_level,
    run,
)


def test_nothing_is_ad_hoc_with_blockers_for_dataops() -> None:
    a = run([])
    assert (a.stage, a.stage_index, a.next_stage) == ("Ad hoc", 1, "DataOps")
    dims = {d.id: d for d in a.dimensions}
    assert dims["data"].blockers and dims["organization"].blockers
    assert not dims["model"].blockers  # DataOps does not gate Model
    states = {b.practice: (b.state, b.role) for b in dims["data"].blockers}
    # data handled one shared way: versioned, or kept in shared storage (seen elsewhere)
    assert states == {"data.versioned": (State.UNMET, "core"),
                      "data.shared-storage": (State.UNKNOWN, "core")}


def test_one_missing_file_does_not_reset_a_team() -> None:
    # everything detectable of level 1 except CODEOWNERS and the model card
    findings = [f for f in met_all_of_level(1)
                if f.detector not in ("codeowners_present", "model_card_present")]
    a = run(findings, attest_all_undetectable(1))
    assert a.stage == "Manual MLOps"


def test_potential_stage_counts_unknowns_as_met() -> None:
    monitoring = {"service_metrics_exported", "drift_detection_used", "dashboards_defined"}
    a = run([f for f in met_all_of_level(1) if f.detector not in monitoring])
    assert a.stage == "DataOps"  # monitoring is unknown: it may live outside the repository
    assert a.potential_stage == "Manual MLOps"
    assert [q.practice for q in a.questions if q.blocks_next_stage] == ["operations.monitoring"]


def test_attested_level_one_reaches_manual_mlops() -> None:
    a = run(met_all_of_level(1), attest_all_undetectable(1))
    assert a.stage == "Manual MLOps"
    assert all(d.level == 1 for d in a.dimensions)


def test_dataops_needs_only_data_and_organization() -> None:
    cfg = attest_all_undetectable(1)
    only = [f for f in met_all_of_level(1)
            if any(p.dimension in ("data", "organization") and p.detection
                   and f.detector in p.detection.detectors for p in CATALOGUE.practices)]
    a = run(only, Config.model_validate({"attest": {
        k: v.model_dump(mode="json") for k, v in cfg.attest.items()
        if k.startswith(("data.", "organization."))}}))
    assert a.stage == "DataOps"
    assert a.next_stage == "Manual MLOps"


def test_all_levels_met_is_kaizen() -> None:
    a = run(met_all_of_level(3), attest_all_undetectable(3))
    assert a.stage == "Kaizen MLOps" and a.next_stage is None
    assert a.roadmap == [] and a.questions == []


def test_a_supporting_practice_alone_does_not_gate() -> None:
    cfg = attest_all_undetectable(2)
    attest = {k: v.model_dump(mode="json") for k, v in cfg.attest.items()
              if k != "operations.dependency-updates"}
    findings = [f for f in met_all_of_level(2) if f.detector != "dependency_updates_automated"]
    a = run(findings, Config.model_validate({"attest": attest}))
    assert next(d for d in a.dimensions if d.id == "operations").level == 2


def test_roadmap_respects_prerequisites_then_effort() -> None:
    a = run([])
    order = [r.practice for r in a.roadmap]
    assert order, "an empty repository has work to do"
    for item in a.roadmap:
        for pre in item.prerequisites:
            assert order.index(pre) < order.index(item.practice)
    first_stage = [r for r in a.roadmap if r.for_stage == "DataOps"]
    assert first_stage and a.roadmap[: len(first_stage)] == first_stage
    efforts = [r.effort for r in first_stage if not r.prerequisites and r.action == "do"]
    assert efforts == sorted(efforts, key="SML".index)
    assert {r.for_stage for r in a.roadmap} <= {"DataOps", "Manual MLOps"}


def test_roadmap_pulls_in_unmet_prerequisites() -> None:
    a = run(met_all_of_level(1), attest_all_undetectable(1))
    order = [r.practice for r in a.roadmap]
    assert "model.ct-triggers" in order
    assert order.index("model.training-pipeline") < order.index("model.ct-triggers")


def test_explanation_names_stage_and_the_first_steps_to_the_next() -> None:
    a = run([found("experiment_tracking_used")])
    assert a.stage in a.explanation and "DataOps" in a.explanation
    first = [r.title for r in a.roadmap if r.for_stage == "DataOps"][:2]
    assert all(f"\u201c{t}\u201d" in a.explanation for t in first)
