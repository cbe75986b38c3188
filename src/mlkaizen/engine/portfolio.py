"""The headline of a repository that holds independent projects: how their stages spread.

Evidence pooled from unrelated projects proves nothing about any one of them (a tracker in
one, serving in another). The report of such a repository leads with the spread ("3 projects:
1 Manual MLOps, 2 DataOps"), and its stage, levels, blockers, roadmap and questions are those
of its most mature project, judged on that project's own evidence (named in ``focus``). The
findings stay the whole repository's; every project has its row in ``sub_projects``.
"""

from __future__ import annotations

from collections import Counter

from mlkaizen.engine.model import SATISFIED, Assessment


def spread_text(stages: list[tuple[int, str]]) -> str:
    """``"3 projects: 1 Manual MLOps, 2 DataOps"`` (most mature first)."""
    counts = Counter(stages)
    body = ", ".join(f"{n} {name}" for (_, name), n in sorted(counts.items(), reverse=True))
    return f"{len(stages)} projects: {body}"


def _maturity(a: Assessment) -> tuple[int, int, int]:
    return a.stage_index, a.potential_stage_index, sum(p.state in SATISFIED for p in a.practices)


def head_by_projects(
    whole: Assessment, parts: list[tuple[str, Assessment]], shared: frozenset[str] = frozenset()
) -> None:
    """Give ``whole`` the spread of ``parts`` ((path, assessment) each) and the judgement of
    the most mature of them, in place. A part's evidence is in its folder's terms; it is
    given back in the repository's (``shared``: files outside every part, whose paths are the
    repository's already)."""
    if not parts:
        return
    whole.spread = spread_text([(a.stage_index, a.stage) for _, a in parts])
    path, best = max(parts, key=lambda p: _maturity(p[1]))
    whole.focus = path
    for field in (
        "stage",
        "stage_index",
        "potential_stage",
        "potential_stage_index",
        "next_stage",
        "tolerated",
        "weakest_dimension",
        "dimensions",
        "practices",
        "roadmap",
        "questions",
    ):
        setattr(whole, field, getattr(best, field))
    for practice in whole.practices:
        for e in practice.evidence:
            if e.file and e.file not in shared:
                e.file = f"{path}/{e.file}"
