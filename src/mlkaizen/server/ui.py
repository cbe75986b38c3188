"""The organisation's pages: the portfolio (subjects by dimensions, filtered and sorted), a
subject's page (its newest assessment as the HTML report shows it, its timeline and its plan
items, with the forms an assessor adds and abandons items with) and the plan board (items by
owner). Every value from an upload goes through the autoescaped templates of
:mod:`mlkaizen.server.pages`; the only markup built here is the reports' own SVG charts."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from pydantic import ValidationError

from mlkaizen.engine.model import Assessment, State
from mlkaizen.errors import MLKaizenError
from mlkaizen.report.chart import matrix_rows
from mlkaizen.report.context import STATE_MARK, RenderContext, location
from mlkaizen.report.escape import visible
from mlkaizen.report.html import _inline_code
from mlkaizen.report.svgchart import TimePoint, practice_matrix, timeline
from mlkaizen.server.auth import Principal, check_csrf, org_for
from mlkaizen.server.pages import render
from mlkaizen.server.portfolio import SORTS, View, catalogue, stage_names, views
from mlkaizen.server.web import signed_in
from mlkaizen.store import board, plans
from mlkaizen.store import portfolio as store_portfolio
from mlkaizen.store.accounts import role_at_least

if TYPE_CHECKING:
    from mlkaizen.store.accounts import Org
    from mlkaizen.store.db import Store
    from mlkaizen.store.portfolio import SubjectInfo

router = APIRouter(include_in_schema=False)

PERIODS = (7, 30, 90, 365)
MAX_OWNER = 128
MAX_NOTE = 2000
MAX_REASON = 500
GAPS = {"behind": "behind their target", "met": "target met", "none": "no target"}
COLUMNS = (("name", "Subject"), ("team", "Team"), ("stage", "Stage"))
TAIL_COLUMNS = (("gap", "Gap"), ("trend", "Trend"), ("assessed", "Last assessed"))


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _nav(org: Org, here: str) -> dict[str, Any]:
    return {"org": org, "here": here}


# -- links to the forge ---------------------------------------------------------------------

_BLANK = re.compile(r"[\s\x00-\x1f\x7f]")


def safe_base(link_base: str | None) -> str | None:
    """``link_base`` if it is an ``http(s)://host/...`` URL with no blank or control
    character, else ``None`` (no link is made from it: never ``javascript:`` or ``data:``)."""
    if not link_base or _BLANK.search(link_base):
        return None
    try:
        parts = urlsplit(link_base)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return link_base


def forge_link(link_base: str | None, file: str | None, line: int | None) -> str | None:
    """``{link_base}/{file}#L{line}`` as the reports build it (the path percent-encoded), or
    ``None`` without a file or a safe ``link_base``."""
    base = safe_base(link_base)
    if not file or base is None:
        return None
    return RenderContext(catalogue=catalogue(), link_base=base).link(file, line)


# -- the portfolio ----------------------------------------------------------------------------


def trend_text(trend: int | None) -> str:
    """``↑ up 1 stage``, ``↓ down 2 stages``, ``→ no change``, or ``no data`` (no assessment
    as old as the period)."""
    if trend is None:
        return "no data"
    if trend == 0:
        return "→ no change"
    n = abs(trend)
    word = "stage" if n == 1 else "stages"
    return f"↑ up {n} {word}" if trend > 0 else f"↓ down {n} {word}"


def gap_text(v: View) -> str:
    if v.target_index is None:
        return "no target"
    if v.gap is None:
        return "not assessed"
    if v.gap == 0:
        return "met"
    return f"{v.gap} stage{'' if v.gap == 1 else 's'} behind"


def level_trend_text(change: int | None) -> str:
    if not change:
        return ""
    return f"↑{change}" if change > 0 else f"↓{-change}"


@dataclass
class Header:
    key: str | None
    label: str
    href: str | None = None
    sorted: str | None = None  # "ascending" / "descending" for the column sorted on


#: the portfolio page's rows at a time (filters and sorting apply to every subject first)
PAGE_ROWS = 200


@router.get("/orgs/{org}/portfolio")
def portfolio_page(
    request: Request,
    org: str,
    *,
    team: str = "",
    stage: str = "",
    gap: Literal["", "behind", "met", "none"] = "",
    sort: Literal["name", "stage", "gap", "trend", "team", "assessed"] = "name",
    desc: bool = False,
    period: int = Query(30, ge=1, le=3650),
    page: int = Query(1, ge=1, le=100_000),
) -> Response:
    who = signed_in(request)
    o = org_for(request, who, org, "viewer")
    store = _store(request)
    found = views(store, o.id, team=team or None, stage=stage or None, gap=gap or None,
                  sort=sort, descending=desc, period_days=period)
    filters = {"team": team, "stage": stage, "gap": gap, "period": str(period)}
    # filtered and sorted over every subject, shown PAGE_ROWS at a time
    pages = max(1, -(-len(found) // PAGE_ROWS))
    page = min(page, pages)
    shown = found[(page - 1) * PAGE_ROWS: page * PAGE_ROWS]

    def page_href(n: int) -> str:
        q = {k: v for k, v in filters.items() if v and not (k == "period" and v == "30")}
        q |= {"sort": sort, **({"desc": "1"} if desc else {}), "page": str(n)}
        return f"/orgs/{o.slug}/portfolio?{urlencode(q)}"

    def href(key: str) -> str:
        flip = key == sort and not desc
        q = {k: v for k, v in filters.items() if v and not (k == "period" and v == "30")}
        q["sort"] = key
        if flip:
            q["desc"] = "1"
        return f"/orgs/{o.slug}/portfolio?{urlencode(q)}"

    cat = catalogue()

    def header(key: str | None, label: str) -> Header:
        if key is None or key not in SORTS:
            return Header(None, label)
        return Header(key, label, href(key),
                      ("descending" if desc else "ascending") if key == sort else None)

    headers = [header(k, lab) for k, lab in COLUMNS]
    headers += [Header(None, d.name) for d in cat.dimensions]
    headers += [Header(None, "Target")]
    headers += [header(k, lab) for k, lab in TAIL_COLUMNS]
    headers += [Header(None, "Plans")]
    filtered = bool(team or stage or gap)
    return render(
        request, "portfolio.html",
        **_nav(o, "portfolio"),
        views=shown,
        total=len(found),
        first=(page - 1) * PAGE_ROWS + 1,
        page=page,
        pages=pages,
        page_href=page_href,
        headers=headers,
        dimensions=cat.dimensions,
        level_names={lv.value: lv.name for lv in cat.levels},
        teams=board.teams(store, o.id),
        stages=stage_names(),
        gaps=GAPS,
        periods=sorted({*PERIODS, period}),
        filters=filters,
        filtered=filtered,
        trend_text=trend_text,
        gap_text=gap_text,
        level_trend_text=level_trend_text,
        base_url=str(request.base_url).rstrip("/"),
    )


# -- the subject page ---------------------------------------------------------------------------


@dataclass
class PlanForm:
    practice: str = ""
    owner: str = ""
    due: str = ""
    note: str = ""
    message: str | None = None


@dataclass
class Timeline:
    svg: Markup | None
    rows: list[store_portfolio.Point] = field(default_factory=list)


def _subject(request: Request, o: Org, subject_id: int) -> SubjectInfo:
    s = store_portfolio.subject(_store(request), o.id, subject_id)
    if s is None:  # another organisation's subject is as missing as one that never was
        raise HTTPException(404, f"no subject {subject_id} in {o.slug!r}")
    return s


def _report(stored: board.Stored | None) -> tuple[Assessment | None, str | None]:
    if stored is None or stored.report is None:
        return None, None
    try:
        return Assessment.model_validate(stored.report), None
    except ValidationError as exc:
        return None, f"its stored report cannot be read ({exc.error_count()} problems)"


def _matrix(a: Assessment) -> Markup:
    """The HTML report's practice matrix (the project's static SVG: no inline style, which
    the pages' Content-Security-Policy forbids)."""
    cat = catalogue()
    nxt = next((s for s in cat.stages if s.name == a.next_stage), None)
    gate = dict(nxt.requires) if nxt else {}
    level_names = [visible(lv.name) for lv in cat.levels if lv.value > 0]
    title = (f"Practices satisfied per level, vs what {nxt.name} needs" if nxt
             else "Practices satisfied per level")
    svg = practice_matrix(matrix_rows(a, gate, len(level_names)), level_names, title,
                          pattern_id="mlk-matrix-hatch")
    return Markup(svg)  # built by the report's chart code: every name in it is escaped


def _timeline(points: list[store_portfolio.Point]) -> Timeline:
    if not points:
        return Timeline(None)
    cat = catalogue()

    def when(p: store_portfolio.Point) -> dt.datetime:
        return p.commit_date if p.origin == "history" and p.commit_date else p.created_at

    ordered = sorted(points, key=when)
    tps = [
        TimePoint(
            when=int(when(p).timestamp()),
            day=when(p).date().isoformat(),
            commit=visible(f"#{p.id} {p.origin}" + (f" {p.commit[:10]}" if p.commit else "")),
            stage_index=p.stage_index,
            stage=visible(p.stage),
            levels=p.levels,
        )
        for p in ordered
    ]
    dims = [(d.id, d.name) for d in cat.dimensions]
    svg = timeline(tps, dims, stage_names(), "Stage and levels over time")
    return Timeline(Markup(svg), list(reversed(points)))


def _subject_page(request: Request, who: Principal, o: Org, s: SubjectInfo, *,
                  status: int = 200, form: PlanForm | None = None,
                  abandon_error: tuple[int, str] | None = None) -> Response:
    store = _store(request)
    stored = board.newest(store, s.id)
    a, unreadable = _report(stored)
    cat = catalogue()
    today = _today()
    items = board.subject_items(store, s.id)
    role = who.role_in(o.slug) or "viewer"
    titles = {p.id: p.title for p in cat.practices}
    base = safe_base(s.link_base)
    return render(
        request, "subject.html", status,
        **_nav(o, "subject"),
        s=s,
        stored=stored,
        a=a,
        unreadable=unreadable,
        matrix=_matrix(a) if a is not None else None,
        timeline=_timeline(store_portfolio.points(store, s.id)),
        items=items,
        today=today,
        can_edit=role_at_least(role, "assessor"),
        practices=cat.practices,
        dimensions={d.id: d.name for d in cat.dimensions},
        titles=titles,
        form=form or PlanForm(),
        abandon_error=abandon_error,
        link_base=base,
        link=lambda file, line: forge_link(base, file, line),
        location=location,
        mark=STATE_MARK,
        State=State,
        code=_inline_code,
        min_due=today.isoformat(),
        questionnaire=f"/orgs/{o.slug}/subjects/{s.id}/questionnaire",
    )


@router.get("/orgs/{org}/subjects/{subject_id}")
def subject_page(request: Request, org: str, subject_id: int) -> Response:
    who = signed_in(request)
    o = org_for(request, who, org, "viewer")
    return _subject_page(request, who, o, _subject(request, o, subject_id))


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post("/orgs/{org}/subjects/{subject_id}/plans")
async def add_plan(request: Request, org: str, subject_id: int) -> Response:
    who = signed_in(request)
    o = org_for(request, who, org, "assessor")
    s = _subject(request, o, subject_id)
    await check_csrf(request, who)
    values = await _form(request)
    form = PlanForm(values.get("practice", "").strip(), values.get("owner", "").strip(),
                    values.get("due", "").strip(), values.get("note", "").strip())
    known = {p.id for p in catalogue().practices}
    problem = None
    due = None
    if form.practice not in known:
        problem = "Choose a practice from the list."
    elif not form.owner:
        problem = "Name the owner: a plan item needs someone who owns it."
    elif len(form.owner) > MAX_OWNER:
        problem = f"The owner is too long (at most {MAX_OWNER} characters)."
    elif len(form.note) > MAX_NOTE:
        problem = f"The note is too long (at most {MAX_NOTE} characters)."
    else:
        try:
            due = dt.date.fromisoformat(form.due)
        except ValueError:
            problem = "Give the due date as YYYY-MM-DD."
    if problem is None and due is not None:
        try:
            plans.add(_store(request), key=s.key, name=s.name, practice=form.practice,
                      owner=form.owner, due=due, note=form.note, known=known,
                      today=_today(), org_id=o.id)
        except MLKaizenError as exc:
            problem = str(exc).replace("--due ", "the due date ").replace("--owner ", "")
    if problem is not None:
        form.message = problem
        return _subject_page(request, who, o, s, status=400, form=form)
    return RedirectResponse(f"/orgs/{o.slug}/subjects/{s.id}#plans", status_code=303)


@router.post("/orgs/{org}/subjects/{subject_id}/plans/{item_id}/abandon")
async def abandon_plan(request: Request, org: str, subject_id: int, item_id: int) -> Response:
    who = signed_in(request)
    o = org_for(request, who, org, "assessor")
    s = _subject(request, o, subject_id)
    await check_csrf(request, who)
    reason = (await _form(request)).get("reason", "").strip()
    if len(reason) > MAX_REASON:
        return _subject_page(request, who, o, s, status=400, abandon_error=(
            item_id, f"The reason is too long (at most {MAX_REASON} characters)."))
    if item_id not in {i.id for i in board.subject_items(_store(request), s.id)}:
        raise HTTPException(404, f"no plan item #{item_id} of this subject")
    try:
        plans.abandon(_store(request), item_id, reason, key=s.key, org_id=o.id)
    except MLKaizenError as exc:
        message = str(exc).replace("--reason is required", "A reason is needed")
        return _subject_page(request, who, o, s, status=400, abandon_error=(item_id, message))
    return RedirectResponse(f"/orgs/{o.slug}/subjects/{s.id}#plans", status_code=303)


# -- the plan board -----------------------------------------------------------------------------


@dataclass
class Lane:
    owner: str
    open: list[board.BoardItem] = field(default_factory=list)
    overdue: list[board.BoardItem] = field(default_factory=list)
    achieved: list[board.BoardItem] = field(default_factory=list)
    abandoned: list[board.BoardItem] = field(default_factory=list)


@router.get("/orgs/{org}/plans")
def plan_board(request: Request, org: str, owner: str = "") -> Response:
    who = signed_in(request)
    o = org_for(request, who, org, "viewer")
    store = _store(request)
    today = _today()
    lanes: dict[str, Lane] = {}
    for bi in board.org_items(store, o.id, owner or None):
        lane = lanes.setdefault(bi.item.owner, Lane(bi.item.owner))
        getattr(lane, bi.item.shown_status(today)).append(bi)
    # subjects whose newest assessment fell below the one before: what the plans are for
    regressed = [r for r in store_portfolio.portfolio(store, o.id) if r.regressed_since]
    return render(
        request, "plans.html",
        **_nav(o, "plans"),
        regressed=regressed,
        regressed_since={r.subject.id: r.regressed_since for r in regressed},
        lanes=list(lanes.values()),
        owners=board.owners(store, o.id),
        owner=owner,
        titles={p.id: p.title for p in catalogue().practices},
        today=today,
    )
