"""Model change-failure rate and time to restore from the registry, by the shared rule of
the registry facts: a version rolled back is archived while an older version of its model
serves that was promoted back after it existed; a challenger archived without ever serving
is no failure; a model using aliases only shows no rollback at all."""

from __future__ import annotations

from mlkaizen.evidence.delivery_metrics import Confidence, Direction
from mlkaizen.evidence.facts.live import ModelVersion, RegisteredModel
from tests.live.delivery_builders import (
    at,
    commit,
    facts,
    history,
    metric,
    mlflow,
    sha,
    values,
    version,
)

ROLLED_BACK = "archived while an older version, promoted back after it, serves"
ALIASES_ONLY = (
    "the registry uses aliases only; MLflow keeps no history of alias moves, "
    "so a rollback cannot be seen"
)


def test_challengers_archived_without_ever_serving_are_no_failures() -> None:
    ml = mlflow(
        [version("m", 1, at(1), stage="Production", updated=at(2))]
        + [
            version("m", n, at(10 * (n - 1)), stage="Archived", updated=at(10 * (n - 1), 5))
            for n in range(2, 10)
        ]
    )
    cfr = metric(facts(ml), "change-failure-rate")
    assert (cfr.value, cfr.events, cfr.confidence) == (0.0, 9, Confidence.HIGH)
    assert cfr.detail == f"0 of 9 versions rolled back ({ROLLED_BACK})"
    restore = metric(facts(ml), "time-to-restore")
    assert (restore.value, restore.events, restore.detail) == (
        None,
        0,
        "no failure in the window",
    )


def _registry() -> list[ModelVersion]:
    return [
        # m2 rolled back: m1 promoted back on day 45; m3, a challenger, never served
        version("m", 1, at(1), stage="Production", updated=at(45)),
        version("m", 2, at(30), stage="Archived", updated=at(31)),
        version("m", 3, at(100), stage="Archived", updated=at(101)),
        # k1 serves through the model's alias, set again on day 72: k2 rolled back
        version("k", 1, at(-5), updated=at(72)),
        version("k", 2, at(70), stage="Archived"),
        # n1 replaced by a newer serving version: superseded, no failure
        version("n", 1, at(10), stage="Archived", updated=at(11)),
        version("n", 2, at(50), aliases=("champion",)),
        # nothing of z serves
        version("z", 1, at(80), stage="Archived", updated=at(81)),
        # a uses aliases only ("None" is MLflow's word for no stage): not read for rollbacks
        version("a", 1, at(20), aliases=("champion",), updated=at(60)),
        version("a", 2, at(40), stage="None"),
    ]


def _models() -> list[RegisteredModel]:
    return [
        RegisteredModel(name="a"),
        RegisteredModel(name="k", aliases={"prod": "1"}),
        RegisteredModel(name="m"),
        RegisteredModel(name="n"),
        RegisteredModel(name="z"),
    ]


def test_change_failure_rate_counts_versions_rolled_back() -> None:
    ml = mlflow(_registry(), models=_models())
    m = metric(facts(ml), "change-failure-rate")
    assert (m.value, m.unit, m.events) == (28.57, "%", 7)
    assert (m.source, m.confidence) == ("mlflow registry", Confidence.MEDIUM)
    assert m.detail == (
        f"2 of 7 versions rolled back ({ROLLED_BACK}); 2 versions of models using aliases only"
    )
    assert values(m) == [0.0, 50.0, 50.0, 0.0]
    assert m.direction == Direction.STEADY


def test_time_to_restore_ends_when_the_older_version_was_promoted_back() -> None:
    ml = mlflow(_registry(), models=_models())
    m = metric(facts(ml), "time-to-restore")
    # m2: day 30 to m1's promotion on day 45 = 360 h; k2: day 70 to day 72 = 48 h
    assert (m.value, m.unit, m.events) == (204.0, "hours", 2)
    assert values(m) == [None, 360.0, 48.0, None]
    assert (m.source, m.confidence) == ("mlflow registry", Confidence.LOW)
    assert m.detail == (
        "median from a rolled-back version's creation to the older version's promotion "
        "back (its last update); 2 rollbacks"
    )


def test_an_older_version_promoted_before_the_newer_existed_is_no_rollback() -> None:
    ml = mlflow(
        [
            version("m", 1, at(1), stage="Production", updated=at(30)),
            version("m", 2, at(30), stage="Archived", updated=at(31)),  # same instant
            version("m", 3, at(40), stage="Archived", updated=at(41)),
        ]
    )
    assert metric(facts(ml), "change-failure-rate").value == 0.0


def test_a_registry_using_aliases_only_gives_no_failure_reading() -> None:
    ml = mlflow(
        [
            version("a", 1, at(-10)),
            version("a", 2, at(20), stage="None", updated=at(21)),
            version("a", 3, at(40), aliases=("challenger",)),
        ],
        models=[RegisteredModel(name="a", aliases={"champion": "1"})],
    )
    for metric_id in ("change-failure-rate", "time-to-restore"):
        m = metric(facts(ml), metric_id)
        assert (m.value, m.events, m.confidence) == (None, 0, Confidence.NONE)
        assert (m.source, m.detail) == ("mlflow registry", ALIASES_ONLY)
    # with the git history read, the rate is taken from it
    hist = history([commit(1, at(5)), commit(2, at(6), reverts=sha(1)), commit(3, at(7))])
    cfr = metric(facts(ml, hist), "change-failure-rate")
    assert (cfr.value, cfr.source, cfr.confidence) == (50.0, "git history", Confidence.LOW)
    assert cfr.detail == f"1 of 2 ML changes reverted by a revert commit; {ALIASES_ONLY}"
    restore = metric(facts(ml, hist), "time-to-restore")
    assert (restore.value, restore.source) == (24.0, "git history")


def test_an_older_serving_version_of_another_model_is_no_failure() -> None:
    ml = mlflow(
        [
            version("a", 1, at(-10), stage="Production", updated=at(30)),
            version("b", 1, at(20), stage="Archived"),
        ]
    )
    assert metric(facts(ml), "change-failure-rate").value == 0.0


def test_a_failed_registration_is_no_release_and_no_failure() -> None:
    ml = mlflow(
        [
            version("m", 1, at(-10), stage="Production", updated=at(40)),
            version("m", 2, at(20), stage="Archived", status="FAILED_REGISTRATION"),
            version("m", 3, at(30)),
        ]
    )
    m = metric(facts(ml), "change-failure-rate")
    assert (m.value, m.events) == (0.0, 1)


def test_the_git_measure_is_said_in_the_detail() -> None:
    ml = mlflow(
        [
            version("m", 1, at(-10), stage="Production", updated=at(25)),
            version("m", 2, at(20), stage="Archived", updated=at(21)),
        ]
    )
    hist = history([commit(1, at(5)), commit(2, at(6), reverts=sha(1)), commit(3, at(7))])
    m = metric(facts(ml, hist), "change-failure-rate")
    assert (m.value, m.source) == (100.0, "mlflow registry")
    assert m.detail == (
        f"1 of 1 version rolled back ({ROLLED_BACK}); git history: 1 of 2 ML changes reverted"
    )


def test_a_registry_without_release_leaves_failures_to_git() -> None:
    ml = mlflow([version("m", 1, at(-10))])
    hist = history([commit(1, at(5)), commit(2, at(6), reverts=sha(1))])
    m = metric(facts(ml, hist), "change-failure-rate")
    assert (m.value, m.source, m.confidence) == (100.0, "git history", Confidence.LOW)
    assert m.detail == (
        "1 of 1 ML change reverted by a revert commit; "
        "the registry released no version in the window"
    )
    assert metric(facts(ml, hist), "time-to-restore").value == 24.0
    alone = metric(facts(ml), "change-failure-rate")
    assert (alone.value, alone.detail) == (None, "no model version released in the window")
