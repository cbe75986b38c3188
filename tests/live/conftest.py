"""A real MLflow tracking server on loopback, one per test session (so one per xdist
worker), for every test module that needs one: SQLite backend and artifact root in a temp
folder, a free port, stopped at the end. Fill it with :mod:`tests.live.mlflowfill`."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

# MLflow's client and server never call home from the tests
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
os.environ["DO_NOT_TRACK"] = "true"

STARTUP = 120.0  # seconds the server may take to answer /health (it creates its tables)


@dataclass(frozen=True)
class MlflowServer:
    """A running server: its URL and its SQLite database (to set times directly)."""

    url: str
    db: Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=5) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


@contextmanager
def running_mlflow() -> Iterator[MlflowServer]:
    """A fresh MLflow server, stopped (with the workers it started) on the way out."""
    root = Path(tempfile.mkdtemp(prefix="mlk-mlflow-"))
    db = root / "mlflow.db"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = (root / "server.log").open("wb")
    env = {**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlflow", "server", "--backend-store-uri", f"sqlite:///{db}",
         "--default-artifact-root", str(root / "artifacts"), "--host", "127.0.0.1",
         "--port", str(port), "--workers", "1"],
        cwd=root, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
    )
    try:
        ends = time.monotonic() + STARTUP
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > ends:
                tail = (root / "server.log").read_text(errors="replace")[-2000:]
                pytest.fail(f"the MLflow server did not start:\n{tail}")
            time.sleep(0.5)
        yield MlflowServer(url=url, db=db)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)  # the server and the workers it started
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def mlflow_server() -> Iterator[MlflowServer]:
    """One server for the session's tests, each filtering on names of its own."""
    with running_mlflow() as server:
        yield server


@pytest.fixture(scope="module")
def own_mlflow_server() -> Iterator[MlflowServer]:
    """A server for one module alone, for tests that read the whole server."""
    with running_mlflow() as server:
        yield server
