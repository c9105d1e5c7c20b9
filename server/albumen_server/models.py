"""The server's tables. Schema changes go through the Alembic migrations next to this module."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    TypeDecorator,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and gives them back aware: SQLite keeps no time zone."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class Owner(Base):
    __tablename__ = "owners"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The room the administrator gives this owner's originals (`quotas`); None: no limit.
    quota_bytes: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The computer it was paired from, as the app names it (its host name); None when unnamed.
    device: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Album(Base):
    __tablename__ = "albums"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The photo the owner picked to stand for the album, kept as sent (no foreign key): it counts
    # only while it names a photo of this album, so it may arrive before that photo's upload.
    cover_photo_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # Its parts as the owner sent them (JSON: albumen_server.sections); None: none.
    sections: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Photo(Base):
    __tablename__ = "photos"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    album_id: Mapped[str] = mapped_column(ForeignKey("albums.id", ondelete="CASCADE"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Where it was taken, from the original's EXIF GPS, read once when the upload completes;
    # `place` is the name resolved offline (see places.py). Shown only on links that allow it.
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    place: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # The owner's order in the album (0 first); NULL for photos the owner has not placed, which
    # follow the placed ones by capture time (see photos.ALBUM_ORDER).
    position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Set while the photo is arriving (see arrivals.py): the blob of the web-size JPEG the
    # client sent first, which its thumb and preview are made from until the original (the blob
    # `sha256`) lands; NULL once the photo is complete.
    preview_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (
        Index("ix_photos_album", "album_id", "taken_at"),
        Index("ix_photos_owner_sha", "owner_id", "sha256"),
        Index("ix_photos_sha", "sha256"),
        Index("ix_photos_preview_sha", "preview_sha256"),
    )

    @property
    def arriving(self) -> bool:
        """Seen from its preview; its original has not landed yet."""
        return self.preview_sha256 is not None

    @property
    def state(self) -> str:
        """`arriving` or `complete`, as the owner API says it."""
        return "arriving" if self.arriving else "complete"

    @property
    def picture_sha256(self) -> str:
        """The blob the viewer's pictures are made from: the preview while arriving, else the
        original. Derivatives are cached by it, so the two never mix, in any process."""
        return self.preview_sha256 or self.sha256


class Link(Base):
    __tablename__ = "links"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    # Kept after the album is deleted (set to NULL) so that a token stays used forever.
    album_id: Mapped[str | None] = mapped_column(
        ForeignKey("albums.id", ondelete="SET NULL"), nullable=True, index=True
    )
    token: Mapped[str] = mapped_column(String(200), unique=True)
    label: Mapped[str | None] = mapped_column(String(500), nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(500), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    download: Mapped[str] = mapped_column(String(20), default="none")
    show_metadata: Mapped[bool] = mapped_column(Boolean, default=False)
    show_location: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether viewers may send the owner their favourites (proofing: see picks.py).
    allow_picks: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # At most this many photos per viewer's list (the photographer's package); None: no limit.
    pick_limit: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Drawn over every picture the link shows (albumen_photo.watermark); None: none.
    watermark: Mapped[str | None] = mapped_column(String(200), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    view_count: Mapped[int] = mapped_column(Integer, default=0)
    last_viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Zips, originals and web sizes saved through the link (link_activity).
    download_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_downloaded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Upload(Base):
    """A tus upload in progress; its bytes sit in the uploads folder until verified."""

    __tablename__ = "uploads"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"))
    album_id: Mapped[str] = mapped_column(ForeignKey("albums.id", ondelete="CASCADE"))
    photo_id: Mapped[str] = mapped_column(String(36))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    length: Mapped[int] = mapped_column(BigInteger)
    metadata_header: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Kept after the last byte so a client whose final PATCH answer was lost can ask HEAD.
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class UnlockFailure(Base):
    """Failed password attempts, in the database so that every server process sees them."""

    __tablename__ = "unlock_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    link_id: Mapped[str] = mapped_column(String(36))
    client: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_unlock_failures_link_client", "link_id", "client", "at"),)


class RateEvent(Base):
    """One counted action of a viewer (a pick sent, a photo marked without JavaScript), kept
    for a rate limit's window in the database so that every server process sees it."""

    __tablename__ = "rate_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    link_id: Mapped[str] = mapped_column(String(36))
    client: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_rate_events_kind_link_client", "kind", "link_id", "client", "at"),)


class Pick(Base):
    """A viewer's favourites, sent with their name through a link that allows picks. The id is
    made by the viewer's browser, so sending again updates the same list. Deleting the album
    deletes them; revoking the link keeps them (the owner keeps what was sent)."""

    __tablename__ = "picks"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    link_id: Mapped[str] = mapped_column(ForeignKey("links.id", ondelete="CASCADE"), index=True)
    album_id: Mapped[str] = mapped_column(ForeignKey("albums.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PickedPhoto(Base):
    """One photo of a pick: a row each rather than a JSON list, so that deleting a photo takes
    it out of every pick by the database's own cascade, on SQLite and PostgreSQL alike."""

    __tablename__ = "pick_photos"
    pick_id: Mapped[str] = mapped_column(ForeignKey("picks.id", ondelete="CASCADE"))
    photo_id: Mapped[str] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), index=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)  # the viewer's, on this photo

    __table_args__ = (PrimaryKeyConstraint("pick_id", "photo_id"),)


class PickDraft(Base):
    """A photo marked on its page without JavaScript, not sent yet: what the browser's
    localStorage holds for a script, kept here under the id in the viewer's pick cookie (the
    id the pick takes when sent)."""

    __tablename__ = "pick_drafts"
    draft_id: Mapped[str] = mapped_column(String(36))
    photo_id: Mapped[str] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), index=True)
    link_id: Mapped[str] = mapped_column(ForeignKey("links.id", ondelete="CASCADE"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)  # the viewer's, on this photo

    __table_args__ = (PrimaryKeyConstraint("draft_id", "photo_id"),)


class ServerSecret(Base):
    """Key material shared by all processes of one deployment (cookie signing)."""

    __tablename__ = "server_secrets"
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class PairingCode(Base):
    """A one-time invitation to pair a device with an owner (`albumen-server invite`): only the
    code's SHA-256 is kept; it is used once, within its time."""

    __tablename__ = "pairing_codes"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
