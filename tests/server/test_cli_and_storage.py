"""The server command, the schema migrations and the blob store, without HTTP."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from albumen_server.blobs import FolderBlobStore, open_blob_store
from albumen_server.database import (
    MIGRATIONS,
    SCHEMA_REVISION,
    Database,
    migrate,
    schema_revision,
    upgrade,
)
from albumen_server.models import Base
from albumen_server.security import hash_api_token
from tests.support import sha256


def test_token_create_prints_the_token_last_and_stores_only_its_hash(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "albumen_server.cli",
            "token",
            "create",
            "--data",
            str(tmp_path),
            "--name",
            "alice",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    token = result.stdout.strip().splitlines()[-1].split()[-1]
    assert len(token) >= 40
    database = (tmp_path / "albumen.sqlite3").read_bytes()
    assert token.encode() not in database
    assert hash_api_token(token).encode() in database


def test_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    migrate(db.engine)
    migrate(db.engine)  # a second start finds nothing to do
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    db.dispose()


def test_the_schema_revision_named_in_the_code_is_the_newest_migration() -> None:
    """`SCHEMA_REVISION` lets a current database skip Alembic: a new migration must move it."""
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head == SCHEMA_REVISION, f"set database.SCHEMA_REVISION to {head!r}"


def test_a_database_behind_is_brought_to_the_newest_revision(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with db.engine.begin() as connection:
        upgrade(connection, "0012")  # a database left by the server before sections
    assert schema_revision(db.engine) == "0012"
    migrate(db.engine)
    assert schema_revision(db.engine) == SCHEMA_REVISION
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    db.dispose()


def test_a_current_database_opens_without_alembic(tmp_path: Path) -> None:
    """What every server start and admin command does: one query, Alembic never imported."""
    url = f"sqlite:///{tmp_path / 'current.sqlite3'}"
    db = Database(url)
    migrate(db.engine)
    db.dispose()
    child = (
        "import sys\n"
        "from albumen_server.database import Database, migrate\n"
        f"migrate(Database({url!r}).engine)\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'alembic'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]", result.stdout


def test_removing_an_owner_opens_the_deployment_without_the_web_app(tmp_path: Path) -> None:
    """`albumen-server owners remove` opens the database, blobs and uploads
    (`albumen_server.deployment`) and imports nothing of FastAPI: importing the app cost the
    command half its time (1.58 s median before, 0.81 s after, on an empty deployment)."""
    data = str(tmp_path)
    token = ["token", "create", "--data", data, "--name", "anna"]
    subprocess.run(
        [sys.executable, "-m", "albumen_server.cli", *token],
        capture_output=True,
        check=True,
        timeout=60,
    )
    remove = ["remove", "--data", data, "--name", "anna", "--yes"]
    child = (
        "import sys\n"
        "from albumen_server.cli_owners import owners_command\n"
        f"code = owners_command({remove!r})\n"
        "web = {'fastapi', 'starlette'} & {name.split('.')[0] for name in sys.modules}\n"
        "print(code, sorted(web))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, check=True, timeout=60
    )
    assert "Removed 'anna'" in result.stdout, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "0 []", result.stdout


def test_server_refuses_an_unknown_blob_store(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "albumen_server.cli",
            "--data",
            str(tmp_path),
            "--blobs",
            "ftp://nowhere",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "--blobs" in result.stderr


def test_folder_blob_store_moves_whole_files_into_place(tmp_path: Path) -> None:
    store = open_blob_store(None, tmp_path)
    assert isinstance(store, FolderBlobStore)
    data = b"photo bytes" * 1000
    part = tmp_path / "upload.part"
    part.write_bytes(data)
    digest = sha256(data)
    store.adopt(digest, part)
    assert not part.exists()
    assert store.exists(digest)
    with store.open(digest) as handle:
        assert handle.read() == data
    assert store.size(digest) == len(data)
    again = tmp_path / "again.part"
    again.write_bytes(data)
    store.adopt(digest, again)  # the same content twice: one blob, the extra copy dropped
    assert not again.exists()
    assert not [p for p in store.root.rglob("*") if p.name.endswith((".part", ".tmp"))]
    store.delete(digest)
    assert not store.exists(digest)
    with pytest.raises(ValueError, match="SHA-256"):
        store.local_path("../../etc/passwd")
