"""Live facts built by hand for the delivery-metrics tests: a 120-day window from
2026-01-01 (four periods of 30 days), times given in days (and hours) from its start."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence

from mlkaizen.evidence.delivery_metrics import Metric, delivery_metrics
from mlkaizen.evidence.facts.live import (
    ChangeKind,
    Commit,
    Experiment,
    HistoryFacts,
    LiveFacts,
    MlflowFacts,
    ModelVersion,
    Problem,
    RegisteredModel,
    Run,
    Tag,
)

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)


def at(days: float, hours: float = 0) -> dt.datetime:
    return START + dt.timedelta(days=days, hours=hours)


SINCE, UNTIL = at(0), at(120)


def sha(n: int) -> str:
    """A full sha of its own for commit ``n`` (no two share a 7-character prefix here)."""
    return hashlib.sha1(str(n).encode()).hexdigest()


def version(
    model: str,
    number: int,
    created: dt.datetime,
    *,
    stage: str | None = None,
    aliases: tuple[str, ...] = (),
    run_id: str | None = None,
    status: str = "READY",
    updated: dt.datetime | None = None,
) -> ModelVersion:
    return ModelVersion(
        model=model,
        version=str(number),
        created=created,
        updated=updated,
        stage=stage,
        aliases=aliases,
        run_id=run_id,
        status=status,
    )


def run(run_id: str, start: dt.datetime, commit: str | None = None) -> Run:
    return Run(id=run_id, experiment_id="1", start=start, git_commit=commit)


def mlflow(
    versions: Sequence[ModelVersion] = (),
    runs: Sequence[Run] = (),
    models: Sequence[RegisteredModel] | None = None,
    problems: Sequence[Problem] = (),
    *,
    complete: bool = True,
) -> MlflowFacts:
    """An MLflow server's facts, with its default experiment; its registered models are
    those of ``versions`` (created at an unknown time) unless given."""
    if models is None:
        models = [RegisteredModel(name=n) for n in sorted({v.model for v in versions})]
    return MlflowFacts(
        server="http://127.0.0.1:5000",
        since=SINCE,
        until=UNTIL,
        experiments=[Experiment(id="0", name="Default")],
        versions=list(versions),
        runs=list(runs),
        models=list(models),
        problems=list(problems),
        complete=complete,
    )


def commit(
    n: int,
    when: dt.datetime,
    kinds: Iterable[ChangeKind] = (ChangeKind.TRAINING_CODE,),
    *,
    paths: tuple[str, ...] = (),
    reverts: str | None = None,
) -> Commit:
    return Commit(
        sha=sha(n),
        committed=when,
        authored=when,
        author="dev",
        kinds=frozenset(kinds),
        paths=paths,
        reverts=reverts,
    )


def history(
    commits: Sequence[Commit] = (),
    tags: Sequence[Tag] = (),
    problems: Sequence[Problem] = (),
    *,
    begins: dt.datetime | None = None,
    complete: bool = True,
) -> HistoryFacts:
    """The git history's facts; ``commit_times`` has every commit given."""
    return HistoryFacts(
        repository="repo",
        head=sha(999),
        since=SINCE,
        until=UNTIL,
        commits=sorted(commits, key=lambda c: c.committed, reverse=True),
        tags=list(tags),
        commit_times={c.sha: c.committed for c in commits},
        begins=begins,
        complete=complete,
        problems=list(problems),
    )


def tag(name: str, n: int, when: dt.datetime) -> Tag:
    return Tag(name=name, sha=sha(n), when=when)


def facts(
    ml: MlflowFacts | None = None,
    hist: HistoryFacts | None = None,
    problems: Sequence[Problem] = (),
) -> LiveFacts:
    return LiveFacts(since=SINCE, until=UNTIL, mlflow=ml, history=hist, problems=list(problems))


def metric(live: LiveFacts, metric_id: str, periods: int = 4) -> Metric:
    found = delivery_metrics(live, periods).get(metric_id)
    assert found is not None
    return found


def values(m: Metric) -> list[float | None]:
    return [p.value for p in m.trend]


def events(m: Metric) -> list[int]:
    return [p.events for p in m.trend]
