"""Links' state as the server knows it, brought back into the local store after each drain:
view and download counts (and the news in them: `link_news`), and revocations and expiries
that happened elsewhere (another computer, the server's administrator, time)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from albumen.core.backend import Backend
from albumen.core.link_news import LinkNews
from albumen.core.model import LinkState
from albumen.core.store import Store

Retrying = Callable[[Callable[[], Any]], Any]


def pull_links(store: Store, backend: Backend, retrying: Retrying) -> list[LinkNews]:
    """Every link the store knows gets the server's word on it; a revoke still queued here is
    never shown as done. Returns what is news: links opened, or downloaded from, for the first
    time, and live links near their end (see `link_news`)."""
    remote = {link.id: link for link in retrying(backend.links)}
    now = datetime.now(UTC)
    news: list[LinkNews] = []
    titles: dict[str, str] = {}
    for link in store.links():
        other = remote.get(link.id)
        if other is None:
            continue
        if other.revoked_at is not None:
            state = LinkState.REVOKED
        elif link.state is LinkState.REVOKE_PENDING:
            continue  # the revoke is still queued: never show it as done
        elif other.expires_at is not None and other.expires_at <= now:
            state = LinkState.EXPIRED
        else:
            state = LinkState.ACTIVE
        store.set_link_remote(
            link.id,
            state=state,
            url=other.url,
            view_count=other.view_count,
            last_viewed_at=other.last_viewed_at,
            download_count=other.download_count,
            last_downloaded_at=other.last_downloaded_at,
            revoked_at=other.revoked_at,
        )
        if link.album_id not in titles:
            titles[link.album_id] = store.album(link.album_id).title
        fresh = LinkNews.between(
            link, other.view_count, other.download_count, titles[link.album_id]
        )
        if fresh is not None:
            news.append(fresh)
        ending = LinkNews.ending(link, titles[link.album_id], now)
        if state is LinkState.ACTIVE and ending is not None and ending.ends_at is not None:
            store.set_ending_told(link.id, ending.ends_at)
            news.append(ending)
    return news
