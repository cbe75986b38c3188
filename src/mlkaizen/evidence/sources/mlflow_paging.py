"""Paging through one MLflow search, and the bookkeeping of what a reading could not read.

Shared by the threads that read runs side by side: problems, ``complete``, ``stopped`` and
the count of facts each part holds change under a lock, and once a fatal cut stopped the
reading no thread asks for another page. Each part keeps at most ``max_items`` facts: a
server that pages without end cannot fill memory before the deadline or the request budget
stops it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from mlkaizen.evidence.sources import mlflow_shapes as shapes
from mlkaizen.evidence.sources.mlflow_http import CutError

T = TypeVar("T")


class Pager:
    """What a reading noted: its problems (each once), whether it is complete, and whether
    a fatal cut stopped it."""

    def __init__(self, max_items: int = 100_000) -> None:
        self.problems: list[str] = []
        self.complete = True
        self.stopped = False
        self.max_items = max(1, max_items)
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()

    def take(self, part: str, count: int = 1) -> int:
        """Room for ``count`` more facts of ``part``: how many may be kept (all of them, or
        what is left below ``max_items``); notes the limit when some are not."""
        with self._lock:
            held = self._held.get(part, 0)
            room = max(0, min(count, self.max_items - held))
            self._held[part] = held + room
        if room < count:
            self.limited(part)
        return room

    def limited(self, part: str) -> None:
        """``part`` holds ``max_items`` facts and the server has more."""
        self.note(f"{part}: limit max_items={self.max_items:,} reached: the rest is not read")

    def note(self, message: str, fatal: bool = False) -> None:
        """Something was not read; ``fatal`` stops the reading."""
        with self._lock:
            self.complete = False
            self.stopped = self.stopped or fatal
            if message not in self.problems:
                self.problems.append(message)

    def cut(self, part: str, cut: CutError) -> None:
        self.note(f"{part}: {cut.message}", cut.fatal)

    def pages(self, part: str, key: str, fetch: Callable[[str | None], Any], *,
              convert: Callable[[Any], T | None], into: list[T],
              ident: Callable[[T], str]) -> bool:
        """Every page of one search into ``into``, each item once (paging by offset over
        a server being written to can show an item twice); False when the part was cut or
        the reading stopped."""
        token: str | None = None
        seen: set[str] = set()
        known = {ident(fact) for fact in into}
        skipped = 0
        try:
            while not self.stopped:
                answer = fetch(token)
                found = shapes.items(answer, key)
                if found is None:
                    raise CutError(f"the answer has no list of {key} (unexpected shape)")
                for item in found:
                    fact = convert(item)
                    if fact is None:
                        skipped += 1
                    elif ident(fact) not in known:
                        if not self.take(part):
                            return False
                        known.add(ident(fact))
                        into.append(fact)
                token = shapes.next_token(answer)
                if token is None:
                    return True
                if token in seen:
                    raise CutError("the server gave the same page token twice; paging stopped")
                seen.add(token)
        except CutError as cut:
            self.cut(part, cut)
        finally:
            if skipped:
                self.note(f"{part}: {skipped} left out (unexpected shape)")
        return False
