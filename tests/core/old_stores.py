"""Stores as an older app left them, for the migration tests: the schema up to a version, an
album and one row of the test's own."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from albumen.core.store_schema import MIGRATIONS

OLD = "2026-01-01T10:00:00+00:00"


def old_store(path: Path, version: int, insert: str) -> None:
    """A store at schema `version` holding album a1 and the row `insert` makes (its one
    parameter: OLD), as an older app left it."""
    with sqlite3.connect(path) as db:
        for script in MIGRATIONS[:version]:
            db.executescript(script)
        db.execute(
            "INSERT INTO albums (id, title, created_at, updated_at) VALUES ('a1','Old',?,?)",
            (OLD, OLD),
        )
        db.execute(insert, (OLD,))
        db.execute(f"PRAGMA user_version={version}")
    db.close()
