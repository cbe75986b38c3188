"""The schema, brought to the newest revision this version knows; a store written by a
newer version is refused, never touched."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import SQLAlchemyError

from mlkaizen.errors import MLKaizenError
from mlkaizen.store.common import MIGRATIONS, retrying, shown, store_error

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

SCHEMA_HEAD = "0004"  # the newest migration (a test checks it against the scripts)


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head() -> str:
    from alembic.script import ScriptDirectory

    rev = ScriptDirectory.from_config(_config()).get_current_head()
    assert rev is not None
    return rev


def current(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _at_head(engine: Engine) -> bool:
    """Whether the store is already at this version's schema (the common case: answered
    with one query, without loading the migration scripts)."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).all() == [
                (SCHEMA_HEAD,)
            ]
    except SQLAlchemyError:
        return False


def _sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def _upgrade(conn: Connection, script: ScriptDirectory, newest: str, url: str) -> None:
    from alembic import command

    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(7262011)"))
    rev = current(conn)
    if rev == newest:
        return
    if rev is not None and rev not in {s.revision for s in script.walk_revisions()}:
        raise MLKaizenError(
            f"store {shown(url)} has schema revision {rev!r}, newer than this "
            f"mlkaizen knows (up to {newest!r}); upgrade mlkaizen to use it"
        )
    cfg = _config()
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "head")
    if _sqlite(conn):
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise MLKaizenError(
                f"store {shown(url)}: {len(broken)} rows would lose what they refer to in "
                "the upgrade; nothing was changed"
            )


def upgrade(engine: Engine, url: str) -> None:
    if _at_head(engine):
        return
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_config())
    newest = head()
    last: SQLAlchemyError | None = None
    for _ in retrying():
        try:
            with engine.connect() as conn:
                # SQLite rebuilds a table to change its constraints (Alembic's batch mode),
                # which it can only do with foreign keys off: switched outside the
                # transaction, checked before it commits, on again after
                driver = conn.connection.driver_connection if _sqlite(conn) else None
                if driver is not None:
                    driver.execute("PRAGMA foreign_keys=OFF")
                try:
                    with conn.begin():
                        _upgrade(conn, script, newest, url)
                finally:
                    if driver is not None:
                        driver.execute("PRAGMA foreign_keys=ON")
                return
        except SQLAlchemyError as exc:
            last = exc  # e.g. two processes creating the schema at once: look again
    assert last is not None
    raise store_error(last, url)
