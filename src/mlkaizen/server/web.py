"""The web pages everyone passes through: sign in, sign out, choose a password, the list of
one's organisations. A browser request that is not signed in is sent to the sign-in page."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from mlkaizen.server.auth import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SESSION_LIFETIME,
    Principal,
    check_csrf,
    dummy_hash,
    hash_password,
    new_csrf,
    new_session_id,
    principal,
    verify_password,
)
from mlkaizen.server.pages import render
from mlkaizen.store import accounts

router = APIRouter(include_in_schema=False)
MIN_PASSWORD = 10


class SignInNeededError(Exception):
    """Raised by :func:`signed_in` for a browser that is not signed in (becomes a redirect)."""

    def __init__(self, target: str) -> None:
        self.target = target


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this server only (never ``//host`` or a
    scheme), else the home page."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if any(c in value for c in "\r\n\t\\"):
        return "/"
    return value


def signed_in(request: Request) -> Principal:
    """The dependency of every page: the signed-in user, or a redirect to the sign-in page
    (and to the password page while the password is a one-time one)."""
    who = principal(request)
    if who is None or who.is_token:
        raise SignInNeededError(request.url.path)
    if who.must_change and request.url.path != "/password":
        raise SignInNeededError("/password")
    return who


def secure(request: Request) -> bool:
    """Cookies are ``Secure`` when the page was reached over TLS (directly, or through a
    proxy that uvicorn trusts for ``X-Forwarded-Proto``)."""
    return request.url.scheme == "https"


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    token = new_csrf()
    page = render(request, "login.html", message=None, login_csrf=token, next=safe_next(next))
    page.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                    secure=secure(request), path="/login")
    return page


@router.post("/login")
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/"),
) -> Response:
    store = request.app.state.store
    limiter = request.app.state.login_limiter
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    client = request.client.host if request.client else "?"
    keys = (f"user:{username.lower()}", f"addr:{client}")

    def again(message: str, status: int) -> Response:
        token = new_csrf()
        page = render(request, "login.html", status, message=message, login_csrf=token,
                      next=safe_next(next))
        page.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=secure(request), path="/login")
        return page

    if not cookie or not hmac.compare_digest(cookie, csrf_token):
        return again("The form expired: sign in again.", 403)
    if limiter.blocked(*keys):
        return again("Too many failed sign-ins: wait a few minutes and try again.", 429)
    found = accounts.password_hash(store, username)
    ok = verify_password(found[1] if found else dummy_hash(), password)
    if found is None or not ok:
        limiter.failed(*keys)
        return again("Wrong user name or password.", 401)
    limiter.succeeded(*keys)
    session_id = new_session_id()
    accounts.add_session(store, found[0], session_id, new_csrf(), SESSION_LIFETIME)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="lax",
                        secure=secure(request), max_age=int(SESSION_LIFETIME.total_seconds()))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    who = principal(request)
    if who is not None and not who.is_token:
        await check_csrf(request, who)
        accounts.end_session(request.app.state.store, request.cookies[SESSION_COOKIE])
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/password")
def password_page(request: Request) -> Response:
    signed_in(request)
    return render(request, "password.html", message=None)


@router.post("/password")
async def change_password(request: Request) -> Response:
    who = signed_in(request)
    await check_csrf(request, who)
    form = await request.form()
    new, again = str(form.get("password", "")), str(form.get("again", ""))
    if len(new) < MIN_PASSWORD or new != again:
        why = ("The two passwords differ." if new != again
               else f"Use at least {MIN_PASSWORD} characters.")
        return render(request, "password.html", 400, message=why)
    assert who.user_id is not None
    accounts.set_password(request.app.state.store, who.user_id, hash_password(new))
    # signed out everywhere, this browser too: sign in again with the new password
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(request: Request) -> Response:
    who = signed_in(request)
    if len(who.roles) == 1:
        slug = next(iter(who.roles))
        return RedirectResponse(f"/orgs/{slug}/portfolio", status_code=303)
    return render(request, "home.html")


def not_found(detail: str) -> HTTPException:
    return HTTPException(404, detail)
