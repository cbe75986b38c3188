"""A real server for the tests that need one over a socket (the browser, ``mlkaizen push``):
uvicorn serving the application on a free loopback port in a thread of the test process,
stopped when the test ends."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from mlkaizen.server.app import create_app
from mlkaizen.store.db import Store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(store: Store) -> Iterator[str]:
    """``http://127.0.0.1:PORT`` serving ``store`` until the block ends."""
    port = free_port()
    config = uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning",
                            lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(500):  # until it answers (a count, not a clock: no timing assert)
            try:
                httpx.get(url + "/healthz", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.02)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=30)
