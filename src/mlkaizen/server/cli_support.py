"""What ``mlkaizen serve``, ``user`` and ``token`` share: the server extra checked, the store
opened and its schema judged (created when empty, refused when behind unless upgrading, refused
when ahead), and the application factory the workers of ``serve --workers N`` import.

Imports nothing of the server extra at module level: the commands call
:func:`require_extra` first and say what to install."""

from __future__ import annotations

import os
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING

from mlkaizen.errors import MLKaizenError

if TYPE_CHECKING:
    from fastapi import FastAPI

    from mlkaizen.store.db import Store

#: what the server extra brings, by module name
EXTRA_MODULES = ("fastapi", "starlette", "uvicorn", "argon2", "python_multipart", "cronsim")
INSTALL = "pip install 'mlkaizen[server]'"
#: the store a worker of ``serve --workers N`` opens (set by ``serve`` for its workers)
WORKER_DB_ENV = "MLKAIZEN_SERVE_DB"
#: "1" when the workers of ``serve --workers N`` run the scan scheduler (set by ``serve``)
WORKER_SCHEDULE_ENV = "MLKAIZEN_SERVE_SCHEDULE"


def require_extra(modules: tuple[str, ...] = EXTRA_MODULES, what: str = "the server") -> None:
    """:class:`MLKaizenError` naming the install command when a module of the extra is
    missing."""
    for name in modules:
        try:
            import_module(name)
        except ImportError:
            raise MLKaizenError(
                f"{what} needs the server extra ({name} is not installed): {INSTALL}"
            ) from None


def revisions() -> tuple[str, set[str]]:
    """This version's newest schema revision and every revision it knows."""
    from alembic.script import ScriptDirectory

    from mlkaizen.store.migrate import _config, head

    script = ScriptDirectory.from_config(_config())
    return head(), {s.revision for s in script.walk_revisions()}


def schema_revision(store: Store) -> str | None:
    """The store's schema revision (``None``: an empty store, no schema yet)."""
    from sqlalchemy import inspect

    from mlkaizen.store.migrate import current

    with store.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return current(conn)


def open_server_store(url: str | None, *, upgrade: bool = False, root: Path | None = None,
                      ) -> tuple[Store, str | None]:
    """The store at ``url`` (default: ``MLKAIZEN_DB``, else the user's SQLite file) at this
    version's schema, and a note when it was created or upgraded. An empty store is created
    at the newest schema; one behind is upgraded only with ``upgrade`` (else refused, saying
    how); one ahead is refused and never touched."""
    from sqlalchemy.exc import SQLAlchemyError

    from mlkaizen.store.common import shown, store_error
    from mlkaizen.store.db import open_store
    from mlkaizen.store.migrate import upgrade as bring_up

    store = open_store(url, migrate=False, root=root)  # unreachable: one line, raised here
    try:
        try:
            rev = schema_revision(store)
        except SQLAlchemyError as exc:
            raise store_error(exc, store.url) from None
        newest, known = revisions()
        where = f"store {shown(store.url)}"
        if rev == newest:
            return store, None
        if rev is not None and rev not in known:
            raise MLKaizenError(
                f"{where} is at schema revision {rev!r}, newer than this mlkaizen knows (up "
                f"to {newest!r}): upgrade mlkaizen to use it"
            )
        if rev is not None and not upgrade:
            raise MLKaizenError(
                f"{where} is at schema revision {rev!r}, behind this mlkaizen's {newest!r}: "
                "back it up, then run `mlkaizen serve --upgrade` to bring it up to date"
            )
        bring_up(store.engine, store.url)
        if rev is None:
            return store, f"created the {where} at schema revision {newest!r}"
        return store, f"upgraded the {where} from schema revision {rev!r} to {newest!r}"
    except BaseException:
        store.close()
        raise


def app_from_environment() -> FastAPI:
    """The application over the store named by :data:`WORKER_DB_ENV`: the factory each
    worker of ``serve --workers N`` calls (``serve`` has already checked the store's
    schema; a worker refuses one that is not at it)."""
    from mlkaizen.server.app import create_app

    url = os.environ.get(WORKER_DB_ENV)
    if not url:
        raise MLKaizenError(f"{WORKER_DB_ENV} is not set: start the server with `mlkaizen serve`")
    store, _ = open_server_store(url)
    return create_app(store, schedule=os.environ.get(WORKER_SCHEDULE_ENV) == "1")
