"""Where a run's time goes, for the benchmarks: listing, parsing, detectors.

Off unless ``MLKAIZEN_PROFILE`` names a file; then :func:`install` (called by the command line
before anything else is loaded) wraps the listing, ``parsed()`` and each detector with a timer,
and the totals are written to that file as JSON when the process exits. Nothing of this runs,
nor is imported, on an ordinary run: the hot path is untouched.

Parsing time is the time spent in ``parsed()`` (reading the file and parsing it, outermost call
only); detector time excludes the parsing the detectors asked for.
"""

from __future__ import annotations

import atexit
import dataclasses
import json
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

ENV = "MLKAIZEN_PROFILE"

_START = time.perf_counter()
_totals: dict[str, float] = defaultdict(float)
_detectors: dict[str, float] = defaultdict(float)
_depth = [0]  # nesting of parsed() calls: only the outermost is timed


def _timed_parse(method: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _depth[0] += 1
        start = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            _depth[0] -= 1
            if _depth[0] == 0:
                _totals["parsing_s"] += time.perf_counter() - start

    return wrapper


def _timed_listing(method: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            _totals["listing_s"] += time.perf_counter() - start

    return wrapper


def _timed_detectors(run: Callable[..., Any]) -> Callable[..., Any]:
    def timed(det: Any) -> Any:
        inner = det.detect

        def detect(tree: Any) -> Any:
            parse_before = _totals["parsing_s"]
            start = time.perf_counter()
            try:
                return inner(tree)
            finally:
                spent = time.perf_counter() - start - (_totals["parsing_s"] - parse_before)
                _totals["detectors_s"] += spent
                _detectors[det.id] += spent

        return dataclasses.replace(det, detect=detect)

    def wrapper(tree: Any, detectors: Iterable[Any], *args: Any, **kwargs: Any) -> Any:
        return run(tree, [timed(d) for d in detectors], *args, **kwargs)

    return wrapper


def install() -> None:
    """Wrap the timed steps and register the report (only when ``MLKAIZEN_PROFILE`` is set)."""
    target = os.environ.get(ENV)
    if not target:
        return
    from mlkaizen import api
    from mlkaizen.evidence import listing, scan, tree

    listing.Listing._list = _timed_listing(listing.Listing._list)  # type: ignore[method-assign]
    for cls in (tree.RepoTree, tree.SubTree):
        cls.parsed = _timed_parse(cls.parsed)  # type: ignore[method-assign]
    scan.run_detectors = _timed_detectors(scan.run_detectors)
    api.run_detectors = scan.run_detectors  # type: ignore[attr-defined]
    atexit.register(_write, target)


def _write(target: str) -> None:
    report = {
        "total_s": time.perf_counter() - _START,
        **{k: _totals.get(k, 0.0) for k in ("listing_s", "parsing_s", "detectors_s")},
        "detectors": dict(sorted(_detectors.items(), key=lambda kv: -kv[1])),
    }
    from pathlib import Path

    from mlkaizen.errors import MLKaizenError
    from mlkaizen.fsio.write import write_text

    try:  # by the safe writer: in the working folder, never through a link
        write_text(Path(target), json.dumps(report, indent=1))
    except MLKaizenError as exc:
        import sys

        sys.stderr.write(f"mlkaizen: warning: profile not written: {exc}\n")
