"""Plain-language explanation of an assessment: where it stands, why, what blocks the next
stage, and how close the potential stage is."""

from __future__ import annotations

from mlkaizen.engine.model import Assessment, State


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
            "This repository is the source of an ML tool; its own code is not "
            "credited as the practice of a team using it, so the stage says little."
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
            unmet = [b.practice for b in d.blockers if b.state is not State.UNKNOWN]
            unk = [b.practice for b in d.blockers if b.state is State.UNKNOWN]
            bits = []
            if unmet:
                bits.append(
                    f"{len(unmet)} practice(s) to put in place ({', '.join(unmet[:3])}"
                    + (", ..." if len(unmet) > 3 else "")
                    + ")"
                )
            if unk:
                bits.append(f"{len(unk)} to confirm")
            descr.append(f"{d.name} is at level {d.level} ({d.level_name}): " + " and ".join(bits))
        parts.append(f"Reaching {a.next_stage} needs: " + "; ".join(descr) + ".")
    weakest = next(d for d in a.dimensions if d.id == a.weakest_dimension)
    parts.append(
        f"The weakest dimension is {weakest.name} ({weakest.met} of {weakest.total} "
        "practices satisfied)."
    )
    return " ".join(parts)
