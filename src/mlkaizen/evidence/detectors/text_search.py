"""Mechanism: find a pattern in files' text and report the first hit with its line.

For evidence that lives in free-form text (Terraform markers, URIs, shell commands) where no
structured parser applies. Detectors decide which files and which pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from mlkaizen.evidence.findings import Finding, Outcome
from mlkaizen.evidence.tree import RepoTree


def line_at(text: str, offset: int) -> int:
    """1-based line of a character offset."""
    return text.count("\n", 0, offset) + 1


def any_of(*words: str) -> re.Pattern[str]:
    """A pattern matching any of the literal ``words``."""
    return re.compile("|".join(re.escape(w) for w in words))


def search_files(
    tree: RepoTree,
    detector_id: str,
    files: Iterable[str],
    pattern: re.Pattern[str],
    describe: Callable[[re.Match[str]], str],
    *,
    prefilter: str | Callable[[str], bool] | None = None,
    limit: int | None = None,
    read: Callable[[str], str | None] | None = None,
    accept: Callable[[str, re.Match[str]], bool] | None = None,
    **values: str,
) -> list[Finding]:
    """One finding per file whose text matches ``pattern``, at the first match (the first
    that ``accept(text, match)`` takes, if given). ``read``
    gives the text to search (default the file's text; ``tree.shell_text`` for shell);
    ``values`` go with each finding.
    ``prefilter``, a substring or a test, must hold of every text the pattern can match: it
    only spares the pattern's search of texts that cannot."""
    out: list[Finding] = []
    needle = prefilter
    possible: Callable[[str], bool] = (
        needle if callable(needle)
        else (lambda text: True) if needle is None
        else (lambda text: needle in text)
    )
    for rel in files:
        text = (read or tree.text)(rel)
        if not text or not possible(text):
            continue
        match = (
            pattern.search(text) if accept is None
            else next((m for m in pattern.finditer(text) if accept(text, m)), None)
        )
        if match:
            out.append(
                tree.finding(
                    detector_id, rel, line_at(text, match.start()), describe(match),
                    Outcome.FOUND, False, **values,
                )
            )
            if limit is not None and len(out) >= limit:
                break
    return out
