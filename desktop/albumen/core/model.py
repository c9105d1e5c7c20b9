"""The client's domain values: plain frozen dataclasses, shared by store, sync, CLI and UI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path


class PhotoState(StrEnum):
    QUEUED = "queued"  # recorded, waiting for its upload
    UPLOADING = "uploading"
    UPLOADED = "uploaded"  # the server has verified its bytes
    FAILED = "failed"  # the last attempt failed; `error` says why; retried later
    CHANGED = "changed"  # the source file differs from what was added; not uploaded
    MISSING = "missing"  # the source file is gone; not uploaded


class PreviewState(StrEnum):
    """A photo's web size (2048 px, no metadata), sent before its original so a link's viewers
    see the photo while the original is still on its way (docs/DESIGN.md, "Instant gallery")."""

    WANTED = "wanted"  # to send before the original
    SENT = "sent"  # the server accepted it: the photo can be seen through a link
    SKIPPED = "skipped"  # not sent (made from bytes the server had, or it could not be made)


class LinkState(StrEnum):
    PENDING = "pending"  # made here, not on the server yet: copyable, not live
    ACTIVE = "active"
    REVOKE_PENDING = "revoke pending"  # revoked here, the server does not know yet
    REVOKED = "revoked"
    EXPIRED = "expired"


class Download(StrEnum):
    NONE = "none"
    WEB = "web"
    ORIGINAL = "original"


class Exposure(StrEnum):
    """How far an album lets a kind of metadata reach its viewers."""

    WITH_LINKS = "links"  # only on links whose settings show it
    NEVER = "never"  # on no link, whatever its settings say


@dataclass(frozen=True)
class AlbumPrivacy:
    """The owner's rules for one album, above every link's own settings."""

    location: Exposure = Exposure.WITH_LINKS
    metadata: Exposure = Exposure.WITH_LINKS
    strip_location: bool = False  # the server never receives the GPS of this album's photos

    def limit(self, settings: LinkSettings) -> LinkSettings:
        """What a link may really show, given this album's rules."""
        return replace(
            settings,
            show_location=settings.show_location
            and self.location is Exposure.WITH_LINKS
            and not self.strip_location,
            show_metadata=settings.show_metadata and self.metadata is Exposure.WITH_LINKS,
        )


@dataclass(frozen=True)
class Album:
    id: str
    title: str
    description: str | None
    created_at: datetime
    updated_at: datetime
    cover_photo_id: str | None = None
    photo_count: int = 0
    uploaded_count: int = 0
    viewable_count: int = 0  # uploaded, or its web size accepted: a link shows it
    failed_count: int = 0  # failed, changed or missing: needs the owner's attention
    link_count: int = 0
    pick_count: int = 0  # viewers' lists of favourites received (see Pick)
    privacy: AlbumPrivacy = field(default_factory=lambda: AlbumPrivacy())
    # The album has had sections at some point: its PUT carries `sections` from then on (`[]`
    # once the last is gone); one that never had any leaves the field out, for older servers.
    sections_used: bool = False


@dataclass(frozen=True)
class Photo:
    id: str
    album_id: str
    path: Path
    filename: str
    size: int
    mtime_ns: int
    sha256: str
    state: PhotoState
    position: int
    added_at: datetime
    error: str | None = None
    width: int | None = None
    height: int | None = None
    taken_at: datetime | None = None
    upload_url: str | None = None
    uploaded_bytes: int = 0
    preview: PreviewState = PreviewState.WANTED
    section: str | None = None  # the title of the album's part it is in (core.sections)


@dataclass(frozen=True)
class LinkSettings:
    download: Download = Download.NONE
    show_metadata: bool = False
    show_location: bool = False
    expires_at: datetime | None = None
    label: str | None = None
    allow_picks: bool = False  # viewers may mark favourites and send the owner their list
    pick_limit: int | None = None  # at most this many each (the photographer's package)
    watermark: str | None = None  # drawn over every picture the link shows (proofs)


@dataclass(frozen=True)
class Link:
    id: str
    album_id: str
    token: str
    settings: LinkSettings
    has_password: bool
    state: LinkState
    created_at: datetime
    url: str | None = None
    view_count: int = 0
    last_viewed_at: datetime | None = None
    download_count: int = 0  # zips, originals and web sizes taken through the link
    last_downloaded_at: datetime | None = None
    revoked_at: datetime | None = None
    ending_told: datetime | None = None  # the end date the owner was told is near (once each)


@dataclass(frozen=True)
class Pick:
    """One viewer's list of favourites, sent through a link that allows picks. The viewer's
    browser makes `id`, so sending again replaces the list (and `submitted_at` moves on).
    `photo_notes` holds the viewer's note on any of the photos ("a tighter crop"), by id."""

    id: str
    link_id: str
    album_id: str
    name: str
    note: str | None
    photo_ids: tuple[str, ...]
    submitted_at: datetime
    photo_notes: Mapping[str, str] = field(default_factory=dict)


class OperationKind(StrEnum):
    PUT_ALBUM = "put_album"
    DELETE_ALBUM = "delete_album"
    UPLOAD_PHOTO = "upload_photo"
    DELETE_PHOTO = "delete_photo"
    PUT_LINK = "put_link"
    REVOKE_LINK = "revoke_link"


@dataclass(frozen=True)
class Operation:
    """One owner action waiting for the server; carries ids only, the store holds the rest."""

    seq: int
    kind: OperationKind
    entity_id: str
    album_id: str | None
    attempts: int
    last_error: str | None
    created_at: datetime
