"""A damaged or locked album list: the CLI says what is wrong and where, and changes nothing.

Before, a damaged store surfaced as a `sqlite3.DatabaseError` traceback.
"""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
from pathlib import Path

from albumen.core.store import Store
from tests.support import run_albumen


def _albums(data: Path) -> subprocess.CompletedProcess[str]:
    return run_albumen(data, "albums", timeout=60)


def test_a_damaged_store_is_named_copied_and_left_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store(data / "albumen.sqlite3")
    store.create_album("Lofoten")
    store.close()
    path = data / "albumen.sqlite3"
    damaged = bytearray(path.read_bytes())
    damaged[:16] = b"not a database!!"  # the header SQLite checks first
    path.write_bytes(bytes(damaged))
    before = hashlib.sha256(path.read_bytes()).hexdigest()

    result = _albums(data)

    assert result.returncode == 1
    assert f"albumen: {path}: the album list is damaged" in result.stderr
    assert "Traceback" not in result.stderr
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # nothing was changed
    (copy,) = data.glob("albumen.sqlite3.damaged-*")
    assert copy.read_bytes() == path.read_bytes() and copy.name in result.stderr


def test_a_locked_store_says_it_is_in_use(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Store(data / "albumen.sqlite3").close()
    holder = sqlite3.connect(data / "albumen.sqlite3", isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")  # another program holds the file
        result = _albums(data)
    finally:
        holder.close()
    assert result.returncode == 1
    assert "the album list is in use by another program" in result.stderr
    assert _albums(data).returncode == 0  # once it lets go, all is there again
