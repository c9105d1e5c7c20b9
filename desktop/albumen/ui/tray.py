"""The tray icon: it keeps uploads going when the window is closed, shows their progress in its
tooltip, says once when an album is fully uploaded, and tells the owner of viewers' picks that
came with a sync ("Anna picked 23 photos from Lofoten": what is new is the core's rule,
`Store.receive_picks`, and so is the wording, `albumen.core.picks.announcement`), and of links
opened or downloaded from for the first time (`albumen.core.link_news`).

Where the desktop has no tray, `available` is False: closing the window then quits, as the owner
would otherwise have no way back to it. The messages go to the desktop's notification server
wherever one runs on the session bus (`albumen.desktop_notifications`: also without a tray, as
on a stock GNOME desktop, and with what viewers typed never read as markup), else they are the
tray icon's own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMainWindow, QMenu, QStyle, QSystemTrayIcon

from albumen.core import link_news
from albumen.core.link_news import LinkNews
from albumen.core.model import Album
from albumen.core.picks import PickNews, announcement
from albumen.desktop_notifications import DesktopNotifications


class Tray:
    """The window's tray icon, with a menu of `actions` under "Show Albumen"."""

    def __init__(
        self,
        window: QMainWindow,
        show_window: Callable[[], None],
        actions: Sequence[QAction],
        notifications: DesktopNotifications | Literal["session"] | None = "session",
    ) -> None:
        self._notifications = (
            DesktopNotifications.connect() if notifications == "session" else notifications
        )
        self._notified_shared: set[str] = set()
        self.last_message: tuple[str, str] | None = None  # the last news of picks (tests read it)
        self.last_link_message: tuple[str, str] | None = None  # and of links
        self._icon: QSystemTrayIcon | None = None
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        icon = window.windowIcon()
        if icon.isNull():
            icon = window.style().standardIcon(QStyle.StandardPixmap.SP_DriveNetIcon)
        tray = QSystemTrayIcon(QIcon(icon), window)
        menu = QMenu(window)
        menu.addAction("Show Albumen", show_window)
        for action in actions:
            menu.addAction(action)
        tray.setContextMenu(menu)
        tray.setToolTip("Albumen")
        tray.activated.connect(lambda _reason: show_window())
        tray.show()
        self._icon = tray

    @property
    def available(self) -> bool:
        return self._icon is not None

    def show_progress(self, progress: str) -> None:
        if self._icon is not None:
            self._icon.setToolTip(f"Albumen: uploading, {progress}")

    def albums_synced(self, albums: Sequence[Album], uploaded: bool) -> None:
        """After a sync that uploaded something: "Album shared" once for each album whose
        photos are now all on the server."""
        for album in albums:
            complete = album.photo_count and album.uploaded_count == album.photo_count
            if complete and album.id not in self._notified_shared and uploaded:
                self._notified_shared.add(album.id)
                self._say("Album shared", f"“{album.title}” is fully uploaded.")

    def picks_arrived(self, news: Sequence[PickNews]) -> None:
        """One message for the lists of picks a sync brought that the owner has not seen."""
        said = announcement(news)
        self.last_message = said or self.last_message
        if said is not None:
            self._say(*said)

    def links_touched(self, news: Sequence[LinkNews]) -> None:
        """One message for the links a sync found opened, or downloaded from, for the first
        time."""
        said = link_news.announcement(news)
        self.last_link_message = said or self.last_link_message
        if said is not None:
            self._say(*said)

    def keeps_uploading(self) -> None:
        """Say why the window went away but the app did not."""
        if self._icon is not None:
            self._say("Albumen keeps uploading", "Uploads go on in the background; quit from here.")

    def _say(self, title: str, text: str) -> None:
        """`text` is plain: never read as markup, whatever a viewer typed into it."""
        if self._notifications is not None:
            self._notifications.notify(title, text)
        elif self._icon is not None:
            self._icon.showMessage(title, text)
