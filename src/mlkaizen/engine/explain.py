"""Plain-language explanation of an assessment: where it stands, why, what blocks the next
stage, and how close the potential stage is."""

from __future__ import annotations

from mlkaizen.engine.model import Assessment, State
from mlkaizen.evidence.findings import Outcome


def explanation(a: Assessment) -> str:
    parts = [f"Confirmed stage: {a.stage} (stage {a.stage_index} of 5)."]
    if a.subject.kind == "answers-only":
        parts.append(
            f"Assessed from the answers of {len(a.respondents)} "
            f"{'respondent' if len(a.respondents) == 1 else 'respondents'} alone, "
            "as in an interview study; nothing was scanned."
        )
    if a.subject.kind == "ml-tool-source":
        parts.append(
            "This repository is the source of an ML library or tool: the stage of a "
            "library's repository is not the stage of the teams that use it, and its own "
            "code is not credited as their practice."
        )
    if a.sub_projects:
        best = max(a.sub_projects, key=lambda sp: sp.stage_index)
        low = min(sp.stage_index for sp in a.sub_projects)
        if a.focus:
            best = next((sp for sp in a.sub_projects if sp.path == a.focus), best)
        spread = (
            f"all at {best.stage}"
            if low == best.stage_index
            else f"the most mature, {best.path}, at {best.stage}"
        )
        if a.spread:
            parts[0] = f"{a.spread}. " + parts[0]
        parts.append(
            f"It holds {len(a.sub_projects)} independent projects, each assessed on its own "
            f"evidence ({spread})"
            + (
                f"; the stage and everything below are {a.focus}'s (the most mature), never "
                "pooled from unrelated projects."
                if a.focus
                else "."
            )
        )
    unknown = len(a.questions)
    if a.potential_stage_index > a.stage_index:
        parts.append(
            f"It could be {a.potential_stage} if the {unknown} open question(s) "
            "the repository cannot answer turn out well."
        )
    if a.next_stage is None:
        parts.append("This is the highest stage; keep improving every dimension.")
        return " ".join(parts)
    lacking = [d for d in a.dimensions if d.blockers]
    if lacking:
        descr = []
        for d in lacking:
            core = [b for b in d.blockers if b.role == "core"]
            names: dict[str, str] = {}
            for b in core:  # a group of alternatives is named once, as "a or b"
                names.setdefault(" or ".join(b.any_of) or b.practice, b.practice)
            known = {b.practice for b in core if b.state is not State.UNKNOWN}
            todo = [n for n, first in names.items() if first in known]
            unk = [n for n, first in names.items() if first not in known]
            bits = []
            if todo:
                bits.append(f"core {_list(todo)} to put in place")
            if unk:
                bits.append(f"core {_list(unk)} to confirm")
            sup = [b for b in d.blockers if b.role != "core"]
            if sup:
                bits.append(
                    f"{sup[0].quorum_short} more supporting practice(s) of "
                    f"{_list([b.practice for b in sup])}"
                )
            descr.append(f"{d.name} is at level {d.level} ({d.level_name}): " + "; ".join(bits))
        parts.append(f"Reaching {a.next_stage} needs: " + "; ".join(descr) + ".")
    weakest = next(d for d in a.dimensions if d.id == a.weakest_dimension)
    parts.append(
        f"The weakest dimension is {weakest.name} ({weakest.met} of {weakest.total} "
        "practices satisfied)."
    )
    return " ".join(parts)


def _list(ids: list[str]) -> str:
    shown = ", ".join(ids[:3]) + (", ..." if len(ids) > 3 else "")
    return f"({shown})"


# what shows nothing about ML work: any folder under version control has it
_GENERIC = frozenset({"code_under_version_control"})


def nothing_found(a: Assessment) -> str | None:
    """One line when the scan found nothing to judge (an empty folder, or files showing no
    practice at all): a full report would only list every practice as missing. ``None``
    otherwise, and for an assessment from answers or one some answers fed."""
    if a.scan is None or a.respondents:
        return None
    if a.scan.files_listed == 0:
        return f"nothing to assess: {a.subject.name} is an empty folder"
    shown = {
        f.detector for f in a.findings if f.outcome in (Outcome.FOUND, Outcome.PARTIAL)
    }
    if shown - _GENERIC:
        return None
    files = f"{a.scan.files_listed} file{'' if a.scan.files_listed == 1 else 's'}"
    return (
        f"no sign of an ML project in {a.subject.name} ({files}): no training code, data "
        "versioning, pipeline, tracking, tests or CI found; give the folder of an ML project"
    )
