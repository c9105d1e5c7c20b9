"""The first time a link is opened, the first time photos are taken through it, and its end
drawing near, as news for the owner: "“Proofs for Anna” (Lofoten) was opened".

A photographer who sends a gallery wants to know the client has looked, and has taken the
photos, without watching the Links panel; Pixieset and Pic-Time tell them by e-mail. Albumen
knows no viewer, only counts (`GET /api/links`: views and downloads), so what is news is a count
that was 0 here and is not on the server: once per link for each, however many viewers follow.
A link that ends within ENDING_SOON is news too, once for each end date (the store keeps the
one told, `Link.ending_told`): a photographer extends a client's gallery before the client
finds it gone. The sync (`link_pull`) finds all of it as it brings the counts back; the app's
tray and `albumen sync` say it, in these words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from albumen.core.model import Link
from albumen.core.wording import count

ENDING_SOON = timedelta(days=3)
"""How near its end a link is news: its last three days, when the gallery itself says "(3 days
left)"."""


def ends_soon(link: Link, now: datetime | None = None) -> bool:
    """Whether `link` ends within ENDING_SOON from `now` (and has not ended): the tray says so
    once, and the Links panel shows its end in the warning colour meanwhile."""
    ends_at = link.settings.expires_at
    if ends_at is None:
        return False
    return timedelta(0) < ends_at - (now or datetime.now(UTC)) <= ENDING_SOON


@dataclass(frozen=True)
class LinkNews:
    """What happened to one link for the first time since the last sync."""

    label: str | None  # the link's label, if it has one
    album_title: str
    opened: bool  # its gallery was opened for the first time
    downloaded: bool  # photos were downloaded through it for the first time
    ends_at: datetime | None = None  # it ends soon, at this time (news of its end alone)
    days_left: int = 0  # whole days until then

    @classmethod
    def between(cls, before: Link, views: int, downloads: int, album_title: str) -> LinkNews | None:
        """The news in the server's counts (`views`, `downloads`) of a link the store had as
        `before`, or None when there is none."""
        opened = before.view_count == 0 and views > 0
        downloaded = before.download_count == 0 and downloads > 0
        if not (opened or downloaded):
            return None
        return cls(before.settings.label, album_title, opened, downloaded)

    @classmethod
    def ending(cls, link: Link, album_title: str, now: datetime) -> LinkNews | None:
        """The news of `link` (a live one) ending within ENDING_SOON, unless the owner was told
        of this end date already; None otherwise."""
        ends_at = link.settings.expires_at
        if ends_at is None or link.ending_told == ends_at or not ends_soon(link, now):
            return None
        left = (ends_at - now).days
        return cls(link.settings.label, album_title, False, False, ends_at, left)

    def text(self) -> str:
        """“Proofs for Anna” (Lofoten) was opened; … and photos were downloaded; or only the
        download, when it was opened before; or "… ends in 2 days". A link without a label is
        "a link to Lofoten"."""
        link = (
            f"“{self.label}” ({self.album_title})"
            if self.label
            else f"a link to {self.album_title}"
        )
        if self.ends_at is not None:
            left = "less than a day" if self.days_left < 1 else count(self.days_left, "day")
            said = f"{link} ends in {left}"
        elif self.opened and self.downloaded:
            said = f"{link} was opened, and photos were downloaded through it"
        elif self.opened:
            said = f"{link} was opened"
        else:
            return f"Photos were downloaded through {link}"
        return said[0].upper() + said[1:]


def announcement(news: Sequence[LinkNews], most: int = 3) -> tuple[str, str] | None:
    """A notification's title and text for one sync's news of links, or None when there is
    none: one says itself; several take a line each, up to `most`, then how many more."""
    if not news:
        return None
    if len(news) == 1:
        only = news[0]
        if only.ends_at is not None:
            title = "Link ending"
        else:
            title = "Link opened" if only.opened else "Photos downloaded"
        return title, only.text()
    lines = [item.text() for item in news[:most]]
    if len(news) > most:
        lines.append(f"and {count(len(news) - most, 'more link')}")
    return f"News of {len(news)} links", "\n".join(lines)
