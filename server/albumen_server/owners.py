"""The deployment's owners as its administrator sees them: what each one keeps here, taking an
owner's devices' access away, and removing an owner with everything they keep.

Why: a server shared by a few photographers needs the answers an Immich or Nextcloud admin gets
from their user list (who is here, how much of the disk is theirs, how many links are live), and
one step for a lost laptop: every token of the owner goes at once, in every process (each request
looks its token up), while the albums and the links viewers hold stay as they are. The owner's
app then asks to be paired again (`albumen-server invite`). And a photographer who leaves: their
albums, photos, links, picks, tokens and uploads under way go, and every blob no one else's
photo needs is deleted, under the deployment's blob lock as an album's deletion does it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Executable, delete, func, or_, select
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from albumen_server.context import ServerContext
from albumen_server.models import (
    Album,
    ApiToken,
    Link,
    Owner,
    PairingCode,
    Photo,
    Upload,
    utcnow,
)
from albumen_server.photos import delete_photos, forget_blobs
from albumen_server.quotas import files_once

__all__ = [
    "OwnerUsage",
    "RemovedOwner",
    "RevokedAccess",
    "UnknownDevice",
    "UnknownOwner",
    "owner_usage",
    "remove_owner",
    "revoke_access",
]


class UnknownOwner(LookupError):
    """No owner of that name on this server."""


@dataclass(frozen=True)
class OwnerUsage:
    """One owner: since when, what they keep (a photo in two albums is stored once), how many
    links viewers can open now, and how many devices hold a token (and the newest one's date)."""

    name: str
    since: datetime
    albums: int
    photos: int
    stored_bytes: int
    live_links: int
    tokens: int
    newest_token_at: datetime | None
    devices: tuple[str, ...]  # the named ones, newest first (tokens may be unnamed)
    quota_bytes: int | None = None  # the room the administrator gives them (`quotas`)


@dataclass(frozen=True)
class RevokedAccess:
    tokens: int
    invites: int


def owner_usage(session: Session) -> list[OwnerUsage]:
    """Every owner, by name; a handful of grouped queries, whatever the number of photos."""
    now = utcnow()
    albums = _per_owner(session, select(Album.owner_id, func.count()).group_by(Album.owner_id))
    photos = _per_owner(session, select(Photo.owner_id, func.count()).group_by(Photo.owner_id))
    blobs = files_once(uploading=False)  # the same file in two albums is one blob
    stored = _per_owner(
        session, select(blobs.c.owner_id, func.sum(blobs.c.size)).group_by(blobs.c.owner_id)
    )
    live = _per_owner(
        session,
        select(Link.owner_id, func.count())
        .where(
            Link.revoked_at.is_(None),
            Link.album_id.is_not(None),
            or_(Link.expires_at.is_(None), Link.expires_at > now),
        )
        .group_by(Link.owner_id),
    )
    tokens = {
        owner_id: (count, newest)
        for owner_id, count, newest in session.execute(
            select(ApiToken.owner_id, func.count(), func.max(ApiToken.created_at)).group_by(
                ApiToken.owner_id
            )
        ).tuples()
    }
    devices: dict[int, list[str]] = {}
    for owner_id, device in session.execute(
        select(ApiToken.owner_id, ApiToken.device)
        .where(ApiToken.device.is_not(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).tuples():
        if device is not None and device not in devices.setdefault(owner_id, []):
            devices[owner_id].append(device)
    return [
        OwnerUsage(
            name=owner.name,
            since=owner.created_at,
            albums=albums.get(owner.id, 0),
            photos=photos.get(owner.id, 0),
            stored_bytes=stored.get(owner.id, 0),
            live_links=live.get(owner.id, 0),
            tokens=tokens.get(owner.id, (0, None))[0],
            newest_token_at=tokens.get(owner.id, (0, None))[1],
            devices=tuple(devices.get(owner.id, ())),
            quota_bytes=owner.quota_bytes,
        )
        for owner in session.scalars(select(Owner).order_by(Owner.name))
    ]


def _per_owner(session: Session, statement: Executable) -> dict[int, int]:
    """A grouped count or sum by owner id (owners with none are absent)."""
    return {owner_id: int(value or 0) for owner_id, value in session.execute(statement)}


class UnknownDevice(LookupError):
    """The owner has no token held by a device of that name; `known` are the names they have."""

    def __init__(self, device: str, known: list[str]) -> None:
        super().__init__(device)
        self.device, self.known = device, known


def revoke_access(session: Session, name: str, device: str | None = None) -> RevokedAccess:
    """The tokens of the owner called `name` deleted: every one, with their invitations not yet
    used (no device of theirs is let in from the next request on), or, given `device`, those
    of that device alone (the lost laptop; the owner's other computers stay paired). Raises
    :class:`UnknownOwner`, or :class:`UnknownDevice` naming the devices they have."""
    owner_id = session.scalar(select(Owner.id).where(Owner.name == name))
    if owner_id is None:
        raise UnknownOwner(name)
    if device is not None:
        mine = ApiToken.owner_id == owner_id
        revoked = session.execute(delete(ApiToken).where(mine, ApiToken.device == device))
        assert isinstance(revoked, CursorResult)
        if not revoked.rowcount:
            known = session.scalars(
                select(ApiToken.device).where(mine, ApiToken.device.is_not(None)).distinct()
            )
            raise UnknownDevice(device, sorted(d for d in known if d is not None))
        return RevokedAccess(tokens=revoked.rowcount, invites=0)
    tokens = session.execute(delete(ApiToken).where(ApiToken.owner_id == owner_id))
    invites = session.execute(
        delete(PairingCode).where(PairingCode.owner_name == name, PairingCode.used_at.is_(None))
    )
    assert isinstance(tokens, CursorResult) and isinstance(invites, CursorResult)  # a DELETE's
    return RevokedAccess(tokens=tokens.rowcount, invites=invites.rowcount)


@dataclass(frozen=True)
class RemovedOwner:
    albums: int
    photos: int
    blobs_deleted: int
    bytes_freed: int


def remove_owner(context: ServerContext, name: str) -> RemovedOwner:
    """The owner called `name` and all they keep deleted: their uploads under way first (an
    upload in flight keeps its blob alive), then their photos, albums, links (viewers get "not
    available"), picks, tokens and invitations, in one transaction; then the blobs no other
    photo needs, while the blob lock is still held. Raises :class:`UnknownOwner`."""
    with context.blob_lock:
        with context.db.session() as session:
            owner = session.scalar(select(Owner).where(Owner.name == name))
            if owner is None:
                raise UnknownOwner(name)
            uploads = list(session.scalars(select(Upload).where(Upload.owner_id == owner.id)))
            for upload in uploads:
                session.delete(upload)
            session.flush()
            photos = list(session.scalars(select(Photo).where(Photo.owner_id == owner.id)))
            sizes = {photo.sha256: photo.size for photo in photos}
            orphaned = delete_photos(session, photos)
            albums = session.execute(delete(Album).where(Album.owner_id == owner.id))
            session.execute(delete(Link).where(Link.owner_id == owner.id))
            session.execute(delete(PairingCode).where(PairingCode.owner_name == name))
            session.delete(owner)
            assert isinstance(albums, CursorResult)
            removed = RemovedOwner(
                albums=albums.rowcount,
                photos=len(photos),
                blobs_deleted=len(orphaned),
                bytes_freed=sum(sizes.get(sha256, 0) for sha256 in orphaned),
            )
        for upload in uploads:
            if upload.completed_at is None:
                context.parts.discard(upload.id)
        forget_blobs(context, orphaned)
    return removed
