"""Tolerance: a stage's gate holds with one gap when the repository already satisfies core
practices of the next stage (one for Manual MLOps, all three that Manual MLOps adds for
DataOps, or four of all later stages, none for the wide gate of Automated MLOps), and Manual
MLOps with two when two of Automated MLOps are; never with a gap an answer settles, never
for Kaizen MLOps; the dimension levels stay as the level rule gives them, and every report
names it."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.config import Config
from mlkaizen.engine import gates
from mlkaizen.engine.assess import evaluate, rule_id
from mlkaizen.engine.model import Assessment, Subject
from mlkaizen.evidence.findings import Finding
from mlkaizen.report import get_renderer
from mlkaizen.report.context import RenderContext
from tests.engine.helpers import ALL_DETECTORS, CATALOGUE, TODAY, found, run

MONITORING = "operations.monitoring"
# every practice of the Manual MLOps gate but monitoring, shown by detection
MANUAL_BUT_MONITORING = [
    found("code_under_version_control"),
    found("dvc_tracks_data", "data.dvc"),
    found("experiment_tracking_used", "train.py"),
    found("model_registry_used", "register.py"),
    found("model_serving_present", "serve.py"),
    found("dependencies_pinned", "requirements.txt"),
    found("dev_environment_defined", "pyproject.toml"),
]
# two core practices of Automated MLOps: a training pipeline and a deploying CD job
TWO_AHEAD = [found("training_in_pipeline", "pipeline.py"), found("deployment_runs_in_ci", "cd.yml")]


def answered(**answers: str) -> Config:
    """Answers of "yes" to what a repository cannot show at level 1, plus ``answers``."""
    yes = {"organization.shared-tooling", "data.shared-storage"}
    attest = {pid: "yes" for pid in yes} | {k.replace("_", "."): v for k, v in answers.items()}
    return Config.model_validate({"attest": {
        pid: {"answer": a, "by": "lead", "date": "2026-01-01"} for pid, a in attest.items()}})


def judge(findings: list[Finding], config: Config | None = None) -> Assessment:
    return run(findings, config or answered())


def test_without_the_next_stage_the_gap_sinks_the_stage() -> None:
    a = judge(MANUAL_BUT_MONITORING)
    assert (a.stage, a.tolerated) == ("DataOps", [])
    assert {d.id: d.level for d in a.dimensions}["operations"] == 0


def test_with_a_core_practice_of_the_next_stage_one_gap_is_tolerated() -> None:
    a = judge([*MANUAL_BUT_MONITORING, TWO_AHEAD[0]])
    assert (a.stage, a.tolerated) == ("Manual MLOps", [MONITORING])
    # the dimension keeps its level; the gap heads what it lacks for the next stage
    ops = next(d for d in a.dimensions if d.id == "operations")
    assert ops.level == 0
    assert MONITORING in [b.practice for b in ops.blockers]
    assert any(r.practice == MONITORING for r in a.roadmap)
    title = a.practice(MONITORING).title  # type: ignore[union-attr]
    assert (
        "It stands there with 1 gap that the stage's gate tolerates, the first to close: "
        f"\u201c{title}\u201d (unknown)."
    ) in a.explanation


def test_any_one_core_practice_of_the_next_stage_earns_the_gap_and_none_does_not() -> None:
    for one in TWO_AHEAD:
        a = judge([*MANUAL_BUT_MONITORING, one])
        assert (a.stage, a.tolerated) == ("Manual MLOps", [MONITORING])
    # near miss: a supporting practice of the next stage (a drift check that runs) is no core
    # entry of it
    a = judge([*MANUAL_BUT_MONITORING, found("cml_reports_in_ci", "ci.yml")])
    assert (a.stage, a.tolerated) == ("DataOps", [])


def test_two_gaps_need_two_core_practices_ahead_and_three_are_never_tolerated() -> None:
    # no monitoring, and no tracked runs (a registry would imply them), nor any supporting
    # practice of the model's cell: three gaps, never tolerated
    untracked = [f for f in MANUAL_BUT_MONITORING
                 if f.detector not in ("experiment_tracking_used", "model_registry_used")]
    assert judge([*untracked, *TWO_AHEAD]).stage == "DataOps"
    assert judge([*untracked, *TWO_AHEAD, found("training_scheduled", "p.py")]).stage == "DataOps"
    # with monitoring shown, two gaps: tracked runs, and the quorum of the model's cell;
    # one core practice ahead earns one gap only
    shown = [*untracked, found("service_metrics_exported", "m.py")]
    a = judge([*shown, TWO_AHEAD[0]])
    assert (a.stage, a.tolerated) == ("DataOps", [])
    a = judge([*shown, *TWO_AHEAD])
    assert a.stage == "Manual MLOps"
    assert set(a.tolerated) == {
        "model.experiment-tracking",
        "model.baseline-evaluation|model.model-card|model.registry|model.reproducible-training"}
    registered = [f for f in MANUAL_BUT_MONITORING if f.detector != "experiment_tracking_used"]
    a = judge([*registered, found("service_metrics_exported", "m.py"), TWO_AHEAD[0]])
    assert (a.stage, a.tolerated) == ("Manual MLOps", [])  # the registry implies tracked runs


def test_a_gap_an_answer_settles_is_never_tolerated() -> None:
    a = judge([*MANUAL_BUT_MONITORING, *TWO_AHEAD], answered(**{"operations_monitoring": "no"}))
    assert (a.stage, a.tolerated) == ("DataOps", [])
    # "partly" settles it as well: the team said what it does
    a = judge([*MANUAL_BUT_MONITORING, *TWO_AHEAD], answered(**{"operations_monitoring": "partly"}))
    assert a.stage == "DataOps"
    # "don't know" settles nothing
    a = judge([*MANUAL_BUT_MONITORING, *TWO_AHEAD],
              answered(**{"operations_monitoring": "unknown"}))
    assert (a.stage, a.tolerated) == ("Manual MLOps", [MONITORING])


def test_a_missed_quorum_is_one_gap_naming_every_practice_that_would_fill_it() -> None:
    no_env = [f for f in MANUAL_BUT_MONITORING
              if f.detector not in ("dependencies_pinned", "dev_environment_defined")]
    monitored = [*no_env, found("service_metrics_exported", "metrics.py"), *TWO_AHEAD]
    a = judge(monitored)
    assert a.stage == "Manual MLOps"
    assert a.tolerated == [
        "operations.infrastructure-as-code|operations.prediction-logging"
        "|operations.reproducible-environment"]
    # the same repository without the next stage's practices stays below
    assert judge([*no_env, found("service_metrics_exported", "metrics.py")]).stage == "DataOps"


def test_dataops_tolerates_a_gap_with_every_core_practice_manual_mlops_adds() -> None:
    # data kept nowhere shared: a DataOps gap. Tracked runs and a served model are two of the
    # three core practices Manual MLOps adds; monitoring is missing, and nothing of a later
    # stage shows, so nothing is tolerated
    no_data = [f for f in MANUAL_BUT_MONITORING if f.detector != "dvc_tracks_data"]
    config = Config.model_validate({"attest": {"organization.shared-tooling": {
        "answer": "yes", "by": "lead", "date": "2026-01-01"}}})
    a = judge(no_data, config)
    assert (a.stage, a.tolerated) == ("Ad hoc", [])
    # with monitoring shown too, DataOps holds with the data gap (and Manual MLOps, without
    # two core practices of Automated MLOps, does not)
    monitored = [*no_data, found("service_metrics_exported", "m.py")]
    a = judge(monitored, config)
    assert (a.stage, a.tolerated) == ("DataOps", ["data.versioned|data.shared-storage"])
    assert {d.id: d.level for d in a.dimensions}["data"] == 0
    # near miss: no served model, nor a packaged one (a registry would imply it): two of three
    unserved = [f for f in monitored
                if f.detector not in ("model_serving_present", "model_registry_used")]
    assert judge(unserved, config).stage == "Ad hoc"
    # an answer that says the data is not shared settles the gap
    settled = Config.model_validate({"attest": {
        "organization.shared-tooling": {"answer": "yes", "by": "lead", "date": "2026-01-01"},
        "data.shared-storage": {"answer": "no", "by": "lead", "date": "2026-01-01"},
        "data.versioned": {"answer": "no", "by": "lead", "date": "2026-01-01"}}})
    assert judge(monitored, settled).stage == "Ad hoc"


def test_dataops_tolerates_a_gap_with_four_core_practices_of_the_later_stages() -> None:
    # no shared data, no monitoring and no registry (the model cell's quorum): two of the
    # three core practices Manual MLOps adds (tracked runs, a served model), and two of
    # Automated MLOps (a training pipeline, a deploying CD job): four of all later stages
    # earn the data gap, and three gaps are too many for Manual MLOps
    no_data = [f for f in MANUAL_BUT_MONITORING
               if f.detector not in ("dvc_tracks_data", "model_registry_used")]
    config = Config.model_validate({"attest": {"organization.shared-tooling": {
        "answer": "yes", "by": "lead", "date": "2026-01-01"}}})
    a = judge([*no_data, *TWO_AHEAD], config)
    assert (a.stage, a.tolerated) == ("DataOps", ["data.versioned|data.shared-storage"])
    # with the registry, two gaps (data, monitoring): Manual MLOps holds with both
    a = judge([*no_data, found("model_registry_used", "register.py"), *TWO_AHEAD], config)
    assert (a.stage, set(a.tolerated)) == (
        "Manual MLOps", {"data.versioned|data.shared-storage", MONITORING})
    # near miss: three of them (one of Automated MLOps) earn nothing
    for one in TWO_AHEAD:
        assert judge([*no_data, one], config).stage == "Ad hoc"
    # near miss: four, but a supporting practice of Automated MLOps (a drift check that runs
    # in CI) is no core entry of it
    a = judge([*no_data, TWO_AHEAD[0], found("cml_reports_in_ci", "ci.yml")], config)
    assert a.stage == "Ad hoc"
    dataops = next(s for s in CATALOGUE.stages if s.id == "dataops")
    assert dataops.tolerance is not None and dataops.tolerance.when("core entries") == (
        "1 gap, when 3 core entries of the next stage are satisfied or 4 of all later stages are "
        "detected")


def test_a_higher_stage_may_hold_with_a_gap_a_lower_stage_does_not_tolerate() -> None:
    # everything of Manual MLOps but shared data, and monitoring shown: Manual MLOps holds
    # with the data gap, and its dimension stays at level 0
    no_data = [f for f in MANUAL_BUT_MONITORING if f.detector != "dvc_tracks_data"]
    config = Config.model_validate({"attest": {"organization.shared-tooling": {
        "answer": "yes", "by": "lead", "date": "2026-01-01"}}})
    a = judge([*no_data, found("service_metrics_exported", "m.py"), *TWO_AHEAD], config)
    assert (a.stage, a.tolerated) == ("Manual MLOps", ["data.versioned|data.shared-storage"])
    assert {d.id: d.level for d in a.dimensions}["data"] == 0
    assert "\u201c" in a.explanation and " or " in a.explanation.split("tolerates")[1]


def test_a_full_gate_tolerates_nothing_and_says_nothing() -> None:
    a = judge([*MANUAL_BUT_MONITORING, found("service_metrics_exported", "m.py"), *TWO_AHEAD])
    assert (a.stage, a.tolerated) == ("Manual MLOps", [])
    assert "tolerates" not in a.explanation


def test_every_report_names_the_tolerated_gap() -> None:
    a = judge([*MANUAL_BUT_MONITORING, *TWO_AHEAD])
    title = a.practice(MONITORING).title  # type: ignore[union-attr]
    ctx = RenderContext(catalogue=CATALOGUE, width=400)
    for fmt in ("terminal", "markdown", "html"):
        out = get_renderer(fmt)(a, ctx)
        assert "gate tolerates" in out and title in out, fmt
    assert json.loads(get_renderer("json")(a, ctx))["tolerated"] == [MONITORING]


def _without_tolerance() -> Catalogue:
    data = CATALOGUE.model_dump(mode="json")
    for stage in data["stages"]:
        stage["tolerance"] = None
    return Catalogue.model_validate(data)


def test_a_catalogue_without_tolerance_judges_as_before_and_keeps_its_fingerprint() -> None:
    plain = _without_tolerance()
    a = evaluate(plain, [*MANUAL_BUT_MONITORING, *TWO_AHEAD], ALL_DETECTORS, answered(),
                 Subject(name="t", path="t"), today=TODAY)
    assert (a.stage, a.tolerated) == ("DataOps", [])
    assert rule_id(plain) != rule_id(CATALOGUE)
    data = plain.model_dump(mode="json")
    for stage in data["stages"]:
        del stage["tolerance"]
    assert rule_id(Catalogue.model_validate(data)) == rule_id(plain)


DETECTORS = sorted(ALL_DETECTORS)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(DETECTORS), max_size=30))
def test_tolerance_only_raises_and_only_with_named_gaps(detectors: list[str]) -> None:
    findings = [found(d) for d in detectors]
    a = run(findings)
    plain = evaluate(_without_tolerance(), findings, ALL_DETECTORS, Config(),
                     Subject(name="t", path="t"), today=TODAY)
    assert a.stage_index >= plain.stage_index
    assert a.potential_stage_index >= a.stage_index
    assert (a.stage_index > plain.stage_index) == bool(a.tolerated)
    if a.tolerated:
        assert a.stage in ("DataOps", "Manual MLOps", "Automated MLOps")
        # two gaps only where the further tolerance allows them
        assert len(a.tolerated) == 1 or (len(a.tolerated) == 2 and a.stage == "Manual MLOps")
    # the stage of the levels alone is the stage without tolerance
    levels = {d.id: d.level for d in a.dimensions}
    assert gates.stage_of(CATALOGUE, levels).index == plain.stage_index


def test_a_repository_of_projects_takes_its_focus_projects_gaps_never_the_pooled_ones() -> None:
    from mlkaizen.engine.portfolio import head_by_projects

    # pooled, the repository holds with the monitoring gap; each project holds less
    whole = judge([*MANUAL_BUT_MONITORING, *TWO_AHEAD])
    assert whole.tolerated == [MONITORING]
    serving = judge(MANUAL_BUT_MONITORING)
    training = judge([found("training_in_pipeline", "pipeline.py")])
    head_by_projects(whole, [("serving", serving), ("training", training)])
    assert (whole.focus, whole.stage, whole.tolerated) == ("serving", "DataOps", [])
    # and a focus project that holds with a gap brings it along
    whole = judge([*MANUAL_BUT_MONITORING, *TWO_AHEAD])
    head_by_projects(whole, [("app", judge([*MANUAL_BUT_MONITORING, *TWO_AHEAD])),
                             ("notebooks", training)])
    assert (whole.focus, whole.stage, whole.tolerated) == ("app", "Manual MLOps", [MONITORING])


def _automated() -> tuple[list[Finding], Config]:
    """Every detectable practice of levels 1 and 2 shown, the others answered "yes"."""
    from tests.engine.helpers import met_all_of_level

    unseen = [p.id for p in CATALOGUE.practices if p.level <= 2 and not p.detection]
    config = Config.model_validate({"attest": {
        pid: {"answer": "yes", "by": "lead", "date": "2026-01-01"} for pid in unseen}})
    return met_all_of_level(2), config


def test_automated_mlops_holds_with_one_gap_whatever_the_next_stage_shows() -> None:
    findings, config = _automated()
    assert (judge(findings, config).stage, judge(findings, config).tolerated) == (
        "Automated MLOps", [])
    # no validation gate shown: the one gap its gate of fourteen core entries tolerates, with
    # no practice of Kaizen MLOps to earn it
    gap = "model.validation-gate"
    detectors = set(CATALOGUE.practice(gap).detection.met_if_any)  # type: ignore[union-attr]
    a = judge([f for f in findings if f.detector not in detectors], config)
    assert (a.stage, a.tolerated) == ("Automated MLOps", [gap])
    assert {d.id: d.level for d in a.dimensions}["model"] == 1
    # near miss: two gaps
    gates_ = set(CATALOGUE.practice("organization.automated-governance")  # type: ignore[union-attr]
                 .detection.met_if_any) | detectors
    assert judge([f for f in findings if f.detector not in gates_], config).stage == "Manual MLOps"
    # near miss: an answer settles the gap
    settled = Config.model_validate({"attest": {
        **{pid: att.model_dump(mode="json") for pid, att in config.attest.items()},
        gap: {"answer": "no", "by": "lead", "date": "2026-01-01"}}})
    assert judge([f for f in findings if f.detector not in detectors], settled).stage == (
        "Manual MLOps")


# a third core practice of Automated MLOps: training started by a schedule
THREE_AHEAD = [*TWO_AHEAD, found("training_scheduled", "pipeline.py")]


def test_manual_mlops_holds_with_two_gaps_when_two_are_ahead() -> None:
    # no monitoring and no tracked runs (nor a registry, which would imply them); models
    # compared with a baseline fill the model cell's quorum
    untracked = [f for f in MANUAL_BUT_MONITORING
                 if f.detector not in ("experiment_tracking_used", "model_registry_used")]
    untracked.append(found("baseline_comparison_present", "evaluate.py"))
    a = judge([*untracked, *TWO_AHEAD])
    assert a.stage == "Manual MLOps"
    assert set(a.tolerated) == {MONITORING, "model.experiment-tracking"}
    assert {d.id: d.level for d in a.dimensions}["operations"] == 0
    assert judge([*untracked, *THREE_AHEAD]).stage == "Manual MLOps"
    # near miss: one core practice ahead earns one gap only, whichever it is
    assert judge([*untracked, TWO_AHEAD[0]]).stage == "DataOps"
    assert judge([*untracked, TWO_AHEAD[1]]).stage == "DataOps"
    # two gaps, one of them the stage below's (no shared data, no monitoring): DataOps holds
    # with its own gap only, and Manual MLOps with both
    no_data = [f for f in untracked if f.detector != "dvc_tracks_data"]
    config = Config.model_validate({"attest": {"organization.shared-tooling": {
        "answer": "yes", "by": "lead", "date": "2026-01-01"}}})
    tracked = [*no_data, found("experiment_tracking_used", "t.py"), *TWO_AHEAD]
    a = judge(tracked, config)
    assert (a.stage, set(a.tolerated)) == (
        "Manual MLOps", {"data.versioned|data.shared-storage", MONITORING})
    # ... and with monitoring shown, the data gap alone is the first tolerance's
    a = judge([*tracked, found("service_metrics_exported", "m.py")], config)
    assert (a.stage, a.tolerated) == ("Manual MLOps", ["data.versioned|data.shared-storage"])
    # near miss: three gaps (the model cell's quorum too: no baseline comparison)
    unquorate = [f for f in tracked if f.detector != "baseline_comparison_present"]
    assert judge(unquorate, config).stage == "DataOps"
    # an answer that settles one of the two gaps: nothing tolerated
    a = judge([*untracked, *TWO_AHEAD], answered(**{"operations_monitoring": "no"}))
    assert (a.stage, a.tolerated) == ("DataOps", [])


def test_the_further_tolerance_is_data_and_the_reports_say_it() -> None:
    manual = next(s for s in CATALOGUE.stages if s.id == "manual-mlops")
    assert manual.tolerance is not None and manual.tolerance.further is not None
    further = manual.tolerance.further
    assert (further.gaps, further.earned_by, further.below_in_full) == (2, 2, False)
    assert manual.tolerance.when("core entries") == (
        "1 gap, when 1 core entry of the next stage is satisfied; 2 gaps when 2 core entries "
        "of the next stage are satisfied and the stage below holds")


def _further_below_in_full() -> Catalogue:
    data = CATALOGUE.model_dump(mode="json")
    for stage in data["stages"]:
        if stage["id"] == "manual-mlops":
            stage["tolerance"]["further"]["below_in_full"] = True
    return Catalogue.model_validate(data)


def test_the_further_tolerance_holds_whatever_the_stage_below_holds_with() -> None:
    # DataOps holds only with its own tolerated gap (no shared data; every core practice of
    # Manual MLOps shown); Manual MLOps holds with that gap and the model cell's quorum (no
    # registry), earned by two core practices of Automated MLOps
    config = Config.model_validate({"attest": {"organization.shared-tooling": {
        "answer": "yes", "by": "lead", "date": "2026-01-01"}}})
    findings = [f for f in MANUAL_BUT_MONITORING
                if f.detector not in ("dvc_tracks_data", "model_registry_used")]
    findings = [*findings, found("service_metrics_exported", "m.py"), *TWO_AHEAD]
    a = judge(findings, config)
    assert a.stage == "Manual MLOps"
    assert set(a.tolerated) == {
        "data.versioned|data.shared-storage",
        "model.baseline-evaluation|model.model-card|model.registry|model.reproducible-training"}
    # near miss: a catalogue whose further tolerance needs the stage below in full
    strict = _further_below_in_full()
    a = evaluate(strict, findings, ALL_DETECTORS, config, Subject(name="t", path="t"), today=TODAY)
    assert (a.stage, a.tolerated) == ("DataOps", ["data.versioned|data.shared-storage"])
    assert strict.stages[2].tolerance is not None
    assert strict.stages[2].tolerance.when("core entries").endswith(
        "2 gaps when 2 core entries of the next stage are satisfied and the stage below holds "
        "in full")


def test_the_further_tolerance_needs_the_stage_below_to_hold_at_all() -> None:
    # three core practices of Automated MLOps, and everything of Manual MLOps but shared data
    # and shared tooling: both gaps are DataOps's own, and DataOps (one gap tolerated) does not
    # hold, so neither does Manual MLOps
    findings = [
        found("code_under_version_control"),
        found("experiment_tracking_used", "train.py"),
        found("baseline_comparison_present", "evaluate.py"),
        found("model_serving_present", "serve.py"),
        found("service_metrics_exported", "m.py"),
        found("prediction_logging_present", "serve.py"),
        *THREE_AHEAD,
    ]
    a = judge(findings, Config())
    assert (a.stage, a.tolerated) == ("Ad hoc", [])
    # near miss: with shared tooling shown, DataOps holds with the data gap and Manual MLOps
    # with it too
    a = judge([*findings, found("dev_environment_defined", "pyproject.toml")], Config())
    assert a.stage == "Manual MLOps"
    assert a.tolerated == ["data.versioned|data.shared-storage"]


def test_only_practices_shown_earn_the_later_stages_tolerance() -> None:
    # not applicable or exempt practices of later stages, or open questions, show nothing of
    # a team past DataOps
    no_data = [f for f in MANUAL_BUT_MONITORING if f.detector != "dvc_tracks_data"]
    attest = {"organization.shared-tooling": {"answer": "yes", "by": "lead", "date": "2026-01-01"}}
    config = Config.model_validate({"attest": attest})
    base = [*no_data, TWO_AHEAD[0]]  # three of all later stages
    assert judge(base, config).stage == "Ad hoc"
    kaizen = ("operations.slos", "deployment.delivery-metrics", "organization.retrospectives")
    na = Config.model_validate({"attest": attest, "not_applicable": {
        pid: {"reason": "a small team"} for pid in kaizen}})
    assert judge(base, na).stage == "Ad hoc"
    # the potential stage does not count open questions as shown either: a repository that
    # shows nothing at all could not be DataOps without version control
    empty = run([])
    assert (empty.stage, empty.potential_stage) == ("Ad hoc", "Ad hoc")


def test_a_catalogue_written_before_the_later_stages_tolerance_keeps_its_fingerprint() -> None:
    data = CATALOGUE.model_dump(mode="json")
    for stage in data["stages"]:
        tol = stage.get("tolerance")
        if tol:
            tol.pop("or_beyond", None)
            if tol.get("further"):
                tol["further"].pop("below_in_full", None)
    bare = Catalogue.model_validate(data)
    for stage in data["stages"]:
        tol = stage.get("tolerance")
        if tol:
            tol["or_beyond"] = None
            if tol.get("further"):
                tol["further"]["below_in_full"] = True
    explicit = Catalogue.model_validate(data)
    assert rule_id(bare) == rule_id(explicit) != rule_id(CATALOGUE)


def test_an_or_beyond_beside_a_tolerance_earned_by_nothing_is_refused() -> None:
    import pytest
    from pydantic import ValidationError

    from mlkaizen.catalogue.schema import Tolerance

    assert Tolerance(gaps=1, earned_by=3, or_beyond=4).or_beyond == 4
    assert Tolerance(gaps=1, earned_by=3, or_beyond=3).or_beyond == 3  # detected only: it differs
    with pytest.raises(ValidationError, match="or_beyond needs a tolerance earned by something"):
        Tolerance(gaps=1, earned_by=0, or_beyond=4)
    assert Tolerance(gaps=1, earned_by=1, or_beyond=2).when("core entries") == (
        "1 gap, when 1 core entry of the next stage is satisfied or 2 of all later stages are "
        "detected")


def test_answers_never_earn_the_later_stages_tolerance() -> None:
    # "yes" to Kaizen practices (SLOs, retrospectives, delivery metrics, a tuned retraining
    # policy) shows nothing the repository does: a repository with no evidence stays Ad hoc
    yes = {pid: {"answer": "yes", "by": "lead", "date": "2026-01-01"} for pid in (
        "data.shared-storage", "organization.shared-tooling", "operations.slos",
        "deployment.delivery-metrics", "organization.retrospectives",
        "model.retraining-policy-tuned")}
    a = run([], Config.model_validate({"attest": yes}))
    assert a.stage == "Ad hoc"


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(DETECTORS), max_size=30))
def test_answering_every_open_question_yes_never_passes_the_potential_stage(
    detectors: list[str],
) -> None:
    findings = [found(d) for d in detectors]
    a = run(findings)
    yes = {p.id: {"answer": "yes", "by": "lead", "date": "2026-01-01"}
           for p in a.practices if p.open_question}
    answered_all = run(findings, Config.model_validate({"attest": yes}))
    assert answered_all.stage_index <= a.potential_stage_index
