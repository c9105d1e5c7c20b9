"""Storage quotas: the room an administrator gives an owner (`albumen-server owners quota`).

Why: on a server shared by a few photographers one of them should not fill the disk for all
(Immich and Nextcloud have a quota per user). What counts is what the owner keeps: each
original once, however many albums hold it (the measure `albumen-server owners` lists), and the
files they are uploading now, at their announced length. A file the owner keeps already costs
nothing more (the same photo in a second album); a file another owner sent first costs it as
much as its own would (the room is the owner's, not the disk's).

The check comes where new bytes are announced — a tus creation, and an arriving photo's
preview (with its original's size, so nothing of a photo that cannot land is taken; the
original's own upload then passes, its photo being kept already; a photo added from bytes the
owner keeps, `PUT /api/photos/{id}`, costs nothing) — and answers 507 `quota_exceeded`, worded
for the owner. Each check holds the owner's room (`room_held`, a lock across the deployment's
processes) until the file it lets in is recorded, so uploads started at the same moment are
counted one after the other and together never pass the quota. Without a quota nothing is
counted (no query) and nothing is held.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, Subquery, func, literal, select, union_all
from sqlalchemy.orm import Session

from albumen_server.errors import ApiError
from albumen_server.locks import deployment_lock
from albumen_server.models import Owner, Photo, Upload, utcnow


def size_text(size: int) -> str:
    """Bytes as a person reads them, in the units `df -h` and the file managers use (1000s)."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")


def files_once(owner_id: int | None = None, *, uploading: bool = True) -> Subquery:
    """Each file an owner keeps once, however many of their albums hold it (blobs are stored by
    content), and with `uploading` those they are uploading now at their announced length:
    (owner_id, sha256, size) rows, for one owner or, `owner_id` None, for every owner. The one
    measure of an owner's room: the quota's, `/api/me`'s and `albumen-server owners`' (which
    leaves the uploads out)."""
    kept = select(Photo.owner_id, Photo.sha256, Photo.size)
    sending = select(Upload.owner_id, Upload.sha256, Upload.length).where(
        Upload.completed_at.is_(None), Upload.expires_at > utcnow()
    )
    if owner_id is not None:
        kept = kept.where(Photo.owner_id == owner_id)
        sending = sending.where(Upload.owner_id == owner_id)
    files = (union_all(kept, sending) if uploading else kept).subquery()
    return (
        select(files.c.owner_id, files.c.sha256, func.max(files.c.size).label("size"))
        .group_by(files.c.owner_id, files.c.sha256)
        .subquery()
    )


@contextmanager
def room_held(engine: Engine, owner_id: int, quota: int | None) -> Iterator[None]:
    """While held, no other request of the owner's, in any process, checks or takes room: hold
    it from `ensure_room` until the file it let in is committed. Only an owner with a quota
    waits (their creations, a few milliseconds each, one at a time; the bytes still stream in
    together)."""
    if quota is None:
        yield
        return
    with deployment_lock(engine, f"room-{owner_id}"):
        yield


def used_bytes(session: Session, owner_id: int) -> int:
    """What the owner keeps and is uploading, each file once."""
    kept = files_once(owner_id)
    return int(session.scalar(select(func.coalesce(func.sum(kept.c.size), 0))) or 0)


def ensure_room(session: Session, owner_id: int, quota: int | None, sha256: str, size: int) -> None:
    """Refuse (ApiError 507 `quota_exceeded`) a file of `size` bytes that would take the owner
    past their `quota` (as read with their token; None: no limit, and no query); a file they
    keep or are uploading already passes."""
    if quota is None:
        return
    kept = files_once(owner_id)
    if session.scalar(select(literal(True)).where(kept.c.sha256 == sha256)):
        return
    used = used_bytes(session, owner_id)
    if used + size > quota:
        raise ApiError(
            507,
            "quota_exceeded",
            f"your storage on this server is full: {size_text(used)} of your"
            f" {size_text(quota)} are used, and this file needs {size_text(size)}; delete"
            " albums you no longer share, or ask the server's administrator for more room",
        )


def set_quota(session: Session, name: str, quota: int | None) -> int | None:
    """Give the owner called `name` this quota (None: no limit); their id, or None when there
    is no such owner."""
    owner = session.scalar(select(Owner).where(Owner.name == name))
    if owner is None:
        return None
    owner.quota_bytes = quota
    return owner.id
