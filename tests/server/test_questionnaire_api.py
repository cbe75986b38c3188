"""The answers API: every respondent's answers for viewers (and CI's tokens), answering for
signed-in assessors only (a token never answers), with the same effect as the form and
4xx JSON errors that store nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from mlkaizen.store import web_answers
from mlkaizen.store.db import Store
from tests.server.conftest import csrf_of, sign_in, token
from tests.server.test_questionnaire import GOVERNANCE, Seeded, assessments, seed, stored


def url(s: Seeded, subject: int | None = None, org: str = "acme") -> str:
    return f"/api/v1/orgs/{org}/subjects/{subject or s.subject}/answers"


def body(**answers: Any) -> dict[str, Any]:
    return {"answers": answers}


def signed(client: TestClient, user: str) -> tuple[TestClient, dict[str, str]]:
    c = TestClient(client.app, base_url="http://127.0.0.1")
    sign_in(c, user)
    return c, {"X-CSRF-Token": csrf_of(c, "/login")}


def test_answering_through_the_api_re_judges_and_reads_back(
    client: TestClient, store: Store
) -> None:
    s = seed(store)
    maria, headers = signed(client, "maria")
    everything = {p: {"answer": "yes"} for p in s.blocking}
    everything[GOVERNANCE] = {"answer": "yes", "comment": "policy-as-code",
                              "link": "https://wiki.example/policy"}
    r = maria.put(url(s), json=body(**everything), headers=headers)
    assert r.status_code == 200, r.text
    newest = web_answers.newest(store, s.subject)
    assert newest is not None
    assert r.json() == {"id": newest[0], "stage": "Automated MLOps", "stage_index": 4}
    bo, bo_headers = signed(client, "bo")
    r = bo.put(url(s), json=body(**{GOVERNANCE: {"answer": "partly"}}), headers=bo_headers)
    assert r.json()["stage"] == "Manual MLOps"
    # a viewer reads every respondent's answers, and how they combine
    vic, _ = signed(client, "vic")
    got = vic.get(url(s))
    assert got.status_code == 200
    data = got.json()
    assert data["subject"] == {"id": s.subject, "name": "churn-prediction"}
    assert data["respondents"] == ["bo", "maria"]
    assert len(data["answers"]) == len(s.blocking) + 1
    mine = next(a for a in data["answers"]
                if (a["respondent"], a["practice"]) == ("maria", GOVERNANCE))
    assert (mine["answer"], mine["comment"], mine["link"]) == (
        "yes", "policy-as-code", "https://wiki.example/policy")
    assert data["combined"][GOVERNANCE] == {
        "answer": "partly", "respondents": {"bo": "partly", "maria": "yes"},
        "agreement": 0.5, "disagreement": True}
    # so does CI's token, of any role
    ci = TestClient(client.app)
    secret = token(store, "acme", "viewer")
    assert ci.get(url(s), headers={"Authorization": f"Bearer {secret}"}).json() == data


def test_tokens_never_answer_and_roles_are_enforced(client: TestClient, store: Store) -> None:
    s = seed(store)
    ci = TestClient(client.app)
    secret = token(store, "acme", "admin")
    r = ci.put(url(s), json=body(**{GOVERNANCE: {"answer": "yes"}}),
               headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 403
    assert r.json() == {"error": "answers are given by people: sign in to answer (an API "
                                 "token cannot)"}
    assert TestClient(client.app).put(url(s), json=body()).status_code == 401
    vic, headers = signed(client, "vic")
    r = vic.put(url(s), json=body(**{GOVERNANCE: {"answer": "yes"}}), headers=headers)
    assert r.status_code == 403 and "assessor" in r.json()["error"]
    maria, headers = signed(client, "maria")
    r = maria.put(url(s), json=body(**{GOVERNANCE: {"answer": "yes"}}))
    assert r.status_code == 403 and "CSRF" in r.json()["error"]
    r = maria.put(url(s), json=body(**{GOVERNANCE: {"answer": "yes"}}),
                  headers={"X-CSRF-Token": "nope"})
    assert r.status_code == 403
    # another organisation's subject: 404 by either name, for reads and writes
    for target in (url(s, s.foreign), url(s, org="other"), url(s, 999_999)):
        assert maria.get(target).status_code == 404
        assert maria.put(target, json=body(**{GOVERNANCE: {"answer": "yes"}}),
                         headers=headers).status_code == 404
    eve, _ = signed(client, "eve")
    assert eve.get(url(s)).json() == {"error": "no organisation 'acme' of yours"}
    assert stored(store, s.subject) == [] and stored(store, s.foreign) == []
    assert len(assessments(store, s.subject)) == 1


def test_bad_answers_are_400_and_store_nothing(client: TestClient, store: Store) -> None:
    s = seed(store)
    maria, headers = signed(client, "maria")
    good = {"answer": "yes"}
    cases = [
        (body(**{GOVERNANCE: {"answer": "maybe"}, "deployment.rollback": good}), 400,
         f"{GOVERNANCE}: unknown answer 'maybe' (expected yes, partly, no, "
         "not-applicable, unknown)"),
        (body(**{"model.nope": good}), 400, "unknown practice 'model.nope'"),
        (body(**{GOVERNANCE: {"answer": "yes", "link": "javascript:alert(1)"}}), 400,
         f"{GOVERNANCE}: the link must be an http:// or https:// address"),
        (body(), 400, "give at least one answer"),
    ]
    for payload, status, error in cases:
        r = maria.put(url(s), json=payload, headers=headers)
        assert (r.status_code, r.json()) == (status, {"error": error})
    r = maria.put(url(s), json={"answers": {GOVERNANCE: {"answer": "yes", "extra": 1}}},
                  headers=headers)
    assert r.status_code == 422 and r.json()["error"] == "invalid request"
    r = maria.put(url(s, s.blank), json=body(**{GOVERNANCE: good}), headers=headers)
    assert (r.status_code, r.json()) == (
        409, {"error": "this subject has no stored assessment of a repository yet"})
    assert stored(store, s.subject) == [] and stored(store, s.blank) == []
    assert len(assessments(store, s.subject)) == 1
    # near miss: the same answer, well formed, lands
    assert maria.put(url(s), json=body(**{GOVERNANCE: good}), headers=headers).status_code == 200
    assert stored(store, s.subject) == [("maria", GOVERNANCE, "yes", None, None)]


def test_answers_never_close_a_plan_by_themselves(client: TestClient, store: Store) -> None:
    import datetime as dt

    from mlkaizen.server.portfolio import catalogue
    from mlkaizen.store import plans

    s = seed(store)
    plans.add(store, key=s.key, name="churn-prediction", practice=GOVERNANCE, owner="maria",
              due=dt.date(2099, 1, 1), note="", known={p.id for p in catalogue().practices},
              today=dt.date(2026, 12, 1), org_id=s.org_id)
    maria, headers = signed(client, "maria")
    r = maria.put(url(s), json=body(**{p: {"answer": "yes"} for p in s.blocking}),
                  headers=headers)
    assert r.json()["stage"] == "Automated MLOps"
    items = plans.items(store, s.key, org_id=s.org_id)
    assert [(i.practice, i.status) for i in items] == [(GOVERNANCE, "open")]


def test_a_later_upload_keeps_the_answers_given_on_the_web(client: TestClient, store: Store
                                                           ) -> None:
    from tests.server.conftest import example_report

    s = seed(store)
    maria, headers = signed(client, "maria")
    r = maria.put(url(s), json=body(**{p: {"answer": "yes"} for p in s.blocking}),
                  headers=headers)
    assert r.json()["stage"] == "Automated MLOps"
    ci = TestClient(client.app)
    secret = token(store, "acme", "assessor")
    upload = {"subject": {"key": s.key, "name": "churn-prediction"},
              "assessment": example_report()}
    r = ci.post("/api/v1/orgs/acme/assessments", json=upload,
                headers={"Authorization": f"Bearer {secret}"})
    assert r.status_code == 201, r.text
    out = r.json()
    # the upload alone is judged as the repository shows it; the answers judge it again
    assert (out["stage"], out["with_answers"]["stage"]) == ("Manual MLOps", "Automated MLOps")
    assert [o for o, *_ in assessments(store, s.subject)][-2:] == ["upload", "answers"]
    rows = ci.get("/api/v1/orgs/acme/portfolio", headers={
        "Authorization": f"Bearer {secret}"}).json()["items"]
    shown = {r["subject"]["id"]: (r["assessment_id"], r["stage"]) for r in rows}
    assert shown[s.subject] == (out["with_answers"]["id"], "Automated MLOps")
    # near miss: a subject nobody answered for gets no second assessment
    r = ci.post("/api/v1/orgs/acme/assessments",
                json={"subject": {"key": "git:other"}, "assessment": example_report()},
                headers={"Authorization": f"Bearer {secret}"})
    assert (r.status_code, r.json()["with_answers"]) == (201, None)
