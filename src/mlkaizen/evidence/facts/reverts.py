"""Which commits revert which, read from a window's history: shared by the live findings
and the delivery metrics. A revert names the commit it undoes in full or abbreviated (7 or
more characters); a change reverted twice is one reverted change."""

from __future__ import annotations

from mlkaizen.evidence.facts.live import Commit, HistoryFacts


def _reverted_sha(named: str, shas: dict[str, Commit]) -> str:
    """The full sha of the commit read that a revert names (a full sha or an abbreviation
    of 7+ characters), else the sha as the revert names it."""
    if named in shas or len(named) < 7:
        return named
    return next((sha for sha in shas if sha.startswith(named)), named)


def reverted_changes(history: HistoryFacts) -> dict[str, list[Commit]]:
    """Every reverted commit (its full sha when it was read, else the sha its revert names)
    with the commits that revert it, oldest first: a change reverted twice is one key."""
    shas = {c.sha: c for c in history.commits}
    out: dict[str, list[Commit]] = {}
    for r in sorted(history.commits, key=lambda c: c.committed):
        if r.reverts is not None:
            out.setdefault(_reverted_sha(r.reverts, shas), []).append(r)
    return out
