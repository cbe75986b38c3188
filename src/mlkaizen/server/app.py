"""The FastAPI application: the store it serves, the routers, the error pages and the
security headers every response carries."""

from __future__ import annotations

import logging
import time
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from mlkaizen import __version__
from mlkaizen.errors import MLKaizenError
from mlkaizen.server import api, web
from mlkaizen.server.auth import LoginLimiter
from mlkaizen.server.pages import render, style_sheet
from mlkaizen.server.questionnaire import router as questionnaire_router
from mlkaizen.server.web import SignInNeededError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from mlkaizen.store.db import Store

log = logging.getLogger("mlkaizen.server")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    # no script runs but the server's own file; no inline style or script from any value
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


#: the largest body of any request but an upload (which has its own, larger limit): a form,
#: a plan item or the questionnaire's answers are far smaller
MAX_BODY_BYTES = 1024 * 1024


class BodyTooLargeError(HTTPException):
    def __init__(self) -> None:
        super().__init__(413, f"the body is over the limit of {MAX_BODY_BYTES} bytes")


class BodyLimit:
    """Refuses a body over :data:`MAX_BODY_BYTES` (as its ``Content-Length`` claims, or as it
    arrives) before anything parses it, whoever sends it; uploads keep their own limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH", "DELETE")
                or (scope["method"] == "POST" and scope["path"].startswith("/api/v1/orgs/")
                    and scope["path"].endswith("/assessments"))):
            await self.app(scope, receive, send)
            return
        claimed = dict(scope["headers"]).get(b"content-length", b"").strip()
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > MAX_BODY_BYTES or (claimed.isdigit() and int(claimed) > MAX_BODY_BYTES):
                raise BodyTooLargeError
            return message

        await self.app(scope, limited, send)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _lifespan(
    store: Store, schedule: bool
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """With ``schedule``, the scan scheduler (:mod:`mlkaizen.server.scheduler`) runs while
    the application does: started with it, stopped with it."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from starlette.concurrency import run_in_threadpool

        if schedule:
            from mlkaizen.server.scheduler import Scheduler

            app.state.scheduler = Scheduler(store)
            app.state.scheduler.start()
        try:
            yield
        finally:
            if app.state.scheduler is not None:
                await run_in_threadpool(app.state.scheduler.stop)
                app.state.scheduler = None

    return lifespan


def create_app(store: Store, *, schedule: bool = False) -> FastAPI:
    """The application serving ``store`` (opened and brought up to date by the caller);
    with ``schedule``, it starts the scan schedules' runs when due."""
    app = FastAPI(
        lifespan=_lifespan(store, schedule),
        title="MLKaizen",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        # no Swagger UI: it loads its script from a CDN, which would then run with the
        # signed-in user's rights on this origin (the CSP could not stay on that page)
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(BodyLimit)
    app.state.store = store
    app.state.scheduler = None
    app.state.login_limiter = LoginLimiter()

    @app.middleware("http")
    async def headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        # how long the server took (read by bench/bench_server.py; no secret in it)
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(SignInNeededError)
    async def sign_in(request: Request, exc: SignInNeededError) -> Response:
        if exc.target == "/password":
            return RedirectResponse("/password", status_code=303)
        return RedirectResponse(f"/login?next={exc.target}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            return JSONResponse({"error": exc.detail}, status_code=exc.status_code,
                                headers=getattr(exc, "headers", None))
        return render(request, "error.html", exc.status_code, status=exc.status_code,
                      detail=str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()[:20]
        ]
        if _is_api(request):
            return JSONResponse({"error": "invalid request", "problems": problems},
                                status_code=422)
        return render(request, "error.html", 422, status=422, detail="; ".join(problems))

    def _failed(request: Request, status: int, detail: str) -> Response:
        # the store's URL and the reason go to the log only; the page shows no one signed in
        # (who it is may be what could not be read)
        if not hasattr(request.state, "principal"):
            request.state.principal = None
        if _is_api(request):
            response: Response = JSONResponse({"error": detail}, status_code=status)
        else:
            response = render(request, "error.html", status, status=status, detail=detail)
        response.headers.update(SECURITY_HEADERS)
        return response

    @app.exception_handler(MLKaizenError)
    async def store_failed(request: Request, exc: MLKaizenError) -> Response:
        log.error("%s %s: %s", request.method, request.url.path, exc)
        response = _failed(request, 503, "the store is unavailable; try again in a moment")
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> Response:
        return _failed(request, 500, "the server failed on this request; it is in the log")

    @app.get("/static/app.css", include_in_schema=False)
    def css() -> Response:
        return Response(style_sheet(), media_type="text/css",
                        headers={"Cache-Control": "public, max-age=3600"})

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    from mlkaizen.server import ui  # the organisation's pages

    app.include_router(ui.router)
    app.include_router(api.router)
    app.include_router(web.router)
    app.include_router(questionnaire_router)
    return app


__all__ = ["HTTPException", "create_app"]
