"""Compare an assessment with a committed baseline, and check gate thresholds.

A baseline is a small JSON file (``.mlkaizen/baseline.json``) that records the catalogue, the
stage, the dimension levels and each practice's state. No server is needed: it is committed
with the code, and CI compares against it. :mod:`mlkaizen.engine_files` reads and writes it:
the engine opens no file.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from mlkaizen.engine.model import SATISFIED, Assessment, Change, Comparison, State
from mlkaizen.errors import MLKaizenError

_SMALL_NUMBER = re.compile(r"[0-9]{1,3}")  # ASCII only: "²".isdigit() but int("²") fails
BASELINE_VERSION = 1
DEFAULT_BASELINE = Path(".mlkaizen") / "baseline.json"


class Baseline(BaseModel):
    baseline_version: int = BASELINE_VERSION
    catalogue: dict[str, str]
    stage: str
    stage_index: int
    levels: dict[str, int]
    practices: dict[str, State]


def baseline_of(a: Assessment) -> Baseline:
    return Baseline(
        catalogue=a.catalogue,
        stage=a.stage,
        stage_index=a.stage_index,
        levels={d.id: d.level for d in a.dimensions},
        practices={p.id: p.state for p in a.practices},
    )


def compare(a: Assessment, base: Baseline, path: Path) -> Comparison:
    """Compare, migrating across catalogue versions of the same catalogue (practices are
    matched by id); a baseline of another catalogue is refused."""
    if base.catalogue.get("id") != a.catalogue["id"]:
        raise MLKaizenError(
            f"baseline is for catalogue {base.catalogue.get('id')!r}, this assessment uses "
            f"{a.catalogue['id']!r}; save a new baseline with `mlkaizen baseline save`",
            str(path),
        )
    note = ""
    current = {p.id: p.state for p in a.practices}
    rule_changed = base.catalogue.get("rule", base.catalogue.get("version")) != a.catalogue.get(
        "rule", a.catalogue["version"]
    )
    if base.catalogue.get("version") != a.catalogue["version"]:
        gone = sorted(set(base.practices) - set(current))
        note = (
            f"baseline from catalogue version {base.catalogue.get('version')}, compared with "
            f"{a.catalogue['version']} by practice id"
        )
        if gone:
            note += f"; no longer in the catalogue: {', '.join(gone)}"
    if rule_changed:
        note = (note + "; " if note else "") + (
            "the level rule changed since the baseline: stage and level changes are shown "
            "but not counted as regressions; practices are compared by id"
        )
    gained, lost = [], []
    for pid, after in current.items():
        before = base.practices.get(pid)
        if before is None:
            continue
        if before in SATISFIED and after not in SATISFIED:
            lost.append(Change(practice=pid, before=before, after=after))
        elif before not in SATISFIED and after in SATISFIED:
            gained.append(Change(practice=pid, before=before, after=after))
    return Comparison(
        baseline_catalogue=base.catalogue,
        stage_before=base.stage,
        stage_index_before=base.stage_index,
        levels_before=base.levels,
        gained=gained,
        lost=lost,
        note=note,
        rule_changed=rule_changed,
    )


def regression_reasons(a: Assessment, c: Comparison) -> list[str]:
    """Why ``a`` regressed since the baseline. Under a changed level rule only lost practices
    count: a lower stage or level may be the rule's doing, not the team's."""
    reasons = []
    if not c.rule_changed:
        if a.stage_index < c.stage_index_before:
            reasons.append(f"stage fell from {c.stage_before} to {a.stage}")
        for d in a.dimensions:
            before = c.levels_before.get(d.id)
            if before is not None and d.level < before:
                reasons.append(f"{d.name} fell from level {before} to {d.level}")
    reasons += [f"{ch.practice} was {ch.before.value}, now {ch.after.value}" for ch in c.lost]
    return reasons


def parse_threshold(
    spec: str, stages: list[str], dimensions: list[str]
) -> tuple[int | None, dict[str, int]]:
    """``"Manual MLOps"`` (a stage, by name or index) or ``"data=2,model=1"`` (levels)."""
    text = spec.strip()
    by_name = {s.lower(): i for i, s in enumerate(stages, start=1)}
    if text.lower() in by_name:
        return by_name[text.lower()], {}
    if _SMALL_NUMBER.fullmatch(text) and 1 <= int(text) <= len(stages):
        return int(text), {}
    levels: dict[str, int] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if (
            not sep
            or key not in dimensions
            or not _SMALL_NUMBER.fullmatch(value.strip())
            or not (0 <= int(value) <= 3)
        ):
            raise MLKaizenError(
                f"--fail-under {spec!r}: expected a stage ({', '.join(stages)}) or levels like "
                f"data=2,model=1 with dimensions {', '.join(dimensions)} and levels 0-3"
            )
        levels[key] = int(value)
    return None, levels


def gate_failures(
    a: Assessment | Baseline, stage_min: int | None, levels: dict[str, int], stages: list[str]
) -> list[str]:
    """Why an assessment (or a baseline's record of one) is below the thresholds."""
    out = []
    if stage_min is not None and a.stage_index < stage_min:
        out.append(f"stage {a.stage} is below {stages[stage_min - 1]}")
    if isinstance(a, Baseline):
        dims = [(d, d, lv) for d, lv in a.levels.items()]
    else:
        dims = [(d.id, d.name, d.level) for d in a.dimensions]
    for key, name, level in dims:
        need = levels.get(key)
        if need is not None and level < need:
            out.append(f"{name} is at level {level}, below {need}")
    return out


def excused_by_rule_change(c: Comparison, baseline_failures: list[str]) -> bool:
    """A threshold the baseline met, missed now although no practice was lost: the fall is
    the changed level rule's doing, and a gate must not fail on it alone."""
    return c.rule_changed and not c.lost and not baseline_failures
