"""Rendering the server's pages: one Jinja2 environment, autoescaped, every value passed
through the same output encoding the reports use (control characters made visible), the
reports' style sheet plus the server's own."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from mlkaizen.report.escape import visible
from mlkaizen.server.auth import CSRF_FIELD, principal


def _visible(value: object) -> object:
    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value)
    return value


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("mlkaizen.server", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_visible,
    )
    return env


@cache
def style_sheet() -> str:
    report = (resources.files("mlkaizen.report") / "templates" / "report.css").read_text("utf-8")
    own = (resources.files("mlkaizen.server") / "templates" / "server.css").read_text("utf-8")
    return report + "\n" + own


def render(request: Request, template: str, status_code: int = 200, **values: Any
           ) -> HTMLResponse:
    """The page ``template`` with ``values``, for the request's principal (``who``, with the
    CSRF field every form carries)."""
    who = principal(request)
    csrf = Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, who.csrf if who is not None and who.csrf else ""
    )
    body = environment().get_template(template).render(
        request=request, who=who, csrf_field=csrf, **values
    )
    return HTMLResponse(body, status_code=status_code)
