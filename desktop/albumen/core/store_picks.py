"""The picks half of the local album list (`Store` inherits it): the lists of favourites viewers
sent through links that allow picks, as the last sync found them on the server, so they are
there offline. Also the one rule of what counts as news for the owner (`receive_picks`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from albumen.core.model import LinkState, Pick
from albumen.core.store_rows import pick_from_row, required_time, time_text
from albumen.core.store_schema import Database


class PickRecords:
    """The store's picks; `Store` gives the database."""

    _database: Database

    def picks(self, album_id: str) -> list[Pick]:
        """The album's lists of favourites, the first sent first."""
        rows = self._database.rows(
            "SELECT * FROM picks WHERE album_id=? ORDER BY submitted_at, id", (album_id,)
        )
        return [pick_from_row(row) for row in rows]

    def albums_to_pull_picks(self) -> list[str]:
        """The albums whose picks the sync asks the server for: those with a link that allows
        picks and that the server has (a pending link has had no viewer yet), and those that
        hold picks already (so a list the server no longer has goes here too)."""
        rows = self._database.rows(
            "SELECT DISTINCT album_id FROM links WHERE allow_picks=1 AND state!=?"
            " UNION SELECT DISTINCT album_id FROM picks",
            (LinkState.PENDING.value,),
        )
        return [row[0] for row in rows]

    def receive_picks(self, album_id: str, picks: Sequence[Pick]) -> list[Pick]:
        """Make the album's picks those the server has, in one transaction; returns the news:
        each list not seen here before, or sent again since (the viewer changed it: its
        `submitted_at` moved on). A list seen already is no news, whoever synced (app or
        CLI), so the owner hears of each list once per sending."""
        news: list[Pick] = []
        with self._database.transaction() as db:
            if db.execute("SELECT 1 FROM albums WHERE id=?", (album_id,)).fetchone() is None:
                return []  # deleted here while the sync asked
            known = {
                row["id"]: required_time(row["submitted_at"])
                for row in db.execute(
                    "SELECT id, submitted_at FROM picks WHERE album_id=?", (album_id,)
                )
            }
            db.execute("DELETE FROM picks WHERE album_id=?", (album_id,))
            for pick in picks:
                seen = known.get(pick.id)
                if seen is None or seen < pick.submitted_at:
                    news.append(pick)
                db.execute(
                    "INSERT OR REPLACE INTO picks (id, album_id, link_id, name, note, photo_ids,"
                    " submitted_at, photo_notes) VALUES (?,?,?,?,?,?,?,?)",
                    (
                        pick.id,
                        album_id,
                        pick.link_id,
                        pick.name,
                        pick.note,
                        json.dumps(list(pick.photo_ids)),
                        time_text(pick.submitted_at),
                        json.dumps(dict(pick.photo_notes)),
                    ),
                )
        return news
