"""Throughput of fleet runs: 1,000 synthetic ML repositories (local git repositories of the
shapes met in the calibration set) assessed with 1 and 2 local workers, and through Celery
with 2 workers when a Redis server can be started.

    python bench/bench_fleet.py [--repos 1000] [--dir FOLDER] [--workers 1,2] [--celery]

The repositories are generated once (seeded) into ``--dir`` (default ``bench/out/fleet-<n>``,
not committed) and reused while its marker file matches. Shapes, in turn:

- notebooks: exploratory notebooks, a CSV, a requirements file (an Ad hoc team);
- dvc: a DVC pipeline with params and data pointers, training code logging to MLflow;
- service: a package with tests, a Dockerfile, a FastAPI model service, GitHub Actions CI;
- platform: an Azure ML / Kubeflow style pipeline (component folders, pipeline YAML, CI
  deploying a model, Terraform, a drift monitor), the shape of the mature reference repos;
- monorepo: three ML projects, each with its own manifest and training code;
- library: a larger code base (150 to 300 modules, docs, tests) with a little ML in it.

Each run stores into a fresh SQLite store, or with ``--pg URL`` a fresh database on that
PostgreSQL server (where workers write at once, without SQLite's single writer). Prints
wall time, throughput, the speed-up of 2 workers over 1, the peak resident memory of a
worker and the controller's CPU time, with the machine and the command.
Targets (issue 24): 1,000 repositories in at most 10 minutes on 2 cores; at least 1.8 times
the throughput with 2 workers against 1. A measurement, not a test: it never fails.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GIT = ["git", "-c", "user.name=Bench", "-c", "user.email=bench@example.org",
       "-c", "init.defaultBranch=main"]
SHAPES = ("notebooks", "dvc", "service", "platform", "monorepo", "library")
VERSION = "fleet-bench-2"  # bump when the shapes change: the repositories are regenerated


def _notebook(rng: random.Random, libs: list[str]) -> str:
    cells = [
        {"cell_type": "code", "metadata": {}, "execution_count": n, "outputs": [],
         "source": [f"import {lib}\n" for lib in libs] + [
             f"df = pandas.read_csv('data/raw_{n}.csv')\n", "df.describe()\n"]}
        for n in range(rng.randint(4, 14))
    ]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def _module(rng: random.Random, imports: list[str], lines: int) -> str:
    body = [f"import {name}" for name in imports] + [""]
    for n in range(lines // 6):
        body += [f"def step_{n}(frame, alpha={rng.random():.3f}):",
                 f"    '''Step {n} of the transformation.'''",
                 f"    frame = frame.assign(x{n}=frame['x'] * alpha)",
                 f"    return frame[frame['x{n}'] > {rng.randint(0, 9)}]", ""]
    return "\n".join(body) + "\n"


WORKFLOW = """name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt
      - run: pytest
"""
DEPLOY = """name: deploy
on:
  push:
    branches: [main]
  schedule:
    - cron: "0 3 * * 1"
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python -m pipelines.train --register
      - run: az ml online-deployment create --file deploy/deployment.yml
"""


def shape_files(shape: str, rng: random.Random) -> dict[str, str]:
    files: dict[str, str] = {"README.md": f"# {shape} project\n\nSynthetic.\n"}
    if shape == "notebooks":
        for n in range(rng.randint(2, 8)):
            files[f"notebooks/{n:02d}_explore.ipynb"] = _notebook(rng, ["pandas", "sklearn"])
        files["data/raw_0.csv"] = "x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(200))
        files["requirements.txt"] = "pandas\nscikit-learn\njupyter\n"
    elif shape == "dvc":
        files["dvc.yaml"] = ("stages:\n  prepare:\n    cmd: python src/prepare.py\n    deps: "
                             "[data/raw.csv]\n    outs: [data/prepared]\n  train:\n    cmd: "
                             "python src/train.py\n    params: [train]\n    metrics: "
                             "[{metrics.json: {cache: false}}]\n")
        files["params.yaml"] = f"train:\n  alpha: {rng.random():.3f}\n  epochs: 10\n"
        files["data/raw.csv.dvc"] = "outs:\n- md5: 0123456789abcdef\n  path: raw.csv\n"
        files["src/prepare.py"] = _module(rng, ["pandas", "yaml"], 60)
        files["src/train.py"] = _module(rng, ["mlflow", "sklearn.ensemble", "pandas"], 80) + (
            "mlflow.log_metric('auc', 0.9)\nmlflow.sklearn.log_model(None, 'model')\n")
        files["requirements.txt"] = "dvc\nmlflow\nscikit-learn\n"
    elif shape == "service":
        files["src/app/__init__.py"] = ""
        for n in range(rng.randint(5, 20)):
            files[f"src/app/mod_{n}.py"] = _module(rng, ["numpy", "pandas"], rng.randint(30, 200))
        files["src/app/serve.py"] = ("from fastapi import FastAPI\nimport joblib\napp = "
                                     "FastAPI()\nmodel = joblib.load('model.pkl')\n")
        files["src/app/train.py"] = _module(rng, ["mlflow", "sklearn.linear_model"], 60)
        for n in range(rng.randint(3, 10)):
            files[f"tests/test_{n}.py"] = "def test_ok():\n    assert 1 + 1 == 2\n"
        files["Dockerfile"] = "FROM python:3.11-slim\nCOPY . /app\nCMD uvicorn app.serve:app\n"
        files[".github/workflows/ci.yml"] = WORKFLOW
        files["pyproject.toml"] = "[project]\nname = 'svc'\ndependencies = ['fastapi']\n"
    elif shape == "platform":
        for step in ("prep", "train", "evaluate", "register"):
            files[f"components/{step}/component.yaml"] = (
                f"name: {step}\ninputs:\n  data: {{type: uri_folder}}\n"
                f"command: python {step}.py\n")
            files[f"components/{step}/{step}.py"] = _module(
                rng, ["mlflow", "azureml.core", "sklearn"], 50)
        files["pipelines/train_pipeline.yml"] = (
            "$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json\n"
            "type: pipeline\njobs:\n  train:\n    component: ../components/train/component.yaml\n")
        files["deploy/deployment.yml"] = "name: blue\nmodel: azureml:churn@latest\n"
        files["monitoring/drift.yml"] = ("signals:\n  drift:\n    type: data_drift\n    "
                                         "alert_enabled: true\n")
        files["infra/main.tf"] = 'resource "azurerm_machine_learning_workspace" "ws" {}\n'
        files[".github/workflows/ci.yml"] = WORKFLOW
        files[".github/workflows/deploy.yml"] = DEPLOY
        files["requirements.txt"] = "azure-ai-ml\nmlflow\nscikit-learn\n"
    elif shape == "monorepo":
        for name in ("churn", "fraud", "ranking"):
            files[f"{name}/pyproject.toml"] = f"[project]\nname = '{name}'\n"
            files[f"{name}/train.py"] = _module(rng, ["mlflow", "sklearn", "pandas"], 60)
            files[f"{name}/params.yaml"] = "alpha: 0.1\n"
            if rng.random() < 0.5:
                files[f"{name}/dvc.yaml"] = "stages:\n  train:\n    cmd: python train.py\n"
        files[".github/workflows/ci.yml"] = WORKFLOW
    else:  # library
        for n in range(rng.randint(150, 300)):
            files[f"lib/pkg_{n % 12}/mod_{n}.py"] = _module(
                rng, ["numpy", "typing"], rng.randint(20, 120))
        for n in range(20):
            files[f"docs/page_{n}.md"] = "# Page\n\nText.\n" * 20
            files[f"tests/test_{n}.py"] = "def test_ok():\n    assert True\n"
        files["lib/pkg_0/model.py"] = _module(rng, ["torch", "mlflow"], 40)
        files["setup.py"] = "from setuptools import setup\nsetup(name='lib')\n"
    return files


def generate(folder: Path, count: int, seed: int = 24) -> list[Path]:
    marker = folder / ".marker"
    want = f"{VERSION} {count} {seed}"
    repos = [folder / f"r{n:04d}-{SHAPES[n % len(SHAPES)]}" for n in range(count)]
    if marker.is_file() and marker.read_text() == want:
        return repos
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = random.Random(seed)
    for n, repo in enumerate(repos):
        for rel, text in shape_files(SHAPES[n % len(SHAPES)], rng).items():
            path = repo / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        subprocess.run([*GIT, "init", "-q", str(repo)], check=True)
        subprocess.run([*GIT, "-C", str(repo), "add", "-A"], check=True)
        subprocess.run([*GIT, "-C", str(repo), "commit", "-qm", "init"], check=True)
    marker.write_text(want)
    return repos


PG_ADMIN: str | None = None  # --pg: a PostgreSQL server to store in (a database per run)


def _pg_database() -> tuple[str, str]:
    """A fresh database on the ``--pg`` server: its URL and name."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    assert PG_ADMIN is not None
    name = f"fleet_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False), name


def _drop(name: str) -> None:
    from sqlalchemy import create_engine, text

    assert PG_ADMIN is not None
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def run_local(repos: list[Path], workers: int, executor: str = "local",
              broker: str | None = None) -> dict[str, object]:
    from mlkaizen.fleet.manifest import Entry, Manifest
    from mlkaizen.fleet.options import FleetOptions
    from mlkaizen.fleet.runner import drive, start_run
    from mlkaizen.store import open_store

    with tempfile.TemporaryDirectory(prefix="fleet-bench-") as tmp:
        url, database = f"sqlite:///{tmp}/fleet.db", None
        if PG_ADMIN is not None:
            url, database = _pg_database()
        store = open_store(url)
        manifest = Manifest(entries=[Entry(location=str(r), kind="path", line=n + 1)
                                     for n, r in enumerate(repos)], problems=[])
        options = FleetOptions(executor=executor, workers=workers, cache=f"{tmp}/cache",
                               broker=broker)  # type: ignore[arg-type]
        run_id = start_run(store, manifest, "bench", options)
        started, cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
        run = drive(store, run_id)
        wall = time.perf_counter() - started
        used = resource.getrusage(resource.RUSAGE_SELF)
        controller = used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime
        store.close()
        if database is not None:
            _drop(database)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"executor": executor, "store": "postgresql" if PG_ADMIN else "sqlite",
            "workers": workers, "repos": len(repos),
            "done": run.counts["done"], "failed": run.counts["failed"],
            "seconds": round(wall, 1), "per_minute": round(len(repos) / wall * 60, 1),
            "peak_worker_mb": round(peak_kb / 1024, 1),
            "controller_cpu_s": round(controller, 1)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_celery(repos: list[Path], workers: int) -> dict[str, object] | None:
    """The same run through Celery: a Redis on loopback and ``workers`` worker processes
    (``mlkaizen worker -c 1``), their peak memory read from /proc when they stop."""
    redis = shutil.which("redis-server")
    if redis is None:
        print("celery: no redis-server on the PATH; skipped", file=sys.stderr)
        return None
    port = _free_port()
    broker = f"redis://127.0.0.1:{port}/0"
    with tempfile.TemporaryDirectory(prefix="fleet-bench-redis-") as tmp:
        server = subprocess.Popen([redis, "--port", str(port), "--bind", "127.0.0.1",
                                   "--save", "", "--appendonly", "no", "--dir", tmp],
                                  stdout=subprocess.DEVNULL)
        procs = [subprocess.Popen([sys.executable, "-m", "mlkaizen", "worker", "-c", "1",
                                   "--broker", broker, "--loglevel", "warning",
                                   "--name", f"bench{n}@%h"])
                 for n in range(workers)]
        try:
            time.sleep(5)  # the workers connect
            result = run_local(repos, workers, "celery", broker)
            peaks = [_peak_mb(p.pid) for p in procs]
            result["peak_worker_mb"] = max(peaks) if peaks else None
            return result
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(timeout=60)
            server.terminate()
            server.wait(timeout=30)


def _peak_mb(pid: int) -> float:
    """The peak resident memory of a worker and its pool children (VmHWM), in MB."""
    peak = 0.0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            continue
    return round(peak, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--celery", action="store_true", help="also through Celery (2 workers)")
    parser.add_argument("--pg", metavar="URL", help="store in PostgreSQL (a server's admin "
                        "URL: a fresh database per run) instead of SQLite")
    args = parser.parse_args()
    global PG_ADMIN  # noqa: PLW0603 - set once, from the command line
    PG_ADMIN = args.pg
    folder = args.dir or HERE / "out" / f"fleet-{args.repos}"
    t = time.perf_counter()
    repos = generate(folder, args.repos)
    print(f"{len(repos)} repositories ready in {time.perf_counter() - t:.1f} s ({folder.name})")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.system()} {platform.release()}")
    print(f"command: python bench/bench_fleet.py {' '.join(sys.argv[1:])}".rstrip())
    results = []
    for w in args.workers.split(","):
        results.append(run_local(repos, int(w)))
        print(json.dumps(results[-1]), flush=True)
    if args.celery:
        got = run_celery(repos, 2)
        if got is not None:
            results.append(got)
            print(json.dumps(got), flush=True)
    by = {r["workers"]: r for r in results if r["executor"] == "local"}
    if 1 in by and 2 in by:
        print(f"speed-up of 2 local workers over 1: "
              f"{float(by[2]['per_minute']) / float(by[1]['per_minute']):.2f}x (target 1.8x)")


if __name__ == "__main__":
    main()
