"""How one photo is drawn in the grid: the thumbnail fitted in its cell, the file name under
it, the upload state as a badge or a bar, a "Cover" tag on the album's cover, a heart with how
many viewers picked the photo, the title of its section (the album's part it is in) in a tag at
its bottom left, and a ring round the current photo while the grid has the keyboard focus.

The ring is drawn in the palette's text colour, not the selection colour: a keyboard user
moving through a selection must see which photo the next key acts on, and a ring in the
selection's own colour would vanish against a selected photo.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from albumen.core.model import Photo, PhotoState
from albumen.ui.photo_grid import (
    CoverRole,
    IncomingRole,
    NoPictureRole,
    PhotoRole,
    PickCountRole,
    PickNotesRole,
    ProgressRole,
)
from albumen.ui.pixmap_budget import PixmapBudget

Index = QModelIndex | QPersistentModelIndex

COVER_TEXT = "Cover"
PICKED_MARK = "♥"
NOTED_MARK = "✎"
PICKED_COLOUR = QColor(255, 120, 150)
SECTION_BADGE_ROOM = 24  # the upload state's badge, in the picture's bottom right corner
_STATE_COLOURS = {
    PhotoState.UPLOADED: QColor(52, 168, 83),
    PhotoState.FAILED: QColor(217, 48, 37),
    PhotoState.CHANGED: QColor(242, 153, 0),
    PhotoState.MISSING: QColor(217, 48, 37),
}


def shows_focus(option: QStyleOptionViewItem) -> bool:
    """Whether the cell is the current photo of a grid that has the focus."""
    return bool(option.state & QStyle.StateFlag.State_HasFocus)


SCALED_BUDGET = 64 << 20
"""Bytes of thumbnails kept at the size they were last drawn: several screenfuls (some 580
cells of the default size on an ordinary screen, 145 on a Retina one)."""


_scaled: PixmapBudget[tuple[int, int, int, float]] = PixmapBudget(SCALED_BUDGET)
"""Thumbnails as last drawn, by the pixmap they were scaled from, the size and the ratio."""


def fitted(pixmap: QPixmap, size: QSize, pixel_ratio: float = 1.0) -> QPixmap:
    """The thumbnail scaled (smoothly) to fit `size` on a screen of `pixel_ratio` (2 on a
    Retina display): as many pixels as the screen has there, marked with the ratio so that Qt
    draws them one to one, instead of a copy at the logical size that the screen then blows up.
    Made once per pixmap and size: scaling every visible cell on every repaint was the GUI
    thread's largest cost while scrolling during an upload, whose progress repaints cells many
    times a second."""
    key = (pixmap.cacheKey(), size.width(), size.height(), pixel_ratio)
    scaled = _scaled.get(key)
    if scaled is None:
        scaled = pixmap.scaled(
            round(size.width() * pixel_ratio),
            round(size.height() * pixel_ratio),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        scaled.setDevicePixelRatio(pixel_ratio)
        _scaled.keep(key, scaled)
    return scaled


class PhotoDelegate(QStyledItemDelegate):
    """Paints a cell of `PhotoGridView`; its size is the view's grid size."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        view = self.parent()
        return view.gridSize() if isinstance(view, QListView) else QSize(196, 196)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        photo: Photo | None = index.data(PhotoRole)
        if photo is None:
            incoming = index.data(IncomingRole)
            if incoming:
                self._paint_incoming(painter, option, incoming)
            return
        painter.save()
        rect: QRect = option.rect
        palette: QPalette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        inner = rect.adjusted(7, 7, -7, -27)
        if selected:
            highlight = palette.color(QPalette.ColorRole.Highlight)
            painter.fillRect(rect.adjusted(3, 3, -3, -3), highlight)
        picture = inner
        pixmap = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(pixmap, QPixmap) and not pixmap.isNull():
            scaled = fitted(pixmap, inner.size(), painter.device().devicePixelRatioF())
            shown = scaled.deviceIndependentSize().toSize()
            x = inner.left() + (inner.width() - shown.width()) // 2
            y = inner.top() + (inner.height() - shown.height()) // 2
            painter.drawPixmap(x, y, scaled)
            picture = QRect(x, y, shown.width(), shown.height())
        else:
            painter.fillRect(inner, QColor(128, 128, 128, 45))
            if index.data(NoPictureRole):  # the reason is in the cell's tooltip
                painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
                painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, "No preview")
        progress = index.data(ProgressRole)
        if photo.section:
            self._section_tag(painter, picture, photo.section, lifted=progress is not None)
        self._badge(painter, picture, photo, progress)
        if index.data(CoverRole):
            self._cover_tag(painter, picture)
        picked = index.data(PickCountRole)
        if picked:
            self._pick_tag(painter, picture, picked, noted=bool(index.data(PickNotesRole)))
        text_rect = QRect(rect.left() + 6, inner.bottom() + 4, rect.width() - 12, 18)
        painter.setPen(
            palette.color(
                QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
            )
        )
        painter.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(
                photo.filename, Qt.TextElideMode.ElideMiddle, text_rect.width()
            ),
        )
        if shows_focus(option):
            self._focus_ring(painter, rect, palette)
        painter.restore()

    @staticmethod
    def _paint_incoming(painter: QPainter, option: QStyleOptionViewItem, name: str) -> None:
        """A file still being checked: an empty frame with its name, "Checking…" inside."""
        painter.save()
        rect: QRect = option.rect
        inner = rect.adjusted(7, 7, -7, -27)
        painter.fillRect(inner, QColor(128, 128, 128, 30))
        text = option.palette.color(QPalette.ColorRole.PlaceholderText)
        painter.setPen(text)
        painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, "Checking…")
        label = QRect(rect.left() + 6, inner.bottom() + 4, rect.width() - 12, 18)
        painter.drawText(
            label,
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
            painter.fontMetrics().elidedText(name, Qt.TextElideMode.ElideMiddle, label.width()),
        )
        painter.restore()

    @staticmethod
    def _focus_ring(painter: QPainter, rect: QRect, palette: QPalette) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Text), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(rect).adjusted(1.5, 1.5, -1.5, -1.5), 4, 4)

    @staticmethod
    def _tag(
        painter: QPainter, picture: QRect, text: str, *, right: bool = False, mark: str = ""
    ) -> None:
        """A small dark tag in a top corner of the photo, readable on any photo; `mark`, in
        colour, before the text."""
        metrics = painter.fontMetrics()
        lead = metrics.horizontalAdvance(mark + " ") if mark else 0
        width = lead + metrics.horizontalAdvance(text) + 12
        left = picture.right() - 5 - width if right else picture.left() + 5
        tag = QRect(left, picture.top() + 5, width, metrics.height() + 4)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 170))
        painter.drawRoundedRect(QRectF(tag), 4, 4)
        inner = tag.adjusted(6, 0, -6, 0)
        if mark:
            painter.setPen(PICKED_COLOUR)
            painter.drawText(inner, Qt.AlignmentFlag.AlignVCenter, mark)
            inner.setLeft(inner.left() + lead)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(inner, Qt.AlignmentFlag.AlignCenter, text)

    @classmethod
    def _cover_tag(cls, painter: QPainter, picture: QRect) -> None:
        cls._tag(painter, picture, COVER_TEXT)

    @classmethod
    def _pick_tag(cls, painter: QPainter, picture: QRect, picked: int, *, noted: bool) -> None:
        """How many viewers picked the photo, in its top-right corner; a pen when one of them
        wrote a note on it (the tooltip and the picks panel have the words)."""
        text = f"{picked} {NOTED_MARK}" if noted else str(picked)
        cls._tag(painter, picture, text, right=True, mark=PICKED_MARK)

    @staticmethod
    def _section_tag(painter: QPainter, picture: QRect, title: str, *, lifted: bool) -> None:
        """The photo's section in a small dark tag at its bottom left, as wide as the title
        but leaving the state badge its corner (a long title is cut in the middle: its start
        and end tell sections apart), above the progress bar while the photo uploads."""
        metrics = painter.fontMetrics()
        room = picture.width() - 10 - SECTION_BADGE_ROOM - 12
        if room < metrics.horizontalAdvance("M…M"):
            return  # a cell too small to say anything readable
        text = metrics.elidedText(title, Qt.TextElideMode.ElideMiddle, room)
        height = metrics.height() + 4
        bottom = picture.bottom() - (14 if lifted else 5)
        tag = QRect(
            picture.left() + 5, bottom - height, metrics.horizontalAdvance(text) + 12, height
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 170))
        painter.drawRoundedRect(QRectF(tag), 4, 4)
        painter.setPen(QColor(255, 255, 255))
        painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, text)

    @staticmethod
    def _badge(painter: QPainter, inner: QRect, photo: Photo, progress: float | None) -> None:
        if photo.state is PhotoState.UPLOADING or progress is not None:
            bar = QRect(inner.left() + 6, inner.bottom() - 10, inner.width() - 12, 5)
            painter.fillRect(bar, QColor(0, 0, 0, 110))
            done = QRect(bar.left(), bar.top(), int(bar.width() * (progress or 0.0)), bar.height())
            painter.fillRect(done, QColor(64, 156, 255))
            return
        colour = _STATE_COLOURS.get(photo.state)
        if colour is None:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(colour)
        painter.setPen(QColor(255, 255, 255))
        dot = QRect(inner.right() - 20, inner.bottom() - 20, 14, 14)
        painter.drawEllipse(dot)
        mark = "✓" if photo.state is PhotoState.UPLOADED else "!"
        painter.drawText(dot, Qt.AlignmentFlag.AlignCenter, mark)
