"""Organisations, users, memberships, API tokens and web sessions: the rows the server signs
people and CI in with. Only hashes of secrets are ever stored (passwords as argon2 hashes made
by the caller, tokens and session ids as SHA-256); nothing here sees a secret in clear except
to hash it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import delete, select

from mlkaizen.errors import MLKaizenError
from mlkaizen.store.db import Store
from mlkaizen.store.tables import (
    MembershipRow,
    OrgRow,
    SessionRow,
    TokenRow,
    UserRow,
)

ROLES = ("viewer", "assessor", "admin")  # each can do what the one before can, and more
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


def role_at_least(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)


def sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(when: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes: they were stored as UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Org:
    id: int
    slug: str
    name: str


@dataclass(frozen=True)
class User:
    id: int
    username: str
    must_change: bool
    roles: dict[str, str]  # organisation slug -> role


@dataclass(frozen=True)
class Token:
    id: int
    org: Org
    name: str
    prefix: str
    role: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked: bool


def check_slug(slug: str) -> str:
    if not SLUG.match(slug):
        raise MLKaizenError(
            f"organisation {slug!r}: use lower-case letters, digits and '-' (at most 63)"
        )
    return slug


def check_role(role: str) -> str:
    if role not in ROLES:
        raise MLKaizenError(f"role {role!r}: expected one of {', '.join(ROLES)}")
    return role


# -- organisations ------------------------------------------------------------------------


def org(store: Store, slug: str) -> Org | None:
    with store.session() as session:
        row = session.scalar(select(OrgRow).where(OrgRow.slug == slug))
        return Org(row.id, row.slug, row.name) if row is not None else None


def org_by_id(store: Store, org_id: int) -> Org | None:
    with store.session() as session:
        row = session.get(OrgRow, org_id)
        return Org(row.id, row.slug, row.name) if row is not None else None


def ensure_org(store: Store, slug: str, name: str | None = None) -> tuple[Org, bool]:
    """The organisation ``slug``, created if new (and whether it was)."""
    check_slug(slug)
    found = org(store, slug)
    if found is not None:
        return found, False
    try:
        with store.session() as session:
            row = OrgRow(slug=slug, name=name or slug, created_at=_now())
            session.add(row)
            session.flush()
            return Org(row.id, row.slug, row.name), True
    except MLKaizenError:
        again = org(store, slug)  # made by a concurrent caller
        if again is None:
            raise
        return again, False


def orgs(store: Store) -> list[Org]:
    with store.session() as session:
        rows = session.scalars(select(OrgRow).order_by(OrgRow.slug))
        return [Org(r.id, r.slug, r.name) for r in rows]


# -- users and memberships ----------------------------------------------------------------


def _user(session: object, row: UserRow) -> User:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    roles = {
        slug: role
        for slug, role in session.execute(
            select(OrgRow.slug, MembershipRow.role)
            .join(MembershipRow, MembershipRow.org_id == OrgRow.id)
            .where(MembershipRow.user_id == row.id)
            .order_by(OrgRow.slug)
        )
    }
    return User(row.id, row.username, row.must_change, roles)


def user(store: Store, username: str) -> User | None:
    with store.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username))
        return _user(session, row) if row is not None and not row.disabled else None


def user_by_id(store: Store, user_id: int) -> User | None:
    with store.session() as session:
        row = session.get(UserRow, user_id)
        return _user(session, row) if row is not None and not row.disabled else None


def password_hash(store: Store, username: str) -> tuple[int, str] | None:
    """The user's id and argon2 hash (``None`` for an unknown or disabled user)."""
    with store.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None or row.disabled:
            return None
        return row.id, row.password_hash


def add_user(
    store: Store, username: str, hashed: str, *, must_change: bool = True
) -> tuple[User, bool]:
    """A new user, or the existing one given a new password (and whether it was new)."""
    if not USERNAME.match(username):
        raise MLKaizenError(
            f"user name {username!r}: use letters, digits, '.', '_' and '-' (at most 63)"
        )
    with store.session() as session:
        row = session.scalar(select(UserRow).where(UserRow.username == username))
        created = row is None
        if row is None:
            row = UserRow(username=username, password_hash=hashed, must_change=must_change,
                          disabled=False, created_at=_now())
            session.add(row)
        else:
            row.password_hash, row.must_change, row.disabled = hashed, must_change, False
        session.flush()
        return _user(session, row), created


def set_password(store: Store, user_id: int, hashed: str) -> None:
    with store.session() as session:
        row = session.get(UserRow, user_id)
        if row is None:
            raise MLKaizenError("no such user")
        row.password_hash, row.must_change = hashed, False
        # every other signed-in browser of the user is signed out
        session.execute(delete(SessionRow).where(SessionRow.user_id == user_id))


def grant(store: Store, user_id: int, org_id: int, role: str) -> None:
    check_role(role)
    with store.session() as session:
        row = session.get(MembershipRow, (user_id, org_id))
        if row is None:
            session.add(MembershipRow(user_id=user_id, org_id=org_id, role=role))
        else:
            row.role = role


# -- API tokens ---------------------------------------------------------------------------


def add_token(store: Store, org_id: int, name: str, secret: str, role: str) -> Token:
    """Record a token whose secret the caller made (and shows once): only its hash stays."""
    check_role(role)
    with store.session() as session:
        row = TokenRow(org_id=org_id, name=name, prefix=secret[:12], secret_hash=sha256(secret),
                       role=role, created_at=_now())
        session.add(row)
        session.flush()
        o = session.get(OrgRow, org_id)
        assert o is not None
        return _token(row, o)


def _token(row: TokenRow, o: OrgRow) -> Token:
    return Token(row.id, Org(o.id, o.slug, o.name), row.name, row.prefix, row.role,
                 _utc(row.created_at), _utc(row.last_used_at) if row.last_used_at else None,
                 row.revoked_at is not None)


def token_for(store: Store, secret: str) -> Token | None:
    """The live token with this secret (its last use noted), or ``None``."""
    with store.session() as session:
        row = session.scalar(select(TokenRow).where(TokenRow.secret_hash == sha256(secret)))
        if row is None or row.revoked_at is not None:
            return None
        now = _now()
        last = _utc(row.last_used_at) if row.last_used_at else None
        if last is None or now - last > dt.timedelta(minutes=1):  # not one write a request
            row.last_used_at = now
        o = session.get(OrgRow, row.org_id)
        assert o is not None
        return _token(row, o)


def tokens(store: Store, org_id: int) -> list[Token]:
    with store.session() as session:
        o = session.get(OrgRow, org_id)
        assert o is not None
        return [_token(r, o) for r in session.scalars(
            select(TokenRow).where(TokenRow.org_id == org_id).order_by(TokenRow.id))]


def revoke_token(store: Store, org_id: int, token_id: int) -> bool:
    with store.session() as session:
        row = session.get(TokenRow, token_id)
        if row is None or row.org_id != org_id:
            return False
        row.revoked_at = row.revoked_at or _now()
        return True


# -- web sessions -------------------------------------------------------------------------


def add_session(store: Store, user_id: int, session_id: str, csrf: str,
                lifetime: dt.timedelta) -> None:
    now = _now()
    with store.session() as session:
        session.execute(delete(SessionRow).where(SessionRow.expires_at < now))
        session.add(SessionRow(id_hash=sha256(session_id), user_id=user_id, csrf=csrf,
                               created_at=now, expires_at=now + lifetime))


def session_of(store: Store, session_id: str) -> tuple[User, str] | None:
    """The signed-in user and the session's CSRF token, for a live session id."""
    with store.session() as session:
        row = session.get(SessionRow, sha256(session_id))
        if row is None or _utc(row.expires_at) <= _now():
            return None
        u = session.get(UserRow, row.user_id)
        if u is None or u.disabled:
            return None
        return _user(session, u), row.csrf


def end_session(store: Store, session_id: str) -> None:
    with store.session() as session:
        session.execute(delete(SessionRow).where(SessionRow.id_hash == sha256(session_id)))


__all__ = [
    "ROLES", "Org", "Token", "User", "add_session", "add_token", "add_user",
    "end_session", "ensure_org", "grant", "org", "org_by_id", "orgs", "password_hash",
    "revoke_token", "role_at_least", "session_of", "set_password", "token_for", "tokens",
    "user", "user_by_id",
]
