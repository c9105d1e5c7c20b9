"""`albumen-server backup`: a consistent copy of a running default deployment.

The default deployment is SQLite plus a folder of blobs. Copying the folder with `cp` while the
server runs can catch the database between a write and its WAL checkpoint, or a photo row whose
blob arrived after the copy passed its folder. So: blobs first (content-addressed and immutable,
so a copy of one is good forever), then the database through SQLite's online backup API (a
snapshot of one instant, taken while writers go on), then the blobs that snapshot names and the
first pass missed. The result is itself a data folder: restoring is serving it (`albumen-server
--data BACKUP`) or moving it into place.

Not copied: tus parts of uploads under way (a client resumes or restarts them), and the
derivative cache (rebuilt on demand). Repeated backups into the same folder copy only new blobs.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from albumen_server.blobs import FolderBlobStore, open_blob_store
from albumen_server.config import ServerConfig

DATABASE_NAME = "albumen.sqlite3"


class BackupError(Exception):
    """The backup cannot be made; the message says why and what to do."""


@dataclass(frozen=True)
class BackupReport:
    photos: int
    blobs_copied: int
    bytes_copied: int


def backup(config: ServerConfig, destination: Path) -> BackupReport:
    """Write a consistent copy of the deployment in `config` to `destination`."""
    if config.database_url and not config.database_url.startswith("sqlite"):
        raise BackupError(
            "backup copies the default SQLite database; for PostgreSQL use pg_dump (see "
            "docs/SELF-HOSTING.md) and copy the blob store with your storage's own tools"
        )
    if config.blobs_url and not config.blobs_url.startswith("file://"):
        raise BackupError("backup copies a folder blob store; copy object storage with its tools")
    database = config.data_dir / DATABASE_NAME
    if not database.is_file():
        raise BackupError(f"{config.data_dir} holds no Albumen database ({DATABASE_NAME})")
    if destination.resolve() == config.data_dir.resolve():
        raise BackupError("the backup folder must not be the data folder itself")
    destination.mkdir(parents=True, exist_ok=True)
    destination.chmod(0o700)
    source_blobs = _blob_root(config)
    target_blobs = FolderBlobStore(destination / "blobs")
    copied, size = _copy_blobs(source_blobs, target_blobs, _all_blobs(source_blobs))
    _snapshot(database, destination / DATABASE_NAME)
    named = _blobs_named_by(destination / DATABASE_NAME)
    missing = [sha for sha in named if not target_blobs.exists(sha)]
    more, more_size = _copy_blobs(source_blobs, target_blobs, missing)
    lost = [sha for sha in named if not target_blobs.exists(sha)]
    if lost:
        raise BackupError(
            f"{len(lost)} photo(s) of the database have no blob in {source_blobs} "
            f"(first: {lost[0]}); the deployment itself is missing them"
        )
    return BackupReport(
        photos=len(named), blobs_copied=copied + more, bytes_copied=size + more_size
    )


def _blob_root(config: ServerConfig) -> FolderBlobStore:
    store = open_blob_store(config.blobs_url, config.data_dir)
    assert isinstance(store, FolderBlobStore)  # backup() refused every other kind first
    return store


def _all_blobs(store: FolderBlobStore) -> list[str]:
    return [path.name for path in store.root.glob("??/??/*") if len(path.name) == 64]


def _copy_blobs(
    source: FolderBlobStore, target: FolderBlobStore, names: Iterable[str]
) -> tuple[int, int]:
    """Copy each blob not yet in `target`, verified against its name; returns count and bytes."""
    count = size = 0
    for sha256 in names:
        if target.exists(sha256) or not source.exists(sha256):
            continue  # already backed up, or deleted since it was listed
        part = target.root / f".{sha256}.part"
        digest = hashlib.sha256()
        try:
            with source.open(sha256) as src, open(part, "wb") as dst:
                while chunk := src.read(1 << 20):
                    digest.update(chunk)
                    dst.write(chunk)
                dst.flush()
                os.fsync(dst.fileno())
        except FileNotFoundError:
            part.unlink(missing_ok=True)
            continue  # its photo was deleted while we copied: the snapshot decides if it matters
        if digest.hexdigest() != sha256:
            part.unlink(missing_ok=True)
            raise BackupError(f"blob {sha256} does not match its SHA-256: the disk is damaged")
        size += part.stat().st_size
        target.adopt(sha256, part)
        count += 1
    return count, size


def _snapshot(database: Path, target: Path) -> None:
    """SQLite's online backup: one consistent instant, while the server goes on writing."""
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
    finally:
        source.close()
    partial.chmod(0o600)
    os.replace(partial, target)
    for leftover in (
        target.with_name(target.name + "-wal"),
        target.with_name(target.name + "-shm"),
    ):
        leftover.unlink(missing_ok=True)


def _blobs_named_by(database: Path) -> list[str]:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        # The originals; for an arriving photo, whose original has not landed, its preview.
        rows = connection.execute(
            "SELECT DISTINCT COALESCE(preview_sha256, sha256) FROM photos"
        ).fetchall()
    finally:
        connection.close()
    return [row[0] for row in rows]
