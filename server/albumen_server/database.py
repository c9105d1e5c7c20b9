"""Engine, sessions and migrations: SQLite by default, any SQLAlchemy URL (PostgreSQL) by choice."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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


# Any fixed number: the key of the PostgreSQL advisory lock that migrations take.
_MIGRATION_LOCK_KEY = 0x416C62756D656E  # "Albumen"


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; safe to run from every starting process.

    Processes started at once would otherwise all find an empty database and all create the
    tables (seen: `DuplicateTable`, `UniqueViolation` on `alembic_version`). So one migrates at a
    time: on PostgreSQL under a transaction-scoped advisory lock, on SQLite under an exclusive
    lock of a file beside the database. Whoever comes next finds the schema current and does
    nothing.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _sqlite_migration_lock(engine), engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
            )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def _sqlite_migration_lock(engine: Engine) -> Iterator[None]:
    """An exclusive lock on `<database>.migrate.lock` for a file-backed SQLite database."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    try:
        import fcntl
    except ImportError:  # Windows: one desktop runs one embedded server, nothing to race with
        yield
        return
    with open(f"{database}.migrate.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


class Database:
    """One engine and its session factory, created once per server process."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
