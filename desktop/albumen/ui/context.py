"""What every widget may use, built once by the composition root (`albumen.app`).

Widgets get this through their constructor: no global singletons, no reaching for the
QApplication, so each test builds its own from real services on a temporary folder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from albumen.core.credentials import Credentials
from albumen.core.link_state import link_url
from albumen.core.model import Link
from albumen.core.owner import Owner
from albumen.core.settings import Settings
from albumen.core.store import Store
from albumen.core.thumbnails import ThumbnailCache
from albumen.ui.screens import ScreenEvents
from albumen.ui.sync_bridge import SyncBridge
from albumen.ui.tasks import TaskRunner


class StoreEvents(QObject):
    """Raised by whoever changed the store, so every view can refresh what it shows."""

    albums_changed = Signal()
    photos_changed = Signal(str)  # album id
    links_changed = Signal(str)  # album id


@dataclass
class AppContext:
    store: Store
    credentials: Credentials
    settings: Settings
    settings_path: Path
    data_dir: Path
    runner: TaskRunner
    sync: SyncBridge
    thumbnails: ThumbnailCache
    events: StoreEvents
    server_label: Callable[[], str]  # "Embedded server" or the remote host
    base_url: Callable[[], str | None]  # where links point, once known
    # Called after the settings were saved, so server, speed cap and concurrency apply at once.
    settings_applied: Callable[[], None] = lambda: None
    screens: ScreenEvents = field(default_factory=ScreenEvents)  # see `albumen.ui.screens`

    @cached_property
    def owner(self) -> Owner:
        """The owner's actions (albumen.core.owner); each one refreshes the views and wakes the
        sync through `changed`."""
        owner = Owner(self.store, self.credentials)
        owner.on_change(self.changed)
        return owner

    def link_url(self, link: Link) -> str:
        """A link's URL, known before the server has seen it (the token is made here)."""
        return link_url(link, self.base_url())

    def save_settings(self) -> None:
        self.settings.save(self.settings_path)
        self.settings_applied()
        self.sync.request_sync()

    def changed(self, album_id: str | None = None) -> None:
        """Tell the views and the sync that the owner did something."""
        self.events.albums_changed.emit()
        if album_id:
            self.events.photos_changed.emit(album_id)
            self.events.links_changed.emit(album_id)
        self.sync.request_sync()
