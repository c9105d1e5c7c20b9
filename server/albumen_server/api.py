"""The owner API: albums, photos, links. Every write is idempotent (PUT by client-made id)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from albumen_server import __version__, sections
from albumen_server.auth import Context, Owned
from albumen_server.context import ServerContext
from albumen_server.errors import ApiError, not_found, still_arriving
from albumen_server.ingest import (
    add_photo,
    clean_filename,
    complete_arrivals,
    existing_photo,
    known_facts,
)
from albumen_server.links import link_out, put_link, revoke_link
from albumen_server.models import Album, Link, Photo, utcnow
from albumen_server.photos import (
    album_cover,
    album_photos,
    delete_photos,
    forget_blobs,
    set_photo_order,
    unused_blobs,
)
from albumen_server.quotas import used_bytes
from albumen_server.schemas import (
    AlbumIn,
    AlbumList,
    AlbumOut,
    AlbumWithPhotos,
    CheckIn,
    CheckOut,
    Health,
    LinkIn,
    LinkList,
    LinkOut,
    Me,
    PhotoIn,
    PhotoList,
    PhotoOut,
    SectionOut,
    Uuid,
)

router = APIRouter(prefix="/api")
IdPath = Annotated[Uuid, Path(description="A UUID made by the client")]


@router.get("/health", response_model=Health, tags=["server"])
def health() -> Health:
    return Health(version=__version__)


@router.get("/me", response_model=Me, tags=["server"])
def me(owner: Owned, context: Context) -> Me:
    """Who the token belongs to, and how much of their room they use (the app shows it beside
    the connection, so a full quota is seen coming)."""
    with context.db.session() as session:
        used = used_bytes(session, owner.id)
    return Me(id=owner.id, name=owner.name, stored_bytes=used, quota_bytes=owner.quota_bytes)


def _photo_count(session: Session, album_id: str) -> int:
    return session.scalar(select(func.count()).where(Photo.album_id == album_id)) or 0


def _album_out(session: Session, album: Album) -> AlbumOut:
    parts = sections.loads(album.sections)
    if parts:  # as the album holds them now: one more query, for albums with sections only
        parts = sections.as_present(album_photos(session, album.id), parts)
    return AlbumOut(
        id=album.id,
        title=album.title,
        description=album.description,
        cover_photo_id=album_cover(session, album),
        sections=[SectionOut(title=s.title, photo_ids=list(s.photo_ids)) for s in parts],
        photo_count=_photo_count(session, album.id),
        created_at=album.created_at,
        updated_at=album.updated_at,
    )


def _photo_out(photo: Photo) -> PhotoOut:
    return PhotoOut.model_validate(photo, from_attributes=True)


def owned_album(session: Session, owner_id: int, album_id: str) -> Album:
    album = session.get(Album, album_id)
    if album is None or album.owner_id != owner_id:
        raise not_found(f"album {album_id}")
    return album


@router.put("/albums/{album_id}", response_model=AlbumOut, tags=["albums"])
def put_album(
    album_id: IdPath, body: AlbumIn, owner: Owned, context: Context, response: Response
) -> AlbumOut:
    with context.db.session() as session:
        album = session.get(Album, album_id)
        if album is not None and album.owner_id != owner.id:
            raise ApiError(409, "conflict", f"album id {album_id} is taken")
        now = utcnow()
        if album is None:
            album = Album(id=album_id, owner_id=owner.id, created_at=now)
            session.add(album)
            response.status_code = 201
        changed = album.title != body.title or album.description != body.description
        album.title, album.description = body.title, body.description
        given = body.model_fields_set  # left out: keep what is stored; null: clear it
        if "cover_photo_id" in given and album.cover_photo_id != body.cover_photo_id:
            album.cover_photo_id, changed = body.cover_photo_id, True
        if "photo_order" in given and set_photo_order(session, album_id, body.photo_order):
            changed = True
        if "sections" in given:
            kept = sections.dumps(
                [sections.Section(s.title, tuple(s.photo_ids)) for s in body.sections or ()]
            )
            if kept != album.sections:
                album.sections, changed = kept, True
        if changed:
            album.updated_at = now
        session.flush()
        return _album_out(session, album)


@router.get("/albums", response_model=AlbumList, tags=["albums"])
def list_albums(owner: Owned, context: Context) -> AlbumList:
    with context.db.session() as session:
        albums = session.scalars(
            select(Album).where(Album.owner_id == owner.id).order_by(Album.created_at, Album.id)
        )
        return AlbumList(albums=[_album_out(session, album) for album in albums])


@router.get("/albums/{album_id}", response_model=AlbumWithPhotos, tags=["albums"])
def get_album(album_id: IdPath, owner: Owned, context: Context) -> AlbumWithPhotos:
    with context.db.session() as session:
        album = owned_album(session, owner.id, album_id)
        photos = [_photo_out(photo) for photo in album_photos(session, album_id)]
        return AlbumWithPhotos(**_album_out(session, album).model_dump(), photos=photos)


@router.delete("/albums/{album_id}", status_code=204, tags=["albums"])
def delete_album(album_id: IdPath, owner: Owned, context: Context) -> Response:
    # The blobs go while the lock is held, after the rows' deletion is committed: no process
    # can meanwhile give one of them a new photo.
    with context.blob_lock:
        with context.db.session() as session:
            album = owned_album(session, owner.id, album_id)
            now = utcnow()
            for link in session.scalars(select(Link).where(Link.album_id == album_id)):
                link.revoked_at = link.revoked_at or now
                link.updated_at = now
            orphaned = delete_photos(session, album_photos(session, album_id))
            session.delete(album)
        forget_blobs(context, orphaned)
    return Response(status_code=204)


@router.get("/albums/{album_id}/photos", response_model=PhotoList, tags=["photos"])
def list_photos(album_id: IdPath, owner: Owned, context: Context) -> PhotoList:
    with context.db.session() as session:
        owned_album(session, owner.id, album_id)
        return PhotoList(photos=[_photo_out(p) for p in album_photos(session, album_id)])


@router.post("/photos/check", response_model=CheckOut, tags=["photos"])
def check_photos(body: CheckIn, owner: Owned, context: Context) -> CheckOut:
    wanted = set(body.sha256)
    with context.db.session() as session:
        present = set(
            session.scalars(
                # An arriving photo's bytes are not here yet: the client still has to send them.
                select(Photo.sha256).where(
                    Photo.owner_id == owner.id,
                    Photo.sha256.in_(wanted),
                    Photo.preview_sha256.is_(None),
                )
            )
        )
    return CheckOut(present=sorted(present))


def _owned_photo(session: Session, owner_id: int, photo_id: str) -> Photo:
    photo = session.get(Photo, photo_id)
    if photo is None or photo.owner_id != owner_id:
        raise not_found(f"photo {photo_id}")
    return photo


@router.put("/photos/{photo_id}", response_model=PhotoOut, tags=["photos"])
def put_photo(
    photo_id: IdPath, body: PhotoIn, owner: Owned, context: Context, response: Response
) -> PhotoOut:
    """Add a photo whose bytes this owner already has on the server (see `/photos/check`),
    so the same file in a second album is not uploaded twice. Idempotent on `photo_id`; an
    arriving photo whose bytes the server now holds becomes complete."""
    filename = clean_filename(body.filename)
    with context.blob_lock:
        with context.db.session() as session:
            photo, created, previews = _put_photo(
                session, context, owner.id, photo_id, body, filename
            )
            out = _photo_out(photo)
        if previews:  # the arriving photo's preview, now unused
            with context.db.session() as session:
                forget_blobs(context, unused_blobs(session, previews))
    if created:
        response.status_code = 201
    return out


def _put_photo(
    session: Session,
    context: ServerContext,
    owner_id: int,
    photo_id: str,
    body: PhotoIn,
    filename: str,
) -> tuple[Photo, bool, list[str]]:
    """The photo, whether it was made now, and the previews it no longer shows."""
    album = owned_album(session, owner_id, body.album_id)
    existing = existing_photo(session, photo_id, owner_id, body.sha256, body.album_id)
    if existing is not None and not existing.arriving:
        return existing, False, []
    facts = known_facts(session, context, owner_id, body.sha256)
    if facts is None:
        raise ApiError(
            409, "not_present", "the server does not hold these bytes: upload them with tus"
        )
    if existing is not None:
        previews = complete_arrivals(session, owner_id, body.sha256, facts, body.content_type)
        session.flush()
        return existing, False, previews
    photo = add_photo(
        session,
        album,
        photo_id=photo_id,
        owner_id=owner_id,
        filename=filename,
        sha256=body.sha256,
        content_type=body.content_type,
        facts=facts,
        now=utcnow(),
    )
    session.flush()
    return photo, True, []


@router.delete("/photos/{photo_id}", status_code=204, tags=["photos"])
def delete_photo(photo_id: IdPath, owner: Owned, context: Context) -> Response:
    with context.blob_lock:
        with context.db.session() as session:
            photo = _owned_photo(session, owner.id, photo_id)
            orphaned = delete_photos(session, [photo])
        forget_blobs(context, orphaned)
    return Response(status_code=204)


@router.get("/photos/{photo_id}/original", tags=["photos"], response_class=StreamingResponse)
def photo_original(photo_id: IdPath, owner: Owned, context: Context) -> StreamingResponse:
    """The very bytes that were uploaded, for the owner only, streamed from the blob store."""
    with context.db.session() as session:
        photo = _owned_photo(session, owner.id, photo_id)
    if photo.arriving:
        raise still_arriving(photo.filename)
    source = context.blobs.open(photo.sha256)

    def chunks() -> Iterator[bytes]:
        with source:
            while chunk := source.read(1 << 20):
                yield chunk

    return StreamingResponse(
        chunks(),
        media_type=photo.content_type or "application/octet-stream",
        headers={
            "Cache-Control": "private, no-cache",
            "X-Content-SHA256": photo.sha256,
            "Content-Length": str(photo.size),
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(photo.filename, safe='')}",
        },
    )


@router.put("/links/{link_id}", response_model=LinkOut, tags=["links"])
def put_link_route(
    link_id: IdPath,
    body: LinkIn,
    owner: Owned,
    context: Context,
    request: Request,
    response: Response,
) -> LinkOut:
    link, created = put_link(context, owner.id, link_id, body)
    if created:
        response.status_code = 201
    return link_out(link, context.public_base(request))


@router.get("/links", response_model=LinkList, tags=["links"])
def list_links(
    owner: Owned,
    context: Context,
    request: Request,
    album_id: Annotated[Uuid | None, Query()] = None,
) -> LinkList:
    with context.db.session() as session:
        query = select(Link).where(Link.owner_id == owner.id)
        if album_id is not None:
            owned_album(session, owner.id, album_id)
            query = query.where(Link.album_id == album_id)
        links = session.scalars(query.order_by(Link.created_at, Link.id))
        base = context.public_base(request)
        return LinkList(links=[link_out(link, base) for link in links])


def _owned_link(session: Session, owner_id: int, link_id: str) -> Link:
    link = session.get(Link, link_id)
    if link is None or link.owner_id != owner_id:
        raise not_found(f"link {link_id}")
    return link


@router.get("/links/{link_id}", response_model=LinkOut, tags=["links"])
def get_link(link_id: IdPath, owner: Owned, context: Context, request: Request) -> LinkOut:
    with context.db.session() as session:
        return link_out(_owned_link(session, owner.id, link_id), context.public_base(request))


@router.delete("/links/{link_id}", status_code=204, tags=["links"])
def delete_link(link_id: IdPath, owner: Owned, context: Context) -> Response:
    revoke_link(context, owner.id, link_id)
    return Response(status_code=204)
