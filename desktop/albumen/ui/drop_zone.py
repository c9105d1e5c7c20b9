"""The empty album (and the empty app) as a place to drop photos: a dashed area with a picture,
"Drop photos or folders here", and the button that does the same by the keyboard.

Shown instead of the grid while the album has no photos, so the first thing a photographer sees
says what to do; the grid itself also takes drops once it has photos.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget


class _Picture(QWidget):
    """A stack of two photos with a mountain and a sun, drawn in the palette's colours."""

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(120, 96)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        del event
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ink = self.palette().color(QPalette.ColorRole.PlaceholderText)
        accent = self.palette().color(QPalette.ColorRole.Highlight)
        painter.setPen(QPen(ink, 2.5))
        back = QRectF(30, 8, 80, 60)
        painter.save()
        painter.translate(back.center())
        painter.rotate(8)
        painter.translate(-back.center())
        painter.drawRoundedRect(back, 6, 6)
        painter.restore()
        front = QRectF(10, 24, 84, 62)
        painter.setBrush(self.palette().color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(front, 6, 6)
        mountain = QPainterPath()
        mountain.moveTo(front.left() + 8, front.bottom() - 8)
        mountain.lineTo(front.left() + 34, front.top() + 26)
        mountain.lineTo(front.left() + 50, front.top() + 42)
        mountain.lineTo(front.left() + 60, front.top() + 32)
        mountain.lineTo(front.right() - 8, front.bottom() - 8)
        mountain.closeSubpath()
        painter.setBrush(QColor(accent.red(), accent.green(), accent.blue(), 90))
        painter.drawPath(mountain)
        painter.setBrush(QColor(accent))
        painter.setPen(Qt.PenStyle.NoPen)
        painter.drawEllipse(QRectF(front.right() - 26, front.top() + 10, 12, 12))


class DropZone(QWidget):
    """Drops of files and folders come out as `files_dropped`; the button as `add_clicked`."""

    files_dropped = Signal(list)  # list[Path]
    add_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._hovering = False
        self.title = QLabel("Drop photos or folders here")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.title.setFont(font)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = QLabel(
            "JPEG, HEIC, PNG, WebP, TIFF and camera RAW files, at full resolution.\n"
            "Albumen never changes your files."
        )
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setEnabled(False)
        self.add_button = QPushButton("A&dd photos…")
        self.add_button.clicked.connect(self.add_clicked)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(_Picture(), 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addSpacing(12)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addSpacing(12)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        del event
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        role = QPalette.ColorRole.Highlight if self._hovering else QPalette.ColorRole.Mid
        pen = QPen(self.palette().color(role), 2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(8, 8, -8, -8), 12, 12)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            self._hovering = True
            self.update()
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: object) -> None:  # noqa: N802
        del event
        self._hovering = False
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self._hovering = False
        self.update()
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.files_dropped.emit(paths)
            event.acceptProposedAction()
        else:
            event.ignore()
