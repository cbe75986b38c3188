"""Live facts -> findings: what an MLflow server and git history show, stated as the
detectors' facts, with the object that shows it; near misses show nothing."""

from __future__ import annotations

import datetime as dt

from mlkaizen.evidence.detectors import REGISTRY
from mlkaizen.evidence.detectors.live import LIVE_FACTS, live_findings
from mlkaizen.evidence.facts.live import (
    ChangeKind,
    Commit,
    Experiment,
    HistoryFacts,
    LiveFacts,
    MlflowFacts,
    ModelVersion,
    RegisteredModel,
    Run,
)
from mlkaizen.evidence.findings import Finding, Outcome

UNTIL = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
SINCE = UNTIL - dt.timedelta(days=180)


def day(n: int) -> dt.datetime:
    """``n`` days before the end of the window."""
    return UNTIL - dt.timedelta(days=n)


def mlflow(**kw: object) -> MlflowFacts:
    return MlflowFacts(server="https://mlflow.example.org", since=SINCE, until=UNTIL, **kw)  # type: ignore[arg-type]


def history(commits: list[Commit]) -> HistoryFacts:
    return HistoryFacts(repository="churn", head="f" * 40, since=SINCE, until=UNTIL,
                        commits_total=len(commits), commits=commits)


def commit(sha: str, n: int, kinds: set[ChangeKind], *, author: str = "Ann",
           automation: bool = False, subject: str = "change", reverts: str | None = None) -> Commit:
    return Commit(sha=sha * 40, committed=day(n), authored=day(n), author=author,
                  kinds=frozenset(kinds), automation=automation, subject=subject,
                  reverts=reverts * 40 if reverts else None)


def found(facts: LiveFacts) -> list[tuple[str, Outcome, str | None]]:
    return [(f.detector, f.outcome, f.values.get("object")) for f in live_findings(facts)]


def live(m: MlflowFacts | None = None, h: HistoryFacts | None = None) -> LiveFacts:
    return LiveFacts(since=SINCE, until=UNTIL, mlflow=m, history=h)


def test_every_live_fact_is_a_registered_detector() -> None:
    assert set(LIVE_FACTS) <= set(REGISTRY)


def test_runs_and_registered_versions_show_tracking_and_registry_naming_the_objects() -> None:
    runs = [
        Run(id=f"r{i}", experiment_id="1", start=day(10 + i), user="ann", params=3, metrics=2,
            git_commit="abcdef1234")
        for i in range(3)
    ]
    versions = [
        ModelVersion(model="churn", version="1", created=day(40), run_id="r2"),
        ModelVersion(model="churn", version="2", created=day(5), run_id="r0"),
    ]
    facts = live(mlflow(experiments=[Experiment(id="1", name="churn-training")], runs=runs,
                        models=[RegisteredModel(name="churn")], versions=versions))
    out = live_findings(facts)
    assert [(f.detector, f.outcome, f.values["object"]) for f in out] == [
        ("experiment_tracking_used", Outcome.FOUND, "runs:/r0"),
        ("model_registry_used", Outcome.FOUND, "models:/churn/2"),
        ("shared_tracking_server", Outcome.FOUND, "https://mlflow.example.org"),
    ]
    assert out[0].detail == (
        "mlflow: 3 runs in experiment 'churn-training' by 1 person since 2026-06-04 "
        "(3 with params or metrics logged), the last on 2026-11-21"
    )
    assert out[1].detail == (
        "mlflow: model 'churn' has 2 versions, 2 registered since 2026-06-04; the newest, 2, "
        "on 2026-11-26 from run r0, commit abcdef1"
    )
    assert out[2].detail == (
        "mlflow: 3 runs of 1 person since 2026-06-04 went to the tracking server")
    assert all(f.values["source"] == "mlflow" and f.file is None for f in out)


def test_runs_that_log_nothing_are_partial_tracking() -> None:
    runs = [Run(id="r1", experiment_id="7", start=day(3))]
    assert found(live(mlflow(runs=runs))) == [
        ("experiment_tracking_used", Outcome.PARTIAL, "runs:/r1"),
        ("shared_tracking_server", Outcome.FOUND, "https://mlflow.example.org"),
    ]


def test_an_empty_server_shows_nothing() -> None:
    assert found(live(mlflow(experiments=[Experiment(id="0", name="Default")]))) == []


def test_champion_and_challenger_aliases_on_two_versions() -> None:
    m = mlflow(models=[RegisteredModel(name="churn",
                                       aliases={"champion": "3", "challenger": "4"})],
               versions=[ModelVersion(model="churn", version="3", created=day(20)),
                         ModelVersion(model="churn", version="4", created=day(2))])
    assert ("champion_challenger_present", Outcome.FOUND, "models:/churn@challenger") in found(
        live(m))


def test_near_misses_of_champion_challenger() -> None:
    same = mlflow(models=[RegisteredModel(name="churn",
                                          aliases={"champion": "3", "challenger": "3"})],
                  versions=[ModelVersion(model="churn", version="3", created=day(20))])
    alone = mlflow(models=[RegisteredModel(name="churn", aliases={"champion": "3"})],
                   versions=[ModelVersion(model="churn", version="3", created=day(20))])
    other = mlflow(models=[RegisteredModel(name="churn", aliases={"latest": "3", "best": "2"})],
                   versions=[ModelVersion(model="churn", version="3", created=day(20))])
    for facts in (same, alone, other):
        assert not [f for f in found(live(facts)) if f[0] == "champion_challenger_present"]


def test_staging_beside_production_is_a_partial_challenger() -> None:
    m = mlflow(models=[RegisteredModel(name="churn")],
               versions=[ModelVersion(model="churn", version="1", created=day(90),
                                      stage="Production"),
                         ModelVersion(model="churn", version="2", created=day(9),
                                      stage="Staging")])
    assert ("champion_challenger_present", Outcome.PARTIAL, "models:/churn/2") in found(live(m))


def test_a_newer_version_archived_for_an_older_one_promoted_back_is_a_rollback() -> None:
    m = mlflow(models=[RegisteredModel(name="churn")],
               versions=[ModelVersion(model="churn", version="1", created=day(90),
                                      updated=day(8), stage="Production"),
                         ModelVersion(model="churn", version="2", created=day(9),
                                      updated=day(8), stage="Archived")])
    out = live_findings(live(m))
    assert [(f.detector, f.outcome, f.values["object"]) for f in out] == [
        ("model_registry_used", Outcome.FOUND, "models:/churn/2"),
        ("rollback_supported", Outcome.PARTIAL, "models:/churn/2")]
    assert out[1].detail == (
        "mlflow: model 'churn': version 2 was archived and version 1, older, promoted back "
        "on 2026-11-23")


def test_near_misses_of_a_registry_rollback() -> None:
    def rollbacks(*versions: ModelVersion, aliases: dict[str, str] | None = None) -> list[str]:
        m = mlflow(models=[RegisteredModel(name="churn", aliases=aliases or {})],
                   versions=list(versions))
        return [f.values["object"] for f in live_findings(live(m))
                if f.detector == "rollback_supported"]

    # a challenger archived without ever serving: v1 was last changed before v2 existed
    assert rollbacks(
        ModelVersion(model="churn", version="1", created=day(90), updated=day(80),
                     stage="Production"),
        ModelVersion(model="churn", version="2", created=day(9), updated=day(8),
                     stage="Archived")) == []
    # the archived version is older than the serving one: retired, not rolled back
    assert rollbacks(
        ModelVersion(model="churn", version="1", created=day(90), updated=day(5),
                     stage="Archived"),
        ModelVersion(model="churn", version="2", created=day(9), updated=day(5),
                     stage="Production")) == []
    # aliases only: an alias moved back leaves no trace, so nothing is read
    assert rollbacks(
        ModelVersion(model="churn", version="1", created=day(90), updated=day(2),
                     aliases=("champion",)),
        ModelVersion(model="churn", version="2", created=day(9), updated=day(8)),
        aliases={"champion": "1"}) == []


def test_automation_committing_data_locks_at_a_steady_pace_is_a_schedule_that_fired() -> None:
    bot = "github-actions[bot]"
    h = history([
        commit("c", 1, {ChangeKind.DATA_POINTER, ChangeKind.METRICS}, author=bot, automation=True),
        commit("b", 8, {ChangeKind.DATA_POINTER}, author=bot, automation=True),
        commit("a", 16, {ChangeKind.METRICS}, author=bot, automation=True),
    ])
    out = live_findings(live(h=h))
    assert [(f.detector, f.outcome, f.values["object"]) for f in out] == [
        ("training_scheduled", Outcome.FOUND, "commit:ccccccc")]
    assert out[0].detail == (
        "git history: 3 commits by github-actions[bot] updated data locks or metrics since "
        "2026-06-04, the last on 2026-11-30, about every 8 days"
    )


def test_near_misses_of_a_schedule_that_fired() -> None:
    def scheduled(commits: list[Commit]) -> list[tuple[str, Outcome, str | None]]:
        return found(live(h=history(commits)))

    bot = {"author": "cml", "automation": True}
    # two runs, or runs at no steady pace (pushes): partly
    assert scheduled([commit("b", 1, {ChangeKind.METRICS}, **bot),  # type: ignore[arg-type]
                      commit("a", 9, {ChangeKind.METRICS}, **bot)]) == [  # type: ignore[arg-type]
        ("training_scheduled", Outcome.PARTIAL, "commit:bbbbbbb")]
    bursts = [commit(x, n, {ChangeKind.DATA_POINTER}, **bot)  # type: ignore[arg-type]
              for x, n in (("d", 1), ("c", 2), ("b", 3), ("a", 60))]
    out = live_findings(live(h=history(bursts)))
    assert [(f.outcome, f.detail.endswith("(at no steady pace: a schedule or pushes may have "
                                          "made them)")) for f in out] == [(Outcome.PARTIAL, True)]
    # people, or automation changing code and CI only: nothing
    assert scheduled([commit("b", 1, {ChangeKind.DATA_POINTER}),
                      commit("c", 2, {ChangeKind.DATA_POINTER})]) == []
    assert scheduled([commit("d", 1, {ChangeKind.TRAINING_CODE}, automation=True),
                      commit("e", 2, {ChangeKind.CI}, automation=True)]) == []


def test_a_reverted_model_change_is_a_rollback_and_a_reverted_readme_is_not() -> None:
    h = history([commit("r", 1, set(), subject='Revert "Retrain"', reverts="m"),
                 commit("m", 3, {ChangeKind.PARAMS}, subject="Retrain")])
    assert found(live(h=h)) == [("rollback_supported", Outcome.PARTIAL, "commit:rrrrrrr")]
    docs = history([commit("r", 1, set(), subject='Revert "Docs"', reverts="d"),
                    commit("d", 3, {ChangeKind.CI}, subject="Docs")])
    assert found(live(h=docs)) == []


def test_retraining_policy_revised_from_monitoring_or_only_partly() -> None:
    with_monitoring = history([commit("t", 2, {ChangeKind.THRESHOLD, ChangeKind.MONITORING},
                                      subject="Tighten drift threshold")])
    assert found(live(h=with_monitoring)) == [
        ("retraining_policy_revised", Outcome.FOUND, "commit:ttttttt")]
    said = history([commit("s", 2, {ChangeKind.SCHEDULE, ChangeKind.CI},
                           subject="Retrain weekly: staleness showed daily was wasteful")])
    assert found(live(h=said)) == [("retraining_policy_revised", Outcome.FOUND, "commit:sssssss")]
    renamed = history([commit("t", 2, {ChangeKind.THRESHOLD, ChangeKind.MONITORING},
                              subject="refactor: re-renamed files")])
    assert found(live(h=renamed)) == [
        ("retraining_policy_revised", Outcome.PARTIAL, "commit:ttttttt")]
    plain = history([commit("s", 2, {ChangeKind.SCHEDULE, ChangeKind.CI}, subject="cron")])
    assert found(live(h=plain)) == [
        ("retraining_policy_revised", Outcome.PARTIAL, "commit:sssssss")]
    assert found(live(h=history([commit("c", 2, {ChangeKind.CI}, subject="drift")]))) == []


def test_findings_never_name_a_file() -> None:
    h = history([commit("t", 2, {ChangeKind.THRESHOLD}, subject="x")])
    out: list[Finding] = live_findings(live(h=h))
    assert out and all(f.file is None and f.line is None for f in out)


def test_the_engine_credits_live_findings_with_their_object_and_source() -> None:
    from mlkaizen.engine.model import Source, State
    from tests.engine.helpers import run

    h = history([commit("s", 2, {ChangeKind.SCHEDULE, ChangeKind.CI}, subject="cron")])
    m = mlflow(models=[RegisteredModel(name="churn")],
               versions=[ModelVersion(model="churn", version="2", created=day(5))])
    a = run(live_findings(live(m, h)))
    registry = next(p for p in a.practices if p.id == "model.registry")
    assert (registry.state, registry.source) == (State.MET, Source.DETECTED)
    assert [(e.object, e.origin, e.file) for e in registry.evidence] == [
        ("models:/churn/2", "mlflow", None)]
    policy = next(p for p in a.practices if p.id == "model.retraining-policy-tuned")
    assert (policy.state, policy.open_question) == (State.PARTIAL, True)
    assert policy.evidence[0].object == "commit:sssssss"
    # without live evidence the practice stays the question it was
    plain = next(p for p in run([]).practices if p.id == "model.retraining-policy-tuned")
    assert (plain.state, plain.note) == (
        State.UNKNOWN, "not visible in the repository; answer the question")


def test_a_question_confirmed_by_live_evidence_says_where_it_was_found() -> None:
    from tests.engine.helpers import run

    m = mlflow(models=[RegisteredModel(name="churn")],
               versions=[ModelVersion(model="churn", version="2", created=day(5))])
    h = history([commit("r", 1, set(), subject='Revert "Retrain"', reverts="m"),
                 commit("m", 3, {ChangeKind.PARAMS}, subject="Retrain")])
    asked = {q.practice: q.question for q in run(live_findings(live(m, h))).questions}
    assert asked["model.model-card"].startswith(
        "Found on the MLflow server: model 'churn' has 1 version, ")
    assert asked["deployment.rollback"].startswith(
        "Found in the git history: 1 model or data change reverted since 2026-06-04")


def test_a_change_reverted_twice_or_by_an_abbreviated_sha_is_one_rollback() -> None:
    tuned = commit("m", 9, {ChangeKind.PARAMS}, subject="Retrain")
    twice = history([
        Commit(sha="b" * 40, committed=day(1), authored=day(1), author="Ann",
               subject='Revert "Retrain" (on the release branch)', reverts=tuned.sha[:10]),
        commit("r", 2, set(), subject='Revert "Retrain"', reverts="m"),
        tuned,
    ])
    out = live_findings(live(h=twice))
    assert [(f.detector, f.values["object"]) for f in out] == [
        ("rollback_supported", "commit:rrrrrrr")]
    assert out[0].detail.startswith("git history: 1 model or data change reverted since ")
