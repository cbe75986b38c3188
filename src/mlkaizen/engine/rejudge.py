"""Re-judging a stored assessment with questionnaire answers given later (the server's web
questionnaire): what :func:`mlkaizen.engine.assess.evaluate` would have given, had the
answers been there when the repository was assessed. The engine never opens a file.

**Why from the practice results, not by running ``evaluate`` on the report's findings.** A
stored report does not say which detectors ran (``scan.detectors_run`` is a count), nor the
configuration it was judged with (exemptions, not-applicable declarations, attestations),
and a repository of independent projects is judged on its focus project's own evidence while
its ``findings`` are the whole repository's: re-running ``evaluate`` on them would judge
pooled evidence, and a missing detector or exemption would quietly change the result. Each
practice result, on the other hand, keeps what ``resolve`` decided from the evidence: its
state, source and note, and the very findings it was decided on (``evidence``). So each
result is kept, and only what an answer changes is changed, by the rules of
:func:`mlkaizen.engine.states.resolve`:

* a practice the evidence shows (met by detection) stays met; a ``no`` answer is recorded as
  a conflict;
* one the configuration settles (not applicable, exempt) stays, whatever the answer;
* every other one (unknown, partial, unmet, or settled by an answers file of the repository)
  takes the answer's state, attested; its detection (partly seen, or missing, which makes a
  ``yes`` a conflict) is found again by running the practice's detection on its own evidence;
* a ``don't know`` settles nothing: the result stays as it was (but for an attestation of
  the configuration, which any answer replaces in ``resolve``: the practice is then what
  detection showed);
* an implied practice (met because other practices' evidence presupposes it) stays implied,
  unless answered ``yes`` or ``not-applicable`` (then it is attested, as ``evaluate`` gives it:
  a satisfied answer comes before implication). A practice that an answer of the repository's
  answers files kept from being implied, and that a web answer now leaves unsatisfied, is
  implied again.

The levels, stage, blockers, roadmap, questions and explanation are then recomputed with the
engine's own :func:`~mlkaizen.engine.assess.summarise`. Answers in the stored report (from
the repository's answers files) stay unless a web answer (other than ``don't know``) is given
for the same practice: the report holds their combined result, not each respondent's answer,
so they cannot be combined again.

What cannot be re-judged from a report: for a repository of independent projects, only the
focus project's judgement (the one the report shows, and its row in ``sub_projects``) is;
the other projects' rows keep their stage, and the focus stays the focus. The detection of an
implied practice before implication is found on the report's findings, which for a
repository of projects are not the focus's: there, its attested note does not name it. The
comparisons with a committed baseline and with the stored predecessor, and the overdue plan
items (``baseline``, ``previous``, ``overdue_plans``), describe the report they were made
for, when it was made, and are dropped: the store attaches its own history to what it
serves.
"""

from __future__ import annotations

import re

from mlkaizen.catalogue.schema import Catalogue, Practice
from mlkaizen.engine.assess import rule_id, summarise
from mlkaizen.engine.explain import explanation
from mlkaizen.engine.implication import apply_implications
from mlkaizen.engine.model import (
    SATISFIED,
    Assessment,
    Evidence,
    PracticeResult,
    Source,
    State,
)
from mlkaizen.engine.portfolio import spread_text
from mlkaizen.engine.states import ANSWER_STATE, detect, is_open_question
from mlkaizen.errors import MLKaizenError
from mlkaizen.evidence.answers import Combined
from mlkaizen.evidence.findings import Context, Finding, Outcome

_EXPIRED = re.compile(r"^(exemption expired on \S+ \(owner [^)]*\))(?:; (.*))?$", re.DOTALL)


def check_compatible(catalogue: Catalogue, a: Assessment) -> None:
    """Refuse a report judged under another catalogue's rule (another id, or another level
    rule or practice set): its practice results would not mean the same here."""
    cid, version = a.catalogue.get("id"), a.catalogue.get("version")
    if cid != catalogue.id:
        raise MLKaizenError(
            f"the stored assessment was judged against catalogue {cid} {version}; this "
            f"server judges against {catalogue.id} {catalogue.version}: upload a new assessment"
        )
    ours = {p.id for p in catalogue.practices}
    theirs = {p.id for p in a.practices}
    rule = a.catalogue.get("rule")
    if ours != theirs or (rule is not None and rule != rule_id(catalogue)):
        raise MLKaizenError(
            f"the stored assessment was judged against catalogue {cid} {version}, whose "
            f"practices or level rule differ from {catalogue.version}'s: upload a new assessment"
        )


def _findings_of(evidence: list[PracticeResult]) -> dict[str, list[Finding]]:
    by_detector: dict[str, list[Finding]] = {}
    for r in evidence:
        for e in r.evidence:
            by_detector.setdefault(e.detector, []).append(
                Finding(
                    detector=e.detector,
                    outcome=Outcome(e.outcome),
                    file=e.file,
                    line=e.line,
                    detail=e.detail,
                    context=Context(e.context),
                )
            )
    return by_detector


def _detection(
    practice: Practice, r: PracticeResult, a: Assessment, scanned: bool
) -> tuple[State, str, list[Evidence]]:
    """What the repository showed of ``practice`` before any answer, and its evidence: its
    detection run again on the findings it was decided on (a practice's evidence is every
    finding that bore on its state). An implied practice's evidence is that of the
    practices that imply it: its own detection is run on the report's findings, unless
    these are a repository of projects' (then it is not known)."""
    if not scanned:
        return State.UNKNOWN, "", []
    spec = practice.detection
    detectors = set(spec.detectors) if spec is not None else set()
    probe = r.model_copy(deep=True)
    probe.evidence = []
    if r.implied_by:
        if a.focus:
            return State.UNKNOWN, "", []
        by_detector: dict[str, list[Finding]] = {}
        for f in a.findings:
            by_detector.setdefault(f.detector, []).append(f)
    else:
        by_detector = _findings_of([r])
    state, note = detect(practice, by_detector, detectors, probe)
    return state, note, probe.evidence


def _answered(
    practice: Practice, r: PracticeResult, c: Combined, a: Assessment, scanned: bool
) -> PracticeResult:
    """``r`` with the known answer ``c``, as :func:`~mlkaizen.engine.states.resolve` gives it."""
    out = r.model_copy(deep=True)
    out.agreement, out.disagreement = c.agreement, c.disagreement
    link = c.links[0] if c.links else None
    expired = _EXPIRED.match(r.note)
    expired_note = expired.group(1) if expired else ""
    if r.state is State.MET or r.source is Source.ATTESTED or expired or r.implied_by:
        state0, note0, evidence0 = _detection(practice, r, a, scanned)
    else:  # what detection gave, as the report says it (a detector that did not run too)
        state0, note0, evidence0 = r.state, r.note, r.evidence
    attested = f"attested '{c.answer}' by {c.by}" + (f" ({link})" if link else "")
    if note0 and state0 is not State.UNKNOWN:
        attested += f"; detection: {note0}"
    if r.implied_by and c.answer in ("partly", "no"):
        # an unsatisfied answer comes before implication, which still holds
        out.conflict = None
        if c.answer == "no":
            out.conflict = f"{attested}, but {' + '.join(r.implied_by)} presupposes it"
        return out
    out.evidence = [e.model_copy() for e in evidence0]
    if state0 is State.MET and not r.implied_by:
        out.state, out.source, out.note, out.conflict = State.MET, Source.DETECTED, note0, None
        if c.answer == "no":
            out.conflict = f"answered 'no' by {c.by}, but the repository shows it ({note0})"
            out.note += f"; conflicts with {c.by}'s answer 'no'"
        return out
    out.implied_by = []
    out.state, out.source = ANSWER_STATE[c.answer], Source.ATTESTED
    out.note = attested
    out.conflict = None
    if c.answer in ("yes", "partly") and state0 is State.UNMET and scanned:
        out.conflict = (
            f"answered '{c.answer}' by {c.by}, but the repository shows no evidence of it"
        )
    if expired_note and out.state not in SATISFIED:
        out.state = State.UNMET
        out.note = f"{expired_note}; {out.note}"
    out.open_question = False
    return out


def _unattested(
    practice: Practice, r: PracticeResult, c: Combined, a: Assessment, scanned: bool
) -> PracticeResult:
    """``r`` without the config's attestation (``c`` is a "don't know")."""
    out = r.model_copy(deep=True)
    out.agreement, out.disagreement = c.agreement, c.disagreement
    expired = _EXPIRED.match(r.note)
    state, note, evidence = _detection(practice, r, a, scanned)
    out.evidence = evidence
    if not scanned:
        note = "assessed from answers only; answer the question"
    out.state, out.note, out.conflict = state, note, None
    out.source = (
        Source.DETECTED
        if state is State.PARTIAL or (state is State.UNMET and practice.detection is not None)
        else Source.NONE
    )
    if expired and state not in SATISFIED:
        out.state = State.UNMET
        out.note = f"{expired.group(1)}; {note}" if note else expired.group(1)
    out.open_question = is_open_question(out, practice)
    return out


def _hints(a: Assessment) -> list[Finding]:
    """For a repository of independent projects (whose ``findings`` are the whole
    repository's, not its focus project's): the findings the report's questions were
    narrowed by (a confirmation naming evidence other than the practice's own partial
    evidence). Asked again, they narrow the same way."""
    out = []
    for q in a.questions:
        r = a.practice(q.practice)
        own = r is not None and r.state is State.PARTIAL and bool(r.evidence)
        if q.confirms is not None and not own:
            e = q.confirms
            out.append(
                Finding(detector=e.detector, outcome=Outcome.FOUND, file=e.file, line=e.line,
                        detail=e.detail, context=Context.PROJECT)
            )
    return out


def rejudge(
    catalogue: Catalogue,
    assessment: Assessment,
    answers: dict[str, Combined],
    respondents: list[str],
    *,
    tool_version: str | None = None,
) -> Assessment:
    """``assessment`` judged again with the combined ``answers`` of ``respondents`` (module
    docstring). The stored report is not changed. Raises :class:`MLKaizenError` for a report
    of another catalogue (:func:`check_compatible`) or answers about unknown practices."""
    check_compatible(catalogue, assessment)
    unknown = sorted(set(answers) - {p.id for p in catalogue.practices})
    if unknown:
        raise MLKaizenError(f"answers about unknown practices: {', '.join(unknown)}")
    a = assessment
    scanned = a.subject.kind != "answers-only"
    results: list[PracticeResult] = []
    changed: set[str] = set()
    for r in a.practices:
        practice = catalogue.practice(r.id)
        c = answers.get(r.id)
        assert practice is not None  # check_compatible
        if r.source is Source.CONFIGURED or c is None:
            results.append(r.model_copy(deep=True))
        elif c.answer == "unknown" and r.source is Source.ATTESTED and r.agreement is None:
            # as in ``resolve``, an answer (even "don't know") is used instead of the config's
            # attestation: the practice is what detection showed
            results.append(_unattested(practice, r, c, a, scanned))
            changed.add(r.id)
        elif c.answer == "unknown":  # settles nothing
            kept = r.model_copy(deep=True)
            if kept.agreement is None:
                kept.agreement, kept.disagreement = c.agreement, c.disagreement
            results.append(kept)
        else:
            results.append(_answered(practice, r, c, a, scanned))
            changed.add(r.id)
    if scanned and changed:
        # an answer now leaving unsatisfied what an earlier one had kept from being implied
        probe = [r.model_copy(deep=True) for r in results]
        apply_implications(catalogue, probe)
        results = [p if p.id in changed else r for p, r in zip(probe, results, strict=True)]
    out = summarise(
        catalogue,
        results,
        a.subject,
        findings=_hints(a) if a.focus else a.findings,
        warnings=[],
        scan=a.scan,
        tool_version=tool_version or a.tool_version,
    )
    out.findings = a.findings
    out.warnings = a.warnings
    out.spread, out.focus = a.spread, a.focus
    out.sub_projects = [row.model_copy(deep=True) for row in a.sub_projects]
    focus = next((row for row in out.sub_projects if row.path == a.focus), None)
    if focus is not None:
        blockers = sorted(
            (b for d in out.dimensions for b in d.blockers),
            key=lambda b: (b.role != "core", b.level),
        )
        focus.stage, focus.stage_index, focus.next_stage = (
            out.stage, out.stage_index, out.next_stage
        )
        focus.levels = {d.id: d.level for d in out.dimensions}
        focus.blocker = blockers[0].practice if blockers else None
        out.spread = spread_text([(row.stage_index, row.stage) for row in out.sub_projects])
    out.respondents = sorted(set(a.respondents) | set(respondents))
    settled_before = {
        r.id for r in a.practices if r.agreement is not None and r.agreement > 0
    }
    newly = {pid for pid, c in answers.items() if c.answer != "unknown"} - settled_before
    out.answers_used = a.answers_used + len(newly)
    out.explanation = explanation(out)
    return out
