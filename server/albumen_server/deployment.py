"""Opening a deployment: what a server process, or an admin command, works with (the database
brought to the newest schema, the blob store, where uploads under way keep their parts, the
cookie key), without the web app.

`albumen-server owners remove` needs these and nothing of FastAPI or the routes, whose import
cost it more than its own work; the web app (`albumen_server.app`) is built on them.
"""

from __future__ import annotations

import contextlib
import logging

from sqlalchemy import select

from albumen_server.blobs import open_blob_store
from albumen_server.config import ServerConfig
from albumen_server.context import ServerContext, load_or_create_secret
from albumen_server.database import Database, migrate
from albumen_server.models import Upload, utcnow
from albumen_server.upload_parts import open_upload_parts

log = logging.getLogger(__name__)


def build_context(config: ServerConfig) -> ServerContext:
    """The deployment `config` names, opened: its database brought to the newest schema, its
    blob store and upload parts, its cookie key; uploads past their expiry dropped."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(config.resolved_database_url)
    migrate(db.engine)
    blobs = open_blob_store(config.blobs_url, config.data_dir)
    context = ServerContext(
        config=config,
        db=db,
        blobs=blobs,
        parts=open_upload_parts(blobs, config.uploads_dir),
        cookie_key=load_or_create_secret(db, "cookie_key"),
    )
    expired = expire_uploads(context)
    if expired:
        log.info("dropped %d expired uploads", expired)
    return context


def expire_uploads(context: ServerContext) -> int:
    """Drop uploads past their expiry (and finished ones past it); return how many."""
    now = utcnow()
    with context.db.session() as session:
        expired = list(session.scalars(select(Upload).where(Upload.expires_at <= now)))
        for upload in expired:
            session.delete(upload)
    for upload in expired:
        if upload.completed_at is None:
            with contextlib.suppress(Exception):  # gone already, or the bucket is away
                context.parts.discard(upload.id)
    return len(expired)
