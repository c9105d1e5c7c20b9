"""Proofing: a link's viewers pick their favourite photos and send them with their name.

A link allows picks only when its owner said so (`allow_picks`); on any other link the picks
route answers like an unavailable link (404), so nothing is asked of its viewers. The viewer's
browser makes the pick's id (a UUID, kept with the selection), so sending again updates the same
list; an id belongs to the link it was first sent through (another link: 409).

Rules kept here, whichever way a pick arrives (`PUT /s/{token}/picks/{id}` from the script, or
the photo page's plain form in `picks_form`):
- only photos of the link's album, each once, in the album's order (an unknown id: 422 naming
  `photo_ids`), no more than the link's `pick_limit`; a note on a photo only on one of those
  (`photo_notes`);
- sends are rate limited per link and client address (`rate_limits`, counted in the database);
- a revoked or expired link takes no more picks, but the owner keeps those sent; deleting the
  album deletes them (foreign keys: `models.Pick`);
- a request from another site is refused (`from_another_site`): the browser's `Sec-Fetch-Site`,
  or an `Origin` naming another host.

The owner reads them with `GET /api/links/{id}/picks` and `GET /api/albums/{id}/picks`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Annotated
from urllib.parse import urlsplit

from anyio import to_thread
from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.orm import Session

from albumen_server.auth import Context, Owned
from albumen_server.context import ServerContext
from albumen_server.error_answers import error_response
from albumen_server.errors import not_found
from albumen_server.models import Album, Link, Photo, Pick, PickedPhoto, utcnow
from albumen_server.photos import ALBUM_ORDER
from albumen_server.rate_limits import Limit, client_key, take_turn
from albumen_server.schemas import PickIn, PickList, PickOut, Uuid
from albumen_server.viewer_access import (
    Grant,
    Locked,
    Unavailable,
    locked_json,
    open_link,
    unavailable_json,
)

router = APIRouter(tags=["picks"])
PickId = Annotated[Uuid, Path(description="A UUID made by the viewer's browser")]
IdPath = Annotated[Uuid, Path(description="A UUID made by the client")]

SEND = "pick_send"
"""The rate limit's kind for a list sent (by the script or the plain form)."""


class PickRefused(Exception):
    """A pick that cannot be stored as sent; `status`, `code` and `message` say why."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def send_limit(context: ServerContext) -> Limit:
    config = context.config
    return Limit(config.pick_sends_allowed, config.pick_window_seconds)


def client_of(request: Request) -> str:
    """The rate limit's client: the address (the proxy's word only when trusted: see cli)."""
    return client_key(request.client.host if request.client else None)


def from_another_site(request: Request, public_url: str | None) -> bool:
    """Whether the browser says this request comes from a page of another site.

    The viewer's pages send `Referrer-Policy: no-referrer`, under which browsers send
    `Origin: null` with a form POST, so the browser's `Sec-Fetch-Site` is what tells: anything
    but `same-origin` (or `none`, a request the person made) is refused. An `Origin` that names
    a host is compared too. A client sending neither (not a browser) has no cookies of a
    viewer's to ride on, and still needs the link's token.
    """
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return False
    expected = urlsplit(public_url).netloc if public_url else request.headers.get("host", "")
    return urlsplit(origin).netloc.lower() != expected.lower()


# -- storage ------------------------------------------------------------------------------------


def _photos_in_order(
    session: Session, pick_ids: Sequence[str]
) -> dict[str, list[tuple[str, str | None]]]:
    """Each pick's photos with the viewer's note on each (or None), in the album's order."""
    rows = session.execute(
        select(PickedPhoto.pick_id, PickedPhoto.photo_id, PickedPhoto.note)
        .join(Photo, Photo.id == PickedPhoto.photo_id)
        .where(PickedPhoto.pick_id.in_(pick_ids))
        .order_by(*ALBUM_ORDER)
    )
    photos: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for pick_id, photo_id, note in rows:
        photos[pick_id].append((photo_id, note))
    return photos


def picks_out(session: Session, picks: Sequence[Pick]) -> list[PickOut]:
    photos = _photos_in_order(session, [pick.id for pick in picks]) if picks else {}
    return [
        PickOut(
            id=pick.id,
            link_id=pick.link_id,
            album_id=pick.album_id,
            name=pick.name,
            note=pick.note,
            photo_ids=[photo_id for photo_id, _note in photos.get(pick.id, [])],
            photo_notes={photo_id: note for photo_id, note in photos.get(pick.id, []) if note},
            submitted_at=pick.submitted_at,
        )
        for pick in picks
    ]


def stored_pick(session: Session, link_id: str, pick_id: str) -> PickOut | None:
    """The pick `pick_id` as the owner would read it, if it was sent through `link_id`."""
    pick = session.get(Pick, pick_id)
    if pick is None or pick.link_id != link_id:
        return None
    return picks_out(session, [pick])[0]


def photo_notes(body: PickIn, picked: Sequence[str]) -> dict[str, str]:
    """The notes to keep, by photo: a blank one is none; one on a photo not picked is refused
    (PickRefused 422 naming `photo_notes`), as a note the owner would never see."""
    chosen = set(picked)
    stray = [photo_id for photo_id in body.photo_notes if photo_id not in chosen]
    if stray:
        shown = ", ".join(stray[:3]) + (" …" if len(stray) > 3 else "")
        raise PickRefused(
            422, "invalid", f"photo_notes: {len(stray)} of these photos are not picked ({shown})"
        )
    kept = {photo_id: note.strip() for photo_id, note in body.photo_notes.items()}
    return {photo_id: note for photo_id, note in kept.items() if note}


def store_pick(
    context: ServerContext, grant: Grant, pick_id: str, body: PickIn
) -> tuple[PickOut, bool]:
    """Create or replace the pick `pick_id` of this link (True: created); PickRefused when it
    cannot be stored as sent."""
    wanted = list(dict.fromkeys(body.photo_ids))  # each photo once, where it first appears
    with context.db.session() as session:
        link = session.get(Link, grant.link_id)
        if link is None or link.album_id != grant.album_id:
            raise Unavailable  # the album went while this request waited
        known = set(
            session.scalars(
                select(Photo.id).where(Photo.album_id == grant.album_id, Photo.id.in_(wanted))
            )
            if wanted
            else ()
        )
        unknown = [photo_id for photo_id in wanted if photo_id not in known]
        if unknown:
            shown = ", ".join(unknown[:3]) + (" …" if len(unknown) > 3 else "")
            raise PickRefused(
                422,
                "invalid",
                f"photo_ids: {len(unknown)} of these are not photos of this album ({shown})",
            )
        if grant.pick_limit is not None and len(wanted) > grant.pick_limit:
            raise PickRefused(
                422,
                "invalid",
                f"photo_ids: this link takes at most {grant.pick_limit} photos, not {len(wanted)}",
            )
        notes = photo_notes(body, wanted)
        pick = session.get(Pick, pick_id)
        if pick is not None and pick.link_id != grant.link_id:
            raise PickRefused(409, "conflict", f"pick id {pick_id} was sent through another link")
        now = utcnow()
        created = pick is None
        if pick is None:
            pick = Pick(id=pick_id, link_id=grant.link_id, album_id=grant.album_id, created_at=now)
            session.add(pick)
        else:
            session.execute(delete(PickedPhoto).where(PickedPhoto.pick_id == pick_id))
        pick.name, pick.note, pick.submitted_at = body.name, body.note or None, now
        session.flush()
        session.add_all(
            PickedPhoto(pick_id=pick_id, photo_id=photo_id, note=notes.get(photo_id))
            for photo_id in wanted
        )
        session.flush()
        return picks_out(session, [pick])[0], created


# -- the viewer's route -------------------------------------------------------------------------


def _rate_limited(wait: int) -> JSONResponse:
    minutes = max(1, round(wait / 60))
    return error_response(
        429,
        "too_many_sends",
        f"picks were sent many times from here; try again in {minutes} minute"
        f"{'s' if minutes > 1 else ''}",
        {"Retry-After": str(wait), "Cache-Control": "no-store"},
    )


@router.put(
    "/s/{token}/picks/{pick_id}",
    response_model=PickOut,
    responses={201: {"model": PickOut, "description": "A new pick"}},
)
async def put_pick(
    token: str,
    pick_id: PickId,
    body: PickIn,
    request: Request,
    context: Context,
) -> Response:
    """Send (or send again) a viewer's picks through a link that allows them."""
    try:
        grant = await to_thread.run_sync(open_link, context, token, request)
    except Unavailable:
        return unavailable_json()
    except Locked:
        return locked_json()
    if not grant.allow_picks:
        return unavailable_json()
    if from_another_site(request, context.config.public_url):
        return error_response(403, "cross_site", "picks are sent from the album's own pages")
    turn = await to_thread.run_sync(
        take_turn, context, SEND, grant.link_id, client_of(request), send_limit(context)
    )
    if not turn.allowed:
        return _rate_limited(turn.wait)
    try:
        stored, created = await to_thread.run_sync(store_pick, context, grant, pick_id, body)
    except Unavailable:
        return unavailable_json()
    except PickRefused as refused:
        return error_response(refused.status, refused.code, refused.message)
    return JSONResponse(
        stored.model_dump(mode="json"),
        status_code=201 if created else 200,
        headers={"Cache-Control": "no-store"},
    )


# -- the owner's routes -------------------------------------------------------------------------


def _picks(session: Session, where: ColumnElement[bool]) -> PickList:
    """The picks matching `where`, oldest first."""
    picks = session.scalars(select(Pick).where(where).order_by(Pick.submitted_at, Pick.id)).all()
    return PickList(picks=picks_out(session, picks))


@router.get("/api/links/{link_id}/picks", response_model=PickList)
def link_picks(link_id: IdPath, owner: Owned, context: Context) -> PickList:
    """What viewers sent through this link, revoked or not, oldest first."""
    with context.db.session() as session:
        link = session.get(Link, link_id)
        if link is None or link.owner_id != owner.id:
            raise not_found(f"link {link_id}")
        return _picks(session, Pick.link_id == link_id)


@router.get("/api/albums/{album_id}/picks", response_model=PickList)
def album_picks(album_id: IdPath, owner: Owned, context: Context) -> PickList:
    """What viewers sent through any link of this album, oldest first."""
    with context.db.session() as session:
        album = session.get(Album, album_id)
        if album is None or album.owner_id != owner.id:
            raise not_found(f"album {album_id}")
        return _picks(session, Pick.album_id == album_id)
