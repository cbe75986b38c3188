"""Python's cyclic garbage collector, tuned for one short command-line run.

A run imports some 300 modules and builds tens of thousands of objects that live until the
process ends (classes, validators, compiled patterns, the catalogue). With the default
thresholds the cyclic collector walks them over and over while they are imported, and again
while the interpreter clears its modules at exit, where nothing is left to reclaim that
exiting does not reclaim anyway. On an empty folder that walk at exit was about 0.2 s of a
0.9 s run (BENCHMARKS.md, "Start-up").

Only the command line calls this: the library and the server keep Python's defaults.
"""

from __future__ import annotations

import gc

#: Allocations between two young-generation collections (Python's default is 700). Cycles
#: still get collected; a long scan just checks for them less often.
YOUNG_THRESHOLD = 10_000


def tune() -> None:
    """Collect less often while the run builds long-lived objects."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def settle() -> None:
    """Before exit: move every object the run made out of the collector's sight, so that
    clearing the modules at exit does not walk them again. Nothing is freed later than it
    would be: the process is about to end."""
    gc.freeze()
