"""Ten seconds to undo an album delete: the album leaves the list at once, but the store (and so
the server, which kills its links) is only told when the time is up or the app quits.

Until then the album is only hidden from the list (`AlbumListModel.hidden`): undoing costs
nothing and the server never hears of it.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from albumen.core.model import Album
from albumen.core.store import StoreError
from albumen.ui.album_list import AlbumListModel
from albumen.ui.context import AppContext


class UndoBar(QWidget):
    """'Album deleted — Undo' for a few seconds; the store is only told when they have passed."""

    SECONDS = 10

    restored = Signal(str)  # the id of an album brought back by an undo

    def __init__(
        self, context: AppContext, albums: AlbumListModel, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._albums = albums
        self._deleting: list[str] = []
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

    def delete(self, album: Album) -> None:
        """Take the album out of the list now; its delete becomes final when the time is up."""
        self.finish()  # one undo at a time: an earlier delete becomes final now
        self._deleting.append(album.id)
        self._albums.hidden.add(album.id)
        self.label.setText(f"“{album.title}” deleted.")
        self.show()
        self.timer.start()

    def undo(self) -> None:
        """Bring the album back into the list (and say so through `restored`)."""
        if not self._deleting:
            return
        album_id = self._deleting.pop()
        self.timer.stop()
        self.hide()
        self._albums.hidden.discard(album_id)
        self._albums.refresh()
        self.restored.emit(album_id)

    def finish(self) -> None:
        """Make pending deletes final: from here on the server is told."""
        self.timer.stop()
        self.hide()
        while self._deleting:
            album_id = self._deleting.pop()
            self._albums.hidden.discard(album_id)
            with contextlib.suppress(StoreError):  # gone already
                self._context.store.delete_album(album_id)
            self._context.changed(None)
