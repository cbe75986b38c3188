"""Opening the store: the URL, the engine, the schema brought up to date, and errors turned
into one clear line naming the store and what to do."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session

from mlkaizen.errors import MLKaizenError
from mlkaizen.store.common import ENV_VAR, problem_of, shown, store_error

BUSY_SECONDS = 30


def default_url() -> str:
    """``MLKAIZEN_DB``, else a SQLite file in the user's data folder."""
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR]
    from platformdirs import user_data_dir

    return f"sqlite:///{Path(user_data_dir('mlkaizen', appauthor=False)) / 'mlkaizen.db'}"


class Store:
    """One store. Every write is one transaction: all of it lands, or none."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = url

    @contextmanager
    def session(self) -> Iterator[Session]:
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                yield session
        except MLKaizenError:
            raise
        except SQLAlchemyError as exc:
            raise store_error(exc, self.url) from None

    def close(self) -> None:
        self.engine.dispose()


def _engine(url: str) -> Engine:
    try:
        if url.startswith("sqlite"):
            path = url.split(":///", 1)[-1]
            if path and path != ":memory:" and not path.startswith("file:"):
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            # a ``?timeout=SECONDS`` in the URL sets how long a writer waits for the lock
            wait = {} if "timeout=" in url.partition("?")[2] else {"timeout": BUSY_SECONDS}
            return _sqlite(create_engine(url, connect_args=wait))
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ImportError, OSError) as exc:
        raise MLKaizenError(
            f"store {shown(url)}: {problem_of(exc)}; give a SQLAlchemy URL such as "
            "sqlite:///path.db or postgresql+psycopg://user@host/db (PostgreSQL needs "
            "pip install 'mlkaizen[postgresql]')"
        ) from None


def _sqlite(engine: Engine) -> Engine:
    """pysqlite's own transaction handling off; each transaction starts with ``BEGIN
    IMMEDIATE``, which takes the write lock at once, so concurrent writers queue (for up to
    ``BUSY_SECONDS``) instead of failing halfway."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: object) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """Open (and bring up to date) the store at ``url`` (default: :func:`default_url`)."""
    url = url or default_url()
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        engine.dispose()
        raise store_error(exc, url) from None
    if migrate:
        from mlkaizen.store.migrate import upgrade

        upgrade(engine, url)
    return Store(engine, url)
