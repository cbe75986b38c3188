"""Entry points of the installed environment only.

``importlib.metadata.entry_points()`` reads every ``*.dist-info`` on ``sys.path``, including
the working folder when Python put it there (``python -m``, an interactive session). There
it is the repository under assessment, which could declare a "plugin" and have its own code
imported. Plugins are looked up only on the other ``sys.path`` entries.
"""

from __future__ import annotations

import os
import sys
from importlib.metadata import EntryPoint, distributions


def installed_entry_points(group: str) -> list[EntryPoint]:
    """The ``group`` entry points of distributions installed outside the working folder
    (the first distribution of a name wins, as with ``importlib.metadata``)."""
    cwd = os.path.realpath(os.getcwd())
    paths = [p for p in sys.path if p and os.path.realpath(p) != cwd]
    seen: set[str] = set()
    found: list[EntryPoint] = []
    for dist in distributions(path=paths):
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        found.extend(dist.entry_points.select(group=group))
    return found
