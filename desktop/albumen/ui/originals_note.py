"""One album's "Viewable now, originals n of m" while its originals are still on their way:
its links show every photo already (from their web sizes). The rule and its words are the
core's (`album_state.originals_arriving`); this label follows the sync and hides otherwise."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QLabel, QWidget

from albumen.core.album_state import originals_arriving
from albumen.core.store import StoreError
from albumen.ui.context import AppContext


class OriginalsNote(QLabel):
    def __init__(self, context: AppContext, album_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.album_id = album_id
        self.setWordWrap(True)
        sync = context.sync
        sync.photo_previewed.connect(self._photo_changed)
        sync.photo_uploaded.connect(self._photo_changed)
        sync.finished.connect(self._finished)
        self.refresh()

    def refresh(self) -> None:
        try:
            text = originals_arriving(self.context.store.album(self.album_id))
        except StoreError:  # deleted meanwhile
            text = None
        self.setText(f"{text.capitalize()}." if text else "")
        self.setVisible(text is not None)

    @Slot(str, str)
    def _photo_changed(self, _photo_id: str, album_id: str) -> None:
        if album_id == self.album_id:
            self.refresh()

    @Slot(object)
    def _finished(self, _report: object) -> None:
        self.refresh()
