"""The MLflow source against a server that answers a byte at a time and never finishes:
each request is bounded by ``request_timeout`` as a whole, not only by the wait for each
byte, so a dripping header cannot hold the reading past its deadline."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from mlkaizen.evidence.facts.live import MlflowFacts
from mlkaizen.evidence.sources.mlflow import MlflowOptions, read_mlflow
from tests.live.test_hostile_live_mlflow import SINCE, UNTIL

GENEROUS = 120.0  # seconds the reading may take on a slow machine (it takes about two)


@contextmanager
def dripping(head: bytes) -> Iterator[str]:
    """A server on 127.0.0.1 that sends ``head`` and then one byte every 0.2 s, forever
    (until the test ends); its URL."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    stop = threading.Event()

    def drip(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(head)
                while not stop.wait(0.2):
                    conn.sendall(b"a")
            except OSError:
                pass

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=drip, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        server.close()


def _read_in_time(url: str) -> MlflowFacts:
    """The facts of the reading, which must end well within :data:`GENEROUS` seconds."""
    out: list[MlflowFacts] = []
    reader = threading.Thread(target=lambda: out.append(read_mlflow(
        MlflowOptions(url, request_timeout=1, deadline=60), SINCE, UNTIL, env={})),
        daemon=True)
    reader.start()
    ends = time.monotonic() + GENEROUS
    while reader.is_alive() and time.monotonic() < ends:
        reader.join(0.5)
    assert out, "the reading did not end: a dripping answer held it"
    return out[0]


def test_a_header_that_drips_forever_is_a_request_timeout() -> None:
    with dripping(b"HTTP/1.1 200 OK\r\nX-Drip: ") as url:
        facts = _read_in_time(url)
    assert [p.message for p in facts.problems] == [
        "experiments: GET experiments/search: no answer within 1 s (request timeout)",
        "registered models: GET registered-models/search: no answer within 1 s "
        "(request timeout)"]
    assert facts.requests == 2 and not facts.complete


def test_a_body_that_drips_forever_is_a_request_timeout() -> None:
    with dripping(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n") as url:
        facts = _read_in_time(url)
    assert [p.message for p in facts.problems] == [
        "experiments: GET experiments/search: no answer within 1 s (request timeout)",
        "registered models: GET registered-models/search: no answer within 1 s "
        "(request timeout)"]
