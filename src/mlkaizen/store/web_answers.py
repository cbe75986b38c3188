"""Answers given on the server's questionnaire, and the re-judged assessment they make.

Each respondent (a signed-in user) has at most one answer per practice of a subject: a new
answer replaces that respondent's earlier one. Every respondent's answers to a subject are
combined by the survey's rule (:func:`mlkaizen.evidence.answers.combine`: the most cautious
wins, "don't know" settles nothing) and the subject's newest stored assessment of a
repository (any origin but ``answers``: an upload, ``assess --save`` or ``history --save``) is
judged again with them (:func:`mlkaizen.engine.rejudge.rejudge`); the result is stored as a
new assessment, ``origin="answers"``, with the answers it used as its inputs. Re-judging
from the newest repository assessment, never from an earlier re-judgement, lets an answer
changed to "don't know" withdraw what it had settled.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from mlkaizen.errors import MLKaizenError
from mlkaizen.store.tables import AssessmentRow, SubjectAnswerRow, SubjectRow

if TYPE_CHECKING:
    from mlkaizen.catalogue.schema import Catalogue
    from mlkaizen.engine.model import Assessment
    from mlkaizen.evidence.answers import Combined
    from mlkaizen.store.db import Store

ANSWERS = ("yes", "partly", "no", "not-applicable", "unknown")
MAX_COMMENT = 2000
MAX_LINK = 2000
ORIGIN = "answers"
# one re-judgement at a time in this process: two respondents answering together both land
# in the newest assessment (each reads every answer stored before it re-judges)
_REJUDGING = threading.Lock()


@dataclass(frozen=True)
class WebAnswer:
    respondent: str
    practice: str
    answer: str
    comment: str | None
    link: str | None
    answered_at: dt.datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "respondent": self.respondent,
            "practice": self.practice,
            "answer": self.answer,
            "comment": self.comment,
            "link": self.link,
            "answered_at": self.answered_at.isoformat(),
        }


@dataclass(frozen=True)
class Given:
    """One answer as a respondent gives it, checked (:func:`check`)."""

    practice: str
    answer: str
    comment: str | None = None
    link: str | None = None


@dataclass(frozen=True)
class Base:
    """The assessment the answers re-judge: the subject's newest of a repository."""

    id: int
    report: dict[str, Any]
    commit: str | None
    commit_date: dt.datetime | None


@dataclass(frozen=True)
class Rejudged:
    id: int
    stage: str
    stage_index: int


def is_web_link(value: str) -> bool:
    """An http(s) link (the only kind a page ever makes a link of)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc) and not any(
        c.isspace() or ord(c) < 32 for c in value
    )


def check(practices: set[str], given: list[Given]) -> list[str]:
    """What is wrong with ``given`` (one line each; empty when all is well)."""
    problems = []
    seen: set[str] = set()
    for g in given:
        if g.practice not in practices:
            problems.append(f"unknown practice {g.practice!r}")
            continue
        if g.practice in seen:
            problems.append(f"{g.practice}: answered twice")
        seen.add(g.practice)
        if g.answer not in ANSWERS:
            problems.append(
                f"{g.practice}: unknown answer {g.answer!r} (expected {', '.join(ANSWERS)})"
            )
        if g.comment is not None and len(g.comment) > MAX_COMMENT:
            problems.append(f"{g.practice}: the comment is longer than {MAX_COMMENT} characters")
        if g.link is not None and (len(g.link) > MAX_LINK or not is_web_link(g.link)):
            problems.append(f"{g.practice}: the link must be an http:// or https:// address")
    return problems


def _utc(when: dt.datetime) -> dt.datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def subject_of(store: Store, org_id: int, subject_id: int) -> SubjectRow | None:
    """The subject, if it is the organisation's (another's is as missing as none)."""
    with store.session() as session:
        row = session.get(SubjectRow, subject_id)
        return row if row is not None and row.org_id == org_id else None


def answers_of(store: Store, subject_id: int) -> list[WebAnswer]:
    """Every respondent's answers to the subject, by respondent then practice."""
    with store.session() as session:
        rows = session.scalars(
            select(SubjectAnswerRow)
            .where(SubjectAnswerRow.subject_id == subject_id)
            .order_by(SubjectAnswerRow.respondent, SubjectAnswerRow.practice)
        )
        return [
            WebAnswer(r.respondent, r.practice, r.answer, r.comment, r.link, _utc(r.answered_at))
            for r in rows
        ]


def base_of(store: Store, subject_id: int) -> Base | None:
    """The assessment answers re-judge (module docstring); ``None`` when the subject has no
    stored assessment of a repository with its report."""
    with store.session() as session:
        row = session.scalar(
            select(AssessmentRow)
            .where(
                AssessmentRow.subject_id == subject_id,
                AssessmentRow.origin != ORIGIN,
                AssessmentRow.report.is_not(None),
            )
            .order_by(AssessmentRow.id.desc())
            .limit(1)
        )
        if row is None or row.report is None:
            return None
        return Base(row.id, dict(row.report), row.commit_sha, row.commit_date)


def newest(store: Store, subject_id: int) -> tuple[int, str, int] | None:
    """The subject's newest stored assessment: id, stage and stage index."""
    with store.session() as session:
        found = session.execute(
            select(AssessmentRow.id, AssessmentRow.stage, AssessmentRow.stage_index)
            .where(AssessmentRow.subject_id == subject_id)
            .order_by(AssessmentRow.id.desc())
            .limit(1)
        ).first()
        return (found[0], found[1], found[2]) if found is not None else None


def store_answers(
    store: Store, subject_id: int, respondent: str, given: list[Given], now: dt.datetime
) -> None:
    """The respondent's answers, in one transaction: each replaces the respondent's earlier
    answer to the same practice."""
    with store.session() as session:
        earlier = {
            r.practice: r
            for r in session.scalars(
                select(SubjectAnswerRow).where(
                    SubjectAnswerRow.subject_id == subject_id,
                    SubjectAnswerRow.respondent == respondent,
                )
            )
        }
        for g in given:
            row = earlier.get(g.practice)
            if row is None:
                row = SubjectAnswerRow(subject_id=subject_id, respondent=respondent,
                                       practice=g.practice)
                session.add(row)
            row.answer, row.comment, row.link, row.answered_at = (
                g.answer, g.comment or None, g.link or None, now
            )


def combined(catalogue: Catalogue, found: list[WebAnswer]) -> tuple[dict[str, Combined],
                                                                     list[str]]:
    """Every respondent's answers combined by the survey's rule, and the respondents."""
    from mlkaizen.evidence.answers import AnswersFile, Entry, combine

    per: dict[str, dict[str, Entry]] = {}
    for w in found:
        per.setdefault(w.respondent, {})[w.practice] = Entry.model_validate(
            {"answer": w.answer, "link": w.link, "comment": w.comment}
        )
    files = [
        AnswersFile.model_construct(
            respondent=who, catalogue={"id": catalogue.id, "version": catalogue.version},
            answers=answers, decisions={},
        )
        for who, answers in sorted(per.items())
    ]
    return combine(files), sorted(per)


def _inputs(store: Store, base: Base, found: list[WebAnswer], answers: dict[str, Combined]
            ) -> Any:
    """What the re-judged assessment was made with: the base's inputs (profile, targets, the
    repository's answers a web answer did not replace) and every web answer."""
    from mlkaizen.inputs import AnswerRecord, Inputs
    from mlkaizen.store.records import load_inputs

    before = load_inputs(store, base.id)
    replaced = {pid for pid, c in answers.items() if c.answer != "unknown"}
    kept = [a for a in before.answers if a.practice not in replaced]
    web = [
        AnswerRecord(w.respondent, w.practice, w.answer, "answer", None, w.link, w.comment,
                     w.answered_at.date())
        for w in found
    ]
    return Inputs(answers=kept + web, profile=before.profile, profile_file=before.profile_file,
                  targets=before.targets)


def rejudged(catalogue: Catalogue, base: Base, found: list[WebAnswer]) -> Assessment:
    """The base judged again with the web answers ``found`` (nothing stored)."""
    from mlkaizen import __version__
    from mlkaizen.engine.rejudge import rejudge

    answers, people = combined(catalogue, found)
    return rejudge(catalogue, report_of(base), answers, people, tool_version=__version__)


def report_of(base: Base) -> Assessment:
    """The base's stored report, read back (a report that no longer reads is refused)."""
    from pydantic import ValidationError

    from mlkaizen.engine.model import Assessment

    try:
        return Assessment.model_validate(base.report)
    except ValidationError:
        raise MLKaizenError(
            f"the stored report of assessment #{base.id} cannot be read back: upload a new "
            "assessment"
        ) from None


def answer(
    store: Store,
    catalogue: Catalogue,
    *,
    org_id: int,
    subject_id: int,
    respondent: str,
    given: list[Given],
    now: dt.datetime | None = None,
) -> Rejudged:
    """Store ``respondent``'s answers to the subject and the assessment every respondent's
    answers make of its newest repository assessment. Raises :class:`MLKaizenError`, with
    nothing stored, for an unknown subject, bad answers, or a subject without such an
    assessment (or one judged against another catalogue)."""
    from mlkaizen.engine.rejudge import check_compatible

    now = now or dt.datetime.now(dt.UTC)
    subject = subject_of(store, org_id, subject_id)
    if subject is None:
        raise MLKaizenError(f"no subject {subject_id}")
    problems = check({p.id for p in catalogue.practices}, given)
    if problems:
        raise MLKaizenError("; ".join(problems))
    with _REJUDGING:
        base = base_of(store, subject_id)
        if base is None:
            raise MLKaizenError("this subject has no stored assessment of a repository yet")
        check_compatible(catalogue, report_of(base))
        store_answers(store, subject_id, respondent, given, now)
        return _rejudge_and_save(store, catalogue, subject, base, by=respondent, now=now)


def refresh(
    store: Store,
    catalogue: Catalogue,
    *,
    org_id: int,
    subject_id: int,
    by: str,
    now: dt.datetime | None = None,
) -> Rejudged | None:
    """After a new assessment of the subject's repository is stored (an upload): the
    assessment the web answers already given make of it, stored too; ``None`` (nothing
    stored) when nobody answered on the web, or the new assessment cannot be re-judged
    here (another catalogue's)."""
    from mlkaizen.engine.rejudge import check_compatible

    now = now or dt.datetime.now(dt.UTC)
    subject = subject_of(store, org_id, subject_id)
    if subject is None:
        return None
    with _REJUDGING:
        base = base_of(store, subject_id)
        if base is None or not answers_of(store, subject_id):
            return None
        try:
            check_compatible(catalogue, report_of(base))
        except MLKaizenError:
            return None
        return _rejudge_and_save(store, catalogue, subject, base, by=by, now=now)


def _rejudge_and_save(
    store: Store, catalogue: Catalogue, subject: SubjectRow, base: Base, *, by: str,
    now: dt.datetime,
) -> Rejudged:
    """Every web answer stored for the subject re-judges ``base``; the result is stored."""
    from mlkaizen.store.records import save

    found = answers_of(store, subject.id)
    a = rejudged(catalogue, base, found)
    answers, _ = combined(catalogue, found)
    saved = save(
        store, a, key=subject.key, name=subject.name, origin=ORIGIN, commit=base.commit,
        commit_date=base.commit_date, now=now, inputs=_inputs(store, base, found, answers),
        org_id=subject.org_id, uploaded_by=by,
    )
    return Rejudged(saved.id, a.stage, a.stage_index)
