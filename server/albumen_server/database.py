"""Engine, sessions and migrations: SQLite by default, any SQLAlchemy URL (PostgreSQL) by choice."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from albumen_server.locks import deployment_lock

Found = TypeVar("Found")

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SCHEMA_REVISION = "0013"
"""The newest migration's revision (the head of migrations/versions; a test keeps them equal).
A database already there is left alone without Alembic being imported or its scripts read."""


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # WAL lets viewers read while an upload commits; foreign keys are off by default.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    # Some requests hold a connection for long (a tus PATCH holds its upload's advisory lock
    # while it streams), so the pool may grow well past the default 15 before anyone waits.
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=90)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; safe to run from every starting process.

    Processes started at once would otherwise all find an empty database and all create the
    tables (seen: `DuplicateTable`, `UniqueViolation` on `alembic_version`). So one migrates at a
    time, under the deployment lock "migrations" (an advisory lock on PostgreSQL, a locked
    file beside a SQLite database). Whoever comes next finds the schema current and does
    nothing.

    Every server process and every admin command starts here, and almost always the schema is
    current: that is one query, without Alembic (importing it and reading the migration scripts
    cost 0.3 s of CPU per process, measured). The query too is made under the lock: a process's
    first connection to a new SQLite file sets its journal mode, which fails with "database is
    locked" while another process is creating the file (seen with six processes at once).
    """
    with deployment_lock(engine, "migrations"):
        if schema_revision(engine) == SCHEMA_REVISION:
            return
        with engine.begin() as connection:
            upgrade(connection, "head")


def upgrade(connection: Connection, revision: str) -> None:
    """Alembic's migrations up to `revision`, on `connection` (see migrations/env.py)."""
    # Imported here, not at the top: only a database behind the code needs Alembic.
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def schema_revision(engine: Engine) -> str | None:
    """The revision Alembic last brought the database to; None for a new, empty database (or
    one whose revision is not a single row, which Alembic alone may judge)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    return str(rows[0][0]) if len(rows) == 1 else None


class Database:
    """One engine and its session factory, created once per server process."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def listen(self, name: str, listener: Callable[..., Any]) -> None:
        """Call `listener` on the session event `name` (SQLAlchemy's) of this database alone."""
        event.listen(self._sessions, name, listener)

    def after_commit(
        self,
        collect: Callable[[Session], Iterable[Found]],
        deliver: Callable[[list[Found]], None],
    ) -> None:
        """Hand `deliver` what `collect` finds in a session's flushes, once that session commits.

        Work a change implies (render a new photo's pictures, sweep a watermark's old ones)
        may only start once the change is visible to every other session, and never for a
        change rolled back; and `collect` must look at the flush itself, while SQLAlchemy
        still knows which rows are new or changed (after the commit it has forgotten).
        `deliver` runs on the committing thread, after the commit, with everything found since
        the session's last commit or rollback, in the order found; not at all if nothing was.
        """
        key = object()  # this listener's own entry in each session's `info`

        def after_flush(session: Session, _flush: Any) -> None:
            found = list(collect(session))
            if found:
                session.info.setdefault(key, []).extend(found)

        def after_commit(session: Session) -> None:
            found = session.info.pop(key, None)
            if found:
                deliver(found)

        def after_rollback(session: Session) -> None:
            session.info.pop(key, None)

        self.listen("after_flush", after_flush)
        self.listen("after_commit", after_commit)
        self.listen("after_rollback", after_rollback)

    def dispose(self) -> None:
        self.engine.dispose()
