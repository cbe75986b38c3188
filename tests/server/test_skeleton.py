"""The server starts on a fresh store, publishes its OpenAPI, refuses an unauthenticated API
read, shows a sign-in page, signs a user in and out, and enforces a one-time password's
change."""

from __future__ import annotations

from fastapi.testclient import TestClient

from mlkaizen.store.db import Store
from tests.server.conftest import csrf_of, member, sign_in, token


def test_a_fresh_store_serves_openapi_and_refuses_unauthenticated_reads(
    client: TestClient,
) -> None:
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["info"]["title"] == "MLKaizen"
    r = client.get("/api/v1/orgs")
    assert r.status_code == 401
    assert r.json() == {"error": "sign in, or send an API token: Authorization: Bearer mlk_..."}
    page = client.get("/", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/login?next=/")
    login = client.get("/login")
    assert "<h1>Sign in</h1>" in login.text
    assert login.headers["content-security-policy"].startswith("default-src 'none'")


def test_sign_in_sign_out_and_a_token(client: TestClient, store: Store) -> None:
    member(store, "acme", "maria", "admin")
    sign_in(client, "maria")
    assert client.get("/api/v1/orgs").json() == {"items": [{"slug": "acme", "role": "admin"}]}
    secret = token(store, "acme", "assessor")
    bare = TestClient(client.app)
    r = bare.get("/api/v1/orgs", headers={"Authorization": f"Bearer {secret}"})
    assert r.json() == {"items": [{"slug": "acme", "role": "assessor"}]}
    assert bare.get("/api/v1/orgs", headers={"Authorization": "Bearer mlk_nope"}
                    ).status_code == 401
    # signing out needs the session's CSRF token
    assert client.post("/logout", data={"csrf_token": "wrong"}).status_code == 403
    out = client.post("/logout", data={"csrf_token": csrf_of(client, "/login")},
                      follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/api/v1/orgs").status_code == 401


def test_wrong_passwords_are_refused_then_rate_limited(client: TestClient, store: Store
                                                       ) -> None:
    import re

    member(store, "acme", "maria", "viewer")
    codes = []
    for _ in range(6):
        page = client.get("/login")
        field = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert field is not None
        r = client.post("/login", data={"username": "maria", "password": "wrong password!",
                                        "csrf_token": field.group(1)}, follow_redirects=False)
        codes.append(r.status_code)
    assert codes == [401] * 5 + [429]


def test_a_one_time_password_must_be_changed_first(client: TestClient, store: Store) -> None:
    member(store, "acme", "bo", "viewer", must_change=True)
    sign_in(client, "bo")
    r = client.get("/", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/password")
    csrf = csrf_of(client, "/password")
    short = client.post("/password", data={"csrf_token": csrf, "password": "short",
                                           "again": "short"})
    assert short.status_code == 400
    done = client.post("/password", data={"csrf_token": csrf, "password": "a much longer one",
                                          "again": "a much longer one"}, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, "/login")
    sign_in(client, "bo", "a much longer one")
    assert client.get("/api/v1/orgs").status_code == 200


def test_a_live_server_answers_over_a_socket(sqlite_store: Store) -> None:
    import httpx

    from tests.server.live import live_server

    with live_server(sqlite_store) as url:
        assert httpx.get(url + "/api/v1/orgs").status_code == 401
        assert httpx.get(url + "/healthz").json() == {"status": "ok"}


def test_passwords_are_argon2id_with_the_library_defaults(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from mlkaizen.server import auth

    monkeypatch.setattr(auth, "ARGON2_PARAMETERS", None)  # as served, not as tested
    hashed = auth.hash_password("correct horse battery staple")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert auth.verify_password(hashed, "correct horse battery staple")
    assert not auth.verify_password(hashed, "correct horse battery stapl")
    assert not auth.verify_password("not a hash", "x")
