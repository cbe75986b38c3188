"""Fill a real MLflow server through MLflow's own client, at controlled times.

Runs get their start and end times from the client; the registry's times (models and
versions) are set afterwards in the server's SQLite tables, since the client stamps them
with the current time. Every name given is the caller's, so tests sharing a server never
see each other's objects when they filter on their own names.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import warnings
from collections.abc import Mapping
from pathlib import Path

from mlflow.tracking import MlflowClient

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def ms(moment: dt.datetime) -> int:
    return (moment - EPOCH) // dt.timedelta(milliseconds=1)


def client(url: str) -> MlflowClient:
    return MlflowClient(tracking_uri=url, registry_uri=url)


def experiment(mlflow: MlflowClient, name: str) -> str:
    return str(mlflow.create_experiment(name))


def run(
    mlflow: MlflowClient,
    experiment_id: str,
    start: dt.datetime,
    *,
    end: dt.datetime | None = None,
    params: Mapping[str, str] | None = None,
    metrics: Mapping[str, list[float]] | None = None,
    commit: str | None = None,
    user: str = "alice",
    status: str = "FINISHED",
) -> str:
    """A run started at ``start``; each metric logged once per value (steps 0, 1...)."""
    tags = {"mlflow.user": user}
    if commit is not None:
        tags["mlflow.source.git.commit"] = commit
    made = mlflow.create_run(experiment_id, start_time=ms(start), tags=tags)
    run_id = str(made.info.run_id)
    for key, value in (params or {}).items():
        mlflow.log_param(run_id, key, value)
    for key, values in (metrics or {}).items():
        for step, number in enumerate(values):
            mlflow.log_metric(run_id, key, number, step=step, timestamp=ms(start))
    if status != "RUNNING":
        mlflow.set_terminated(run_id, status=status,
                              end_time=ms(end) if end is not None else None)
    return run_id


def model(
    mlflow: MlflowClient,
    name: str,
    run_ids: list[str],
    *,
    aliases: Mapping[str, int] | None = None,
    stages: Mapping[int, str] | None = None,
) -> list[str]:
    """A registered model with one version per run (versions 1, 2, ...), its aliases
    (alias -> version) and stage transitions (version -> stage); the version numbers."""
    mlflow.create_registered_model(name)
    versions = [
        str(mlflow.create_model_version(name, f"runs:/{r}/model", run_id=r).version)
        for r in run_ids
    ]
    for alias, number in (aliases or {}).items():
        mlflow.set_registered_model_alias(name, alias, str(number))
    with warnings.catch_warnings():  # stages are deprecated, still served
        warnings.simplefilter("ignore", FutureWarning)
        for number, stage in (stages or {}).items():
            mlflow.transition_model_version_stage(name, str(number), stage)
    return versions


def set_times(
    db: Path,
    name: str,
    created: dt.datetime,
    updated: dt.datetime,
    versions: Mapping[int, tuple[dt.datetime, dt.datetime]] | None = None,
) -> None:
    """The registry's times of model ``name`` and of its versions (number -> created,
    updated), written in the server's SQLite database."""
    with sqlite3.connect(db, timeout=30) as con:
        con.execute(
            "UPDATE registered_models SET creation_time = ?, last_updated_time = ? "
            "WHERE name = ?", (ms(created), ms(updated), name))
        for number, (made, changed) in (versions or {}).items():
            con.execute(
                "UPDATE model_versions SET creation_time = ?, last_updated_time = ? "
                "WHERE name = ? AND version = ?", (ms(made), ms(changed), name, number))
    con.close()


def set_experiment_times(db: Path, experiment_id: str, created: dt.datetime,
                         updated: dt.datetime) -> None:
    with sqlite3.connect(db, timeout=30) as con:
        con.execute(
            "UPDATE experiments SET creation_time = ?, last_update_time = ? "
            "WHERE experiment_id = ?", (ms(created), ms(updated), int(experiment_id)))
    con.close()
