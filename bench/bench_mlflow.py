"""Benchmark of the MLflow source: a real MLflow server on loopback holding 10,000 runs and
500 model versions, read whole by ``read_mlflow`` over a window that holds them all.

    python bench/bench_mlflow.py [--runs 10000] [--experiments 20] [--models 50]
                                 [--versions 10] [--repeat 3] [--workers 4] [--parallel 4]

The store is filled before the server starts: experiments and the registry through MLflow's
own SQLAlchemy stores on the server's SQLite database, the runs inserted in one transaction
in the tables those stores write (the client over HTTP, or the store one run at a time, takes
minutes for 10,000 runs: a commit each); each run has 5 params, 3 metrics and the git commit
tag, each model its versions and two aliases.
Then the server is started (``python -m mlflow server`` with ``--workers``, MLflow's default
4) and the reading timed (``--parallel`` run searches at a time), with the part of it spent
waiting for the server's answers.
Needs the test extra (mlflow). The target: 10,000 runs and 500 versions in 10 s or less.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

WINDOW_START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
WINDOW_END = dt.datetime(2025, 7, 1, tzinfo=dt.UTC)


def _fill(db: Path, artifacts: Path, *, runs: int, experiments: int, models: int,
          versions: int) -> None:
    """Experiments and the registry through MLflow's own stores; the runs (the bulk)
    inserted in one transaction in the tables those stores write, as they write them."""
    import sqlite3
    import uuid

    from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as Registry
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore as Tracking

    tracking = Tracking(f"sqlite:///{db}", str(artifacts))
    registry = Registry(f"sqlite:///{db}")
    ids = [tracking.create_experiment(f"bench-{i}") for i in range(experiments)]
    span = (WINDOW_END - WINDOW_START) // dt.timedelta(milliseconds=1)
    start_ms = (WINDOW_START - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(
        milliseconds=1)
    rows: dict[str, list[tuple[object, ...]]] = {
        "runs": [], "params": [], "metrics": [], "latest_metrics": [], "tags": []}
    made: list[str] = []
    for n in range(runs):
        at = start_ms + (n * 7919 % runs) * span // runs
        run_id, exp = uuid.uuid4().hex, ids[n % experiments]
        rows["runs"].append((run_id, f"run-{n}", "UNKNOWN", "", "", "bench", "FINISHED", at,
                             at + 60_000, "", "active", f"{artifacts}/{exp}/{run_id}", int(exp)))
        rows["params"] += [(f"p{k}", str(k), run_id) for k in range(5)]
        rows["metrics"] += [(f"m{k}", 0.5 + k, at, run_id, 0, 0) for k in range(3)]
        rows["latest_metrics"] += [(f"m{k}", 0.5 + k, at, 0, 0, run_id) for k in range(3)]
        rows["tags"] += [("mlflow.source.git.commit", f"{n:040x}", run_id),
                         ("mlflow.runName", f"run-{n}", run_id),
                         ("mlflow.user", "bench", run_id)]
        made.append(run_id)
    with sqlite3.connect(db) as con:
        con.executemany(
            "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, "
            "user_id, status, start_time, end_time, source_version, lifecycle_stage, "
            "artifact_uri, experiment_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows["runs"])
        con.executemany('INSERT INTO params ("key", value, run_uuid) VALUES (?,?,?)',
                        rows["params"])
        con.executemany('INSERT INTO metrics ("key", value, timestamp, run_uuid, step, is_nan)'
                        " VALUES (?,?,?,?,?,?)", rows["metrics"])
        con.executemany('INSERT INTO latest_metrics ("key", value, timestamp, step, is_nan, '
                        "run_uuid) VALUES (?,?,?,?,?,?)", rows["latest_metrics"])
        con.executemany('INSERT INTO tags ("key", value, run_uuid) VALUES (?,?,?)',
                        rows["tags"])
    con.close()
    for m in range(models):
        name = f"bench-model-{m}"
        registry.create_registered_model(name)
        for v in range(versions):
            run_id = made[(m * versions + v) % len(made)]
            registry.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id)
        registry.set_registered_model_alias(name, "champion", str(versions))
        registry.set_registered_model_alias(name, "challenger", "1")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], limit: float = 180.0) -> None:
    ends = time.monotonic() + limit
    while time.monotonic() < ends and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the MLflow server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--experiments", type=int, default=20)
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--versions", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--parallel", type=int, default=4)
    args = parser.parse_args()
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    os.environ.setdefault("DO_NOT_TRACK", "true")
    from mlkaizen.evidence.sources import mlflow_http
    from mlkaizen.evidence.sources.mlflow import MlflowOptions, read_mlflow

    waited = [0.0]
    send = mlflow_http.Connection._send

    def timed(self: mlflow_http.Connection, *args: object) -> object:
        began = time.perf_counter()
        try:
            return send(self, *args)  # type: ignore[arg-type]
        finally:
            waited[0] += time.perf_counter() - began

    mlflow_http.Connection._send = timed  # type: ignore[assignment,method-assign]

    root = Path(tempfile.mkdtemp(prefix="mlk-bench-mlflow-"))
    db = root / "mlflow.db"
    began = time.perf_counter()
    _fill(db, root / "artifacts", runs=args.runs, experiments=args.experiments,
          models=args.models, versions=args.versions)
    print(f"filled {args.runs} runs, {args.models * args.versions} versions in "
          f"{time.perf_counter() - began:.1f} s")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "server", "--backend-store-uri", f"sqlite:///{db}",
         "--default-artifact-root", str(root / "artifacts"), "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(args.workers)],
        cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        _wait(url, proc)
        options = MlflowOptions(url, parallel=args.parallel)
        read_mlflow(options, WINDOW_START, WINDOW_END, env={})  # every worker's first answer
        times, waits = [], []
        for _ in range(args.repeat):
            waited[0] = 0.0
            began = time.perf_counter()
            facts = read_mlflow(options, WINDOW_START, WINDOW_END, env={})
            times.append(time.perf_counter() - began)
            waits.append(waited[0])
            assert facts.complete, facts.problems
            assert len(facts.runs) == args.runs, len(facts.runs)
            assert len(facts.versions) == args.models * args.versions
        print(f"read_mlflow: {len(facts.runs)} runs, {len(facts.experiments)} experiments, "
              f"{len(facts.models)} models, {len(facts.versions)} versions in "
              f"{facts.requests} requests: best {min(times):.2f} s, worst {max(times):.2f} s "
              f"of {args.repeat} (target <= 10 s); waiting for answers (summed over "
              f"{args.parallel} threads) {min(waits):.2f} s at best")
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; "
              f"command: python {' '.join(sys.argv)}")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
