"""The links half of the local album list (`Store` inherits it): make, change and revoke links,
and keep what the server said of them. Same database, same transactions as the rest of
`store`, split off so each module keeps to one job and a readable size.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from albumen.core import outbox
from albumen.core.model import Album, Link, LinkSettings, LinkState, OperationKind
from albumen.core.store_rows import link_from_row, time_text, utcnow
from albumen.core.store_schema import Database, StoreError


def _settings_values(settings: LinkSettings) -> tuple[object, ...]:
    """A link's settings as stored, for the columns `label, download, show_metadata,
    show_location, allow_picks, pick_limit, watermark, expires_at` in that order: one place for
    making and for changing a link."""
    return (
        settings.label,
        settings.download.value,
        int(settings.show_metadata),
        int(settings.show_location),
        int(settings.allow_picks),
        settings.pick_limit,
        settings.watermark,
        time_text(settings.expires_at),
    )


def new_link_token() -> str:
    """192 random bits, URL-safe: made here so a link can be copied before it is live."""
    return secrets.token_urlsafe(24)


class LinkRecords:
    """The store's links; `Store` gives the database and the albums."""

    _database: Database

    def album(self, album_id: str) -> Album:  # pragma: no cover  # Store's
        raise NotImplementedError

    def create_link(
        self,
        album_id: str,
        settings: LinkSettings,
        *,
        has_password: bool,
        link_id: str | None = None,
    ) -> Link:
        """`link_id` lets the caller keep the password in the keyring first, so a sync that
        starts in between never finds a protected link without its password."""
        self.album(album_id)
        link_id = link_id or str(uuid.uuid4())
        with self._database.transaction() as db:
            db.execute(
                "INSERT INTO links (id, album_id, token, label, download, show_metadata,"
                " show_location, allow_picks, pick_limit, watermark, expires_at, has_password,"
                " state, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    link_id,
                    album_id,
                    new_link_token(),
                    *_settings_values(settings),
                    int(has_password),
                    LinkState.PENDING.value,
                    time_text(utcnow()),
                ),
            )
            outbox.enqueue(db, OperationKind.PUT_LINK, link_id, album_id)
        return self.link(link_id)

    def update_link(
        self, link_id: str, settings: LinkSettings, *, has_password: bool | None = None
    ) -> Link:
        link = self.link(link_id)
        if link.state in (LinkState.REVOKED, LinkState.REVOKE_PENDING):
            raise StoreError("a revoked link cannot be changed; make a new link")
        with self._database.transaction() as db:
            db.execute(
                "UPDATE links SET label=?, download=?, show_metadata=?, show_location=?,"
                " allow_picks=?, pick_limit=?, watermark=?, expires_at=?,"
                " has_password=COALESCE(?, has_password) WHERE id=?",
                (
                    *_settings_values(settings),
                    None if has_password is None else int(has_password),
                    link_id,
                ),
            )
            outbox.enqueue(db, OperationKind.PUT_LINK, link_id, link.album_id)
        return self.link(link_id)

    def revoke_link(self, link_id: str) -> Link:
        """Shown as 'revoke pending' until the server has confirmed it, never as done."""
        link = self.link(link_id)
        if link.state in (LinkState.REVOKED, LinkState.REVOKE_PENDING):
            return link
        with self._database.transaction() as db:
            outbox.drop(db, OperationKind.PUT_LINK, link_id, tried=False)
            db.execute(
                "UPDATE links SET state=? WHERE id=?", (LinkState.REVOKE_PENDING.value, link_id)
            )
            outbox.enqueue(db, OperationKind.REVOKE_LINK, link_id, link.album_id)
        return self.link(link_id)

    def set_ending_told(self, link_id: str, ends_at: datetime) -> None:
        """The owner was told the link ends at `ends_at` (a new end date is news again)."""
        with self._database.transaction() as db:
            db.execute("UPDATE links SET ending_told=? WHERE id=?", (time_text(ends_at), link_id))

    def set_link_remote(
        self,
        link_id: str,
        *,
        state: LinkState,
        url: str | None = None,
        view_count: int | None = None,
        last_viewed_at: datetime | None = None,
        download_count: int | None = None,
        last_downloaded_at: datetime | None = None,
        revoked_at: datetime | None = None,
    ) -> None:
        with self._database.transaction() as db:
            db.execute(
                # A revoke made here stays pending until the server reports it done, even
                # when a sync that started before it writes back what it saw.
                "UPDATE links SET state=CASE WHEN state=? AND ?<>? THEN state ELSE ? END,"
                " url=COALESCE(?, url),"
                " view_count=COALESCE(?, view_count),"
                " last_viewed_at=COALESCE(?, last_viewed_at),"
                " download_count=COALESCE(?, download_count),"
                " last_downloaded_at=COALESCE(?, last_downloaded_at),"
                " revoked_at=COALESCE(?, revoked_at) WHERE id=?",
                (
                    LinkState.REVOKE_PENDING.value,
                    state.value,
                    LinkState.REVOKED.value,
                    state.value,
                    url,
                    view_count,
                    time_text(last_viewed_at),
                    download_count,
                    time_text(last_downloaded_at),
                    time_text(revoked_at),
                    link_id,
                ),
            )

    def link(self, link_id: str) -> Link:
        row = self._database.row("SELECT * FROM links WHERE id=?", (link_id,))
        if row is None:
            raise StoreError(f"there is no link {link_id}")
        return link_from_row(row)

    def find_link(self, link_id: str) -> Link | None:
        row = self._database.row("SELECT * FROM links WHERE id=?", (link_id,))
        return None if row is None else link_from_row(row)

    def links(self, album_id: str | None = None) -> list[Link]:
        if album_id is None:
            rows = self._database.rows("SELECT * FROM links ORDER BY created_at")
        else:
            rows = self._database.rows(
                "SELECT * FROM links WHERE album_id=? ORDER BY created_at", (album_id,)
            )
        return [link_from_row(row) for row in rows]

    def link_by_token(self, token: str) -> Link | None:
        row = self._database.row("SELECT * FROM links WHERE token=?", (token,))
        return None if row is None else link_from_row(row)
