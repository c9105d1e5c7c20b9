"""The first time a link is opened, and the first time photos are taken through it, as news for
the owner: "“Proofs for Anna” (Lofoten) was opened".

A photographer who sends a gallery wants to know the client has looked, and has taken the
photos, without watching the Links panel; Pixieset and Pic-Time tell them by e-mail. Albumen
knows no viewer, only counts (`GET /api/links`: views and downloads), so what is news is a count
that was 0 here and is not on the server: once per link for each, however many viewers follow.
The sync (`link_pull`) finds it as it brings the counts back; the app's tray and `albumen sync`
say it, in these words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from albumen.core.model import Link
from albumen.core.wording import count


@dataclass(frozen=True)
class LinkNews:
    """What happened to one link for the first time since the last sync."""

    label: str | None  # the link's label, if it has one
    album_title: str
    opened: bool  # its gallery was opened for the first time
    downloaded: bool  # photos were downloaded through it for the first time

    @classmethod
    def between(cls, before: Link, views: int, downloads: int, album_title: str) -> LinkNews | None:
        """The news in the server's counts (`views`, `downloads`) of a link the store had as
        `before`, or None when there is none."""
        opened = before.view_count == 0 and views > 0
        downloaded = before.download_count == 0 and downloads > 0
        if not (opened or downloaded):
            return None
        return cls(before.settings.label, album_title, opened, downloaded)

    def text(self) -> str:
        """“Proofs for Anna” (Lofoten) was opened; … and photos were downloaded; or only the
        download, when it was opened before. A link without a label is "a link to Lofoten"."""
        link = (
            f"“{self.label}” ({self.album_title})"
            if self.label
            else f"a link to {self.album_title}"
        )
        if self.opened and self.downloaded:
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
        title = "Link opened" if only.opened else "Photos downloaded"
        return title, only.text()
    lines = [item.text() for item in news[:most]]
    if len(news) > most:
        lines.append(f"and {count(len(news) - most, 'more link')}")
    return f"News of {len(news)} links", "\n".join(lines)
