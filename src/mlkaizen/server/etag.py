"""Conditional reads: every ``GET`` of the API answers with a strong ETag (a hash of the
body it sends) and ``Cache-Control: private, no-cache`` (a browser or client may keep it,
must ask again, and no shared cache may keep it); a request whose ``If-None-Match`` names
that tag gets ``304 Not Modified`` with no body."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import Request
from fastapi.responses import Response

CACHE_CONTROL = "private, no-cache"
VARY = "Authorization, Cookie"


def body_of(payload: Any) -> bytes:
    """The JSON the API sends for ``payload`` (compact, UTF-8)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether ``If-None-Match`` names ``tag`` (weak comparison, as RFC 9110 has it for
    this header; ``*`` matches any)."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        c = candidate.strip()
        if c == "*" or c.removeprefix("W/") == tag:
            return True
    return False


def json_response(request: Request, payload: Any, status_code: int = 200,
                  headers: dict[str, str] | None = None, *, body: bytes | None = None
                  ) -> Response:
    """``payload`` as JSON with its ETag, or ``304`` when the client has it already
    (``body``: the JSON already written, sent as it is)."""
    body = body_of(payload) if body is None else body
    tag = etag_of(body)
    common = {"ETag": tag, "Cache-Control": CACHE_CONTROL, "Vary": VARY, **(headers or {})}
    if request.method in ("GET", "HEAD") and matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=common)
    return Response(body, status_code=status_code, media_type="application/json",
                    headers=common)


__all__ = ["CACHE_CONTROL", "body_of", "etag_of", "json_response", "matches"]
