"""Plain-language explanation of an assessment: where it stands, why, what blocks the next
stage, and how close the potential stage is."""

from __future__ import annotations

from mlkaizen.engine.model import (
    SATISFIED,
    Assessment,
    Blocker,
    DimensionResult,
    LevelRule,
    State,
)
from mlkaizen.evidence.findings import Outcome


def explanation(a: Assessment) -> str:
    parts = [f"Confirmed stage: {a.stage} (stage {a.stage_index} of 5)."]
    if a.tolerated:
        parts.append(tolerated_line(a))
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
            f"It could be {a.potential_stage} if the {plural(unknown, 'open question')} "
            "the repository cannot answer turn out well."
        )
    if a.next_stage is None:
        parts.append("This is the highest stage; keep improving every dimension.")
        return " ".join(parts)
    lacking = [d for d in a.dimensions if d.blockers]
    if lacking:
        parts.append(_why(a, lacking))
        parts.append(first_steps(a) or _to_reach(a, lacking))
    return " ".join(parts)


def tolerated_line(a: Assessment) -> str:
    """``It stands there with 1 gap that the stage's gate tolerates, the first to close:
    ...``: the gaps the confirmed stage's gate holds with, each practice with its state."""
    named = []
    for group in a.tolerated:
        members = [p for pid in group.split("|") if (p := a.practice(pid)) is not None]
        named.append(
            " or ".join(f"{quoted(p.title)} ({p.state.value})" for p in members) or group
        )
    gaps = plural(len(a.tolerated), "gap")
    return (
        f"It stands there with {gaps} that the stage's gate tolerates, "
        f"the first to close: {'; '.join(named)}."
    )


def plural(n: int, noun: str) -> str:
    """``1 open question``, ``2 open questions``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def first_steps(a: Assessment) -> str | None:
    """The one or two roadmap steps that lead to the next stage, in a sentence (what to
    confirm, what to put in place), and how many more the roadmap holds for it. ``None``
    when the roadmap has no step for the next stage."""
    steps = [r for r in a.roadmap if r.for_stage == a.next_stage]
    if not steps:
        return None
    first = steps[:2]
    # two alternatives of one core group (either is enough): "a, or b", never "a, then b"
    groups = {frozenset(b.any_of) for d in a.dimensions for b in d.blockers if b.any_of}
    either_one = len(first) == 2 and any({r.practice for r in first} <= g for g in groups)
    join = ", or " if either_one else ", then "
    link = " or " if either_one else " and "
    check = [quoted(r.title) for r in first if r.action == "verify"]
    build = [quoted(r.title) for r in first if r.action != "verify"]
    said = []
    if check:
        said.append(
            f"confirm {link.join(check)} "
            + ("(an open question)" if len(check) == 1 else "(open questions)")
        )
    if build:
        said.append(f"put in place {link.join(build)}")
    head = "The first step" if len(steps) == 1 else "The first steps"
    text = f"{head} to {a.next_stage}: {join.join(said)}."
    if len(steps) > 2:
        text += f" The roadmap lists {plural(len(steps) - 2, 'more step')} for it."
    return text


def _to_reach(a: Assessment, lacking: list[DimensionResult]) -> str:
    """What each dimension below the next stage needs, by practice title."""
    return (
        f"To reach {a.next_stage}: "
        + "; ".join(f"{d.name} needs {needs(d.blockers)}" for d in lacking)
        + "."
    )


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


def quoted(title: str) -> str:
    """A practice title inside a sentence: ``“Data ingestion is orchestrated”``."""
    return f"\u201c{title}\u201d"


def and_list(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b, and c``."""
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def either(titles: list[str]) -> str:
    """A group of alternatives: ``“a”``, ``either “a” or “b”``, ``one of “a”, “b” or “c”``."""
    quoted_titles = [quoted(t) for t in titles]
    if len(titles) == 1:
        return quoted_titles[0]
    head = "either " if len(titles) == 2 else "one of "
    return head + ", ".join(quoted_titles[:-1]) + " or " + quoted_titles[-1]


def _why(a: Assessment, lacking: list[DimensionResult]) -> str:
    """``It is not Automated MLOps yet: Model and Deployment are at level 1 where it needs
    level 2.`` (dimensions at the same level and gap named together)."""
    gaps: dict[tuple[int, int], list[str]] = {}
    for d in lacking:
        gaps.setdefault((d.level, max(b.level for b in d.blockers)), []).append(d.name)
    below = [
        f"{and_list(names)} {'is' if len(names) == 1 else 'are'} at level {level} where it "
        f"needs level {need}"
        for (level, need), names in gaps.items()
    ]
    return f"It is not {a.next_stage} yet: {and_list(below)}."


def needs(blockers: list[Blocker]) -> str:
    """What a dimension's blockers ask, by practice title: the core practices to put in place
    (a group of alternatives as "either a or b"), those to confirm (unknown), then how many
    more of the supporting practices its quorum needs (named when there are one or two)."""
    groups: dict[str, list[Blocker]] = {}
    for b in blockers:
        if b.role == "core":  # a group of alternatives is named once, as "a or b"
            groups.setdefault(" or ".join(b.any_of) or b.practice, []).append(b)
    todo = [g for g in groups.values() if any(b.state is not State.UNKNOWN for b in g)]
    unknown = [g for g in groups.values() if all(b.state is State.UNKNOWN for b in g)]
    bits = [either([b.title for b in g]) for g in todo]
    if unknown:
        bits.append(
            "a confirmed "
            + and_list([either([b.title for b in g]) for g in unknown])
            + " (an open question)"
        )
    supporting = [b for b in blockers if b.role != "core"]
    if supporting:
        short = max(b.quorum_short for b in supporting)
        named = (
            " (" + either([b.title for b in supporting]) + ")"
            if len(supporting) <= 2
            else ""
        )
        bits.append(f"{short} more of its {len(supporting)} missing supporting practices{named}")
    return and_list(bits)


def rule_text(rule: LevelRule, a: Assessment) -> str:
    """One level of a dimension in words, practices by title:
    ``Level 2 needs: “Data ingestion is orchestrated”; 1 of 2 supporting practices (met so
    far: none)`` or ``Level 1 holds: its core practice in place; 2 of 3 supporting practices
    met (1 needed)``."""
    titles = {p.id: p.title for p in a.practices}
    done = {p.id for p in a.practices if p.state in SATISFIED}
    missing = [
        either([titles.get(pid, pid) for pid in group.split("|")])
        for group in rule.core
        if not any(pid in done for pid in group.split("|"))
    ]
    met = [quoted(titles.get(pid, pid)) for pid in rule.supporting if pid in done]
    if rule.holds:
        bits = []
        if rule.core_total:
            bits.append(
                "its core practice in place"
                if rule.core_total == 1
                else f"its {rule.core_total} core practices in place"
            )
        if rule.supporting_total:
            bits.append(
                f"{rule.supporting_met} of {rule.supporting_total} supporting practices met"
                + (f" ({rule.quorum} needed)" if rule.quorum else " (none needed)")
            )
        return f"Level {rule.level} holds" + (": " + "; ".join(bits) if bits else "")
    bits = list(missing)
    if rule.quorum:
        done_yet = "already met" if len(met) >= rule.quorum else "met so far"
        bits.append(
            f"{rule.quorum} of {rule.supporting_total} supporting practices ({done_yet}: "
            + (", ".join(met) if met else "none")
            + ")"
        )
    if not missing and rule.core_total:
        bits.append("its core practices are in place")
    return f"Level {rule.level} needs: " + "; ".join(bits)


def level_text(d: DimensionResult, a: Assessment) -> str:
    """``Data is at level 1 (standardised). Level 2 needs: …``: where a dimension stands and
    what its next level asks, practices by title."""
    text = f"{d.name} is at level {d.level} ({d.level_name})."
    nxt = next((r for r in d.rules if r.level == d.level + 1), None)
    if nxt is not None:
        text += " " + rule_text(nxt, a) + "."
    return text
