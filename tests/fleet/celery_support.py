"""What the Celery tests share: a real Redis (``MLKAIZEN_TEST_REDIS_URL``, else a throwaway
one started by ``scripts/redis-test.sh`` when ``redis-server`` is installed), real
`mlkaizen worker` processes on a queue of the test's own, and small git repositories."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import ROOT, committed_repo

REDIS_ENV = "MLKAIZEN_TEST_REDIS_URL"
REQUIRE_ENV = "MLKAIZEN_REQUIRE_REDIS"
SCRIPT = ROOT / "scripts" / "redis-test.sh"

ML_FILES = {
    "train.py": "import mlflow\n\nmlflow.log_metric('auc', 0.9)\n",
    "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n    deps: [data.csv]\n",
    ".github/workflows/ci.yml": (
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n      - run: pytest\n"
    ),
}


def redis_url(tmp_root: Path) -> Iterator[str]:
    """The Redis the tests use: CI's, else a throwaway one here, else a skip (a failure
    when ``MLKAIZEN_REQUIRE_REDIS=1``: CI must never skip these tests)."""
    if os.environ.get(REDIS_ENV):
        yield os.environ[REDIS_ENV]
        return
    if shutil.which("redis-server") is None:
        why = f"{REDIS_ENV} is not set and redis-server is not installed (.ci/run starts one)"
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(why)
        pytest.skip(why)
    folder = tmp_root / "redis"
    url = subprocess.run(["bash", str(SCRIPT), "start", str(folder)], capture_output=True,
                         text=True, check=True).stdout.strip()
    try:
        yield url
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(folder)], check=False)


@dataclass
class Workers:
    """`mlkaizen worker` processes of one test, each in a process group of its own (its
    pool's processes with it), all on the test's own queue."""

    broker: str
    store_url: str
    folder: Path
    queue: str = field(default_factory=lambda: f"mlk-test-{uuid.uuid4().hex[:10]}")
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "MLKAIZEN_QUEUE": self.queue, "MLKAIZEN_BROKER": self.broker,
                "PYTHONUNBUFFERED": "1"}

    def log(self, name: str) -> Path:
        return self.folder / f"worker-{name}.log"

    def start(self, name: str, concurrency: int = 1) -> subprocess.Popen[bytes]:
        with self.log(name).open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "mlkaizen", "worker", "-c", str(concurrency),
                 "-n", f"{name}@%h", "--db", self.store_url, "-l", "info"],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        self.procs[name] = proc
        self.wait_ready(name)
        return proc

    def wait_ready(self, name: str) -> None:
        """Until the worker says it is ready (it consumes its queue from then on)."""
        proc = self.procs[name]
        while " ready." not in self.log(name).read_text(errors="replace"):
            if proc.poll() is not None:
                raise AssertionError(f"worker {name} ended: {self.log(name).read_text()}")
            time.sleep(0.1)

    def kill(self, name: str) -> None:
        """SIGKILL to the worker and its pool: nothing of it acknowledges or cleans up."""
        proc = self.procs.pop(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def stop(self) -> dict[str, int]:
        """Ctrl-C to each worker (the jobs under way end first); their exit codes."""
        codes = {}
        for proc in self.procs.values():
            os.killpg(proc.pid, signal.SIGINT)
        for name, proc in self.procs.items():
            try:
                codes[name] = proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                codes[name] = proc.wait()
        self.procs.clear()
        return codes


def ml_repo(root: Path, extra: int = 0) -> Path:
    """A small ML repository (MLflow, DVC, a CI workflow), with ``extra`` more Python files
    (each its own text, so no parse cache makes it quick)."""
    files = dict(ML_FILES)
    for n in range(extra):
        files[f"pkg/mod{n}.py"] = (
            f"import mlflow\nimport pandas as pd\n\n\ndef step{n}(frame):\n"
            f"    mlflow.log_param('n{n}', {n})\n    return pd.DataFrame(frame).head({n})\n"
        )
    return committed_repo(root, files)
