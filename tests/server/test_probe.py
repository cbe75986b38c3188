"""Found by probing a running server: the questionnaire page of an uploaded subject renders
(with the organisation's navigation), and an upload whose subject carries a control
character, or whose dimension claims a level the catalogue does not have, is refused with
a 422 naming it and stores nothing, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from mlkaizen.store.db import Store
from tests.server.conftest import example_report, member, sign_in, token
from tests.server.test_api import API, bearer, counts, upload_body


def test_the_questionnaire_page_of_an_uploaded_subject_renders(
    client: TestClient, store: Store
) -> None:
    ci = bearer(token(store, "acme", "assessor"))
    r = client.post(f"{API}/orgs/acme/assessments", headers=ci, json=upload_body())
    assert r.status_code == 201, r.text
    subject_id = r.json()["subject_id"]
    member(store, "acme", "vera", "viewer")
    sign_in(client, "vera")
    page = client.get(f"/orgs/acme/subjects/{subject_id}/questionnaire")
    assert page.status_code == 200, page.text[:500]
    assert '<a href="/orgs/acme/portfolio">Portfolio</a>' in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")


@pytest.mark.parametrize(("field", "value"), [
    ("key", "churn\x00x"), ("name", "churn\x00x"), ("team", "risk\x00"),
    ("key", "churn\x1b[31m"), ("team", "risk\x7f"),
])
def test_a_control_character_in_the_subject_is_refused(
    client: TestClient, store: Store, field: str, value: str
) -> None:
    ci = bearer(token(store, "acme", "assessor"))
    before = counts(store)
    body = upload_body()
    body["subject"][field] = value
    r = client.post(f"{API}/orgs/acme/assessments", headers=ci, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == f"subject.{field}: no control characters (such as NUL)"
    assert counts(store) == before


def test_a_plain_subject_next_to_the_refused_ones_is_taken(
    client: TestClient, store: Store
) -> None:
    ci = bearer(token(store, "acme", "assessor"))
    body = upload_body(name="churn\tmodel", team="risk team")  # a tab is not refused
    r = client.post(f"{API}/orgs/acme/assessments", headers=ci, json=body)
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(("which", "value"), [
    ("level", 10**30), ("level", 4), ("level", -1), ("potential_level", 2**40),
])
def test_a_level_the_catalogue_does_not_have_is_refused(
    client: TestClient, store: Store, which: str, value: int
) -> None:
    ci = bearer(token(store, "acme", "assessor"))
    before = counts(store)
    report: dict[str, Any] = copy.deepcopy(example_report())
    report["dimensions"][0][which] = value
    r = client.post(f"{API}/orgs/acme/assessments", headers=ci, json=upload_body(report))
    assert r.status_code == 422, r.text
    dim = report["dimensions"][0]["id"]
    assert r.json()["error"] == (f"assessment.dimensions: {dim!r} has level {value}, "
                                 "not one of 'ad-hoc-to-kaizen''s levels")
    assert counts(store) == before


def test_the_highest_level_of_the_catalogue_is_taken(client: TestClient, store: Store) -> None:
    ci = bearer(token(store, "acme", "assessor"))
    report: dict[str, Any] = copy.deepcopy(example_report())
    report["dimensions"][0]["potential_level"] = 3
    r = client.post(f"{API}/orgs/acme/assessments", headers=ci, json=upload_body(report))
    assert r.status_code == 201, r.text


def _break(store: Store) -> None:
    """The store's SQLite file overwritten with something that is not a database."""
    path = store.engine.url.database
    assert path is not None
    store.engine.dispose()
    with open(path, "wb") as f:
        f.write(b"not a database " * 512)


def test_a_store_that_goes_away_is_a_clean_503(sqlite_store: Store) -> None:
    from mlkaizen.server.app import create_app

    secret = token(sqlite_store, "acme", "assessor")
    client = TestClient(create_app(sqlite_store), raise_server_exceptions=False)
    assert client.get(f"{API}/orgs", headers=bearer(secret)).status_code == 200
    _break(sqlite_store)
    r = client.get(f"{API}/orgs", headers=bearer(secret))
    assert (r.status_code, r.json()) == (
        503, {"error": "the store is unavailable; try again in a moment"})
    assert r.headers["retry-after"] == "5"
    assert "content-security-policy" in r.headers
    client.cookies.set("mlkaizen_session", "x" * 43)
    page = client.get("/orgs/acme/portfolio")
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert "the store is unavailable; try again in a moment" in page.text
    assert "sqlite" not in page.text and "Traceback" not in page.text
    assert page.headers["x-frame-options"] == "DENY"


def test_an_unexpected_failure_is_a_clean_500_json_or_page(sqlite_store: Store) -> None:
    from mlkaizen.server.app import create_app

    app = create_app(sqlite_store)

    def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/api/v1/boom", boom)
    app.add_api_route("/boom", boom)
    client = TestClient(app, raise_server_exceptions=False)
    r = client.get("/api/v1/boom")
    assert (r.status_code, r.json()) == (
        500, {"error": "the server failed on this request; it is in the log"})
    page = client.get("/boom")
    assert page.status_code == 500
    assert "the server failed on this request" in page.text
    assert "secret internals" not in page.text + r.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")


def test_no_page_loads_a_script_from_elsewhere(client: TestClient, store: Store) -> None:
    """Swagger UI's page loaded its script from a CDN, with no CSP, on the server's own
    origin: that script would act with the signed-in user's rights. The description stays."""
    member(store, "acme", "maria", "admin")
    sign_in(client, "maria")
    assert client.get("/api/v1/docs").status_code == 404
    assert client.get("/api/v1/docs/oauth2-redirect").status_code == 404
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert "/api/v1/orgs/{org}/assessments" in r.json()["paths"]
    for path in ("/", "/orgs/acme/portfolio", "/login", "/api/v1/nope", "/nope"):
        page = client.get(path)
        assert "cdn." not in page.text, path
        assert page.headers["content-security-policy"].startswith("default-src 'none'"), path


def test_a_huge_body_is_refused_before_it_is_parsed(client: TestClient, store: Store) -> None:
    """Every JSON route read and parsed any body, even without a token: 100 MB of it cost
    hundreds of MB of memory. Now anything over 1 MiB but an upload is a 413."""
    ci = bearer(token(store, "acme", "assessor"))
    r = client.post(f"{API}/orgs/acme/assessments", headers=ci, json=upload_body())
    assert r.status_code == 201, r.text
    sid = r.json()["subject_id"]
    huge = {"practice": "model.ct-triggers", "owner": "x", "due": "2030-01-01",
            "note": "x" * (1024 * 1024)}
    for headers in ({}, ci):
        r = client.post(f"{API}/orgs/acme/subjects/{sid}/plans", headers=headers, json=huge)
        assert (r.status_code, r.json()) == (
            413, {"error": "the body is over the limit of 1048576 bytes"})

    def streamed() -> Any:
        for _ in range(2 * 1024):
            yield b" " * 1024

    r = client.post(f"{API}/orgs/acme/subjects/{sid}/plans", headers=ci, content=streamed())
    assert r.status_code == 413
    page = client.post("/login", data={"username": "a", "password": "x" * (1024 * 1024)})
    assert page.status_code == 413
    assert page.headers["content-type"].startswith("text/html")
    # just under the limit is read as before (the note's own limit answers), and an upload
    # keeps its own, larger limit
    huge["note"] = "x" * 5000
    r = client.post(f"{API}/orgs/acme/subjects/{sid}/plans", headers=ci, json=huge)
    assert r.status_code == 422, r.text
    report = example_report()
    report["warnings"] = ["w" * 1000] * 1500  # 1.5 MB
    r = client.post(f"{API}/orgs/acme/assessments", headers=ci,
                    json=upload_body(report, key="big"))
    assert r.status_code != 413, r.text
