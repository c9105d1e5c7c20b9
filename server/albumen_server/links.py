"""Share links: made by the client (id and token), edited by PUT, revoked for good by DELETE."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from albumen_server.context import ServerContext
from albumen_server.errors import ApiError, not_found
from albumen_server.models import Album, Link, utcnow
from albumen_server.schemas import LinkIn, LinkOut
from albumen_server.security import hash_password, token_entropy_problem


def link_url(base: str, token: str) -> str:
    return f"{base}/s/{token}"


def link_out(link: Link, base: str) -> LinkOut:
    return LinkOut(
        id=link.id,
        album_id=link.album_id,
        token=link.token,
        url=link_url(base, link.token),
        label=link.label,
        has_password=link.password_hash is not None,
        expires_at=link.expires_at,
        download=link.download,  # type: ignore[arg-type]  # checked on the way in
        show_metadata=link.show_metadata,
        show_location=link.show_location,
        allow_picks=link.allow_picks,
        pick_limit=link.pick_limit,
        watermark=link.watermark,
        revoked_at=link.revoked_at,
        view_count=link.view_count,
        last_viewed_at=link.last_viewed_at,
        download_count=link.download_count,
        last_downloaded_at=link.last_downloaded_at,
        created_at=link.created_at,
        updated_at=link.updated_at,
    )


def is_available(link: Link, now: datetime | None = None) -> bool:
    """Whether viewers may use the link at all: not revoked, not expired, album still there."""
    now = now or utcnow()
    if link.revoked_at is not None or link.album_id is None:
        return False
    return link.expires_at is None or link.expires_at > now


def put_link(
    context: ServerContext, owner_id: int, link_id: str, body: LinkIn
) -> tuple[Link, bool]:
    """Create or edit a link; the password is hashed before the transaction opens."""
    problem = token_entropy_problem(body.token)
    if problem:
        raise ApiError(422, "weak_token", problem)
    if body.watermark is not None and body.download == "original":
        # The originals are byte-exact: a watermark on the web sizes alone would protect nothing.
        raise ApiError(
            422,
            "invalid",
            'watermark: a watermarked link offers no originals; choose download "web" or "none"',
        )
    new_hash: str | None = None
    password_given = "password" in body.model_fields_set
    if password_given and body.password is not None:
        new_hash = hash_password(body.password)
    with context.db.session() as session:
        album = session.get(Album, body.album_id)
        if album is None or album.owner_id != owner_id:
            raise not_found(f"album {body.album_id}")
        link = session.get(Link, link_id)
        if link is not None and link.owner_id != owner_id:
            raise ApiError(409, "conflict", f"link id {link_id} is taken")
        if link is not None and link.revoked_at is not None:
            raise ApiError(409, "revoked", "this link was revoked; make a new link instead")
        if link is not None and link.token != body.token:
            raise ApiError(409, "token_conflict", "a link keeps its token forever")
        if link is not None and link.album_id != body.album_id:
            raise ApiError(409, "conflict", "a link cannot move to another album")
        if link is None and _token_used(session, body.token):
            raise ApiError(409, "token_conflict", "this token was used before; make a new one")
        now = utcnow()
        created = link is None
        if link is None:
            link = Link(
                id=link_id,
                owner_id=owner_id,
                album_id=body.album_id,
                token=body.token,
                view_count=0,
                download_count=0,
                created_at=now,
            )
            session.add(link)
        link.label = body.label
        link.expires_at = body.expires_at
        link.download = body.download
        link.show_metadata = body.show_metadata
        link.show_location = body.show_location
        link.allow_picks = body.allow_picks
        link.pick_limit = body.pick_limit
        link.watermark = body.watermark
        if password_given:
            link.password_hash = new_hash
        link.updated_at = now
        session.flush()
        return link, created


def _token_used(session: Session, token: str) -> bool:
    return bool(session.scalar(select(func.count()).where(Link.token == token)))


def revoke_link(context: ServerContext, owner_id: int, link_id: str) -> None:
    with context.db.session() as session:
        link = session.get(Link, link_id)
        if link is None or link.owner_id != owner_id:
            raise not_found(f"link {link_id}")
        if link.revoked_at is None:
            link.revoked_at = link.updated_at = utcnow()
