"""Text for ``mlkaizen explain`` and ``mlkaizen model show``, from the same metadata the
docs are generated from."""

from __future__ import annotations

from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.catalogues import load_catalogue
from mlkaizen.engine.model import Assessment
from mlkaizen.errors import MLKaizenError
from mlkaizen.textfmt import plain, reflow, summary, wrap_lines


def explain_item(item: str, catalogue: str | None, width: int = 80) -> str:
    """A practice or a detector, explained; lines wrapped to ``width``, never cut."""
    return wrap_lines(plain(_explain_item(item, catalogue)), width)


def _explain_item(item: str, catalogue: str | None) -> str:
    from mlkaizen.evidence.detectors import all_detectors

    REGISTRY = all_detectors()[0]  # noqa: N806 - the registry, plugins included

    cat = load_catalogue(catalogue)
    practice = cat.practice(item)
    if practice is not None:
        dim = cat.dimension(practice.dimension)
        lines = [
            f"{practice.id}: {practice.title}",
            f"  dimension {dim.name}, level {practice.level} "
            f"({cat.level_name(practice.level)}), "
            + f"{cat.role(practice)} practice of its level, seen in the "
            + f"{practice.seen_in}, effort {practice.effort}",
            "",
            f"Why: {practice.rationale}",
            "",
        ]
        if practice.detection:
            det = practice.detection
            lines.append("Detected as:")
            if det.met_if_any:
                lines.append("  met if any of: " + ", ".join(det.met_if_any))
            if det.met_if_all:
                lines.append("  met if all of: " + ", ".join(det.met_if_all))
            if det.partial_if_any:
                lines.append("  partial if only: " + ", ".join(det.partial_if_any))
            lines.append(f"  when nothing is found: {practice.absent_state}")
            for d in det.detectors:
                lines.append(f"    {d}: {summary(REGISTRY[d].doc)}")
            lines.append("")
        if practice.question:
            lines += [f"Question: {practice.question}", ""]
        lines += [f"Fix: {practice.remediation}"]
        if practice.prerequisites:
            lines.append("After: " + ", ".join(practice.prerequisites))
        if practice.mappings.describe():
            lines.append("Maps to: " + "; ".join(practice.mappings.describe()))
        return "\n".join(lines) + "\n"
    if item in REGISTRY:
        found = REGISTRY[item]
        users = [p.id for p in cat.practices if item in p.detectors_used]
        return (
            f"{found.id} (detector, family {found.family})\n\n{reflow(found.doc)}\n\nUsed by: "
            f"{', '.join(users) or 'no practice of this catalogue'}\n"
        )
    raise MLKaizenError(
        f"unknown practice or detector {item!r}; see `mlkaizen model show` or `mlkaizen detectors`"
    )


def explain_stage(a: Assessment) -> str:
    from mlkaizen.engine.explain import level_text

    lines = [
        f"{a.subject.name}: {a.stage} (confirmed), {a.potential_stage} (potential)",
        "",
        a.explanation,
        "",
        "Levels:",
        *[f"  {level_text(d, a)}" for d in a.dimensions],
        "",
    ]
    if a.next_stage:
        lines.append(f"What blocks {a.next_stage}:")
        for d in a.dimensions:
            for b in d.blockers:
                lines.append(
                    f"  {d.name}: {b.practice} [{b.role}, {b.state.value}] {b.title}"
                )
        if not any(d.blockers for d in a.dimensions):
            lines.append("  nothing")
    return "\n".join(lines) + "\n"


def catalogue_summary(cat: Catalogue) -> str:
    lines = [f"{cat.title} ({cat.id} {cat.version})", "", "Stages:"]
    for s in sorted(cat.stages, key=lambda s: s.index):
        gate = ", ".join(f"{k} >= {v}" for k, v in s.requires.items()) or "none"
        tol = s.tolerance
        lines.append(
            f"  {s.index}. {s.name}: needs {gate}"
            + (f" (holds with {tol.when('core practices')})" if tol else "")
        )
    lines += ["", "Levels: " + ", ".join(f"{lv.value} {lv.name}" for lv in cat.levels)]
    lines += [
        "A level holds when its core practices are satisfied and the quorum of its "
        "supporting ones is; levels are cumulative.",
        "",
    ]
    for d in cat.dimensions:
        lines.append(f"{d.name} ({d.id})")
        for p in sorted(
            (p for p in cat.practices if p.dimension == d.id), key=lambda p: (p.level, p.id)
        ):
            how = "detect" if p.detection else "ask"
            lines.append(f"  L{p.level} {p.id:<42} {how:<6} {p.effort} {cat.role(p)}")
    return "\n".join(lines) + "\n"


def explain_weights(cat: Catalogue, weighted: Assessment, uniform: Assessment) -> str:
    """How the catalogue's weights change the result: scores and roadmap order. Weights never
    change levels or the stage (the gates count core practices and quorums only)."""
    lines = [f"Weights of {cat.id} {cat.version} (default 1.0):"]
    lines += [f"  {pid}: {w:g}" for pid, w in sorted(cat.weights.items())] or ["  none set"]
    lines += ["", f"{'dimension':<30}{'score (weights)':>17}{'score (all 1.0)':>17}"]
    for d, u in zip(weighted.dimensions, uniform.dimensions, strict=True):
        lines.append(f"{d.name:<30}{d.score:>16.0%} {u.score:>16.0%}")
    lines += [
        "",
        f"Stage {weighted.stage}: weights never change levels or stages.",
        "",
        "Roadmap order (weights | all 1.0):",
    ]
    rows = max(len(weighted.roadmap), len(uniform.roadmap))
    for i in range(min(rows, 12)):
        left = weighted.roadmap[i].practice if i < len(weighted.roadmap) else ""
        right = uniform.roadmap[i].practice if i < len(uniform.roadmap) else ""
        mark = "" if left == right else "  *"
        lines.append(f"  {i + 1:>2}. {left:<40} {right}{mark}")
    return "\n".join(lines) + "\n"
