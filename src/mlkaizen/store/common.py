"""What the store's modules share: where the migrations are, how a store URL is shown, how a
database error becomes one line, and retries for a race on first creation."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from mlkaizen.errors import MLKaizenError

ENV_VAR = "MLKAIZEN_DB"
MIGRATIONS = Path(__file__).parent / "migrations"


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"://([^:/@]+):[^@/]*@", r"://\1:***@", url)


def problem_of(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0][:300] if lines else type(orig).__name__


def store_error(exc: BaseException, url: str) -> MLKaizenError:
    problem = problem_of(exc)
    if "locked" in problem or "busy" in problem:
        hint = "another process holds it; try again, or give another with --db"
    elif isinstance(exc, DBAPIError) and exc.connection_invalidated:
        hint = "the connection was lost; check the server"
    else:
        hint = f"check the URL (--db or {ENV_VAR}) and that the database is up"
    return MLKaizenError(f"store {shown(url)}: {problem}; {hint}")


def retrying(attempts: int = 5) -> Iterator[int]:
    """Attempt numbers, with a short pause between them (for a race on first creation)."""
    for n in range(attempts):
        if n:
            time.sleep(0.2 * n)
        yield n
