"""The REST API under ``/api/v1``: organisations, subjects, assessments (upload and read),
history points, answers, plans and the portfolio. Every route needs a token or a session;
every organisation-scoped route checks the caller's role there."""

from __future__ import annotations

from fastapi import APIRouter

from mlkaizen.server.auth import ApiUser

router = APIRouter(prefix="/api/v1")


@router.get("/orgs")
def list_orgs(who: ApiUser) -> dict[str, object]:
    """The organisations the caller belongs to, with the caller's role in each."""
    return {"items": [{"slug": slug, "role": role} for slug, role in sorted(who.roles.items())]}
