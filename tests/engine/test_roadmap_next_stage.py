"""The roadmap leads with what blocks the next stage: the unknown blockers to verify, then the
work (its prerequisites with it), then the stage after, in the order it had before."""

from __future__ import annotations

from mlkaizen.config import Config
from mlkaizen.engine.model import Assessment, State
from mlkaizen.evidence.findings import Finding, Outcome
from tests.engine.helpers import found, run

# what a DVC example project shows (data and model tracked with DVC, a CML workflow, no
# serving, no monitoring in the repository): DataOps, Manual MLOps blocked by deployment
# and operations, monitoring unknown
DVC_PROJECT = [
    found("dvc_tracks_data", "data/data.xml.dvc"),
    found("data_remote_storage_configured", ".dvc/config"),
    found("experiment_tracking_used", "src/evaluate.py"),
    found("random_seeds_set", "src/prepare.py"),
    found("params_file_present", "params.yaml"),
    # DVC/GTO artifacts: a registry of files, which keeps no runs and no packaged model
    Finding(detector="model_registry_used", outcome=Outcome.FOUND, file="dvc.yaml", line=1,
            detail="DVC/GTO model artifacts: model"),
    found("code_under_version_control", ".git"),
    found("pipeline_defined", "dvc.yaml"),
    found("training_in_pipeline", "dvc.yaml"),
    found("ci_configured", ".github/workflows/cml.yaml"),
    found("baseline_comparison_present", ".github/workflows/cml.yaml"),
]


def steps(a: Assessment) -> list[tuple[str, str, str]]:
    return [(r.practice, r.action, r.for_stage) for r in a.roadmap]


def test_the_next_stage_leads_with_its_unknown_blockers_to_verify() -> None:
    a = run(DVC_PROJECT)
    assert (a.stage, a.next_stage) == ("DataOps", "Manual MLOps")
    assert steps(a)[:4] == [
        ("operations.monitoring", "verify", "Manual MLOps"),  # core, unknown
        ("operations.prediction-logging", "verify", "Manual MLOps"),  # supporting, unknown
        ("operations.reproducible-environment", "do", "Manual MLOps"),
        # of the group (serving interface | packaged artifact) the one that needs nothing first
        ("deployment.packaged-artifact", "do", "Manual MLOps"),
    ]
    assert {r.for_stage for r in a.roadmap[4:]} == {"Automated MLOps"}
    assert [r.step for r in a.roadmap] == list(range(1, len(a.roadmap) + 1))
    first = a.roadmap[0]
    assert first.state is State.UNKNOWN and first.question == (
        "Are the serving system's health and the model's inputs and outputs monitored in "
        "production?"
    )
    assert first.headline() == f"verify: {first.question} (answer with `mlkaizen survey`)"
    assert first.remediation.startswith("Answer with `mlkaizen survey`")


def test_every_unknown_blocker_is_a_step_and_nothing_else_unknown_is() -> None:
    a = run(DVC_PROJECT)
    blocking_unknown = {
        b.practice for d in a.dimensions for b in d.blockers if b.state is State.UNKNOWN
    }
    verify = {r.practice for r in a.roadmap if r.action == "verify"}
    assert verify == blocking_unknown == {"operations.monitoring", "operations.prediction-logging"}
    # unknown, but blocks nothing of the next stage: a question, not a step
    assert a.practice("data.access-control").state is State.UNKNOWN  # type: ignore[union-attr]
    assert "data.access-control" not in {r.practice for r in a.roadmap}


def test_an_answered_blocker_is_no_longer_verified() -> None:
    def attest(answer: str) -> Config:
        return Config.model_validate({"attest": {"operations.monitoring": {
            "answer": answer, "by": "lead", "date": "2026-11-01"}}})

    yes = run(DVC_PROJECT, attest("yes"))
    assert "operations.monitoring" not in {r.practice for r in yes.roadmap}
    no = run(DVC_PROJECT, attest("no"))  # now known to be missing: work, for the next stage
    assert ("operations.monitoring", "do", "Manual MLOps") in steps(no)
    assert all(r.for_stage == "Manual MLOps" for r in no.roadmap[: steps(no).index(
        ("operations.monitoring", "do", "Manual MLOps")) + 1])


def test_a_prerequisite_belongs_to_the_earliest_stage_that_needs_it() -> None:
    # a serving interface partly there is the way to the next stage; it needs a packaged
    # artifact, which the stage after (CI/CD) needs too: it is the next stage's work
    partial_serving = Finding(detector="model_serving_present", outcome=Outcome.PARTIAL,
                              file="app.py", line=3, detail="a Flask app")
    a = run([*DVC_PROJECT, partial_serving])
    order = steps(a)
    assert ("deployment.packaged-artifact", "do", "Manual MLOps") in order
    assert ("deployment.serving-interface", "do", "Manual MLOps") in order
    assert order.index(("deployment.packaged-artifact", "do", "Manual MLOps")) < order.index(
        ("deployment.serving-interface", "do", "Manual MLOps"))
    stages = [r.for_stage for r in a.roadmap]
    assert stages == sorted(stages, key=["Manual MLOps", "Automated MLOps"].index)


def test_a_satisfied_next_stage_gap_has_nothing_to_verify() -> None:
    # near miss: monitoring seen in the repository is met, so nothing of it is verified
    a = run([*DVC_PROJECT, found("dashboards_defined", "ops/dashboard.json")])
    assert a.practice("operations.monitoring").state is State.MET  # type: ignore[union-attr]
    assert "operations.monitoring" not in {r.practice for r in a.roadmap}
    assert [r.practice for r in a.roadmap if r.action == "verify"] == [
        "operations.prediction-logging"]
