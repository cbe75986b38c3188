"""Delivery metrics measured from the MLflow model registry (the primary source), computed
by hand: releases, lead time (linked to git, or a lower bound from the run), versions set
aside and their time to restore, with the near misses of each rule."""

from __future__ import annotations

from mlkaizen.evidence.delivery_metrics import Confidence, Direction, delivery_metrics
from mlkaizen.evidence.facts.live import ChangeKind
from tests.live.delivery_builders import (
    SECOND,
    SINCE,
    UNTIL,
    at,
    commit,
    events,
    facts,
    history,
    metric,
    mlflow,
    run,
    sha,
    tag,
    values,
    version,
)

CI = (ChangeKind.CI,)
DATA = (ChangeKind.DATA_POINTER,)


# ------------------------------------------------------------------ release frequency


def test_frequency_counts_ready_versions_of_the_window_only() -> None:
    ml = mlflow(
        [
            version("m", 1, at(10)),
            version("m", 2, at(40)),
            version("m", 3, at(100)),
            version("m", 4, SINCE - SECOND),  # just before the window
            version("m", 5, UNTIL + SECOND),  # just after it
            version("m", 6, at(50), status="FAILED_REGISTRATION"),  # no release
            version("m", 7, at(60), status="PENDING_REGISTRATION"),
        ]
    )
    m = metric(facts(ml), "release-frequency")
    assert (m.value, m.unit, m.events) == (0.75, "per 30 days", 3)
    assert (m.source, m.confidence) == ("mlflow registry", Confidence.MEDIUM)
    assert m.detail == "3 registry versions created with status READY in a window of 120 days"
    assert values(m) == [1.0, 1.0, 0.0, 1.0]
    assert m.direction == Direction.UNKNOWN  # the later half holds one release only


def test_the_window_holds_both_ends_and_a_boundary_event_belongs_to_the_later_period() -> None:
    ml = mlflow(
        [
            version("m", 1, SINCE),
            version("m", 2, at(30) - SECOND),
            version("m", 3, at(30)),
            version("m", 4, UNTIL),
        ]
    )
    m = metric(facts(ml), "release-frequency")
    assert m.events == 4
    assert events(m) == [2, 1, 0, 1]
    assert [(p.start, p.end) for p in m.trend] == [
        (at(0), at(30)),
        (at(30), at(60)),
        (at(60), at(90)),
        (at(90), at(120)),
    ]


def test_frequency_confidence_follows_the_number_of_releases() -> None:
    eight = mlflow([version("m", i, at(10 * i)) for i in range(1, 9)])
    two = mlflow([version("m", 1, at(10)), version("m", 2, at(20))])
    assert metric(facts(eight), "release-frequency").confidence == Confidence.HIGH
    assert metric(facts(two), "release-frequency").confidence == Confidence.LOW


def test_a_registry_without_release_in_the_window_measures_zero() -> None:
    m = metric(facts(mlflow([version("m", 1, at(-3))])), "release-frequency")
    assert (m.value, m.events, m.confidence) == (0.0, 0, Confidence.NONE)
    assert values(m) == [0.0, 0.0, 0.0, 0.0]
    assert m.direction == Direction.UNKNOWN


def test_without_any_source_nothing_is_measured() -> None:
    result = delivery_metrics(facts())
    assert result.sources == []
    for m in result.metrics:
        assert (m.value, m.source, m.confidence, m.trend) == (None, "", Confidence.NONE, [])
        assert m.detail == "no source read: neither an MLflow model registry nor the git history"


def test_a_server_that_showed_no_model_leaves_the_releases_to_git() -> None:
    hist = history([commit(1, at(5))], tags=[tag("v1", 1, at(6))])
    result = delivery_metrics(facts(mlflow(), hist))
    assert result.sources == ["mlflow runs", "git history"]
    m = result.get("release-frequency")
    assert m is not None
    assert (m.value, m.source, m.confidence) == (0.25, "git history", Confidence.LOW)


# ------------------------------------------------------------------ lead time


def test_lead_time_from_the_first_ml_change_after_the_previous_version() -> None:
    hist = history(
        [
            commit(1, at(1)),
            commit(2, at(3)),  # v1's commit
            commit(3, at(10), (ChangeKind.PARAMS,)),
            commit(4, at(20), CI),  # not an ML change
            commit(5, at(48)),  # v2's commit
        ]
    )
    ml = mlflow(
        [version("m", 1, at(5), run_id="r1"), version("m", 2, at(50), run_id="r2")],
        [run("r1", at(4), sha(2)), run("r2", at(49), sha(5))],
    )
    m = metric(facts(ml, hist), "lead-time")
    # v1 (first version): from c1 (day 1) to day 5 = 96 h; v2: from c3 (day 10) to day 50
    assert (m.value, m.unit, m.events) == (528.0, "hours", 2)
    assert values(m) == [96.0, 960.0, None, None]
    assert (m.source, m.confidence, m.lower_bound) == (
        "mlflow registry + git history",
        Confidence.LOW,
        False,
    )
    assert m.detail == (
        "median from the first ML change to the version's creation; "
        "2 of 2 versions linked to a commit with a new ML change"
    )
    assert m.direction == Direction.UNKNOWN  # no value in the later half


def test_previous_version_without_known_commit_bounds_by_its_creation() -> None:
    hist = history([commit(1, at(5)), commit(3, at(10)), commit(5, at(48))])
    ml = mlflow(
        [version("m", 1, at(5), run_id="gone"), version("m", 2, at(50), run_id="r2")],
        [run("r2", at(49), sha(5))],
    )
    m = metric(facts(ml, hist), "lead-time")
    assert (m.value, m.events) == (960.0, 1)  # c1 (at v1's creation) is not after it
    assert m.detail.endswith("1 of 2 versions linked to a commit with a new ML change")


def test_a_version_on_the_commit_of_the_previous_one_gives_no_lead_time() -> None:
    hist = history([commit(2, at(3)), commit(4, at(48), CI)])
    ml = mlflow(
        [version("m", 1, at(4), run_id="r1"), version("m", 2, at(50), run_id="r2")],
        [run("r1", at(3), sha(2)), run("r2", at(49), sha(4))],
    )
    m = metric(facts(ml, hist), "lead-time")
    # v2's commit changed CI only: no ML change since v1's commit, no lead time
    assert values(m) == [24.0, None, None, None]
    assert (m.value, m.events) == (24.0, 1)
    assert m.detail == (
        "median from the first ML change to the version's creation; "
        "1 of 2 versions linked to a commit with a new ML change; "
        "1 release brought no new ML change since the previous one"
    )


def test_weekly_retrains_on_one_commit_give_one_lead_time() -> None:
    hist = history([commit(1, at(1)), commit(2, at(2))])
    ml = mlflow(
        [version("m", i + 1, at(3 + 7 * i), run_id=f"r{i}") for i in range(8)],
        [run(f"r{i}", at(3 + 7 * i, -1), sha(2)) for i in range(8)],
    )
    m = metric(facts(ml, hist), "lead-time")
    # the first version: from day 1 to day 3; the 7 retrains brought no ML change
    assert (m.value, m.events, m.confidence) == (48.0, 1, Confidence.LOW)
    assert m.detail == (
        "median from the first ML change to the version's creation; "
        "1 of 8 versions linked to a commit with a new ML change; "
        "7 releases brought no new ML change since the previous one"
    )
    # near miss: from v5 on, the retrains run on a new data pointer of day 25
    hist2 = history([commit(1, at(1)), commit(2, at(2)), commit(3, at(25), DATA)])
    runs = [run(f"r{i}", at(3 + 7 * i, -1), sha(2 if i < 4 else 3)) for i in range(8)]
    ml2 = mlflow(ml.versions, runs)
    m2 = metric(facts(ml2, hist2), "lead-time")
    # v1: 48 h; v5 (day 31): from day 25, 144 h
    assert (m2.value, m2.events) == (96.0, 2)
    assert values(m2) == [48.0, 144.0, None, None]
    assert m2.detail.endswith(
        "2 of 8 versions linked to a commit with a new ML change; "
        "6 releases brought no new ML change since the previous one"
    )


def test_no_version_with_a_new_ml_change_measures_nothing() -> None:
    hist = history([commit(1, at(1), CI)])
    ml = mlflow([version("m", 1, at(5), run_id="r1")], [run("r1", at(4), sha(1))])
    m = metric(facts(ml, hist), "lead-time")
    assert (m.value, m.events, m.confidence) == (None, 0, Confidence.NONE)
    assert m.source == "mlflow registry + git history"
    assert m.detail == (
        "no version brought a new ML change; "
        "1 release brought no new ML change since the previous one"
    )


def test_previous_version_is_of_the_same_model() -> None:
    hist = history([commit(1, at(2)), commit(2, at(20)), commit(3, at(30))])
    ml = mlflow(
        [version("a", 1, at(25), run_id="r2"), version("b", 1, at(40), run_id="r3")],
        [run("r2", at(21), sha(2)), run("r3", at(31), sha(3))],
    )
    m = metric(facts(ml, hist), "lead-time")
    # b's first version: every ML change up to its commit, from day 2
    assert values(m) == [23 * 24.0, 38 * 24.0, None, None]


def test_a_run_without_linked_commit_gives_a_lower_bound() -> None:
    ml = mlflow(
        [version("m", 1, at(5), run_id="r1"), version("m", 2, at(50), run_id="r2")],
        [run("r1", at(4), sha(77)), run("r2", at(49, 12))],
    )
    for hist in (None, history([commit(1, at(1))])):  # sha(77) is not in the history
        m = metric(facts(ml, hist), "lead-time")
        assert (m.value, m.events, m.lower_bound) == (18.0, 2, True)
        assert (m.source, m.confidence) == ("mlflow registry + mlflow runs", Confidence.LOW)
        assert m.detail == (
            "a lower bound: median from the run's start to the version's creation; "
            "2 of 2 versions, none linked to a commit of the git history"
        )


def test_a_lower_bound_stays_low_confidence_with_many_versions() -> None:
    ml = mlflow(
        [version("m", i, at(10 * i), run_id=f"r{i}") for i in range(1, 10)],
        [run(f"r{i}", at(10 * i, -2)) for i in range(1, 10)],
    )
    m = metric(facts(ml), "lead-time")
    assert (m.value, m.events, m.confidence) == (2.0, 9, Confidence.LOW)


def test_linked_versions_take_precedence_over_lower_bounds() -> None:
    hist = history([commit(1, at(8))])
    ml = mlflow(
        [version("m", 1, at(10), run_id="r1"), version("m", 2, at(50), run_id="r2")],
        [run("r1", at(9), sha(1)), run("r2", at(49))],
    )
    m = metric(facts(ml, hist), "lead-time")
    assert (m.value, m.events, m.lower_bound) == (48.0, 1, False)
    assert m.detail.endswith("1 of 2 versions linked to a commit with a new ML change")


def test_no_run_read_no_lead_time() -> None:
    ml = mlflow([version("m", 1, at(5)), version("m", 2, at(50), run_id="missing")])
    m = metric(facts(ml), "lead-time")
    assert (m.value, m.events, m.confidence) == (None, 0, Confidence.NONE)
    assert m.detail == "none of the 2 versions has its run among those read"
    one = metric(facts(mlflow([version("m", 1, at(5), run_id="missing")])), "lead-time")
    assert one.detail == "the version has no run among those read"


def test_a_run_started_after_the_version_counts_zero() -> None:
    ml = mlflow([version("m", 1, at(5), run_id="r1")], [run("r1", at(5, 1))])
    assert metric(facts(ml), "lead-time").value == 0.0
