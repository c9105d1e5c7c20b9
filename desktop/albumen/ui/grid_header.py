"""Above the photos: the album's heading (or, with no album, where to start), how the grid is
sorted and how big its photos are.

The sort button opens the same menu as View ▸ Sort, and the slider does what Ctrl+− and Ctrl++
do, so the mouse and the keyboard reach the same commands. While the grid is sorted by anything
but the album's own order, a line says that only this view is sorted (viewers still see the
album's order) and offers the command that makes this order the album's.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from albumen.core.album_state import album_state
from albumen.core.model import Album
from albumen.core.photo_order import LABELS, PhotoSort
from albumen.core.wording import count
from albumen.ui.grid_view import CELL_MAX, CELL_MIN, CELL_STEP, PhotoGridView
from albumen.ui.photo_grid import PhotoGridModel

NARROW = 560  # pixels: below this the controls take a line under the heading


class GridHeader(QWidget):
    def __init__(self, grid: PhotoGridView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.heading.setWordWrap(True)  # a long title must not hold the window wide
        self.sort_button = QToolButton()
        self.sort_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.sort_button.setAutoRaise(True)
        self.sort_button.setToolTip("How the photos are sorted here (View ▸ Sort)")
        self.size_slider = QSlider(Qt.Orientation.Horizontal)
        self.size_slider.setRange(CELL_MIN, CELL_MAX)
        self.size_slider.setSingleStep(CELL_STEP)
        self.size_slider.setPageStep(2 * CELL_STEP)
        self.size_slider.setValue(grid.cell)
        self.size_slider.setFixedWidth(120)
        self.size_slider.setToolTip("Photo size (Ctrl+− smaller, Ctrl++ larger, Ctrl+0 default)")
        self.size_slider.setAccessibleName("Photo size")
        self.size_slider.valueChanged.connect(grid.set_cell)
        grid.cell_changed.connect(self.size_slider.setValue)
        size_label = QLabel("Size")
        size_label.setBuddy(self.size_slider)
        self.sorted_note = QLabel()
        self.sorted_note.setWordWrap(True)
        self.apply_button = QToolButton()
        note = QHBoxLayout()
        note.setContentsMargins(0, 0, 0, 0)
        note.addWidget(self.sorted_note, 1)
        note.addWidget(self.apply_button)
        self.note = QWidget()
        self.note.setLayout(note)
        self.note.hide()

        self.controls = QWidget()  # shown with an album (see _album_shown)
        controls = QHBoxLayout(self.controls)
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addStretch(1)
        controls.addWidget(self.sort_button)
        controls.addSpacing(12)
        controls.addWidget(size_label)
        controls.addWidget(self.size_slider)
        # Beside the heading, or under it in a narrow pane (see resizeEvent).
        self._top = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._top.addWidget(self.heading, 1)
        self._top.addWidget(self.controls, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._top)
        layout.addWidget(self.note)
        model = grid.model()
        self._model = model if isinstance(model, PhotoGridModel) else None
        if isinstance(model, PhotoGridModel):
            self._album_shown(model)
            model.modelReset.connect(lambda: self._album_shown(model))

    def _album_shown(self, model: PhotoGridModel) -> None:
        """No album, nothing to sort or size."""
        self.controls.setVisible(model.album_id is not None)
        self.note.setVisible(model.album_id is not None and model.order is not PhotoSort.ALBUM)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """The controls go under the heading when beside it they would squeeze it to a few
        words a line."""
        super().resizeEvent(event)
        narrow = event.size().width() < NARROW
        self._top.setDirection(
            QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight
        )

    def show_album(self, album: Album | None, offline: bool, held: str = "Offline") -> None:
        """The album's title, its count and state; with no album, where to start."""
        if album is None:
            self.heading.setText(
                "<h2>Share your photos, privately</h2>Drop a folder to make an album of it, or"
                " start with <b>New album…</b> (Ctrl+N)."
            )
            return
        state = album_state(album, offline, held)
        photos = count(album.photo_count, "photo")
        shown = ""
        model = self._model
        if model is not None and model.picked_only is not None:
            shown = f" · <b>showing the {model.photo_count()} picked</b>"
        if model is not None and model.album_id == album.id and model.incoming_count():
            # Files of a folder being added that are not photos of the album yet: the count
            # above grows as they are checked.
            shown += f" · {count(model.incoming_count(), 'file')} being checked"
        self.heading.setText(f"<h2>{escape(album.title)}</h2>{photos} · {escape(state)}{shown}")

    def set_sort_menu(self, menu: QMenu, apply: QAction) -> None:
        """The View ▸ Sort menu behind the button, and the command that makes a sorted order
        the album's behind the note."""
        self.sort_button.setMenu(menu)
        self.apply_button.setDefaultAction(apply)

    def show_sort(self, sort: PhotoSort) -> None:
        self.sort_button.setText(f"Sort: {LABELS[sort]}")
        self.note.setVisible(self.controls.isVisibleTo(self) and sort is not PhotoSort.ALBUM)
        self.sorted_note.setText(
            f"Sorted by {LABELS[sort].lower()} here only: viewers of the album's links still "
            "see the album's own order."
        )
