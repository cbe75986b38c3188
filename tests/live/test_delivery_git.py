"""Delivery metrics measured from the git history (the fallback when no MLflow registry was
read), computed by hand: tags or retraining commits as releases, lead time from the first
ML change after the previous release, reverts of ML changes as failures."""

from __future__ import annotations

from mlkaizen.evidence.delivery_metrics import Confidence, Direction
from mlkaizen.evidence.facts.live import ChangeKind, HistoryFacts
from mlkaizen.evidence.facts.reverts import reverted_changes
from tests.live.delivery_builders import (
    SECOND,
    SINCE,
    UNTIL,
    at,
    commit,
    facts,
    history,
    metric,
    sha,
    tag,
    values,
)

CI = (ChangeKind.CI,)
DATA = (ChangeKind.DATA_POINTER,)


def _tagged() -> HistoryFacts:
    return history(
        [
            commit(1, at(2)),
            commit(2, at(8), (ChangeKind.PARAMS,)),
            commit(3, at(30)),
            commit(4, at(40), CI),
            commit(5, at(65)),
        ],
        tags=[
            tag("v0", 50, at(-5)),  # before the window: only the previous release of v1
            tag("v1", 2, at(10)),
            tag("v2", 5, at(70)),
            tag("latest", 5, at(75)),  # the same commit: the same release
            tag("v3", 99, UNTIL + SECOND),  # just after the window
        ],
    )


def test_tags_of_the_window_are_the_releases() -> None:
    m = metric(facts(hist=_tagged()), "release-frequency")
    assert (m.value, m.events, m.source, m.confidence) == (0.5, 2, "git history", Confidence.LOW)
    assert m.detail == "2 tagged commits in a window of 120 days (MLflow registry not read)"
    assert values(m) == [1.0, 0.0, 1.0, 0.0]
    assert m.direction == Direction.UNKNOWN  # one release in each half is no trend


def test_lead_time_from_the_first_ml_change_after_the_previous_tag() -> None:
    m = metric(facts(hist=_tagged()), "lead-time")
    # v1: from day 2 (after v0) to day 10 = 192 h; v2: from day 30 (after v1) to day 70
    assert values(m) == [192.0, None, 960.0, None]
    assert (m.value, m.events, m.confidence) == (576.0, 2, Confidence.LOW)
    assert m.detail == (
        "median from the first ML change after the previous release to the release; "
        "2 releases (tags)"
    )


def test_without_tag_commits_recording_a_retrained_model_are_the_releases() -> None:
    hist = history(
        [
            commit(1, at(5)),
            commit(2, at(20), (ChangeKind.METRICS,)),
            commit(3, at(30), (ChangeKind.PARAMS,)),
            commit(4, at(60), DATA, paths=("pipelines/dvc.lock",)),
            commit(5, at(70), DATA, paths=("dvc.lock.bak",)),  # not a dvc.lock
            commit(6, at(80), DATA, paths=("notdvc.lock",)),  # nor this
            commit(7, at(90), DATA, paths=("dvc.lock",)),
        ],
        tags=[tag("v0", 1, at(-1))],  # no tag in the window
    )
    freq = metric(facts(hist=hist), "release-frequency")
    assert (freq.value, freq.events) == (0.75, 3)
    assert freq.detail == (
        "3 commits recording a retrained model in a window of 120 days (MLflow registry not read)"
    )
    lead = metric(facts(hist=hist), "lead-time")
    # day 20: from day 5 (360 h); day 60: from day 30 (720 h); day 90: from day 70 (480 h)
    assert (lead.value, lead.events) == (480.0, 3)
    assert values(lead) == [360.0, None, 720.0, 480.0]
    assert lead.detail.endswith("3 releases (retraining commits)")


def test_no_release_in_a_history_that_was_read_measures_zero() -> None:
    m = metric(facts(hist=history([commit(1, at(5))])), "release-frequency")
    assert (m.value, m.events, m.confidence) == (0.0, 0, Confidence.NONE)
    assert m.detail == (
        "0 commits recording a retrained model in a window of 120 days (MLflow registry not read)"
    )


def _reverts() -> HistoryFacts:
    return history(
        [
            commit(1, at(10)),  # reverted after 1 day
            commit(2, at(11), reverts=sha(1)),  # a revert is no change of its own
            commit(3, at(20), (ChangeKind.PARAMS,)),  # reverted after 2 days (abbreviated sha)
            commit(4, at(22), (ChangeKind.PARAMS,), reverts=sha(3)[:7]),
            commit(5, at(30), DATA),  # never reverted
            commit(6, at(35), CI),
            commit(7, at(40), CI, reverts=sha(6)),  # reverts a change that is not ML
            commit(8, at(50), reverts=sha(404)),  # reverts a commit not read
            commit(9, SINCE - SECOND),  # an ML change just before the window
            commit(10, at(60), reverts=sha(9)),
        ]
    )


def test_change_failure_rate_counts_reverted_ml_changes() -> None:
    m = metric(facts(hist=_reverts()), "change-failure-rate")
    assert (m.value, m.events, m.source, m.confidence) == (66.67, 3, "git history", Confidence.LOW)
    assert m.detail == "2 of 3 ML changes reverted by a revert commit"
    assert values(m) == [100.0, 0.0, None, None]
    assert m.direction == Direction.UNKNOWN


def test_time_to_restore_from_change_to_revert() -> None:
    m = metric(facts(hist=_reverts()), "time-to-restore")
    assert (m.value, m.unit, m.events, m.confidence) == (36.0, "hours", 2, Confidence.LOW)
    assert m.detail == "median from an ML change to the commit that reverted it; 2 reverts"
    assert values(m) == [36.0, None, None, None]


def test_no_revert_no_failure() -> None:
    hist = history(
        [commit(1, at(10)), commit(2, at(40), CI), commit(3, at(41), CI, reverts=sha(2))]
    )
    cfr = metric(facts(hist=hist), "change-failure-rate")
    assert (cfr.value, cfr.events, cfr.detail) == (
        0.0,
        1,
        "0 of 1 ML change reverted by a revert commit",
    )
    restore = metric(facts(hist=hist), "time-to-restore")
    assert (restore.value, restore.events, restore.source, restore.confidence) == (
        None,
        0,
        "git history",
        Confidence.NONE,
    )
    assert restore.detail == "no failure in the window"
    assert restore.direction == Direction.UNKNOWN


def test_no_ml_change_no_failure_rate() -> None:
    m = metric(facts(hist=history([commit(1, at(10), CI)])), "change-failure-rate")
    assert (m.value, m.confidence, m.detail) == (
        None,
        Confidence.NONE,
        "no ML change in the window",
    )


def test_a_retraining_commit_is_not_its_own_ml_change() -> None:
    hist = history(
        [
            commit(1, at(5)),
            commit(2, at(20), DATA, paths=("dvc.lock",)),
            commit(3, at(40), DATA, paths=("dvc.lock",)),  # nothing changed since day 20
            commit(4, at(50), CI),
            commit(5, at(60), (ChangeKind.METRICS,)),  # nor since day 40: CI is no ML change
            commit(6, at(70)),
            commit(7, at(80), DATA, paths=("dvc.lock",)),
        ]
    )
    m = metric(facts(hist=hist), "lead-time")
    # day 20: from day 5 (360 h); day 80: from day 70 (240 h)
    assert values(m) == [360.0, None, 240.0, None]
    assert (m.value, m.events) == (300.0, 2)
    assert m.detail == (
        "median from the first ML change after the previous release to the release; "
        "2 releases (retraining commits); "
        "2 releases brought no new ML change since the previous one"
    )


def test_a_tagged_commit_is_an_ml_change_of_its_release() -> None:
    hist = history(
        [commit(1, at(10)), commit(2, at(25), CI)],
        tags=[tag("v1", 1, at(12)), tag("v2", 2, at(30))],
    )
    m = metric(facts(hist=hist), "lead-time")
    # v1 ships the change of day 10; v2 ships no ML change after v1
    assert (m.value, m.events) == (48.0, 1)
    assert m.detail == (
        "median from the first ML change after the previous release to the release; "
        "1 release (tags); 1 release brought no new ML change since the previous one"
    )


def test_reverted_changes_maps_each_reverted_sha_to_its_reverts() -> None:
    hist = history(
        [
            commit(1, at(10)),
            commit(2, at(12), reverts=sha(1)),
            commit(3, at(11), reverts=sha(1)[:8]),  # the same change, reverted again
            commit(4, at(20), (ChangeKind.PARAMS,)),
            commit(5, at(30), reverts=sha(404)),  # a commit not read: named as given
            commit(6, at(31), reverts="abc"),  # too short to match a prefix
        ]
    )
    found = reverted_changes(hist)
    assert {k: [c.sha for c in v] for k, v in found.items()} == {
        sha(1): [sha(3), sha(2)],
        sha(404): [sha(5)],
        "abc": [sha(6)],
    }
    cfr = metric(facts(hist=hist), "change-failure-rate")
    # the change reverted twice is one failure; restored by its first revert (1 day)
    assert (cfr.value, cfr.events) == (50.0, 2)
    assert cfr.detail == "1 of 2 ML changes reverted by a revert commit"
    restore = metric(facts(hist=hist), "time-to-restore")
    assert (restore.value, restore.events) == (24.0, 1)
    assert restore.detail == "median from an ML change to the commit that reverted it; 1 revert"
