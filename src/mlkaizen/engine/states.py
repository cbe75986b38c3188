"""Practice states and their sources: findings + catalogue + config -> one result per practice.

Precedence: not-applicable and live exemptions (configured) first; then detection; then an
attested answer for what detection did not show. An expired exemption never hides a gap: the
practice is evaluated normally and, if not met, is *unmet* with the expiry said.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mlkaizen.catalogue.schema import Practice
from mlkaizen.config import Config
from mlkaizen.engine.model import SATISFIED, Evidence, PracticeResult, Source, State
from mlkaizen.evidence.findings import Context, Finding, Outcome

ANSWER_STATE = {
    "yes": State.MET,
    "partly": State.PARTIAL,
    "no": State.UNMET,
    "not-applicable": State.NOT_APPLICABLE,
}


def _evidence(findings: list[Finding]) -> list[Evidence]:
    """Each finding once, in order (a detector a practice names both as a sign of partial
    use and as a condition of full use offers its findings twice)."""
    unique: dict[tuple[object, ...], Finding] = {}
    for f in findings:
        unique.setdefault((*f.sort_key(), f.context, f.outcome), f)
    return [
        Evidence(
            detector=f.detector,
            file=f.file,
            line=f.line,
            detail=f.detail,
            context=f.context.value,
            outcome=f.outcome.value,
            object=f.values.get("object"),
            origin=f.values.get("source"),
        )
        for f in unique.values()
    ]


@dataclass(frozen=True)
class Attested:
    """An answer from a person: one attestation in the config, or the combined answer of
    several respondents."""

    answer: str
    by: str
    when: str = ""
    link: str | None = None
    agreement: float | None = None
    disagreement: bool = False


def _from_config(config: Config, practice_id: str) -> Attested | None:
    a = config.attest.get(practice_id)
    if a is None:
        return None
    return Attested(a.answer, a.by, f" on {a.date}", a.link)


def resolve(
    practice: Practice,
    by_detector: dict[str, list[Finding]],
    detectors_run: set[str],
    config: Config,
    *,
    today: dt.date,
    answer: Attested | None = None,
    scanned: bool = True,
) -> PracticeResult:
    """The state of one practice, with its source, evidence and a one-line note.

    ``answer`` is the combined questionnaire answer (it takes precedence over an attestation
    in the config); ``scanned`` is False for an assessment from answers alone.
    """
    result = PracticeResult(
        id=practice.id,
        dimension=practice.dimension,
        level=practice.level,
        title=practice.title,
        required=practice.required,
        state=State.UNKNOWN,
        source=Source.NONE,
        question=practice.question,
    )
    if practice.id in config.not_applicable:
        result.state, result.source = State.NOT_APPLICABLE, Source.CONFIGURED
        result.note = "not applicable: " + config.not_applicable[practice.id].reason
        return result
    expired_note = ""
    exemption = config.exempt.get(practice.id)
    if exemption is not None:
        if exemption.expires >= today:
            result.state, result.source = State.EXEMPT, Source.CONFIGURED
            result.note = (
                f"exempt until {exemption.expires} (owner {exemption.owner}): {exemption.reason}"
            )
            return result
        expired_note = f"exemption expired on {exemption.expires} (owner {exemption.owner})"

    if scanned:
        state, note = detect(practice, by_detector, detectors_run, result)
    else:
        state, note = State.UNKNOWN, "assessed from answers only; answer the question"
    attested = answer or _from_config(config, practice.id)
    if state is State.MET:
        result.state, result.source, result.note = state, Source.DETECTED, note
        if attested is not None and attested.answer == "no":
            result.conflict = (
                f"answered 'no' by {attested.by}, but the repository shows it ({note})"
            )
            result.note += f"; conflicts with {attested.by}'s answer 'no'"
    elif attested is not None and attested.answer in ANSWER_STATE:
        result.state, result.source = ANSWER_STATE[attested.answer], Source.ATTESTED
        result.note = f"attested '{attested.answer}' by {attested.by}{attested.when}"
        if attested.link:
            result.note += f" ({attested.link})"
        if note and state is not State.UNKNOWN:
            result.note += f"; detection: {note}"
        if attested.answer in ("yes", "partly") and state is State.UNMET and scanned:
            result.conflict = (
                f"answered '{attested.answer}' by {attested.by}, but the "
                "repository shows no evidence of it"
            )
    else:
        result.state, result.note = state, note
        result.source = (
            Source.DETECTED
            if state is State.PARTIAL or (state is State.UNMET and practice.detection is not None)
            else Source.NONE
        )
    if answer is not None:
        result.agreement, result.disagreement = answer.agreement, answer.disagreement
    if expired_note and result.state not in SATISFIED:
        result.state = State.UNMET
        result.note = f"{expired_note}; {result.note}" if result.note else expired_note
    result.open_question = is_open_question(result, practice)
    return result


def is_open_question(result: PracticeResult, practice: Practice) -> bool:
    """Whether the practice stays a question: unknown, or partly seen by a detection whose
    rest may lie outside the repository."""
    partly_seen = (
        result.state is State.PARTIAL
        and result.source is Source.DETECTED
        and practice.detection is not None
        and practice.absent_state == "unknown"
    )
    return result.state is State.UNKNOWN or partly_seen


def detect(
    practice: Practice,
    by_detector: dict[str, list[Finding]],
    detectors_run: set[str],
    result: PracticeResult,
) -> tuple[State, str]:
    spec = practice.detection
    if spec is None:
        return State.UNKNOWN, "cannot be detected from a repository; answer the question"
    missing = [d for d in spec.detectors if d not in detectors_run]
    if missing:
        which = "detector" if len(missing) == 1 else "detectors"
        return State.UNKNOWN, f"{which} did not run: {', '.join(missing)}"

    def credited(det: str, outcomes: tuple[Outcome, ...] = (Outcome.FOUND,)) -> list[Finding]:
        return [
            f
            for f in by_detector.get(det, [])
            if f.outcome in outcomes and f.context is Context.PROJECT
        ]

    met_any = [f for d in spec.met_if_any for f in credited(d)]
    met_all = (
        [f for d in spec.met_if_all for f in credited(d)]
        if spec.met_if_all and all(credited(d) for d in spec.met_if_all)
        else []
    )
    if met_any or met_all:
        result.evidence = _evidence(met_any + met_all)
        first = (met_any + met_all)[0]
        return State.MET, first.detail
    partial = [f for d in spec.detectors for f in credited(d, (Outcome.PARTIAL,))]
    partial += [f for d in [*spec.partial_if_any, *spec.met_if_all] for f in credited(d)]
    if partial:
        result.evidence = _evidence(partial)
        missing_all = [d for d in spec.met_if_all if not credited(d)]
        why = f"; missing: {', '.join(missing_all)}" if missing_all else ""
        return State.PARTIAL, f"partly: {partial[0].detail}{why}"
    tutorial = [
        f
        for d in spec.detectors
        for f in by_detector.get(d, [])
        if f.context is not Context.PROJECT and f.outcome in (Outcome.FOUND, Outcome.PARTIAL)
    ]
    if tutorial:
        result.evidence = _evidence(tutorial)
        where = "tutorial/example" if tutorial[0].context is Context.TUTORIAL else "test"
        note = f"seen only in {where} folders ({tutorial[0].file}), not in the project itself"
        return (State.UNKNOWN if practice.absent_state == "unknown" else State.UNMET), note
    if practice.absent_state == "unknown":
        return State.UNKNOWN, "not visible in the repository; answer the question"
    return State.UNMET, "no evidence found"
