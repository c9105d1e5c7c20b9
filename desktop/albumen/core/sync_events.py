"""What the sync tells whoever listens (the CLI's progress, the app's bridge), from its threads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SyncEvent:
    """What the sync reports as it goes: enough for a progress bar and a status line."""

    # "progress", "previewed" (the web size is in), "uploaded", "photo_failed", "operation",
    # "offline", "link"
    kind: str
    photo_id: str | None = None
    album_id: str | None = None
    sent: int = 0
    total: int = 0
    message: str | None = None


Listener = Callable[[SyncEvent], None]


def nobody_listens(_event: SyncEvent) -> None:
    """The listener of a sync nobody hears: none given, or its listener shut down."""
