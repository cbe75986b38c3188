"""The MLflow source against a server that pages without end: every part (experiments,
runs, registered models, model versions) stops at ``max_items`` facts with one problem
line, so a hostile server cannot make the reading hold millions of objects within its
deadline and request budget."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

from mlkaizen.evidence.delivery_metrics import delivery_metrics
from mlkaizen.evidence.facts.live import LiveFacts, MlflowFacts
from mlkaizen.evidence.sources.mlflow import MlflowOptions, read_mlflow
from tests.live.stubs import Answer, Reply, Request, minimal, serving

UTC = dt.UTC
SINCE = dt.datetime(2025, 1, 1, tzinfo=UTC)
UNTIL = dt.datetime(2025, 7, 1, tzinfo=UTC)
IN_WINDOW = 1740787200000  # 2025-03-01
EXPERIMENTS = "experiments/search"
RUNS = "runs/search"
MODELS = "registered-models/search"
VERSIONS = "model-versions/search"


def endless(key: str, item: Callable[[str], dict[str, object]], per_page: int = 3) -> Answer:
    """Pages of ``per_page`` new items under ``key``, each with a new page token, forever."""
    counter = itertools.count()

    def answer(request: Request) -> Reply:
        del request
        page = next(counter)
        items = [item(f"{page}-{i}") for i in range(per_page)]
        return Reply(body={key: items, "next_page_token": f"t{page}"})

    return answer


def _read(answers: dict[str, Reply | Answer], max_items: int = 10) -> tuple[MlflowFacts, int]:
    with serving(minimal(answers)) as stub:
        facts = read_mlflow(MlflowOptions(stub.url, max_requests=100, max_items=max_items,
                                          parallel=1), SINCE, UNTIL, env={})
    return facts, len(stub.requests)


def test_endless_experiments_stop_at_the_item_limit() -> None:
    facts, _ = _read({EXPERIMENTS: endless(
        "experiments", lambda n: {"experiment_id": n, "name": f"e{n}"}),
        RUNS: Reply(body={})})
    assert len(facts.experiments) == 10 and not facts.complete
    assert [p.message for p in facts.problems] == [
        "experiments: limit max_items=10 reached: the rest is not read"]
    assert facts.models != []  # the other parts are still read


def test_endless_runs_stop_at_the_item_limit() -> None:
    facts, requests = _read({RUNS: endless("runs", lambda n: {"info": {
        "run_id": f"r{n}", "experiment_id": "1", "start_time": IN_WINDOW}})})
    assert len(facts.runs) == 10 and not facts.complete
    assert [p.message for p in facts.problems] == [
        "runs: limit max_items=10 reached: the rest is not read"]
    assert requests == 1 + 4 + 1 + 1  # experiments, 4 pages of runs, models, versions


def test_endless_registered_models_stop_at_the_item_limit() -> None:
    facts, _ = _read({MODELS: endless("registered_models", lambda n: {"name": f"m{n}"}),
                      VERSIONS: Reply(body={})})
    assert len(facts.models) == 10 and not facts.complete
    assert [p.message for p in facts.problems] == [
        "registered models: limit max_items=10 reached: the rest is not read"]


def test_endless_model_versions_stop_at_the_item_limit() -> None:
    facts, requests = _read({VERSIONS: endless("model_versions", lambda n: {
        "name": "churn", "version": n, "creation_timestamp": IN_WINDOW})})
    assert len(facts.versions) == 10 and not facts.complete
    assert [p.message for p in facts.problems] == [
        "model versions: limit max_items=10 reached: the rest is not read"]
    assert requests == 1 + 1 + 1 + 4


def test_exactly_the_limit_is_no_problem() -> None:
    pages = iter([{"experiments": [{"experiment_id": "1", "name": "a"},
                                   {"experiment_id": "2", "name": "b"}],
                   "next_page_token": "t"},
                  {"experiments": [{"experiment_id": "2", "name": "b"}]}])
    facts, _ = _read({EXPERIMENTS: lambda request: Reply(body=next(pages)),
                      RUNS: Reply(body={})}, max_items=2)
    assert [e.id for e in facts.experiments] == ["1", "2"]
    assert facts.complete and facts.problems == []


def test_versions_past_the_limit_leave_the_next_models_unread() -> None:
    def versions(request: Request) -> Reply:
        name = "a" if "'a'" in request.query["filter"][0] else "b"
        return Reply(body={"model_versions": [
            {"name": name, "version": str(v), "creation_timestamp": IN_WINDOW}
            for v in (1, 2)]})

    facts, requests = _read({MODELS: Reply(body={"registered_models": [
        {"name": "a"}, {"name": "b"}]}), VERSIONS: versions}, max_items=2)
    assert [v.uri for v in facts.versions] == ["models:/a/1", "models:/a/2"]
    assert [p.message for p in facts.problems] == [
        "model versions: limit max_items=2 reached: the rest is not read"]
    assert requests == 1 + 1 + 1 + 1  # model b's versions are never asked for


def test_a_model_with_very_many_aliases_is_read_in_one_pass() -> None:
    """200,000 aliases and 5,000 versions: the aliases are grouped by version once, not
    searched for each version (which took minutes)."""
    aliases = [{"alias": f"a{i}", "version": "2"} for i in range(200_000)]
    aliases.append({"alias": "champion", "version": "1"})
    model = {"registered_models": [{"name": "churn", "aliases": aliases}]}
    versions = {"model_versions": [{"name": "churn", "version": str(v),
                                    "creation_timestamp": IN_WINDOW} for v in range(5_000)]}
    with serving(minimal({MODELS: Reply(body=model), VERSIONS: Reply(body=versions)})) as stub:
        facts = read_mlflow(MlflowOptions(stub.url), SINCE, UNTIL, env={})
    assert facts.problems == [] and len(facts.versions) == 5_000
    by_number = {v.version: v.aliases for v in facts.versions}
    assert by_number["1"] == ("champion",) and len(by_number["2"]) == 200_000
    assert by_number["3"] == ()


def test_digits_python_cannot_read_as_a_number_are_not_numbers() -> None:
    """``'²'.isdigit()`` is true but ``int('²')`` fails: a time or a version number of such
    characters is no number (a time left out, a version ordered by its text), never a
    crash."""
    experiments = {"experiments": [{"experiment_id": "1", "name": "churn",
                                    "creation_time": "\u00b2", "last_update_time": "1\u00b9"}]}
    versions = {"model_versions": [
        {"name": "churn", "version": v, "creation_timestamp": IN_WINDOW, "status": "READY"}
        for v in ("1", "\u00b2", "\u0663")]}
    facts, _ = _read({EXPERIMENTS: Reply(body=experiments), VERSIONS: Reply(body=versions)})
    assert [(e.id, e.created, e.updated) for e in facts.experiments] == [("1", None, None)]
    assert sorted(v.version for v in facts.versions) == ["1", "\u00b2", "\u0663"]
    measured = delivery_metrics(LiveFacts(since=SINCE, until=UNTIL, mlflow=facts))
    frequency = measured.metrics[0]
    # 3 versions in the 122 days since the model was registered (2025-03-01)
    assert (frequency.name, frequency.value) == ("Model release frequency", 0.74)
