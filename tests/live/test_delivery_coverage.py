"""What the sources cover: a source that begins inside the window is measured from there,
a source read in part lowers the confidence of the metrics from it, the registry is said
not read or empty, and a run is looked up without a scan per version."""

from __future__ import annotations

from collections.abc import Iterator

from mlkaizen.evidence.delivery_metrics import Confidence, Direction, delivery_metrics
from mlkaizen.evidence.facts.live import MlflowFacts, Problem, RegisteredModel, Run
from tests.live.delivery_builders import (
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

PARTLY = (
    "the {} was read in part (the reading was cut short): the metrics from it have "
    "low confidence at most"
)


def test_a_history_beginning_inside_the_window_is_measured_from_there() -> None:
    hist = history([commit(1, at(112))], tags=[tag("v1", 1, at(113))], begins=at(111))
    result = delivery_metrics(facts(hist=hist))
    m = result.get("release-frequency")
    assert m is not None
    # one release in the 9 days the history covers, not in 120 days
    assert (m.value, m.events) == (3.33, 1)
    assert values(m) == [None, None, None, 3.33]
    assert m.direction == Direction.UNKNOWN
    assert m.detail == (
        "1 tagged commit in the last 9 days of a window of 120 days, since the git history "
        "begins (MLflow registry not read)"
    )
    assert result.notes == ["the git history begins on 2026-04-22: measured from there"]


def test_a_period_the_history_covers_in_part_divides_by_its_covered_days() -> None:
    hist = history(
        [commit(n, at(d)) for n, d in ((1, 76), (2, 80), (3, 100), (4, 110))],
        tags=[tag(f"v{n}", n, at(d)) for n, d in ((1, 76), (2, 80), (3, 100), (4, 110))],
        begins=at(75),
    )
    m = metric(facts(hist=hist), "release-frequency")
    # 4 releases in 45 days; 2 in the 15 days of period 3, 2 in period 4's 30 days
    assert (m.value, values(m), events(m)) == (2.67, [None, None, 4.0, 2.0], [0, 0, 2, 2])
    assert m.direction == Direction.UNKNOWN  # the earlier half has no value


def test_a_history_beginning_at_or_before_the_window_covers_it() -> None:
    for begins in (SINCE, at(-3), None):
        hist = history([commit(1, at(112))], tags=[tag("v1", 1, at(113))], begins=begins)
        result = delivery_metrics(facts(hist=hist))
        m = result.get("release-frequency")
        assert m is not None and (m.value, values(m)) == (0.25, [0.0, 0.0, 0.0, 1.0])
        assert result.notes == []


def test_a_registry_beginning_inside_the_window_is_measured_from_there() -> None:
    ml = mlflow(
        [version("m", 1, at(101)), version("m", 2, at(110))],
        models=[
            RegisteredModel(name="m", created=at(100)),
            RegisteredModel(name="n", created=at(105)),
        ],
    )
    result = delivery_metrics(facts(ml))
    m = result.get("release-frequency")
    assert m is not None
    assert (m.value, values(m)) == (3.0, [None, None, None, 3.0])
    assert m.detail == (
        "2 registry versions created with status READY in the last 20 days of a window of "
        "120 days, since the registry begins"
    )
    assert result.notes == [
        "the MLflow registry begins on 2026-04-11 (its first registered model): measured from there"
    ]
    # near misses: a model created before the window, or at an unknown time
    for created in (at(-1), None):
        models = [
            RegisteredModel(name="m", created=at(100)),
            RegisteredModel(name="n", created=created),
        ]
        other = delivery_metrics(facts(mlflow(ml.versions, models=models)))
        freq = other.get("release-frequency")
        assert freq is not None and (freq.value, other.notes) == (0.5, [])


def test_a_source_read_in_part_gives_low_confidence_at_most() -> None:
    versions = [version("m", i, at(10 * i), run_id=f"r{i}") for i in range(1, 9)]
    runs = [run(f"r{i}", at(10 * i, -1), sha(i)) for i in range(1, 9)]
    commits = [commit(i, at(10 * i, -2)) for i in range(1, 9)]
    whole = delivery_metrics(facts(mlflow(versions, runs), history(commits)))
    assert [m.confidence for m in whole.metrics][:2] == [Confidence.HIGH, Confidence.HIGH]
    cut_git = delivery_metrics(facts(mlflow(versions, runs), history(commits, complete=False)))
    assert [m.confidence for m in cut_git.metrics][:2] == [Confidence.HIGH, Confidence.LOW]
    assert cut_git.notes == [PARTLY.format("git history")]
    cut_ml = delivery_metrics(
        facts(mlflow(versions, runs, complete=False), history(commits, complete=False))
    )
    assert [m.confidence for m in cut_ml.metrics][:2] == [Confidence.LOW, Confidence.LOW]
    assert cut_ml.notes == [PARTLY.format("MLflow server"), PARTLY.format("git history")]
    # no event: confidence none, read in full or not
    empty = metric(facts(mlflow([version("m", 1, at(-1))], complete=False)), "release-frequency")
    assert empty.confidence == Confidence.NONE


def test_the_git_fallback_says_why_the_registry_is_no_source() -> None:
    hist = history([commit(1, at(5))], tags=[tag("v1", 1, at(6))])
    down = MlflowFacts(
        server="http://127.0.0.1:9",
        since=SINCE,
        until=UNTIL,
        problems=[Problem(source="mlflow", message="http://127.0.0.1:9 did not answer")],
    )
    cases = [
        (None, "MLflow registry not read"),
        (down, "MLflow registry not read"),
        (mlflow(), "the MLflow server shows no registered model"),
        (mlflow(complete=False), "MLflow registry not read in full: the reading was cut short"),
    ]
    for ml, why in cases:
        m = metric(facts(ml, hist), "release-frequency")
        assert m.detail == f"1 tagged commit in a window of 120 days ({why})"


class _CountingList(list[Run]):
    """A list of runs that counts how often it is walked through."""

    walks = 0

    def __iter__(self) -> Iterator[Run]:
        type(self).walks += 1
        return super().__iter__()


def test_a_run_is_looked_up_in_an_index_built_once() -> None:
    runs = _CountingList([run("a", at(1)), run("b", at(2)), run("a", at(3))])
    ml = MlflowFacts.model_construct(
        server="http://127.0.0.1:5000", since=SINCE, until=UNTIL, runs=runs
    )
    _CountingList.walks = 0
    found = [ml.run(i) for i in ("a", "b", "x", None) * 50]
    assert _CountingList.walks == 1
    assert [r.start if r else None for r in found[:4]] == [at(1), at(2), None, None]
    # facts compare by their fields alone, index built or not
    built, fresh = mlflow(runs=[run("a", at(1))]), mlflow(runs=[run("a", at(1))])
    assert built.run("a") is not None and built == fresh
    other = built.model_copy(update={"runs": [run("c", at(4))]})
    assert (other.run("a"), other.run("c")) == (None, run("c", at(4)))
