"""Picks made without JavaScript: the selection kept on the server until it is sent.

A script keeps a viewer's selection in the browser (localStorage) and sends it whole. A page
without script can only post one form at a time, so each photo's page carries a "Pick this
photo" form and a "Send my picks" form, and the photos marked so far are kept here as rows of
`pick_drafts`, under an id the browser holds in a cookie (`albumen_pick`: HttpOnly,
SameSite=Lax, for this link's path alone, 90 days). That id is also the id the pick takes when
sent, so sending again updates the same list, as the script's does. A note on a photo is kept
with its row (`write_note`, from the form under a picked photo). The selection stays after
sending, as the script's does. Drafts go with their photos (foreign keys) and after 90 days
untouched; marking and notes are rate limited per link and client like sending (`rate_limits`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from albumen_server.context import ServerContext
from albumen_server.models import Photo, PickDraft, utcnow
from albumen_server.photos import ALBUM_ORDER
from albumen_server.picks import stored_pick
from albumen_server.rate_limits import Limit
from albumen_server.schemas import PickOut, is_uuid
from albumen_server.viewer_access import Grant

COOKIE = "albumen_pick"
COOKIE_MAX_AGE = 90 * 24 * 3600
MARK = "pick_mark"
"""The rate limit's kind for a photo marked or unmarked with the plain form."""


def mark_limit(context: ServerContext) -> Limit:
    config = context.config
    return Limit(config.pick_marks_allowed, config.pick_window_seconds)


def draft_id_of(cookie: str | None) -> str | None:
    """The draft's id from the viewer's cookie, when it is one (a UUID)."""
    if cookie is None:
        return None
    cookie = cookie.strip().lower()
    return cookie if is_uuid(cookie) else None


def _forget_old(session: Session, now: datetime) -> None:
    session.execute(
        delete(PickDraft).where(PickDraft.added_at < now - timedelta(seconds=COOKIE_MAX_AGE))
    )


def _insert(session: Session) -> Any:
    """An INSERT that can say what to do when the row is there (ON CONFLICT), on either
    database."""
    # Imported here: PostgreSQL's dialect took 0.15 s of every server start on SQLite.
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(PickDraft)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(PickDraft)


def mark(context: ServerContext, grant: Grant, draft_id: str, photo_id: str, on: bool) -> None:
    """Put `photo_id` into the draft (`on`) or take it out (its note too); old drafts are
    forgotten on the way."""
    now = utcnow()
    with context.db.session() as session:
        _forget_old(session, now)
        if not on:
            session.execute(
                delete(PickDraft).where(
                    PickDraft.draft_id == draft_id, PickDraft.photo_id == photo_id
                )
            )
            return
        values = {
            "draft_id": draft_id,
            "photo_id": photo_id,
            "link_id": grant.link_id,
            "added_at": now,
        }
        # A second "pick" of the same photo (a form sent twice) changes nothing.
        session.execute(_insert(session).values(**values).on_conflict_do_nothing())


def write_note(
    context: ServerContext, grant: Grant, draft_id: str, photo_id: str, note: str | None
) -> None:
    """Keep the viewer's note on `photo_id` in the draft (None: no note), picking the photo if
    it was not: a note is on a picked photo."""
    now = utcnow()
    with context.db.session() as session:
        _forget_old(session, now)
        values = {
            "draft_id": draft_id,
            "photo_id": photo_id,
            "link_id": grant.link_id,
            "added_at": now,
            "note": note,
        }
        insert = _insert(session).values(**values)
        session.execute(
            insert.on_conflict_do_update(
                index_elements=[PickDraft.draft_id, PickDraft.photo_id],
                set_={"note": note, "added_at": now},
            )
        )


def draft_photos(session: Session, grant: Grant, draft_id: str) -> dict[str, str | None]:
    """The draft's photos that are in the link's album, in the album's order, each with the
    viewer's note on it (or None)."""
    rows = session.execute(
        select(PickDraft.photo_id, PickDraft.note)
        .join(Photo, Photo.id == PickDraft.photo_id)
        .where(
            PickDraft.draft_id == draft_id,
            PickDraft.link_id == grant.link_id,
            Photo.album_id == grant.album_id,
        )
        .order_by(*ALBUM_ORDER)
    )
    return {photo_id: note for photo_id, note in rows}


def limit_reached(context: ServerContext, grant: Grant, draft_id: str, photo_id: str) -> str | None:
    """Why `photo_id` may not join the draft — the link's `pick_limit` reached — or None."""
    if grant.pick_limit is None:
        return None
    with context.db.session() as session:
        photos = draft_photos(session, grant, draft_id)
    if photo_id in photos or len(photos) < grant.pick_limit:
        return None
    return (
        f"You can pick up to {grant.pick_limit} photo{'' if grant.pick_limit == 1 else 's'}:"
        " unpick one to pick this one instead."
    )


@dataclass(frozen=True)
class PickPanel:
    """What a photo's page shows of the viewer's picks: this photo marked or not, how many are,
    what was sent, and a word after a form (`notice` when it went well, `error` when not)."""

    picked: bool
    count: int
    sent: PickOut | None
    limit: int | None = None  # the link's pick_limit
    name: str = ""
    note: str = ""
    photo_note: str = ""  # the viewer's note on this photo, kept in the draft
    notice: str | None = None
    error: str | None = None


def pick_panel(
    context: ServerContext,
    grant: Grant,
    photo_id: str,
    draft_id: str | None,
    *,
    just_sent: bool = False,
) -> PickPanel:
    """The panel for `photo_id` as it stands, with the confirmation right after sending."""
    if draft_id is None:
        return PickPanel(picked=False, count=0, sent=None, limit=grant.pick_limit)
    with context.db.session() as session:
        photos = draft_photos(session, grant, draft_id)
        sent = stored_pick(session, grant.link_id, draft_id)
    notice = None
    if just_sent and sent is not None:
        count = len(sent.photo_ids)
        notice = f"Sent {count} pick{'' if count == 1 else 's'} to the photographer."
    return PickPanel(
        limit=grant.pick_limit,
        picked=photo_id in photos,
        photo_note=photos.get(photo_id) or "",
        count=len(photos),
        sent=sent,
        name=sent.name if sent else "",
        note=(sent.note or "") if sent else "",
        notice=notice,
    )
