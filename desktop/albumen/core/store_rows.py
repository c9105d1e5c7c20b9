"""Rows of the album list's SQLite file to the domain values of `model`, and times both ways.

Times are stored as ISO 8601 text in UTC, so they sort as text and read back with their zone;
the conversion lives here alone so every table agrees on it.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from albumen.core.model import (
    Album,
    AlbumPrivacy,
    Download,
    Exposure,
    Link,
    LinkSettings,
    LinkState,
    Operation,
    OperationKind,
    Photo,
    PhotoState,
    Pick,
    PreviewState,
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def time_text(value: datetime | None) -> str | None:
    """A time as the store keeps it: ISO 8601 in UTC."""
    return None if value is None else value.astimezone(UTC).isoformat()


def parse_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def required_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def album_from_row(row: sqlite3.Row) -> Album:
    """An album row with its counts (`photo_count`, `uploaded_count`, `viewable_count`,
    `failed_count`, `link_count`, `pick_count`) as the store's album query selects them."""
    return Album(
        id=row["id"],
        title=row["title"],
        description=row["description"],
        created_at=required_time(row["created_at"]),
        updated_at=required_time(row["updated_at"]),
        cover_photo_id=row["cover_photo_id"],
        photo_count=row["photo_count"],
        uploaded_count=row["uploaded_count"],
        viewable_count=row["viewable_count"],
        failed_count=row["failed_count"],
        link_count=row["link_count"],
        pick_count=row["pick_count"],
        privacy=AlbumPrivacy(
            location=Exposure(row["location_exposure"]),
            metadata=Exposure(row["metadata_exposure"]),
            strip_location=bool(row["strip_location"]),
        ),
        sections_used=bool(row["sections_used"]),
    )


def photo_from_row(row: sqlite3.Row) -> Photo:
    """The photo of a row, made once per distinct row: the grid reloads an album's photos on
    every change while a folder is added, and making 500 of them (paths, times) each time was
    the GUI thread's largest cost there; a Photo is immutable, so one may serve every time."""
    return _photo(tuple(row.keys()), tuple(row))


@lru_cache(maxsize=50_000)
def _photo(keys: tuple[str, ...], values: tuple[object, ...]) -> Photo:
    row: dict[str, Any] = dict(zip(keys, values, strict=True))
    return Photo(
        id=row["id"],
        album_id=row["album_id"],
        path=Path(row["path"]),
        filename=row["filename"],
        size=row["size"],
        mtime_ns=row["mtime_ns"],
        sha256=row["sha256"],
        state=PhotoState(row["state"]),
        position=row["position"],
        added_at=required_time(row["added_at"]),
        error=row["error"],
        width=row["width"],
        height=row["height"],
        taken_at=parse_time(row["taken_at"]),
        upload_url=row["upload_url"],
        uploaded_bytes=row["uploaded_bytes"],
        preview=PreviewState(row["preview"]),
        section=row["section"],
    )


def link_from_row(row: sqlite3.Row) -> Link:
    return Link(
        id=row["id"],
        album_id=row["album_id"],
        token=row["token"],
        settings=LinkSettings(
            download=Download(row["download"]),
            show_metadata=bool(row["show_metadata"]),
            show_location=bool(row["show_location"]),
            expires_at=parse_time(row["expires_at"]),
            label=row["label"],
            allow_picks=bool(row["allow_picks"]),
            pick_limit=row["pick_limit"],
            watermark=row["watermark"],
        ),
        has_password=bool(row["has_password"]),
        state=LinkState(row["state"]),
        created_at=required_time(row["created_at"]),
        url=row["url"],
        view_count=row["view_count"],
        last_viewed_at=parse_time(row["last_viewed_at"]),
        download_count=row["download_count"],
        last_downloaded_at=parse_time(row["last_downloaded_at"]),
        revoked_at=parse_time(row["revoked_at"]),
        ending_told=parse_time(row["ending_told"]),
    )


def pick_from_row(row: sqlite3.Row) -> Pick:
    """A pick row; its photo ids are kept as a JSON array, in the viewer's order, and its notes
    on photos as a JSON object."""
    return Pick(
        id=row["id"],
        link_id=row["link_id"],
        album_id=row["album_id"],
        name=row["name"],
        note=row["note"],
        photo_ids=tuple(json.loads(row["photo_ids"])),
        submitted_at=required_time(row["submitted_at"]),
        photo_notes=json.loads(row["photo_notes"]),
    )


def operation_from_row(row: sqlite3.Row) -> Operation:
    return Operation(
        seq=row["seq"],
        kind=OperationKind(row["kind"]),
        entity_id=row["entity_id"],
        album_id=row["album_id"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        created_at=required_time(row["created_at"]),
    )
