"""The photo grid's view: square cells that fill the width at any width, a size the owner
chooses, drops from the file manager, and reordering by dragging.

The owner chooses a cell size (`cell`, a slider and Ctrl+− / Ctrl++ / Ctrl+0); the grid then
takes the nearest whole number of columns for its width and shares the width between them, so
rows are always full and no strip is left empty on the right.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QListView, QWidget

from albumen.ui.photo_delegate import PhotoDelegate
from albumen.ui.photo_drag import PHOTO_MIME, photo_ids_of

CELL_DEFAULT = 220  # pixels a side: three photos across a 1024-pixel screen, four at 1600
CELL_MIN = 120
CELL_MAX = 480  # thumbnails are 320 px per unit of pixel ratio: larger cells are for the loupe
CELL_STEP = 20  # the slider's step


def columns_for(width: int, cell: int) -> int:
    """How many columns of about `cell` pixels fill `width`: the nearest count, at least one."""
    return max(1, (2 * width + cell) // (2 * cell))


def cell_edge(width: int, columns: int) -> int:
    """The side of a cell when `columns` of them share `width`.

    Qt's icon-mode layout wraps an item that would end exactly at the right edge (it compares
    with the last pixel, width − 1): with `width // columns` the last column wrapped whenever
    the division was exact, leaving one column short and half the pane empty. So the columns
    share width − 1 pixels."""
    return max(1, (width - 1) // max(1, columns))


class PhotoGridView(QListView):
    """Files and folders dropped from the file manager come out as `files_dropped`; photos
    dragged within the grid come out as `photos_moved` while `reorderable` (the grid shows the
    album's own order, so what is dragged is what viewers will see)."""

    files_dropped = Signal(list)  # list[Path]
    photos_moved = Signal(list, int)  # photo ids, row they land on
    cell_changed = Signal(int)  # the chosen cell size, in pixels

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reorderable = True
        self._cell = CELL_DEFAULT
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setGridSize(QSize(CELL_DEFAULT, CELL_DEFAULT))
        self.setSpacing(0)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(200)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)  # drops land on the viewport, as Qt documents
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setItemDelegate(PhotoDelegate(self))
        self.setAccessibleName("Photos")
        self.setWordWrap(False)
        # Always there, so the cells sized to the width never flip it on and off.
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)

    # -- size ----------------------------------------------------------------------------------

    @property
    def cell(self) -> int:
        """The cell size the owner chose; the cells drawn are the nearest that fill the width."""
        return self._cell

    def set_cell(self, cell: int) -> None:
        cell = max(CELL_MIN, min(CELL_MAX, int(cell)))
        if cell != self._cell:
            self._cell = cell
            self._fit()
            self.cell_changed.emit(cell)

    def columns(self) -> int:
        return columns_for(self.viewport().width(), self._cell)

    def zoom(self, step: int) -> None:
        """Bigger photos (`step` 1: one column fewer) or smaller (−1: one more), so every key
        press changes what is seen; within CELL_MIN and CELL_MAX."""
        width = self.viewport().width()
        columns = max(1, self.columns() - step)
        self.set_cell(round(width / columns))

    def zoom_reset(self) -> None:
        self.set_cell(CELL_DEFAULT)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        self._fit()
        super().resizeEvent(event)

    def _fit(self) -> None:
        """Cells share the width evenly: full rows, no ragged gap on the right."""
        width = self.viewport().width()
        edge = cell_edge(width, columns_for(width, self._cell))
        if edge != self.gridSize().width():
            self.setGridSize(QSize(edge, edge))

    # -- drops ---------------------------------------------------------------------------------

    def _accepts(self, event: QDragEnterEvent | QDragMoveEvent) -> bool:
        mime = event.mimeData()
        return mime.hasUrls() or (self.reorderable and mime.hasFormat(PHOTO_MIME))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self._accepts(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if self._accepts(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        mime = event.mimeData()
        ids = photo_ids_of(mime)
        if ids is not None:
            if not self.reorderable:
                event.ignore()
                return
            target = self.indexAt(event.position().toPoint())
            row = target.row() if target.isValid() else self.model().rowCount()
            self.photos_moved.emit(ids, row)
            event.setDropAction(Qt.DropAction.CopyAction)  # the model moves; the view must not
            event.accept()
            return
        paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
        if paths:
            self.files_dropped.emit(paths)
            event.acceptProposedAction()
        else:
            event.ignore()
