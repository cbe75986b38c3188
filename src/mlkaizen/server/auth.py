"""Who is asking: a signed-in browser (session cookie, CSRF token on every unsafe request) or
CI with an API token (``Authorization: Bearer mlk_...``), and what each role may do in each
organisation. Passwords are hashed with argon2id; tokens and session ids are random, shown
once and stored only as hashes (:mod:`mlkaizen.store.accounts`)."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Request

from mlkaizen.store import accounts
from mlkaizen.store.accounts import Org, role_at_least

if TYPE_CHECKING:
    from argon2 import Parameters, PasswordHasher

    from mlkaizen.store.db import Store

SESSION_COOKIE = "mlkaizen_session"
LOGIN_CSRF_COOKIE = "mlkaizen_login_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SESSION_LIFETIME = dt.timedelta(hours=12)
TOKEN_PREFIX = "mlk_"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


#: argon2's cost parameters for new hashes: the library's defaults (RFC 9106's low-memory
#: choice) unless set; the tests set the cheapest to keep the suite fast. A hash carries its
#: own parameters, so a password is always verified with those it was hashed with.
ARGON2_PARAMETERS: Parameters | None = None


def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    if ARGON2_PARAMETERS is not None:
        return PasswordHasher.from_parameters(ARGON2_PARAMETERS)
    return PasswordHasher()


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def verify_password(hashed: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(hashed, password))
    except (VerificationError, InvalidHashError):
        return False


# checked against when a user name is unknown, so that a wrong name costs as long as a wrong
# password (no timing difference tells which names exist)
_DUMMY: list[str] = []


def dummy_hash() -> str:
    if not _DUMMY:
        _DUMMY.append(hash_password(secrets.token_urlsafe(16)))
    return _DUMMY[0]


def new_password() -> str:
    """A one-time password to print: 20 URL-safe characters."""
    return secrets.token_urlsafe(15)


def new_token_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def new_csrf() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Principal:
    """The user or token behind a request, with its role in each organisation."""

    name: str  # the user name, or ``token:NAME``
    roles: dict[str, str]  # organisation slug -> role
    user_id: int | None = None
    token_id: int | None = None
    csrf: str | None = None  # the session's CSRF token (``None`` for a bearer token)
    must_change: bool = False

    @property
    def is_token(self) -> bool:
        return self.token_id is not None

    def role_in(self, slug: str) -> str | None:
        return self.roles.get(slug)


def principal(request: Request) -> Principal | None:
    """The request's principal, from its bearer token or its session cookie (``None`` when
    neither is valid). Cached on the request."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    store: Store = request.app.state.store
    found: Principal | None = None
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        token = accounts.token_for(store, secret.strip())
        if token is not None:
            found = Principal(f"token:{token.name}", {token.org.slug: token.role},
                              token_id=token.id)
    elif request.cookies.get(SESSION_COOKIE):
        signed_in = accounts.session_of(store, request.cookies[SESSION_COOKIE])
        if signed_in is not None:
            u, csrf = signed_in
            found = Principal(u.username, dict(u.roles), user_id=u.id, csrf=csrf,
                              must_change=u.must_change)
    request.state.principal = found
    return found


def api_principal(request: Request) -> Principal:
    """The API's dependency: 401 without a valid token or session."""
    who = principal(request)
    if who is None:
        raise HTTPException(401, "sign in, or send an API token: Authorization: Bearer mlk_...",
                            headers={"WWW-Authenticate": "Bearer"})
    return who


#: the API routes' parameter: ``who: ApiUser``
ApiUser = Annotated[Principal, Depends(api_principal)]


def org_for(request: Request, who: Principal, slug: str, needed: str = "viewer") -> Org:
    """The organisation ``slug`` if ``who`` may act in it with ``needed``: 404 when it is not
    theirs (another organisation's existence is not confirmed), 403 when their role is
    lower than needed."""
    role = who.role_in(slug)
    o = accounts.org(request.app.state.store, slug) if role is not None else None
    if role is None or o is None:
        raise HTTPException(404, f"no organisation {slug!r} of yours")
    if not role_at_least(role, needed):
        raise HTTPException(403, f"this needs the {needed} role in {slug!r}; you are {role}")
    return o


async def check_csrf(request: Request, who: Principal) -> None:
    """A browser's unsafe request must carry its session's CSRF token (header or form
    field); a bearer token needs none (no browser sends it by itself)."""
    if request.method not in UNSAFE or who.is_token:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or who.csrf is None or not hmac.compare_digest(sent, who.csrf):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page and try again")


@dataclass
class LoginLimiter:
    """At most ``attempts`` failed sign-ins per user name and per client address in
    ``window`` seconds (kept in this process's memory)."""

    attempts: int = 5
    window: float = 300.0
    _failures: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures[key]
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(len(self._recent(k, now)) >= self.attempts for k in keys)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for k in keys:
                self._recent(k, now).append(now)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for k in keys:
                self._failures.pop(k, None)
