"""The trend of a delivery metric (equal periods, the later half against the earlier),
its confidence, the sources and notes of the metrics, and bad input."""

from __future__ import annotations

import pytest

from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.delivery_events import Obs
from mlkaizen.evidence.delivery_metrics import METRIC_IDS, delivery_metrics
from mlkaizen.evidence.delivery_trend import bounds, confidence_of, direction_of, split
from mlkaizen.evidence.facts.live import LiveFacts, MlflowFacts, Problem
from tests.live.delivery_builders import (
    SECOND,
    SINCE,
    UNTIL,
    at,
    facts,
    history,
    metric,
    mlflow,
    values,
    version,
)


def test_bounds_cut_the_window_in_equal_periods_ending_at_until() -> None:
    assert bounds(SINCE, UNTIL, 3) == [at(0), at(40), at(80), UNTIL]
    assert bounds(SINCE, UNTIL, 1) == [SINCE, UNTIL]


def test_split_puts_a_boundary_event_in_the_later_period_and_until_in_the_last() -> None:
    edges = bounds(SINCE, UNTIL, 4)
    obs = [Obs(at(30) - SECOND), Obs(at(30)), Obs(UNTIL), Obs(SINCE), Obs(UNTIL + SECOND)]
    assert [len(group) for group in split(obs, edges)] == [2, 1, 0, 1]


@pytest.mark.parametrize(
    ("series", "higher_is_better", "expected"),
    [
        ([1.0, 1.0, 0.0, 1.0], True, "worsening"),
        ([10.0, 10.0, 11.0, 11.0], True, "improving"),  # +10 % exactly is a change
        ([10.0, 10.0, 10.9, 10.9], True, "steady"),  # +9 % is not
        ([10.0, 10.0, 11.0, 11.0], False, "worsening"),
        ([10.0, 10.0, 5.0, 5.0], False, "improving"),
        ([2.0, None, 2.1, None], False, "steady"),  # values of each half only
        ([None, None, 5.0, 5.0], False, "unknown"),
        ([4.0, 5.0, None, None], True, "unknown"),
        ([1.0, 100.0, 2.0], True, "improving"),  # an odd middle period is left out
        ([0.0, 0.0, 1.0, 0.0], True, "improving"),  # from 0, any rise
        ([0.0, 0.0, 0.0, 0.0], True, "steady"),
        ([3.0], True, "unknown"),
        ([], True, "unknown"),
    ],
)
def test_direction(series: list[float | None], higher_is_better: bool, expected: str) -> None:
    enough = [2] * len(series)  # each period measured from 2 events
    assert direction_of(series, enough, higher_is_better) == expected


@pytest.mark.parametrize(
    ("series", "counts", "expected"),
    [
        ([1.0, 1.0, 0.0, 1.0], [1, 1, 0, 1], "unknown"),  # the later half: 1 event
        ([1.0, 1.0, 0.0, 2.0], [1, 1, 0, 2], "steady"),  # 2 events each half
        ([5.0, None, 1.0, None], [1, 0, 1, 0], "unknown"),  # one event each half
        ([None, 5.0, 1.0, 1.0], [3, 1, 1, 1], "unknown"),  # events of a period without value
        ([5.0, 5.0, 1.0, 1.0], [1, 1, 1, 1], "worsening"),
        ([2.0, 9.0, 1.0], [2, 0, 2], "worsening"),  # the middle period left out
    ],
)
def test_direction_needs_two_events_in_each_half(
    series: list[float | None], counts: list[int], expected: str
) -> None:
    assert direction_of(series, counts, True) == expected


@pytest.mark.parametrize(
    ("count", "primary", "expected"),
    [
        (0, True, "none"),
        (1, True, "low"),
        (2, True, "low"),
        (3, True, "medium"),
        (7, True, "medium"),
        (8, True, "high"),
        (8, False, "low"),
        (0, False, "none"),
    ],
)
def test_confidence(count: int, primary: bool, expected: str) -> None:
    assert confidence_of(count, primary) == expected


def test_periods_of_another_length_scale_the_frequency() -> None:
    ml = mlflow([version("m", 1, at(1)), version("m", 2, at(39)), version("m", 3, at(100))])
    m = metric(facts(ml), "release-frequency", periods=3)
    assert values(m) == [1.5, 0.0, 0.75]  # events per 30 days of each 40-day period
    assert m.direction == "unknown"  # the later third holds one release only


def test_every_metric_in_order_with_sources_and_notes() -> None:
    budget = Problem(source="mlflow", message="stopped after 200 requests")
    ml = mlflow([version("m", 1, at(1))], problems=[budget])
    hist = history(problems=[Problem(source="git history", message="shallow\nclone")])
    result = delivery_metrics(facts(ml, hist, problems=[budget]))
    assert [m.id for m in result.metrics] == list(METRIC_IDS)
    assert result.sources == ["mlflow registry", "mlflow runs", "git history"]
    assert result.notes == ["mlflow: stopped after 200 requests", "git history: shallow clone"]
    assert (result.since, result.until) == (SINCE, UNTIL)


def test_bad_periods_and_empty_window_are_user_errors() -> None:
    with pytest.raises(MLKaizenError) as bad:
        delivery_metrics(facts(), periods=0)
    assert bad.value.message == "the trend needs 1 period or more, not 0"
    with pytest.raises(MLKaizenError) as empty:
        delivery_metrics(LiveFacts(since=UNTIL, until=UNTIL))
    assert empty.value.message == "the window is empty: its end is not after its start"


def test_an_unreachable_server_is_no_source_read() -> None:
    down = Problem(source="mlflow", message="http://127.0.0.1:9 did not answer")
    unreachable = MlflowFacts(
        server="http://127.0.0.1:9", since=SINCE, until=UNTIL, problems=[down]
    )
    result = delivery_metrics(facts(unreachable, history()))
    assert result.sources == ["git history"]
    assert result.notes == ["mlflow: http://127.0.0.1:9 did not answer"]
    frequency = result.get("release-frequency")
    assert frequency is not None and frequency.source == "git history"
