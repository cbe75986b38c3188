"""Opening the store: the URL, the engine, the schema brought up to date, and errors turned
into one clear line naming the store and what to do."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session

from mlkaizen.errors import MLKaizenError
from mlkaizen.fsio.read import anchor_of, check_target, open_dir_below
from mlkaizen.store.common import ENV_VAR, problem_of, shown, store_error

BUSY_SECONDS = 30
SQLITE_FILES = ("", "-wal", "-shm", "-journal")  # the database and what SQLite keeps beside it


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

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session that only reads. On SQLite it takes no write lock (in WAL mode a reader
        never waits for a writer, nor a writer for it): a fleet's controller looks at its
        run while workers store results."""
        try:
            with (
                self.engine.connect().execution_options(mlkaizen_reading=True) as conn,
                Session(bind=conn, expire_on_commit=False) as session,
                session.begin(),
            ):
                yield session
        except MLKaizenError:
            raise
        except SQLAlchemyError as exc:
            raise store_error(exc, self.url) from None

    def close(self) -> None:
        self.engine.dispose()


def sqlite_file(url: str) -> str | None:
    """The database file a SQLite URL names (a ``file:`` URI's path too); ``None`` for an
    in-memory database or another engine."""
    parsed = make_url(url)
    database = parsed.database
    if not parsed.drivername.startswith("sqlite") or not database:
        return None
    # SQLite reads ``file:`` as a URI only with ``uri=true``; else it is a file's very name
    uri = str(parsed.query.get("uri", "")).lower() in ("true", "1", "yes", "on")
    if database.startswith("file:") and uri:
        rest = database[5:].split("?", 1)[0].split("#", 1)[0]
        if rest.startswith("//"):  # file:///abs or file://localhost/abs
            authority, _, tail = rest[2:].partition("/")
            if authority not in ("", "localhost"):
                return None  # SQLite refuses it
            rest = "/" + tail
        database = unquote(rest)
        if parsed.query.get("mode") == "memory":
            return None
    return None if database in ("", ":memory:") else database


def check_sqlite_files(database: str, root: Path | None = None, *, create: bool = True) -> None:
    """SQLite opens its own files, following links: the database and the files it keeps
    beside it (``-wal``, ``-shm``, ``-journal``) are checked before it does. Below ``root``
    or the working folder (where CI keeps a store between runs) no folder on the way may be
    a link (missing ones are created when ``create``), and none of the files may be a link,
    a hard link or anything but a regular file: :class:`MLKaizenError` says which. A path
    outside both is the user's own, honoured as given."""
    path = Path(database)
    anchored = anchor_of(path, root)
    if anchored is None:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        return
    anchor, parts = anchored
    # SQLite resolves `a/../b` through `a`, which may be a link: only plain paths here
    if ".." in parts or ".." in path.parts:
        raise MLKaizenError("would leave the working folder; refused", database)
    fd = open_dir_below(anchor, parts[:-1], create=create)
    if fd is None:
        return  # a folder on the way is missing: SQLite creates nothing there
    try:
        for suffix in SQLITE_FILES:
            check_target(fd, parts[-1] + suffix, database + suffix)
    finally:
        os.close(fd)


def _engine(url: str, root: Path | None = None) -> Engine:
    try:
        if url.startswith("sqlite"):
            database = sqlite_file(url)
            if database is not None:
                try:
                    check_sqlite_files(database, root)
                except MLKaizenError as exc:
                    raise MLKaizenError(f"store {shown(url)}: {exc}") from None
            # a ``?timeout=SECONDS`` in the URL sets how long a writer waits for the lock
            wait = {} if "timeout=" in url.partition("?")[2] else {"timeout": BUSY_SECONDS}
            return _sqlite(create_engine(url, connect_args=wait), database, root, url)
        return create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ImportError, OSError) as exc:
        raise MLKaizenError(
            f"store {shown(url)}: {problem_of(exc)}; give a SQLAlchemy URL such as "
            "sqlite:///path.db or postgresql+psycopg://user@host/db (PostgreSQL needs "
            "pip install 'mlkaizen[postgresql]')"
        ) from None


def _sqlite(engine: Engine, database: str | None, root: Path | None, url: str) -> Engine:
    """pysqlite's own transaction handling off; each transaction starts with ``BEGIN
    IMMEDIATE``, which takes the write lock at once, so concurrent writers queue (for up to
    ``BUSY_SECONDS``) instead of failing halfway; a :meth:`Store.reading` session begins a
    plain (deferred) transaction and never takes it. The files are checked again before each
    connection is made (:func:`check_sqlite_files`): a link put there since is refused."""

    @event.listens_for(engine, "do_connect")
    def _check(*_args: Any) -> None:
        if database is not None:
            try:
                check_sqlite_files(database, root, create=False)
            except MLKaizenError as exc:
                raise MLKaizenError(f"store {shown(url)}: {exc}") from None
            except OSError as exc:
                raise MLKaizenError(f"store {shown(url)}: {problem_of(exc)}") from None

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: object) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        reading = conn.get_execution_options().get("mlkaizen_reading", False)
        conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")

    return engine


def open_store(url: str | None = None, *, migrate: bool = True, root: Path | None = None
               ) -> Store:
    """Open (and bring up to date) the store at ``url`` (default: :func:`default_url`). A
    SQLite file below ``root`` (the repository) or the working folder is never reached
    through a link (:func:`check_sqlite_files`)."""
    url = url or default_url()
    engine = _engine(url, root)
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
