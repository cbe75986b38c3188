"""The git history of a repository over a window, read from git objects without a checkout:
which commits changed training code, data pointers, params, metrics, CI and monitoring
config; reverts; commits made by automation; tags.

Runs git only through the neutralised invocation of :mod:`mlkaizen.evidence.gitcommit`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from mlkaizen.evidence.facts.live import HistoryFacts


def read_history(
    path: Path, since: dt.datetime, until: dt.datetime, *, max_commits: int = 200_000
) -> HistoryFacts:
    """The history of the repository holding ``path`` between ``since`` and ``until``
    (only the part under ``path`` when it is a folder of the repository). Raises
    :class:`~mlkaizen.errors.MLKaizenError` when ``path`` is not in a git repository or git
    fails; a budget cut is a problem in the facts (``complete`` False)."""
    raise NotImplementedError
