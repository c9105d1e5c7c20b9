"""Bringing the viewers' picks home: the server is asked for the picks of each album that may
have some (`Store.albums_to_pull_picks`), and the store keeps them, so they are there offline.

The sync does it after draining the outbox (on its thread, never the GUI's); `albumen picks`
does it for one album before printing. What is news is the store's rule (`receive_picks`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

from albumen.core.backend import Backend, BackendError, OfflineError
from albumen.core.model import Pick
from albumen.core.picks import PickNews
from albumen.core.store import Store, StoreError

log = logging.getLogger(__name__)
Retry = Callable[[Callable[[], list[Pick]]], list[Pick]]


@dataclass
class PulledPicks:
    news: list[PickNews] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # albums whose picks could not be read


def _once(action: Callable[[], list[Pick]]) -> list[Pick]:
    return action()


def pull_picks(
    store: Store,
    backend: Backend,
    retry: Retry = _once,
    album_ids: Iterable[str] | None = None,
) -> PulledPicks:
    """Ask for each album's picks and keep them; an album the server does not know (not sent
    yet, or deleted there) is left as it is. `OfflineError` stops it (the caller reports the
    server unreachable); another refusal is noted in `problems` and the next album goes on."""
    pulled = PulledPicks()
    for album_id in store.albums_to_pull_picks() if album_ids is None else album_ids:
        try:
            remote = retry(partial(backend.album_picks, album_id))
        except OfflineError:
            raise
        except BackendError as error:
            if error.status != 404:
                log.warning("picks of album %s: %s", album_id, error.message)
                pulled.problems.append(error.message)
            continue
        fresh = store.receive_picks(album_id, remote)
        try:
            title = store.album(album_id).title
        except StoreError:
            continue  # deleted here meanwhile
        pulled.news += [PickNews(pick, title) for pick in fresh]
    return pulled
