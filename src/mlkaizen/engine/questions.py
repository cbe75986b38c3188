"""Open questions, narrowed by what the repository shows.

A practice the repository could not settle is a question. When the repository shows
something that bears on it, the question is asked as a confirmation that names the evidence
(``Found at .pipelines/abtest.yml:108: Azure Pipelines job 'Roll_Back'. Is it used to ...?``):

* the practice was partly seen (its own partial evidence, the rest may live elsewhere): the
  practice's question, after that evidence;
* else, a detector named by the practice's ``confirm_with`` (catalogue data) found its fact
  in the project: the catalogue's confirmation question, after that evidence.

Evidence of another practice, or seen only in tutorial or test folders, narrows nothing.
"""

from __future__ import annotations

from mlkaizen.catalogue.schema import Catalogue
from mlkaizen.engine.model import Evidence, PracticeResult, Question, State
from mlkaizen.evidence.findings import Context, Finding, Outcome


def _where(e: Evidence) -> str:
    if e.origin:  # a live source: the team's MLflow server, the repository's git history
        return "in the git history" if e.origin == "git history" else "on the MLflow server"
    if not e.file:
        return "in the repository"
    return f"at {e.file}:{e.line}" if e.line else f"at {e.file}"


def confirmation(evidence: Evidence, question: str) -> str:
    """``Found at FILE:LINE: DETAIL. QUESTION``"""
    detail = (evidence.detail or evidence.detector).rstrip(". ")
    if evidence.origin:  # a live finding's detail opens with its source, said by _where
        detail = detail.removeprefix(f"{evidence.origin}: ")
    return f"Found {_where(evidence)}: {detail}. {question}"


def _hint(catalogue: Catalogue, r: PracticeResult, findings: list[Finding]) -> Evidence | None:
    practice = catalogue.practice(r.id)
    spec = practice.confirm_with if practice else None
    if spec is None:
        return None
    hits = sorted(
        (
            f
            for f in findings
            if f.detector in spec.detectors
            and f.context is Context.PROJECT
            and f.outcome in (Outcome.FOUND, Outcome.PARTIAL)
        ),
        key=Finding.sort_key,
    )
    if not hits:
        return None
    f = hits[0]
    return Evidence(
        detector=f.detector,
        file=f.file,
        line=f.line,
        detail=f.detail,
        object=f.values.get("object"),
        origin=f.values.get("source"),
    )


def build_questions(
    catalogue: Catalogue,
    results: list[PracticeResult],
    blocking: set[str],
    findings: list[Finding],
) -> list[Question]:
    """One question per open practice, those blocking the next stage first, then the
    confirmations, then by level and id; a confirmation names the evidence where the
    repository shows some."""
    out: list[Question] = []
    for r in results:
        if not r.open_question:
            continue
        question = r.question or r.title
        confirms: Evidence | None = None
        hint = _hint(catalogue, r, findings)
        practice = catalogue.practice(r.id)
        if r.state is State.PARTIAL and r.evidence:
            confirms = r.evidence[0]
            question = confirmation(confirms, question)
        elif hint is not None and practice is not None and practice.confirm_with is not None:
            confirms, question = hint, confirmation(hint, practice.confirm_with.question)
        out.append(
            Question(
                practice=r.id,
                dimension=r.dimension,
                level=r.level,
                question=question,
                blocks_next_stage=r.id in blocking,
                confirms=confirms,
            )
        )
    # what blocks the next stage first; then what the repository lets the team just confirm
    out.sort(key=lambda q: (not q.blocks_next_stage, q.confirms is None, q.level, q.practice))
    return out
