"""Who may call what: every route under ``/api/v1`` (enumerated from the application, so
that a route missing from the table below fails) tried anonymously (401), by a user and by a
token of another organisation, on this organisation's slug and on their own slug with this
organisation's ids (404, as a missing one), by the role just below the lowest allowed
(403), and by the lowest allowed role, signed in and with a token (2xx). Every unsafe route
refuses a signed-in browser without its CSRF token or with a wrong one (403), and stores
nothing for any refused request."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mlkaizen.server.app import create_app
from mlkaizen.store import accounts, plans
from mlkaizen.store.db import Store
from mlkaizen.store.tables import AssessmentRow
from tests.server.conftest import csrf_of, example_report, member, sign_in, token
from tests.server.test_api import counts, upload_body

ROLES = ("viewer", "assessor", "admin")
NOT_API = {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/docs/oauth2-redirect"}


@dataclass
class World:
    """Two organisations, each with a subject, an assessment and a plan item; ``acme`` has
    a user and a token of every role, ``beta`` an admin (user and token)."""

    store: Store
    app: Any
    ids: dict[str, dict[str, int]]  # org -> subject_id, assessment_id
    tokens: dict[str, str]  # "acme:viewer", ..., "beta:admin" -> secret

    def fresh_item(self, org: str) -> int:
        """A new open plan item of the org's subject (an abandon consumes one)."""
        o = accounts.org(self.store, org)
        assert o is not None
        item = plans.add(self.store, key="churn", name="churn-prediction",
                         practice="model.champion-challenger", owner="bo",
                         due=dt.date(2999, 1, 1), note="", known={"model.champion-challenger"},
                         today=dt.date.today(), org_id=o.id)
        return item.id

    def url(self, path: str, org: str, ids_of: str) -> str:
        """``path`` for ``org``'s slug, with the ids of ``ids_of``'s records."""
        values = {"org": org, **self.ids[ids_of]}
        if "{item_id}" in path:
            values["item_id"] = self.fresh_item(ids_of)
        return path.format(**values)


@dataclass(frozen=True)
class Entry:
    role: str  # the lowest role allowed
    body: Callable[[], Any] | None = None
    org_scoped: bool = True  # the path names the organisation
    people_only: bool = False  # a token is refused whoever it belongs to (403)


TABLE: dict[tuple[str, str], Entry] = {
    ("GET", "/api/v1/orgs"): Entry("viewer", org_scoped=False),
    ("GET", "/api/v1/orgs/{org}"): Entry("viewer"),
    ("GET", "/api/v1/orgs/{org}/subjects"): Entry("viewer"),
    ("GET", "/api/v1/orgs/{org}/subjects/{subject_id}"): Entry("viewer"),
    ("PATCH", "/api/v1/orgs/{org}/subjects/{subject_id}"): Entry(
        "admin", lambda: {"team": "platform"}),
    ("GET", "/api/v1/orgs/{org}/subjects/{subject_id}/history"): Entry("viewer"),
    ("POST", "/api/v1/orgs/{org}/assessments"): Entry("assessor", upload_body),
    ("GET", "/api/v1/assessments/{assessment_id}"): Entry("viewer", org_scoped=False),
    ("GET", "/api/v1/orgs/{org}/portfolio"): Entry("viewer"),
    ("GET", "/api/v1/orgs/{org}/plans"): Entry("viewer"),
    ("GET", "/api/v1/orgs/{org}/subjects/{subject_id}/plans"): Entry("viewer"),
    ("POST", "/api/v1/orgs/{org}/subjects/{subject_id}/plans"): Entry(
        "assessor", lambda: {"practice": "data.drift-feedback", "owner": "bo",
                             "due": "2999-01-01"}),
    ("POST", "/api/v1/orgs/{org}/plans/{item_id}/abandon"): Entry(
        "assessor", lambda: {"reason": "not this year"}),
    ("GET", "/api/v1/orgs/{org}/subjects/{subject_id}/answers"): Entry("viewer"),
    ("PUT", "/api/v1/orgs/{org}/subjects/{subject_id}/answers"): Entry(
        "assessor", lambda: {"answers": {"model.registry": {"answer": "yes"}}},
        people_only=True),
}
PEOPLE_ONLY = "answers are given by people: sign in to answer (an API token cannot)"


def _walk(routes: list[Any], prefix: str = "") -> set[tuple[str, str]]:
    """(method, path) of every route, the routes of included routers too (FastAPI keeps
    those flat in ``app.routes``, or, in later versions, behind an included-router entry)."""
    found = set()
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            context = getattr(route, "include_context", None)
            found |= _walk(inner.routes, prefix + getattr(context, "prefix", ""))
            continue
        path = prefix + getattr(route, "path", "")
        found |= {(m, path) for m in getattr(route, "methods", None) or () if m != "HEAD"}
    return found


def api_routes(app: Any) -> set[tuple[str, str]]:
    return {(m, p) for m, p in _walk(app.routes)
            if p.startswith("/api/v1") and p not in NOT_API}


def test_every_api_route_is_in_the_table(sqlite_store: Store) -> None:
    app = create_app(sqlite_store)
    routes = api_routes(app)
    assert routes == set(TABLE), (
        f"routes without an entry: {sorted(routes - set(TABLE))}; "
        f"entries without a route: {sorted(set(TABLE) - routes)}"
    )
    # the walk misses nothing the published API has
    published = {(m.upper(), p) for p, ops in app.openapi()["paths"].items() for m in ops}
    assert published == routes


@pytest.fixture
def world(store: Store, app: Any) -> World:
    tokens = {}
    for role in ROLES:
        member(store, "acme", f"acme-{role}", role)
        tokens[f"acme:{role}"] = token(store, "acme", role, name=f"ci-{role}")
    member(store, "beta", "beta-admin", "admin")
    tokens["beta:admin"] = token(store, "beta", "admin", name="ci-beta")
    ids = {}
    with TestClient(app) as c:
        for org in ("acme", "beta"):
            r = c.post(f"/api/v1/orgs/{org}/assessments", json=upload_body(),
                       headers={"Authorization": f"Bearer {tokens[f'{org}:admin']}"})
            assert r.status_code == 201, r.text
            ids[org] = {"subject_id": r.json()["subject_id"], "assessment_id": r.json()["id"]}
    return World(store, app, ids, tokens)


def _session(app: Any, username: str) -> tuple[TestClient, dict[str, str]]:
    c = TestClient(app, base_url="http://127.0.0.1")
    sign_in(c, username)
    return c, {"X-CSRF-Token": csrf_of(c, "/login")}


def _call(c: TestClient, method: str, url: str, body: Any, headers: dict[str, str]
          ) -> Any:
    return c.request(method, url, json=body, headers=headers)


def _assessments(store: Store) -> list[int]:
    from sqlalchemy import select

    with store.session() as s:
        return list(s.scalars(select(AssessmentRow.id).order_by(AssessmentRow.id)))


@pytest.mark.parametrize("route", sorted(TABLE), ids=lambda r: f"{r[0]} {r[1]}")
def test_the_authorisation_matrix(world: World, route: tuple[str, str]) -> None:
    method, path = route
    entry = TABLE[route]
    body = entry.body() if entry.body is not None else None
    unsafe = method != "GET"
    bare = TestClient(world.app, base_url="http://127.0.0.1")

    def refused(call: Callable[[str], Any], status: int, error: str | None = None, *,
                org: str = "acme", ids_of: str = "acme") -> None:
        url = world.url(path, org, ids_of)
        before = counts(world.store)
        r = call(url)
        assert r.status_code == status, (route, r.status_code, r.text)
        if error is not None:
            assert r.json() == {"error": error}
        if unsafe:
            assert counts(world.store) == before

    # anonymous
    refused(lambda url: _call(bare, method, url, body, {}), 401,
            "sign in, or send an API token: Authorization: Bearer mlk_...")
    refused(lambda url: _call(bare, method, url, body,
                              {"Authorization": "Bearer mlk_not-a-token"}), 401)

    # another organisation: its user and its token, on acme's slug and on their own slug
    # with acme's ids; never a hint that acme or its records exist
    beta_user, beta_csrf = _session(world.app, "beta-admin")
    beta_token = {"Authorization": f"Bearer {world.tokens['beta:admin']}"}
    for client, headers in ((beta_user, beta_csrf), (bare, beta_token)):
        if route == ("GET", "/api/v1/orgs"):
            r = _call(client, method, path, body, headers)
            assert r.json() == {"items": [{"slug": "beta", "role": "admin"}]}
            continue
        if entry.people_only and headers is beta_token:
            refused(lambda url: _call(bare, method, url, body, beta_token), 403, PEOPLE_ONLY)
            continue
        if entry.org_scoped:
            refused(lambda url, c=client, h=headers: _call(c, method, url, body, h),
                    404, "no organisation 'acme' of yours")
        if "_id}" in path:
            refused(lambda url, c=client, h=headers: _call(c, method, url, body, h), 404,
                    org="beta")

    # the role just below the lowest allowed, signed in and with a token
    lowest = ROLES.index(entry.role)
    if lowest > 0:
        below = ROLES[lowest - 1]
        user, csrf = _session(world.app, f"acme-{below}")
        error = f"this needs the {entry.role} role in 'acme'; you are {below}"
        refused(lambda url: _call(user, method, url, body, csrf), 403, error)
        refused(lambda url: _call(bare, method, url, body,
                                  {"Authorization": f"Bearer {world.tokens[f'acme:{below}']}"}),
                403, PEOPLE_ONLY if entry.people_only else error)

    # the lowest allowed role: signed in (with the CSRF token for a write), and a token
    user, csrf = _session(world.app, f"acme-{entry.role}")
    if unsafe:
        good = csrf["X-CSRF-Token"]
        wrong = {"X-CSRF-Token": good[:-1] + ("y" if good.endswith("x") else "x")}
        for headers in ({}, wrong):
            refused(lambda url, h=headers: _call(user, method, url, body, h),
                    403, "missing or wrong CSRF token; reload the page and try again")
    r = _call(user, method, world.url(path, "acme", "acme"), body, csrf)
    assert 200 <= r.status_code < 300, (route, r.status_code, r.text)
    lowest_token = {"Authorization": f"Bearer {world.tokens[f'acme:{entry.role}']}"}
    if entry.people_only:
        refused(lambda url: _call(bare, method, url, body, lowest_token), 403, PEOPLE_ONLY)
        return
    r = _call(bare, method, world.url(path, "acme", "acme"), body, lowest_token)
    assert 200 <= r.status_code < 300, (route, r.status_code, r.text)


def test_a_browser_upload_without_its_csrf_token_stores_nothing(world: World) -> None:
    user, csrf = _session(world.app, "acme-assessor")
    before = _assessments(world.store)
    for headers in ({}, {"X-CSRF-Token": ""}, {"X-CSRF-Token": "x" * 43}):
        r = user.post("/api/v1/orgs/acme/assessments", json=upload_body(), headers=headers)
        assert (r.status_code, r.json()) == (
            403, {"error": "missing or wrong CSRF token; reload the page and try again"})
    assert _assessments(world.store) == before
    # a form post carrying the field is not a way around it: the API takes JSON only
    r = user.post("/api/v1/orgs/acme/assessments", data={"csrf_token": "x"})
    assert r.status_code == 403
    r = user.post("/api/v1/orgs/acme/assessments", data={"csrf_token": csrf["X-CSRF-Token"]})
    assert (r.status_code, r.json()["error"]) == (
        415, "send the upload as application/json, not application/x-www-form-urlencoded")
    assert _assessments(world.store) == before
    r = user.post("/api/v1/orgs/acme/assessments", json=upload_body(), headers=csrf)
    assert r.status_code == 201
    assert _assessments(world.store) == [*before, r.json()["id"]]


def test_a_revoked_token_is_refused(world: World) -> None:
    secret = token(world.store, "acme", "assessor", name="old")
    found = accounts.token_for(world.store, secret)
    assert found is not None
    assert accounts.revoke_token(world.store, found.org.id, found.id)
    c = TestClient(world.app)
    r = c.post("/api/v1/orgs/acme/assessments", json=upload_body(example_report()),
               headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 401
