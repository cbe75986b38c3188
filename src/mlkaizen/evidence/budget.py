"""A per-file parse time budget, enforced with a real-time interval timer.

Parsers are Python code (PyYAML's composer and constructor, tomllib, our AST visitor), so a
``SIGALRM`` handler can interrupt them between bytecodes. Only available on the main thread
of a POSIX process; elsewhere the budget is not enforced (size limits still bound the work).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from mlkaizen.evidence.parse import ParseError


class ParseTimeoutError(ParseError):
    """Parsing one file took longer than its budget."""


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    usable = (
        seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise ParseTimeoutError(
            f"parsing took longer than parse_timeout={seconds:g}s; file skipped"
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
