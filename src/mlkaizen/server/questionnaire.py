"""The web questionnaire of one subject (the web form of ``mlkaizen survey``) and its API.

The page lists the open questions of the subject's newest repository assessment first, then
every other practice by dimension; each signed-in assessor answers for themself (a new answer
replaces their earlier one), and every respondent's answers re-judge the subject
(:mod:`mlkaizen.store.web_answers`): its stage updates at once. Viewers see the answers and
who gave them; API tokens read them but never answer (answers are given by people).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from mlkaizen.errors import MLKaizenError
from mlkaizen.server.auth import CSRF_FIELD, ApiUser, Principal, check_csrf, org_for
from mlkaizen.server.pages import render
from mlkaizen.server.web import signed_in
from mlkaizen.store import web_answers
from mlkaizen.store.web_answers import Given, WebAnswer, is_web_link

if TYPE_CHECKING:
    from mlkaizen.catalogue.schema import Catalogue
    from mlkaizen.engine.model import Assessment
    from mlkaizen.store.accounts import Org
    from mlkaizen.store.db import Store
    from mlkaizen.store.tables import SubjectRow

router = APIRouter()

CHOICES = (
    ("yes", "Yes"),
    ("partly", "Partly"),
    ("no", "No"),
    ("unknown", "Don't know"),
    ("not-applicable", "Not applicable"),
)
LABELS = dict(CHOICES)
PEOPLE_ONLY = "answers are given by people: sign in to answer (an API token cannot)"


def _catalogue() -> Catalogue:
    from mlkaizen.server.portfolio import catalogue

    return catalogue()


def _subject(request: Request, o: Org, subject_id: int) -> SubjectRow:
    row = web_answers.subject_of(request.app.state.store, o.id, subject_id)
    if row is None:
        raise HTTPException(404, f"no subject {subject_id} in {o.slug!r}")
    return row


# ---- the page -------------------------------------------------------------------------


@dataclass
class Item:
    """One practice's question on the page, with the answers given to it."""

    id: str
    title: str
    question: str
    state: str  # in the subject's newest assessment
    blocks: bool = False  # in the newest assessment, it blocks the next stage
    confirms: bool = False
    mine: dict[str, str] = field(default_factory=dict)  # answer, comment, link
    given: list[WebAnswer] = field(default_factory=list)  # everyone's
    disagreement: bool = False

    @property
    def answered(self) -> int:
        return sum(g.answer != "unknown" for g in self.given)


@dataclass
class Group:
    id: str
    name: str
    items: list[Item]


def _items(
    catalogue: Catalogue,
    report: Assessment,
    current: Assessment | None,
    found: list[WebAnswer],
    *,
    me: str,
    submitted: dict[str, dict[str, str]] | None,
) -> tuple[list[Item], list[Group]]:
    combined, _ = web_answers.combined(catalogue, found)
    judged = current or report
    now = {p.id: p.state.value for p in judged.practices}
    blocking = {b.practice for d in judged.dimensions for b in d.blockers}

    def item(practice_id: str, title: str, question: str) -> Item:
        given = [w for w in found if w.practice == practice_id]
        mine = next((w for w in given if w.respondent == me), None)
        values = {"answer": mine.answer, "comment": mine.comment or "",
                  "link": mine.link or ""} if mine is not None else {}
        if submitted is not None:
            values = submitted.get(practice_id, {})
        c = combined.get(practice_id)
        return Item(practice_id, title, question, now.get(practice_id, "unknown"),
                    blocks=practice_id in blocking, mine=values, given=given,
                    disagreement=c.disagreement if c else False)

    open_items = []
    asked = set()
    for q in report.questions:
        p = report.practice(q.practice)
        it = item(q.practice, p.title if p else q.practice, q.question)
        it.confirms = q.confirms is not None
        open_items.append(it)
        asked.add(q.practice)
    groups = []
    for d in catalogue.dimensions:
        rest = [
            item(p.id, p.title, p.question or p.title)
            for p in report.practices
            if p.dimension == d.id and p.id not in asked
        ]
        if rest:
            groups.append(Group(d.id, d.name, rest))
    return open_items, groups


def _page(
    request: Request,
    who: Principal,
    o: Org,
    subject: SubjectRow,
    *,
    status: int = 200,
    message: str | None = None,
    submitted: dict[str, dict[str, str]] | None = None,
) -> Response:
    from mlkaizen.store.accounts import role_at_least

    store: Store = request.app.state.store
    catalogue = _catalogue()
    role = who.role_in(o.slug) or "viewer"
    values: dict[str, Any] = {
        "org": o, "subject": subject, "message": message, "choices": CHOICES,
        "labels": LABELS, "can_answer": role_at_least(role, "assessor"), "role": role,
        "problem": None, "open_items": [], "groups": [], "current": None, "respondents": [],
        "is_web_link": is_web_link, "here": "questionnaire",
    }
    base = web_answers.base_of(store, subject.id)
    if base is not None:
        try:
            report = web_answers.report_of(base)
            from mlkaizen.engine.rejudge import check_compatible

            check_compatible(catalogue, report)
        except MLKaizenError as exc:
            values["problem"] = exc.message
        else:
            found = web_answers.answers_of(store, subject.id)
            newest = web_answers.newest(store, subject.id)
            current = _current(store, newest[0]) if newest else None
            values["open_items"], values["groups"] = _items(
                catalogue, report, current, found, me=who.name, submitted=submitted
            )
            values["current"] = newest
            values["respondents"] = sorted({w.respondent for w in found})
    values["base"] = base
    return render(request, "questionnaire.html", status, **values)


def _current(store: Store, assessment_id: int) -> Assessment | None:
    from sqlalchemy import select

    from mlkaizen.engine.model import Assessment
    from mlkaizen.store.tables import AssessmentRow

    with store.session() as session:
        report = session.scalar(
            select(AssessmentRow.report).where(AssessmentRow.id == assessment_id)
        )
    if report is None:
        return None
    try:
        return Assessment.model_validate(report)
    except ValueError:
        return None


@router.get("/orgs/{org}/subjects/{subject_id}/questionnaire", include_in_schema=False)
def questionnaire_page(request: Request, org: str, subject_id: int) -> Response:
    who = signed_in(request)
    o = org_for(request, who, org, "viewer")
    return _page(request, who, o, _subject(request, o, subject_id))


def _from_form(form: Any, practices: set[str]) -> tuple[list[Given], dict[str, dict[str, str]],
                                                         list[str]]:
    """The answers a submitted form gives, what it held (to show it again) and what is
    wrong with it."""
    held: dict[str, dict[str, str]] = {}
    problems: list[str] = []
    for key, value in form.multi_items():
        if key == CSRF_FIELD:
            continue
        kind, sep, pid = key.partition(":")
        if not sep or kind not in ("answer", "comment", "link") or not isinstance(value, str):
            problems.append(f"unexpected field {key!r}")
            continue
        if kind in held.get(pid, {}):
            problems.append(f"{pid}: {kind} given twice")
        held.setdefault(pid, {})[kind] = value.strip() if kind != "answer" else value
    given = []
    for pid, parts in held.items():
        if "answer" not in parts:
            if parts.get("comment") or parts.get("link"):
                problems.append(f"{pid}: choose an answer to go with the comment or link")
            continue
        given.append(Given(pid, parts["answer"], parts.get("comment") or None,
                           parts.get("link") or None))
    problems += web_answers.check(practices, given)
    if not given and not problems:
        problems.append("choose at least one answer")
    return given, held, problems


@router.post("/orgs/{org}/subjects/{subject_id}/questionnaire", include_in_schema=False)
async def questionnaire_submit(request: Request, org: str, subject_id: int) -> Response:
    who = signed_in(request)
    o = org_for(request, who, org, "assessor")
    await check_csrf(request, who)
    subject = _subject(request, o, subject_id)
    form = await request.form()
    catalogue = _catalogue()
    given, held, problems = _from_form(form, {p.id for p in catalogue.practices})
    if problems:
        return await run_in_threadpool(
            _page, request, who, o, subject, status=400,
            message="Nothing was saved: " + "; ".join(problems[:10]), submitted=held,
        )
    try:  # the store and the engine work in a thread, never in the event loop
        await run_in_threadpool(
            web_answers.answer, request.app.state.store, catalogue, org_id=o.id,
            subject_id=subject.id, respondent=who.name, given=given,
            now=dt.datetime.now(dt.UTC),
        )
    except MLKaizenError as exc:
        return await run_in_threadpool(
            _page, request, who, o, subject, status=409,
            message="Nothing was saved: " + exc.message, submitted=held,
        )
    return RedirectResponse(f"/orgs/{o.slug}/subjects/{subject.id}", status_code=303)


# ---- the API --------------------------------------------------------------------------


class AnswerIn(BaseModel):
    """One answer: ``yes``, ``partly``, ``no``, ``not-applicable`` or ``unknown`` (don't
    know), with an optional comment and http(s) link."""

    model_config = ConfigDict(extra="forbid")

    answer: str
    comment: str | None = None
    link: str | None = None


class AnswersIn(BaseModel):
    """The caller's answers, by practice id; each replaces the caller's earlier one."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[str, AnswerIn]


@router.get("/api/v1/orgs/{org}/subjects/{subject_id}/answers")
def get_answers(request: Request, who: ApiUser, org: str, subject_id: int) -> dict[str, Any]:
    """Every respondent's answers to the subject's questionnaire, and how they combine."""
    o = org_for(request, who, org, "viewer")
    subject = _subject(request, o, subject_id)
    found = web_answers.answers_of(request.app.state.store, subject.id)
    combined, people = web_answers.combined(_catalogue(), found)
    return {
        "subject": {"id": subject.id, "name": subject.name},
        "respondents": people,
        "answers": [w.as_json() for w in found],
        "combined": {
            pid: {"answer": c.answer, "respondents": c.respondents, "agreement": c.agreement,
                  "disagreement": c.disagreement}
            for pid, c in combined.items()
        },
    }


@router.put("/api/v1/orgs/{org}/subjects/{subject_id}/answers")
async def put_answers(
    request: Request, who: ApiUser, org: str, subject_id: int, body: AnswersIn
) -> dict[str, Any]:
    """Answer as the signed-in user (a browser session, with its ``X-CSRF-Token``): the
    answers are stored and the subject re-judged; returns the new assessment."""
    if who.is_token:
        raise HTTPException(403, PEOPLE_ONLY)
    o = org_for(request, who, org, "assessor")
    await check_csrf(request, who)
    subject = _subject(request, o, subject_id)
    catalogue = _catalogue()
    given = [Given(pid, a.answer, a.comment or None, a.link or None)
             for pid, a in body.answers.items()]
    problems = web_answers.check({p.id for p in catalogue.practices}, given)
    if not given:
        problems.append("give at least one answer")
    if problems:
        raise HTTPException(400, "; ".join(problems[:10]))
    try:
        done = await run_in_threadpool(
            web_answers.answer, request.app.state.store, catalogue, org_id=o.id,
            subject_id=subject.id, respondent=who.name, given=given,
        )
    except MLKaizenError as exc:
        raise HTTPException(409, exc.message) from None
    return {"id": done.id, "stage": done.stage, "stage_index": done.stage_index}
