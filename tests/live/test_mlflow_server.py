"""The MLflow source against a real MLflow server filled through MLflow's own client: the
facts are exactly what was created, over the window, page after page, within budgets."""

from __future__ import annotations

import datetime as dt
import uuid

from mlkaizen.evidence.facts.live import (
    Experiment,
    MlflowFacts,
    ModelVersion,
    Problem,
    RegisteredModel,
    Run,
)
from mlkaizen.evidence.sources.mlflow import MlflowOptions, read_mlflow
from tests.live import mlflowfill as fill
from tests.live.conftest import MlflowServer

UTC = dt.UTC
SINCE = dt.datetime(2025, 1, 1, tzinfo=UTC)
UNTIL = dt.datetime(2025, 7, 1, tzinfo=UTC)
MS = dt.timedelta(milliseconds=1)


def _name(what: str) -> str:
    return f"{what}-{uuid.uuid4().hex[:8]}"


def _read(server: MlflowServer, **options: object) -> MlflowFacts:
    return read_mlflow(MlflowOptions(server.url, **options),  # type: ignore[arg-type]
                       SINCE, UNTIL, env={})


def test_the_facts_are_what_was_created(mlflow_server: MlflowServer) -> None:
    mlflow = fill.client(mlflow_server.url)
    exp_name = _name("churn")
    exp = fill.experiment(mlflow, exp_name)
    fill.set_experiment_times(mlflow_server.db, exp, dt.datetime(2024, 5, 1, tzinfo=UTC),
                              dt.datetime(2025, 2, 1, tzinfo=UTC))
    t1 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    t2 = dt.datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
    r1 = fill.run(mlflow, exp, t1, end=t1 + dt.timedelta(minutes=5),
                  params={"lr": "0.1", "depth": "4", "seed": "7"},
                  metrics={"auc": [0.8, 0.85], "loss": [0.3]}, commit="a" * 40)
    r2 = fill.run(mlflow, exp, t2, end=t2 + dt.timedelta(minutes=1), status="FAILED",
                  user="bob")
    r3 = fill.run(mlflow, exp, t2 + dt.timedelta(days=1), status="RUNNING")
    name = _name("churn-model")
    assert fill.model(mlflow, name, [r1, r2, r3], aliases={"champion": 2, "challenger": 3},
                      stages={1: "Archived", 2: "Production", 3: "Staging"}
                      ) == ["1", "2", "3"]
    day = dt.datetime(2025, 3, 2, tzinfo=UTC)
    fill.set_times(mlflow_server.db, name, day, day + dt.timedelta(days=30),
                   {1: (day, day + dt.timedelta(days=1)),
                    2: (day + dt.timedelta(days=2), day + dt.timedelta(days=3)),
                    3: (day + dt.timedelta(days=4), day + dt.timedelta(days=5))})

    facts = _read(mlflow_server)

    assert facts.problems == [] and facts.complete
    assert facts.server == mlflow_server.url
    assert [e for e in facts.experiments if e.id == exp] == [Experiment(
        id=exp, name=exp_name, created=dt.datetime(2024, 5, 1, tzinfo=UTC),
        updated=dt.datetime(2025, 2, 1, tzinfo=UTC))]
    mine = sorted((r for r in facts.runs if r.experiment_id == exp), key=lambda r: r.start)
    assert mine == [
        Run(id=r1, experiment_id=exp, start=t1, end=t1 + dt.timedelta(minutes=5),
            status="FINISHED", user="alice", params=3, metrics=2, git_commit="a" * 40),
        Run(id=r2, experiment_id=exp, start=t2, end=t2 + dt.timedelta(minutes=1),
            status="FAILED", user="bob"),
        Run(id=r3, experiment_id=exp, start=t2 + dt.timedelta(days=1), status="RUNNING",
            user="alice"),
    ]
    assert facts.run(r1) == mine[0] and facts.run("nope") is None and facts.run(None) is None
    assert [m for m in facts.models if m.name == name] == [RegisteredModel(
        name=name, created=day, updated=day + dt.timedelta(days=30),
        aliases={"champion": "2", "challenger": "3"})]
    assert [v for v in facts.versions if v.model == name] == [
        ModelVersion(model=name, version="1", created=day, updated=day + dt.timedelta(days=1),
                     stage="Archived", run_id=r1),
        ModelVersion(model=name, version="2", created=day + dt.timedelta(days=2),
                     updated=day + dt.timedelta(days=3), stage="Production",
                     aliases=("champion",), run_id=r2),
        ModelVersion(model=name, version="3", created=day + dt.timedelta(days=4),
                     updated=day + dt.timedelta(days=5), stage="Staging",
                     aliases=("challenger",), run_id=r3),
    ]


def test_only_runs_started_in_the_window_are_read(mlflow_server: MlflowServer) -> None:
    mlflow = fill.client(mlflow_server.url)
    exp = fill.experiment(mlflow, _name("window"))
    starts = {"before": SINCE - MS, "first": SINCE, "last": UNTIL, "after": UNTIL + MS,
              "long-before": SINCE - dt.timedelta(days=400)}
    ids = {k: fill.run(mlflow, exp, t) for k, t in starts.items()}

    facts = _read(mlflow_server)

    assert sorted(r.id for r in facts.runs if r.experiment_id == exp) == sorted(
        [ids["first"], ids["last"]])
    assert facts.run(ids["before"]) is None and facts.run(ids["after"]) is None


def test_a_window_with_microseconds_rounds_inwards(mlflow_server: MlflowServer) -> None:
    mlflow = fill.client(mlflow_server.url)
    exp = fill.experiment(mlflow, _name("micro"))
    at = dt.datetime(2025, 3, 1, 0, 0, 0, 5000, tzinfo=UTC)  # .005 s
    rid = fill.run(mlflow, exp, at)
    inside = read_mlflow(MlflowOptions(mlflow_server.url), at - dt.timedelta(microseconds=1),
                         at + dt.timedelta(microseconds=1), env={})
    outside = read_mlflow(MlflowOptions(mlflow_server.url), at + dt.timedelta(microseconds=1),
                          at + dt.timedelta(seconds=1), env={})
    assert [r.id for r in inside.runs] == [rid]
    assert outside.run(rid) is None


def test_every_page_is_read(mlflow_server: MlflowServer) -> None:
    mlflow = fill.client(mlflow_server.url)
    exps = [fill.experiment(mlflow, _name("paged")) for _ in range(3)]
    runs = {fill.run(mlflow, e, SINCE + dt.timedelta(days=i)) for e in exps for i in range(3)}
    name = _name("paged-model")
    fill.model(mlflow, name, sorted(runs)[:5])
    others = [_name("paged-other") for _ in range(2)]
    for other in others:
        fill.model(mlflow, other, [])

    small = _read(mlflow_server, page_size=2)
    large = _read(mlflow_server)

    assert small.problems == [] and small.complete
    assert {r.id for r in small.runs if r.experiment_id in exps} == runs
    assert {e.id for e in small.experiments} >= set(exps)
    assert [v.version for v in small.versions if v.model == name] == ["1", "2", "3", "4", "5"]
    assert {m.name for m in small.models} >= {name, *others}
    # the same facts whatever the page size, in more requests
    assert small.model_copy(update={"requests": 0}) == large.model_copy(update={"requests": 0})
    assert small.requests > large.requests


def test_the_request_budget_cuts_the_reading(mlflow_server: MlflowServer) -> None:
    mlflow = fill.client(mlflow_server.url)
    for _ in range(3):
        fill.experiment(mlflow, _name("budget"))

    facts = _read(mlflow_server, page_size=1, max_requests=2)

    assert facts.requests == 2
    assert not facts.complete
    assert len(facts.experiments) == 2
    assert facts.runs == [] and facts.models == [] and facts.versions == []
    assert facts.problems == [Problem(
        source="mlflow",
        message="experiments: the budget of 2 requests was spent before GET experiments/search")]


def test_the_budget_spent_in_the_registry_keeps_what_was_read(
        mlflow_server: MlflowServer) -> None:
    whole = _read(mlflow_server)
    assert whole.complete and whole.requests >= 3
    cut = _read(mlflow_server, max_requests=whole.requests - 1)
    assert cut.requests == whole.requests - 1
    assert not cut.complete
    assert cut.experiments == whole.experiments and cut.runs == whole.runs
    assert len(cut.problems) == 1
    assert "the budget of" in cut.problems[0].message


def test_a_model_named_with_both_quotes_gets_its_own_versions(
        mlflow_server: MlflowServer) -> None:
    mlflow = fill.client(mlflow_server.url)
    exp = fill.experiment(mlflow, _name("quotes"))
    runs = [fill.run(mlflow, exp, SINCE + dt.timedelta(days=i)) for i in range(3)]
    tag = uuid.uuid4().hex[:8]
    quoted = f"it's \"{tag}\""
    lookalike = f"itXs \"{tag}\""  # what the LIKE pattern it's matched with also matches
    single, back = f"it's {tag}", f"back\\slash {tag}"
    fill.model(mlflow, quoted, runs[:2])
    fill.model(mlflow, lookalike, runs[2:])
    fill.model(mlflow, single, runs[:1])
    fill.model(mlflow, back, runs[:1])

    facts = _read(mlflow_server)

    assert facts.problems == []
    mine = {(v.model, v.version, v.run_id) for v in facts.versions if tag in v.model}
    assert mine == {(quoted, "1", runs[0]), (quoted, "2", runs[1]),
                    (lookalike, "1", runs[2]), (single, "1", runs[0]), (back, "1", runs[0])}


def test_a_token_given_never_shows(mlflow_server: MlflowServer) -> None:
    secret = "tok-" + uuid.uuid4().hex
    facts = read_mlflow(MlflowOptions(mlflow_server.url.replace("://", "://me:pw-x@")),
                        SINCE, UNTIL, env={"MLFLOW_TRACKING_TOKEN": secret})
    assert facts.complete and facts.server == mlflow_server.url
    text = facts.model_dump_json()
    assert secret not in text and "pw-x" not in text and "me:" not in text
