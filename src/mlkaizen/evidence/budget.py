"""A per-file parse time limit, enforced with a real-time interval timer: a safety net only.

What bounds parsing is counted (``max_parse_bytes``, ``max_yaml_bytes`` and the size limits),
so a scan's result is the same on any machine; this limit, far above what those bounds let a
parse take on a working machine, stops a parse that would never end (and its warning says
so, since a slower machine may then give another result).

Parsers are Python code (PyYAML's composer and constructor, tomllib, our AST visitor), so a
``SIGALRM`` handler can interrupt them between bytecodes. Only available on the main thread
of a POSIX process; elsewhere the budget is not enforced (size limits still bound the work).
The handler's error can be swallowed where it lands (a garbage-collector callback, code that
catches every exception): a parse that outlived its budget is a timeout all the same.

The timer may already be armed by a caller (a fleet job's time limit): a budget that would
end after it is not set (the caller's alarm interrupts the parse), and a shorter one gives
the caller's timer back, less the time spent, when the parse ends.
"""

from __future__ import annotations

import signal
import threading
import time
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
    outer = signal.getitimer(signal.ITIMER_REAL)[0] if usable else 0.0
    if not usable or 0 < outer <= seconds:
        yield
        return

    expired: list[bool] = []
    message = (f"parsing took longer than parse_timeout={seconds:g}s (a safety net in wall "
               "time: this machine parsed slowly); file skipped")

    def expire(signum: int, frame: FrameType | None) -> None:
        expired.append(True)
        raise ParseTimeoutError(message)

    previous = signal.signal(signal.SIGALRM, expire)
    started = time.monotonic()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except Exception:
        if expired:  # whatever the parse met after its budget ran out, it ran out first
            raise ParseTimeoutError(message) from None
        raise
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer > 0:  # the caller's timer, with what it had left (rings at once if spent)
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 1e-6))
    if expired:  # the handler's error was swallowed (a gc callback, a broad except): still late
        raise ParseTimeoutError(message)
