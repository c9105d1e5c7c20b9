"""Request and response bodies of the owner API; FastAPI writes the OpenAPI document from them."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from albumen_photo import watermark
from albumen_server.sections import MAX_SECTIONS, MAX_TITLE

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def is_uuid(value: str) -> bool:
    return bool(_UUID.match(value))


def is_sha256(value: str) -> bool:
    return bool(_SHA256.match(value))


def _as_utc(value: datetime | None) -> datetime | None:
    """Times without a zone are taken as UTC, the zone the contract speaks in."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sha256_lower(value: str) -> str:
    value = value.lower()
    if not is_sha256(value):
        raise ValueError("must be a SHA-256 as 64 hexadecimal characters")
    return value


def _uuid_lower(value: str) -> str:
    value = value.lower()
    if not is_uuid(value):
        raise ValueError("must be a UUID such as 3f2b…-…")
    return value


def _one_line(value: str) -> str:
    """A title or label is shown in pages and headers (the zip's file name): no control
    characters, so `"Trip\r\nSet-Cookie…"` cannot become a header of its own."""
    if any(not char.isprintable() for char in value):
        raise ValueError("must not contain control characters (line breaks, tabs, NUL…)")
    return value


def _has_controls(value: str, allowed: str = "") -> bool:
    """Control characters, line and paragraph separators: what would break a line or a header.
    Unlike titles, a viewer's words may carry no-break spaces and emoji joiners."""
    return any(
        unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp") and char not in allowed
        for char in value
    )


def _person_name(value: str) -> str:
    """A viewer's name as they typed it, without the spaces around it; one line, not blank."""
    if _has_controls(value):
        raise ValueError("must be one line, without control characters")
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


def _note_text(value: str) -> str:
    """A viewer's note: line breaks and tabs are fine, other control characters are not."""
    if _has_controls(value, allowed="\n\r\t"):
        raise ValueError("must not contain control characters other than line breaks and tabs")
    return value


def _watermark_text(value: str | None) -> str | None:
    """A link's watermark as kept (albumen_photo.watermark's rule, which the app checks too)."""
    if value is None or watermark.cleaned(value) is None:
        return None
    reason = watermark.problem(value)
    if reason is not None:
        raise ValueError(reason)
    return watermark.cleaned(value)


Sha256 = Annotated[str, AfterValidator(_sha256_lower)]
OneLine = Annotated[str, AfterValidator(_one_line)]
Uuid = Annotated[str, AfterValidator(_uuid_lower)]
PersonName = Annotated[str, AfterValidator(_person_name)]
NoteText = Annotated[str, AfterValidator(_note_text)]
UtcDatetime = Annotated[datetime, AfterValidator(_as_utc)]
DownloadRight = Literal["none", "web", "original"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str


class Me(BaseModel):
    id: int
    name: str
    stored_bytes: int = Field(
        description="What the owner keeps and is uploading, each file once (as quotas count)"
    )
    quota_bytes: int | None = Field(description="The room the administrator gives; null: none")


# An order of this many ids (39 bytes each in JSON) fits the 1 MiB bound on request bodies.
MAX_PHOTO_ORDER = 20_000


def _section_title(value: str) -> str:
    """A section's title as kept: one line, without the spaces around it, not blank."""
    if _has_controls(value) or "\t" in value:
        raise ValueError("must be one line, without control characters")
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    if len(value) > MAX_TITLE:
        raise ValueError(f"is {len(value)} characters long; at most {MAX_TITLE}")
    return value


class SectionIn(Strict):
    title: Annotated[str, AfterValidator(_section_title)]
    photo_ids: list[Uuid] = Field(max_length=MAX_PHOTO_ORDER)


def _sections(value: list[SectionIn] | None) -> list[SectionIn] | None:
    """The album's sections as a whole: titles once each (without regard to case), each photo
    in one section at most, no more than the album could hold."""
    if not value:
        return None
    if len(value) > MAX_SECTIONS:
        raise ValueError(f"an album has at most {MAX_SECTIONS} sections, not {len(value)}")
    titles: set[str] = set()
    placed: set[str] = set()
    for section in value:
        if section.title.casefold() in titles:
            raise ValueError(f"{section.title!r} comes twice")
        titles.add(section.title.casefold())
        for photo_id in section.photo_ids:
            if photo_id in placed:
                raise ValueError(f"photo {photo_id} is in two sections")
            placed.add(photo_id)
    if len(placed) > MAX_PHOTO_ORDER:
        raise ValueError(f"at most {MAX_PHOTO_ORDER} photos in all, not {len(placed)}")
    return value


class SectionOut(BaseModel):
    title: str
    photo_ids: list[str]


class AlbumIn(Strict):
    """`photo_order`, `cover_photo_id` and `sections` left out keep what the server has (older
    clients send none of them); `null` clears them."""

    title: OneLine = Field(min_length=1, max_length=500)
    description: str | None = Field(default=None, max_length=20_000)
    photo_order: list[Uuid] | None = Field(
        default=None,
        max_length=MAX_PHOTO_ORDER,
        description="Photo ids in the owner's order; ids not in the album are ignored, photos "
        "not listed follow by capture time",
    )
    cover_photo_id: Uuid | None = Field(
        default=None, description="A photo of this album; any other id counts as no cover"
    )
    sections: Annotated[list[SectionIn] | None, AfterValidator(_sections)] = Field(
        default=None,
        description="The album's parts in the order viewers see them, each a title and its "
        "photos; photos in none come first",
    )


class AlbumOut(BaseModel):
    id: str
    title: str
    description: str | None
    cover_photo_id: str | None
    sections: list[SectionOut] = Field(default_factory=list)
    photo_count: int
    created_at: datetime
    updated_at: datetime


class AlbumList(BaseModel):
    albums: list[AlbumOut]


class PhotoOut(BaseModel):
    id: str
    album_id: str
    filename: str
    sha256: str
    size: int
    content_type: str | None
    width: int | None
    height: int | None
    taken_at: datetime | None
    created_at: datetime
    state: Literal["arriving", "complete"] = Field(
        description="`arriving`: seen from its preview, the original (`sha256`) still to upload"
    )


class PhotoList(BaseModel):
    photos: list[PhotoOut]


class AlbumWithPhotos(AlbumOut):
    photos: list[PhotoOut]


class CheckIn(Strict):
    sha256: list[Sha256] = Field(max_length=10_000)


class PhotoIn(Strict):
    album_id: Uuid
    filename: str = Field(min_length=1, max_length=255)
    sha256: Sha256
    content_type: str | None = Field(default=None, max_length=100)


class CheckOut(BaseModel):
    present: list[str]


class LinkIn(Strict):
    album_id: Uuid
    token: str = Field(min_length=1, max_length=200)
    password: str | None = Field(default=None, min_length=1, max_length=1024)
    expires_at: UtcDatetime | None = None
    download: DownloadRight = "none"
    show_metadata: bool = False
    show_location: bool = False
    allow_picks: bool = False
    pick_limit: int | None = Field(
        default=None,
        ge=1,
        le=MAX_PHOTO_ORDER,
        description="At most this many photos in a viewer's picks; null: no limit",
    )
    watermark: Annotated[str | None, AfterValidator(_watermark_text)] = Field(
        default=None,
        description="A line of text drawn over every picture the link shows; null: none",
    )
    label: OneLine | None = Field(default=None, max_length=500)


class LinkOut(BaseModel):
    id: str
    album_id: str | None
    token: str
    url: str
    label: str | None
    has_password: bool
    expires_at: datetime | None
    download: DownloadRight
    show_metadata: bool
    show_location: bool
    allow_picks: bool
    pick_limit: int | None
    watermark: str | None
    revoked_at: datetime | None
    view_count: int
    last_viewed_at: datetime | None
    download_count: int
    last_downloaded_at: datetime | None
    created_at: datetime
    updated_at: datetime


class LinkList(BaseModel):
    links: list[LinkOut]


# -- picks (proofing) ---------------------------------------------------------------------------

MAX_PICK_NAME = 100
MAX_PICK_NOTE = 2000
MAX_PHOTO_NOTE = 1000
PhotoNote = Annotated[NoteText, Field(max_length=MAX_PHOTO_NOTE)]


class PickIn(Strict):
    """What a viewer sends: who they are, a note, their favourites among the album's photos
    (each at most once; any id that is not a photo of the album is refused by name), and a note
    on any of those photos (a blank one is no note)."""

    name: PersonName = Field(min_length=1, max_length=MAX_PICK_NAME)
    note: NoteText | None = Field(default=None, max_length=MAX_PICK_NOTE)
    photo_ids: list[Uuid] = Field(max_length=MAX_PHOTO_ORDER)
    photo_notes: dict[Uuid, PhotoNote] = Field(
        default_factory=dict,
        max_length=MAX_PHOTO_ORDER,
        description="A note on a picked photo, by the photo's id; only photos in photo_ids",
    )


class PickOut(BaseModel):
    id: str
    link_id: str
    album_id: str
    name: str
    note: str | None
    photo_ids: list[str] = Field(description="In the album's order")
    photo_notes: dict[str, str] = Field(
        default_factory=dict, description="The viewer's note on a photo, by its id; in order"
    )
    submitted_at: datetime


class PickList(BaseModel):
    picks: list[PickOut]
