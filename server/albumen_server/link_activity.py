"""What a link's viewers did, for its owner: how often the gallery was opened and how often
something was downloaded through it, and when last (`GET /api/links`).

Photographers watch this to know a client has looked, and has taken the photos (Pixieset and
Pic-Time show both). Each count is written after its answer has gone out, by a background task:
a write may wait (on SQLite, for an upload's transaction to commit; for a checkpoint) and must
not hold the page or the download back. One that cannot be written (a full disk) is lost; what
the viewer has is not.
"""

from __future__ import annotations

import logging

from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError
from starlette.background import BackgroundTask

from albumen_server.context import ServerContext
from albumen_server.models import Link, utcnow

log = logging.getLogger(__name__)


def _count(context: ServerContext, link_id: str, what: str) -> None:
    now = utcnow()
    values = (
        {"view_count": Link.view_count + 1, "last_viewed_at": now}
        if what == "view"
        else {"download_count": Link.download_count + 1, "last_downloaded_at": now}
    )
    try:
        with context.db.session() as session:
            session.execute(update(Link).where(Link.id == link_id).values(**values))
    except (SQLAlchemyError, OSError) as error:
        log.warning("a %s of link %s was not counted: %s", what, link_id, error)


def view_counted(context: ServerContext, link_id: str) -> BackgroundTask:
    """One more view (the gallery page, to a person rather than a link previewer), once sent."""
    return BackgroundTask(_count, context, link_id, "view")


def download_counted(context: ServerContext, link_id: str) -> BackgroundTask:
    """One more download (a zip, an original, a web size saved as a file), once sent whole."""
    return BackgroundTask(_count, context, link_id, "download")
