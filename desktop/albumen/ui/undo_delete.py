"""Ten seconds to undo a delete (an album, or photos from an album): what was deleted leaves the
view at once, but the store (and so the server, which kills links and drops photos) is only told
when the time is up or the app quits.

Until then the album or the photos are only hidden from their list (the models' `hidden` sets):
undoing costs nothing and the server never hears of it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from albumen.core.model import Album, Photo
from albumen.core.store import StoreError
from albumen.core.wording import count
from albumen.ui.album_list import AlbumListModel
from albumen.ui.context import AppContext
from albumen.ui.photo_grid import PhotoGridModel


@dataclass
class _Pending:
    """One delete waiting out its time: hidden now, made final by `finish`."""

    hidden: set[str]
    ids: list[str]
    refresh: Callable[[], None]
    make_final: Callable[[list[str]], None]
    undone: Callable[[], None]


class UndoBar(QWidget):
    """'… deleted — Undo' for a few seconds; the store is only told when they have passed."""

    SECONDS = 10

    restored = Signal(str)  # the id of an album brought back by an undo

    def __init__(
        self,
        context: AppContext,
        albums: AlbumListModel,
        photos: PhotoGridModel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._albums = albums
        self._photos = photos
        self._pending: _Pending | None = None
        self.label = QLabel()
        self.undo_button = QPushButton("&Undo")
        self.undo_button.setToolTip("Undo (Ctrl+Z)")
        self.undo_button.clicked.connect(self.undo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.undo_button)
        self.timer = QTimer(self, singleShot=True, interval=self.SECONDS * 1000)
        self.timer.timeout.connect(self.finish)
        self.hide()

    @property
    def can_undo(self) -> bool:
        return self._pending is not None

    def delete(self, album: Album) -> None:
        """Take the album out of the list now; its delete becomes final when the time is up."""

        def final(ids: list[str]) -> None:
            for album_id in ids:
                with contextlib.suppress(StoreError):  # gone already
                    self._context.owner.delete_album(album_id)

        self._defer(
            f"“{album.title}” deleted.",
            _Pending(
                self._albums.hidden,
                [album.id],
                self._albums.refresh,
                final,
                lambda: self.restored.emit(album.id),
            ),
        )

    def remove_photos(self, photos: list[Photo]) -> None:
        """Take the photos out of the grid now; their removal becomes final when the time is
        up (then the album's cover moves on to the next photo, see Store.remove_photos)."""
        if not photos:
            return

        def final(ids: list[str]) -> None:
            self._context.owner.remove_photos(ids)

        self._defer(
            f"{count(len(photos), 'photo')} removed from the album.",
            _Pending(self._photos.hidden, [p.id for p in photos], self._photos.refresh, final, _no),
        )

    def _defer(self, message: str, pending: _Pending) -> None:
        self.finish()  # one undo at a time: an earlier delete becomes final now
        self._pending = pending
        pending.hidden.update(pending.ids)
        pending.refresh()
        self.label.setText(message)
        self.show()
        self.timer.start()
        self._context.events.albums_changed.emit()  # the heading and the actions follow

    def undo(self) -> None:
        """Bring back what was deleted last (an album says so through `restored`)."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        self.timer.stop()
        self.hide()
        pending.hidden.difference_update(pending.ids)
        pending.refresh()
        pending.undone()
        self._context.events.albums_changed.emit()

    def finish(self) -> None:
        """Make a pending delete final: from here on the server is told."""
        self.timer.stop()
        self.hide()
        pending, self._pending = self._pending, None
        if pending is None:
            return
        pending.hidden.difference_update(pending.ids)
        pending.make_final(pending.ids)


def _no() -> None:
    """Nothing more to do after an undo."""
