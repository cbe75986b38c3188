"""Findings from a repository's git history over a window: a schedule that fired, model or
data changes reverted, the retraining schedule or drift thresholds revised. And the shape
every live finding shares: the fact, its source and the object that shows it."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from itertools import pairwise

from mlkaizen.evidence.facts.live import ChangeKind, Commit, HistoryFacts
from mlkaizen.evidence.facts.reverts import reverted_changes
from mlkaizen.evidence.findings import Finding, Outcome

HISTORY = "git history"
_FROM_MONITORING = re.compile(r"drift|monitor|stale|staleness|decay|degrad|alert", re.I)


def found(
    fact: str, source: str, detail: str, obj: str | None = None, partial: bool = False
) -> Finding:
    values = {"source": source, **({"object": obj} if obj else {})}
    return Finding(
        detector=fact,
        outcome=Outcome.PARTIAL if partial else Outcome.FOUND,
        detail=f"{source}: {detail}",
        values=values,
    )


def day(moment: object) -> str:
    return str(moment)[:10]


def history_findings(h: HistoryFacts) -> list[Finding]:
    """Every finding the history of the window supports."""
    return _scheduled(h) + _reverts(h) + _revised(h)


def _cadence(times: list[dt.datetime]) -> float | None:
    """The days between runs when at least three came at a steady pace (the longest gap at
    most three times the median one): a timer, not pushes; ``None`` otherwise."""
    if len(times) < 3:
        return None
    ordered = sorted(times)
    gaps = sorted((b - a).total_seconds() / 86400 for a, b in pairwise(ordered))
    middle = gaps[len(gaps) // 2]
    return middle if middle > 0 and gaps[-1] <= 3 * middle else None


def _scheduled(h: HistoryFacts) -> list[Finding]:
    """Automation committing data locks or metrics at a steady pace: a schedule that fired
    (found); at no steady pace, or fewer than three times, it may as well follow pushes
    (partly)."""
    fired = [
        c
        for c in h.commits
        if c.automation and c.kinds & {ChangeKind.DATA_POINTER, ChangeKind.METRICS}
    ]
    if not fired:
        return []
    last = fired[0]  # newest first
    who = Counter(c.author for c in fired).most_common(1)[0][0]
    every = _cadence([c.committed for c in fired])
    pace = (
        f", about every {every:.0f} day{'s' if round(every) != 1 else ''}"
        if every is not None
        else " (at no steady pace: a schedule or pushes may have made them)"
    )
    detail = (
        f"{len(fired)} commit{'s' if len(fired) != 1 else ''} by {who} updated data locks or "
        f"metrics since {day(h.since)}, the last on {day(last.committed)}{pace}"
    )
    return [
        found("training_scheduled", HISTORY, detail, f"commit:{last.short}", every is None)
    ]


def _reverts(h: HistoryFacts) -> list[Finding]:
    """A model, data or params change reverted: a rollback done through git."""
    ml = {c.sha: c for c in h.commits if c.ml_change and c.reverts is None}
    back = {sha: reverts for sha, reverts in reverted_changes(h).items() if sha in ml}
    if not back:
        return []
    sha, reverts = max(back.items(), key=lambda kv: kv[1][0].committed)
    last, reverted = reverts[0], ml[sha]
    detail = (
        f"{len(back)} model or data change{'s' if len(back) != 1 else ''} reverted since "
        f"{day(h.since)}; the last, {reverted.short} ({reverted.subject[:60]!r}), on "
        f"{day(last.committed)}"
    )
    return [found("rollback_supported", HISTORY, detail, f"commit:{last.short}", partial=True)]


def _revised(h: HistoryFacts) -> list[Finding]:
    """The retraining schedule or a drift threshold revised (a line replaced, not added);
    found when the commit says it follows drift, staleness, monitoring or an alert, partly
    otherwise (revised, but nothing shows it came from monitoring)."""
    revised = [c for c in h.commits if c.kinds & {ChangeKind.SCHEDULE, ChangeKind.THRESHOLD}]
    if not revised:
        return []

    def from_monitoring(c: Commit) -> bool:
        return bool(_FROM_MONITORING.search(c.subject))

    best = next((c for c in revised if from_monitoring(c)), revised[0])
    what = "a drift threshold" if ChangeKind.THRESHOLD in best.kinds else "the schedule"
    detail = (
        f"{len(revised)} revision{'s' if len(revised) != 1 else ''} of the retraining "
        f"schedule or drift thresholds since {day(h.since)}; {best.short} changed {what} on "
        f"{day(best.committed)} ({best.subject[:60]!r})"
    )
    return [
        found(
            "retraining_policy_revised",
            HISTORY,
            detail,
            f"commit:{best.short}",
            partial=not from_monitoring(best),
        )
    ]
