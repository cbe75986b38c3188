"""The REST API under ``/api/v1``: organisations, subjects, assessments (upload and read),
history points, plans and the portfolio. Every route needs a token or a session; every
organisation-scoped route checks the caller's role there (another organisation's data is a
404, as a missing one), and every unsafe one the session's CSRF token. Every ``GET`` sends
a strong ETag and answers ``If-None-Match`` with 304; lists are paged with an opaque
``cursor`` (``next_cursor`` is ``null`` on the last page)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from mlkaizen.errors import MLKaizenError
from mlkaizen.server import portfolio as views
from mlkaizen.server.auth import ApiUser, check_csrf, org_for
from mlkaizen.server.etag import body_of, json_response
from mlkaizen.server.upload_check import (
    MAX_UPLOAD_BYTES,
    UploadError,
    catalogue,
    check_idempotency_key,
    check_link,
    parse_upload,
    read_body,
)
from mlkaizen.store import listing, plans, web_answers
from mlkaizen.store.accounts import Org
from mlkaizen.store.db import Store
from mlkaizen.store.listing import Latest, PlanLine
from mlkaizen.store.portfolio import Point, SubjectInfo
from mlkaizen.store.uploads import KeyReusedError, upload

router = APIRouter(prefix="/api/v1", tags=["api"])

Limit = Annotated[int, Query(ge=1, le=200, description="rows a page (1 to 200)")]
Cursor = Annotated[str | None, Query(description="the next_cursor of the page before")]
MAX_ID = 2**31 - 1  # the tables' integer ids
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


# -- response models (what OpenAPI shows) -------------------------------------------------


class OrgOut(BaseModel):
    slug: str
    name: str
    role: Literal["viewer", "assessor", "admin"]
    subjects: int


class OrgRef(BaseModel):
    slug: str
    role: str


class OrgList(BaseModel):
    items: list[OrgRef]


class LatestOut(BaseModel):
    id: int
    stage: str
    stage_index: int
    levels: dict[str, int]
    created_at: dt.datetime


class SubjectOut(BaseModel):
    id: int
    key: str
    name: str
    team: str | None
    target: str | None
    link_base: str | None
    created_at: dt.datetime
    latest: LatestOut | None


class SubjectPage(BaseModel):
    items: list[SubjectOut]
    next_cursor: str | None


class SubjectPatch(BaseModel):
    """The subject settings an admin sets; a field left out is kept, ``null`` clears it."""

    model_config = ConfigDict(extra="forbid")

    team: str | None = Field(None, max_length=128)
    target: str | None = Field(None, description="a stage name of the catalogue")
    link_base: str | None = Field(None, description="the forge's http(s) URL for evidence")


class Achieved(BaseModel):
    id: int
    practice: str
    how: str | None


class Judged(BaseModel):
    id: int
    stage: str
    stage_index: int


class UploadOut(BaseModel):
    id: int
    subject_id: int
    stage: str
    stage_index: int
    url: str
    page: str
    achieved_plans: list[Achieved]
    # the subject's web questionnaire answers applied to this upload (a second stored
    # assessment, origin "answers"), when anyone answered there: the stage the portfolio shows
    with_answers: Judged | None = None


class AssessmentOut(BaseModel):
    id: int
    subject_id: int
    created_at: dt.datetime
    origin: str
    report: dict[str, Any] | None = Field(
        description="the assessment's JSON report (schema 1.x) as uploaded or made; null "
                    "for a point replayed from history, which keeps no report")


class PointOut(BaseModel):
    id: int
    created_at: dt.datetime
    origin: str
    commit: str | None
    commit_date: dt.datetime | None
    stage: str
    stage_index: int
    levels: dict[str, int]


class HistoryPage(BaseModel):
    items: list[PointOut]
    next_cursor: str | None


class SubjectRef(BaseModel):
    id: int
    key: str
    name: str


class PortfolioSubject(SubjectRef):
    team: str | None
    target: str | None
    link_base: str | None


class PortfolioRowOut(BaseModel):
    subject: PortfolioSubject
    assessment_id: int | None
    assessed_at: dt.datetime | None
    stage: str | None
    stage_index: int | None
    levels: dict[str, int]
    target: str | None
    target_index: int | None
    gap: int | None = Field(description="stages short of the target (0: met); null: no target")
    trend: int | None = Field(description="stages gained since the period began")
    level_trend: dict[str, int]
    assessments: int
    open_plans: int
    overdue_plans: int
    regressed_since: int | None = Field(
        default=None, description="the assessment the newest fell below (a new regression)")
    parent_id: int | None = Field(
        default=None, description="a sub-project's repository (its subject id)")


class PortfolioOut(BaseModel):
    items: list[PortfolioRowOut]
    teams: list[str]


class PlanOut(BaseModel):
    id: int
    subject: SubjectRef
    practice: str
    owner: str
    due: dt.date
    note: str
    created_at: dt.datetime
    status: Literal["open", "overdue", "achieved", "abandoned"]
    achieved_how: str | None
    achieved_assessment: int | None
    achieved_at: dt.datetime | None
    abandoned_reason: str | None


class PlanPage(BaseModel):
    items: list[PlanOut]
    next_cursor: str | None


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    practice: str = Field(max_length=128)
    owner: str = Field(max_length=256)
    due: dt.date
    note: str = Field("", max_length=4000)


class AbandonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=4000)


class Problem(BaseModel):
    error: str
    problems: list[str] = []


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem} for code in (401, 403, 404, 422)
}


# -- helpers ------------------------------------------------------------------------------


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _cursor(after: int | None) -> str | None:
    if after is None:
        return None
    raw = json.dumps({"after": after}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _after(cursor: str | None) -> int:
    """The id a cursor continues after (0: the first page)."""
    if cursor is None:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        after = json.loads(raw)["after"]
    except (binascii.Error, ValueError, TypeError, KeyError):
        after = None
    if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after <= MAX_ID:
        raise HTTPException(400, "cursor: not one this server gave; start again without it")
    return after


def _next(page: listing.Page[Any], last_id: int | None) -> str | None:
    return _cursor(last_id) if page.more and last_id is not None else None


def _utc(when: dt.datetime) -> dt.datetime:
    """An aware UTC time (SQLite gives back naive ones, stored as UTC)."""
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _iso(when: dt.datetime | None) -> str | None:
    """A time as every answer writes it: ISO 8601 in UTC, ``Z``."""
    if when is None:
        return None
    return _utc(when).astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _latest(found: Latest | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return LatestOut(id=found.id, stage=found.stage, stage_index=found.stage_index,
                     levels=found.levels, created_at=found.created_at).model_dump(mode="json")


def _subject(info: SubjectInfo, latest: Latest | None) -> dict[str, Any]:
    return {"id": info.id, "key": info.key, "name": info.name, "team": info.team,
            "target": info.target, "link_base": info.link_base,
            "created_at": _iso(info.created_at), "latest": _latest(latest)}


def _point(p: Point) -> dict[str, Any]:
    return PointOut(id=p.id, created_at=p.created_at, origin=p.origin, commit=p.commit,
                    commit_date=p.commit_date, stage=p.stage, stage_index=p.stage_index,
                    levels=p.levels).model_dump(mode="json")


def _plan(line: PlanLine, today: dt.date) -> dict[str, Any]:
    i = line.item
    return PlanOut(
        id=i.id, subject=SubjectRef(id=line.subject_id, key=line.subject_key,
                                    name=line.subject_name),
        practice=i.practice, owner=i.owner, due=i.due, note=i.note,
        created_at=_utc(i.created_at),
        status=i.shown_status(today),  # type: ignore[arg-type]
        achieved_how=i.achieved_how, achieved_assessment=i.achieved_assessment,
        achieved_at=_utc(i.achieved_at) if i.achieved_at else None,
        abandoned_reason=i.abandoned_reason,
    ).model_dump(mode="json")


def _own_subject(request: Request, o: Org, subject_id: int
                 ) -> tuple[SubjectInfo, Latest | None]:
    found = listing.subject(_store(request), o.id, subject_id)
    if found is None:
        raise HTTPException(404, f"no subject {subject_id} in {o.slug!r}")
    return found


def _problem(status: int, error: str, problems: list[str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "problems": problems or []}, status_code=status)


# -- organisations ------------------------------------------------------------------------


@router.get("/orgs", response_model=OrgList, responses=ERRORS)
def list_orgs(request: Request, *, who: ApiUser) -> Response:
    """The organisations the caller belongs to, with the caller's role in each."""
    return json_response(request, {
        "items": [{"slug": slug, "role": role} for slug, role in sorted(who.roles.items())]
    })


@router.get("/orgs/{org}", response_model=OrgOut, responses=ERRORS)
def get_org(request: Request, *, who: ApiUser, org: str) -> Response:
    """One organisation: its name, the caller's role and how many subjects it has."""
    o = org_for(request, who, org)
    return json_response(request, {
        "slug": o.slug, "name": o.name, "role": who.role_in(org),
        "subjects": listing.count_subjects(_store(request), o.id),
    })


# -- subjects -----------------------------------------------------------------------------


@router.get("/orgs/{org}/subjects", response_model=SubjectPage, responses=ERRORS)
def list_subjects(request: Request, *, who: ApiUser, org: str, limit: Limit = 50,
                  cursor: Cursor = None) -> Response:
    """The organisation's subjects (oldest first), each with its newest assessment."""
    o = org_for(request, who, org)
    page = listing.subjects(_store(request), o.id, after=_after(cursor), limit=limit)
    return json_response(request, {
        "items": [_subject(info, latest) for info, latest in page.items],
        "next_cursor": _next(page, page.items[-1][0].id if page.items else None),
    })


@router.get("/orgs/{org}/subjects/{subject_id}", response_model=SubjectOut, responses=ERRORS)
def get_subject(request: Request, *, who: ApiUser, org: str, subject_id: Id) -> Response:
    o = org_for(request, who, org)
    return json_response(request, _subject(*_own_subject(request, o, subject_id)))


@router.patch("/orgs/{org}/subjects/{subject_id}", response_model=SubjectOut,
              responses=ERRORS)
async def patch_subject(request: Request, *, who: ApiUser, org: str, subject_id: Id,
                        changes: SubjectPatch) -> Response:
    """Set the subject's team, target (a stage name) or forge link (admin)."""
    o = org_for(request, who, org, "admin")
    await check_csrf(request, who)
    _own_subject(request, o, subject_id)
    given = changes.model_dump(include=changes.model_fields_set)
    if given.get("team") is not None and not given["team"].strip():
        given["team"] = None
    if given.get("target") is not None and given["target"] not in views.stage_names():
        raise HTTPException(422, f"target {given['target'][:64]!r} is not a stage "
                                 f"({', '.join(views.stage_names())})")
    try:
        check_link(given.get("link_base"))
    except UploadError as exc:
        raise HTTPException(422, exc.error) from None
    await run_in_threadpool(listing.update_subject, _store(request), o.id, subject_id, given)
    return JSONResponse(_subject(*_own_subject(request, o, subject_id)))


@router.get("/orgs/{org}/subjects/{subject_id}/history", response_model=HistoryPage,
            responses=ERRORS)
def get_history(request: Request, *, who: ApiUser, org: str, subject_id: Id, limit: Limit = 50,
                cursor: Cursor = None) -> Response:
    """The subject's stored assessments, oldest first: its timeline."""
    o = org_for(request, who, org)
    _own_subject(request, o, subject_id)
    page = listing.history(_store(request), subject_id, after=_after(cursor), limit=limit)
    return json_response(request, {
        "items": [_point(p) for p in page.items],
        "next_cursor": _next(page, page.items[-1].id if page.items else None),
    })


# -- assessments --------------------------------------------------------------------------

UPLOAD_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {
        "type": "object",
        "required": ["subject", "assessment"],
        "additionalProperties": False,
        "properties": {
            "subject": {
                "type": "object", "required": ["key"], "additionalProperties": False,
                "properties": {
                    "key": {"type": "string", "minLength": 1, "maxLength": 1024,
                            "description": "what names the subject in the organisation"},
                    "name": {"type": ["string", "null"], "maxLength": 512},
                    "team": {"type": ["string", "null"], "maxLength": 128,
                             "description": "set on a subject that has no team yet"},
                    "target": {"type": ["string", "null"],
                               "description": "a stage name; set on a subject without one"},
                },
            },
            "link_base": {"type": ["string", "null"], "format": "uri",
                          "description": "the forge's http(s) URL (never fetched)"},
            "assessment": {"type": "object",
                           "description": "the JSON report of `mlkaizen assess -f json`, "
                                          "schema_version 1.x (docs/assessment.schema.json)"},
        },
    }}},
}


@router.post(
    "/orgs/{org}/assessments", status_code=201, response_model=UploadOut,
    responses={**ERRORS, 200: {"model": UploadOut, "description": "a replay of an earlier "
                               "upload with the same Idempotency-Key"},
               400: {"model": Problem, "description": "not JSON, or a bad Idempotency-Key"},
               409: {"model": Problem, "description": "the Idempotency-Key was used for "
                     "another report of the subject"},
               413: {"model": Problem, "description": "over the server's size limit"},
               415: {"model": Problem, "description": "not sent as JSON"}},
    openapi_extra={"requestBody": UPLOAD_BODY, "parameters": [{
        "name": "Idempotency-Key", "in": "header", "required": False,
        "schema": {"type": "string", "maxLength": 128},
        "description": "a retry with the same key for the same subject is stored once and "
                       "answered as the first (200, Idempotent-Replayed: true)"}]},
)
async def upload_assessment(request: Request, *, who: ApiUser, org: str) -> Response:
    """Upload an assessment (assessor). Checked whole before anything is stored: size,
    JSON, schema version 1.x, the report's shape, its catalogue, practices and stage, the
    subject's key and the forge link. Closes the plan items the new evidence achieves."""
    o = org_for(request, who, org, "assessor")
    await check_csrf(request, who)
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media and not media.endswith(("/json", "+json")):
        return _problem(415, f"send the upload as application/json, not {media[:64]}")
    limit = int(getattr(request.app.state, "max_upload_bytes", MAX_UPLOAD_BYTES))
    try:
        key = check_idempotency_key(request.headers.get("idempotency-key"))
        body = await read_body(request, limit)
        up = await run_in_threadpool(parse_upload, body, stage_names=views.stage_names(),
                                     idempotency_key=key, uploaded_by=who.name)
    except UploadError as exc:
        return _problem(exc.status, exc.error, exc.problems)
    try:
        landed = await run_in_threadpool(upload, _store(request), o.id, up)
    except KeyReusedError as exc:
        return _problem(409, exc.message)
    except MLKaizenError:
        return _problem(503, "the store could not take the upload; nothing was stored, "
                             "try again")
    judged = None
    if not landed.replayed:
        # the answers given on the web questionnaire still stand for the new evidence
        again = await run_in_threadpool(
            web_answers.refresh, _store(request), views.catalogue(), org_id=o.id,
            subject_id=landed.subject_id, by=who.name,
        )
        if again is not None:
            judged = Judged(id=again.id, stage=again.stage, stage_index=again.stage_index)
    answer = UploadOut(
        id=landed.id, subject_id=landed.subject_id, stage=landed.stage,
        stage_index=landed.stage_index, url=f"/api/v1/assessments/{landed.id}",
        page=f"/orgs/{o.slug}/subjects/{landed.subject_id}",
        achieved_plans=[Achieved(**p) for p in landed.achieved], with_answers=judged,
    ).model_dump(mode="json")
    if landed.replayed:
        return JSONResponse(answer, status_code=200, headers={"Idempotent-Replayed": "true"})
    return JSONResponse(answer, status_code=201, headers={"Location": answer["url"]})


@router.get(
    "/assessments/{assessment_id}", response_model=AssessmentOut, responses=ERRORS,
    description="A stored assessment, wrapped: `id`, `subject_id`, `created_at`, `origin` "
                "and `report`, the JSON report as it was uploaded or made (schema 1.x).",
)
def get_assessment(request: Request, *, who: ApiUser, assessment_id: Id) -> Response:
    found = listing.assessment(_store(request), assessment_id)
    if found is None or who.role_in(found.org_slug) is None:
        raise HTTPException(404, f"no assessment {assessment_id} of yours")
    head = body_of({"id": found.id, "subject_id": found.subject_id,
                    "created_at": _iso(found.created_at), "origin": found.origin})
    # the stored report's JSON text goes out as it is: never parsed and written again
    body = head[:-1] + b',"report":' + found.report_json.encode("utf-8") + b"}"
    return json_response(request, None, body=body)


# -- portfolio ----------------------------------------------------------------------------


@router.get("/orgs/{org}/portfolio", response_model=PortfolioOut, responses=ERRORS)
def get_portfolio(
    request: Request, *, who: ApiUser, org: str,
    team: str | None = None,
    stage: str | None = None,
    gap: Literal["behind", "met", "none"] | None = None,
    sort: Literal["name", "stage", "gap", "trend", "team", "assessed"] = "name",
    desc: bool = False,
    period: Annotated[int, Query(ge=1, le=3650, description="days the trend spans")] = 30,
) -> Response:
    """Every subject's stage, levels, target, gap to it and trend over the period."""
    o = org_for(request, who, org)
    found = views.views(_store(request), o.id, team=team or None, stage=stage or None,
                        gap=gap, sort=sort, descending=desc, period_days=period)
    items = []
    for v in found:
        r, s = v.row, v.row.subject
        items.append({
            "subject": {"id": s.id, "key": s.key, "name": s.name, "team": s.team,
                        "target": s.target, "link_base": s.link_base},
            "assessment_id": r.assessment_id,
            "assessed_at": _iso(r.assessed_at),
            "stage": r.stage, "stage_index": r.stage_index, "levels": r.levels,
            "target": s.target, "target_index": v.target_index, "gap": v.gap,
            "trend": v.trend, "level_trend": v.level_trend, "assessments": r.assessments,
            "open_plans": r.open_plans, "overdue_plans": r.overdue_plans,
            "regressed_since": v.regressed_since, "parent_id": s.parent_id,
        })
    return json_response(request, {"items": items, "teams": views.teams(found)})


# -- plans --------------------------------------------------------------------------------

Status = Annotated[Literal["open", "overdue", "achieved", "abandoned"] | None,
                   Query(description="open: not past due; overdue: open and past due")]


@router.get("/orgs/{org}/plans", response_model=PlanPage, responses=ERRORS)
def list_plans(request: Request, *, who: ApiUser, org: str, status: Status = None,
               owner: str | None = None, limit: Limit = 50, cursor: Cursor = None
               ) -> Response:
    """The organisation's plan items, oldest first, with their subject."""
    o = org_for(request, who, org)
    today = _today()
    page = listing.plans(_store(request), o.id, today=today, status=status,
                         owner=owner or None, after=_after(cursor), limit=limit)
    return json_response(request, {
        "items": [_plan(line, today) for line in page.items],
        "next_cursor": _next(page, page.items[-1].item.id if page.items else None),
    })


@router.get("/orgs/{org}/subjects/{subject_id}/plans", response_model=PlanPage,
            responses=ERRORS)
def subject_plans(request: Request, *, who: ApiUser, org: str, subject_id: Id,
                  status: Status = None, limit: Limit = 50, cursor: Cursor = None
                  ) -> Response:
    """One subject's plan items, oldest first."""
    o = org_for(request, who, org)
    _own_subject(request, o, subject_id)
    today = _today()
    page = listing.plans(_store(request), o.id, today=today, status=status,
                         subject_id=subject_id, after=_after(cursor), limit=limit)
    return json_response(request, {
        "items": [_plan(line, today) for line in page.items],
        "next_cursor": _next(page, page.items[-1].item.id if page.items else None),
    })


def _known_practices(latest: Latest | None) -> set[str]:
    """The practices a plan item of the subject may name: those of the catalogue its newest
    assessment was judged against (the built-in one for a subject never assessed)."""
    try:
        cat = catalogue(latest.catalogue_id) if latest is not None else None
    except MLKaizenError:  # an installed plugin's broken catalogue
        cat = None
    return {p.id for p in (cat or views.catalogue()).practices}


@router.post("/orgs/{org}/subjects/{subject_id}/plans", status_code=201,
             response_model=PlanOut, responses=ERRORS)
async def add_plan(request: Request, *, who: ApiUser, org: str, subject_id: Id, item: PlanIn
                   ) -> Response:
    """Plan a practice for the subject: an owner, a due date (today or later), a note
    (assessor). The item closes when a later assessment shows the practice met."""
    o = org_for(request, who, org, "assessor")
    await check_csrf(request, who)
    info, latest = _own_subject(request, o, subject_id)
    today = _today()
    problems = []
    if item.practice not in _known_practices(latest):
        problems.append(f"practice: {item.practice!r} is not a practice of the catalogue")
    if not item.owner.strip():
        problems.append("owner: empty; a plan item needs someone who owns it")
    if item.due < today:
        problems.append(f"due: {item.due.isoformat()} is in the past (today is {today})")
    if problems:
        return _problem(422, "; ".join(problems), problems)
    added = await run_in_threadpool(
        plans.add, _store(request), key=info.key, name=info.name, practice=item.practice,
        owner=item.owner, due=item.due, note=item.note, known={item.practice}, today=today,
        org_id=o.id)
    line = PlanLine(added, info.id, info.key, info.name)
    return JSONResponse(_plan(line, today), status_code=201)


@router.post("/orgs/{org}/plans/{item_id}/abandon", response_model=PlanOut,
             responses={**ERRORS, 409: {"model": Problem}})
async def abandon_plan(request: Request, *, who: ApiUser, org: str, item_id: Id, body: AbandonIn
                       ) -> Response:
    """Abandon an open plan item, with a reason (assessor)."""
    o = org_for(request, who, org, "assessor")
    await check_csrf(request, who)
    line = listing.plan_item(_store(request), o.id, item_id)
    if line is None:
        raise HTTPException(404, f"no plan item {item_id} in {o.slug!r}")
    if len(body.reason.strip()) < 3:
        return _problem(422, "reason: say why in 3 characters or more",
                        ["reason: shorter than 3 characters"])
    if line.item.status != "open":
        return _problem(409, f"plan item {item_id} is {line.item.status}, not open")
    try:
        item = await run_in_threadpool(plans.abandon, _store(request), item_id, body.reason,
                                       key=line.subject_key, org_id=o.id)
    except MLKaizenError as exc:  # closed meanwhile by an assessment or another abandon
        return _problem(409, exc.message)
    return JSONResponse(_plan(PlanLine(item, line.subject_id, line.subject_key,
                                       line.subject_name), _today()))


__all__ = ["router"]
