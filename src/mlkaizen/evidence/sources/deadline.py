"""A blocking call bounded by wall-clock time as a whole.

httpx bounds each wait for data, not a request as a whole: a server that sends one byte of
its headers (or of a body read in chunks) every few seconds keeps every wait short and the
request alive for hours. :func:`within` runs the call in a daemon thread and stops waiting
for it when its time is up; the abandoned thread ends when its connection is closed or
times out, and never keeps the process alive.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class LateError(Exception):
    """The call did not return in time (it may still be running, abandoned)."""


def within(seconds: float, call: Callable[[], T]) -> T:
    """``call()``'s result or exception, if it comes within ``seconds``; raises
    :class:`LateError` otherwise."""
    outcome: list[T] = []
    failure: list[BaseException] = []
    done = threading.Event()

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as exc:  # handed to the caller's thread
            failure.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, name="bounded-call", daemon=True).start()
    if not done.wait(seconds):
        raise LateError
    if failure:
        raise failure[0]
    return outcome[0]
