"""The album list on the left: cover, title, photo count, state at a glance, links' count, and
how many lists of picks its viewers sent.

Read from the local store, so it works with no network. Files dropped on an album are added
to that album.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QImage,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from albumen.core.album_state import album_state
from albumen.core.model import Album
from albumen.core.store import StoreError
from albumen.core.wording import count
from albumen.ui.context import AppContext

AlbumRole = Qt.ItemDataRole.UserRole + 1
StateTextRole = Qt.ItemDataRole.UserRole + 2
COVER_EDGE = 56

Index = QModelIndex | QPersistentModelIndex


def picks_text(album: Album) -> str:
    """How many viewers sent their favourites, in words: "2 lists of picks"."""
    return count(album.pick_count, "list of picks", "lists of picks")


class AlbumListModel(QAbstractListModel):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._albums: list[Album] = []
        self._covers: dict[str, QPixmap] = {}
        self._cover_requested: set[str] = set()
        self.offline = False
        self.held = "Offline"  # why the queue waits, while `offline`
        self.hidden: set[str] = set()  # deleted, waiting out the time to undo
        self.refresh()

    def refresh(self) -> None:
        """Reload from the store; the list is short, a reset keeps it simple and exact."""
        fresh = [a for a in self.context.store.albums() if a.id not in self.hidden]
        if fresh and [a.id for a in fresh] == [a.id for a in self._albums]:
            self._albums = fresh  # same albums: update in place, the selection stays
            self.dataChanged.emit(self.index(0), self.index(len(fresh) - 1))
            return
        self.beginResetModel()
        self._albums = fresh
        self.endResetModel()

    def set_offline(self, offline: bool, held: str = "Offline") -> None:
        """Whether the queue waits, and why in a word (`album_state`'s `held`)."""
        if (offline, held) != (self.offline, self.held):
            self.offline, self.held = offline, held
            if self._albums:
                self.dataChanged.emit(self.index(0), self.index(len(self._albums) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._albums)

    def album_at(self, row: int) -> Album:
        return self._albums[row]

    def row_of(self, album_id: str) -> int | None:
        for row, album in enumerate(self._albums):
            if album.id == album_id:
                return row
        return None

    def album_changed(self, album_id: str) -> None:
        """One album's counts moved on (an upload finished): re-read just that row."""
        row = self.row_of(album_id)
        if row is None:
            return
        try:
            self._albums[row] = self.context.store.album(album_id)
        except StoreError:
            return
        self.dataChanged.emit(self.index(row), self.index(row))

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._albums):
            return None
        album = self._albums[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return album.title
        if role == StateTextRole:
            return album_state(album, self.offline, self.held)
        if role == AlbumRole:
            return album
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                f"{album.title}\n{count(album.photo_count, 'photo')} · "
                f"{album_state(album, self.offline, self.held)} · {album.link_count} links"
                + (f" · {picks_text(album)} from viewers" if album.pick_count else "")
            )
        if role == Qt.ItemDataRole.AccessibleTextRole:
            picks = f", {picks_text(album)}" if album.pick_count else ""
            return (
                f"{album.title}, {album.photo_count} photos, "
                f"{album_state(album, self.offline, self.held)}{picks}"
            )
        if role == Qt.ItemDataRole.DecorationRole:
            return self._cover(album)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDropEnabled if index.isValid() else base

    def _cover(self, album: Album) -> QPixmap | None:
        if album.cover_photo_id is None:
            return None
        key = album.cover_photo_id
        if key in self._covers:
            return self._covers[key]
        if key not in self._cover_requested:
            self._cover_requested.add(key)
            photo = self.context.store.find_photo(key)
            if photo is not None:
                thumbnails = self.context.thumbnails

                def load() -> object:
                    path = thumbnails.get(photo.path, photo.sha256, thumbnails.grid_edge)
                    return QImage(str(path))

                def done(image: object, error: BaseException | None) -> None:
                    if error is None and image is not None:
                        self._covers[key] = QPixmap.fromImage(cast(QImage, image))
                        row = self.row_of(album.id)
                        if row is not None:
                            self.dataChanged.emit(self.index(row), self.index(row))

                self.context.runner.run_image(load, done)
        return None


class AlbumDelegate(QStyledItemDelegate):
    """Cover on the left; title (and ♥ with the lists of picks), then count · state · links
    in a quieter line."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        # Narrow: the rows take the list's width, and a narrow list (the window's side panes
        # give way to the photos) elides the text instead of scrolling sideways.
        return QSize(COVER_EDGE + 60, COVER_EDGE + 16)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        album: Album | None = index.data(AlbumRole)
        if album is None:
            return
        painter.save()
        palette = option.palette
        rect: QRect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        cover_rect = QRect(rect.left() + 8, rect.top() + 8, COVER_EDGE, COVER_EDGE)
        cover = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(cover, QPixmap) and not cover.isNull():
            # Cropped from as many pixels as the screen has there (twice as many on a Retina
            # display), which the painter puts into the cover's logical square one to one.
            edge = round(COVER_EDGE * painter.device().devicePixelRatioF())
            scaled = cover.scaled(
                edge,
                edge,
                Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                Qt.TransformationMode.SmoothTransformation,
            )
            source = QRect((scaled.width() - edge) // 2, (scaled.height() - edge) // 2, edge, edge)
            painter.drawPixmap(cover_rect, scaled, source)
        else:
            painter.fillRect(cover_rect, QColor(128, 128, 128, 60))
        left = cover_rect.right() + 10
        title_font = QFont(option.font)
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(text_color)
        title_rect = QRect(left, rect.top() + 10, rect.right() - left - 6, 22)
        if album.pick_count:  # at the end of the title line, where a narrow list keeps it
            picks = f"♥ {album.pick_count}"
            room = painter.fontMetrics().horizontalAdvance(picks)
            painter.drawText(
                title_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, picks
            )
            title_rect.setRight(title_rect.right() - room - 8)
        metrics = painter.fontMetrics()
        painter.drawText(
            title_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(album.title, Qt.TextElideMode.ElideRight, title_rect.width()),
        )
        title_rect.setRight(rect.right() - 6)
        painter.setFont(option.font)
        muted = QColor(text_color)
        muted.setAlpha(170)
        painter.setPen(muted)
        state = index.data(StateTextRole)
        detail = f"{count(album.photo_count, 'photo')} · {state}"
        if album.link_count:
            detail += f" · {album.link_count} link{'s' if album.link_count > 1 else ''}"
        detail_rect = QRect(left, title_rect.bottom() + 2, title_rect.width(), 20)
        painter.drawText(
            detail_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(
                detail, Qt.TextElideMode.ElideRight, detail_rect.width()
            ),
        )
        painter.restore()


class AlbumListView(QListView):
    files_dropped = Signal(str, list)  # album id, list[Path]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(AlbumDelegate(self))
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)  # drops land on the viewport, as Qt documents
        self.setDropIndicatorShown(True)
        self.setUniformItemSizes(True)
        self.setAccessibleName("Albums")
        self.setEditTriggers(QListView.EditTrigger.NoEditTriggers)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and self.indexAt(event.position().toPoint()).isValid():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        index = self.indexAt(event.position().toPoint())
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if index.isValid() and paths:
            album: Album = index.data(AlbumRole)
            self.files_dropped.emit(album.id, paths)
            event.acceptProposedAction()
        else:
            event.ignore()
