"""The server under test: a store (SQLite, and the PostgreSQL that CI starts), the FastAPI
application on it driven in-process through HTTP (Starlette's test client), organisations,
users and tokens made as ``mlkaizen user add`` and ``token create`` make them, and a real
assessment of the bundled example to upload."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the server extra is not installed")

from fastapi.testclient import TestClient

from mlkaizen.server.app import create_app
from mlkaizen.server.auth import hash_password, new_token_secret
from mlkaizen.store import accounts
from mlkaizen.store.db import Store, open_store
from tests.store.conftest import db_url  # noqa: F401 - the fixture, re-exported

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "churn-prediction"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 at its cheapest in the tests (its defaults cost about 0.3 s a hash): what is
    tested is that passwords are hashed and checked, not argon2's cost."""
    from argon2.profiles import CHEAPEST

    from mlkaizen.server import auth

    monkeypatch.setattr(auth, "ARGON2_PARAMETERS", CHEAPEST)
    monkeypatch.setattr(auth, "_DUMMY", [])


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:  # noqa: F811 - the fixture above
    s = open_store(db_url)
    yield s
    s.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'store' / 'mlkaizen.db'}")
    yield s
    s.close()


@pytest.fixture
def app(store: Store) -> Any:
    return create_app(store)


def member(store: Store, org: str, username: str, role: str, *,
           password: str = PASSWORD, must_change: bool = False) -> None:
    """A user with ``role`` in ``org`` (both made if new), as ``mlkaizen user add`` does."""
    o, _ = accounts.ensure_org(store, org)
    u, _ = accounts.add_user(store, username, hash_password(password), must_change=must_change)
    accounts.grant(store, u.id, o.id, role)


def token(store: Store, org: str, role: str = "assessor", name: str = "ci") -> str:
    """A new API token's secret, as ``mlkaizen token create`` prints it."""
    o, _ = accounts.ensure_org(store, org)
    secret = new_token_secret()
    accounts.add_token(store, o.id, name, secret, role)
    return secret


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    """``client`` signed in through the real form (its CSRF cookie and field)."""
    page = client.get("/login")
    field = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert field is not None, page.text
    r = client.post("/login", data={"username": username, "password": password,
                                    "csrf_token": field.group(1), "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def csrf_of(client: TestClient, path: str = "/") -> str:
    """The CSRF token of the signed-in session, read from a page's sign-out form."""
    page = client.get(path)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None, page.text
    return found.group(1)


@cache
def _example_report() -> str:
    from mlkaizen.api import assess

    return assess(EXAMPLE).model_dump_json()


def example_report() -> dict[str, Any]:
    """The bundled example's assessment, as ``assess -f json`` writes it (a fresh copy)."""
    return copy.deepcopy(json.loads(_example_report()))


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c
