"""The loupe's picture: the photo fitted to the window, or at 100 % to judge its focus.

At 100 % one pixel of the photo is one pixel of the screen (device pixels: on a 2× display the
photo is not blown up), around a point of the photo that stays put while the owner steps through
a burst, so the same eye of the same face is compared from frame to frame, as Lightroom's and
Photo Mechanic's loupes do. The photo's own pixels are decoded on demand by the loupe
(`show_full`); until they come, the picture the loupe has is enlarged in their place.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QColorSpace, QImage, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QWidget

from albumen.core.thumbnails import UprightPicture

BACKGROUND = Qt.GlobalColor.black
_BAND_BYTES = 2 << 20  # a band of rows copied at once (see picture_image)


class LoupeCanvas(QWidget):
    """Paints the photo fitted to its size, centred on black, or at 100 % around `centre`; a
    message when there is none."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.enlarge = False  # a stand-in thumbnail is stretched; the real photo never is
        self.message = ""
        self.photo_id = ""
        self.full: QImage | None = None
        """The photo's own pixels, for 100 %; None until decoded."""
        self.full_size = QSize()
        """The photo's size in pixels, upright (from its metadata, then from `full`)."""
        self.zoomed = False
        self.centre = QPointF(0.5, 0.5)
        """The point of the photo at the middle of the view at 100 %, in fractions of its size."""
        self._scaled: tuple[int, QSize, QPixmap] | None = None

    def show_image(
        self,
        image: QImage | None,
        *,
        enlarge: bool,
        message: str = "",
        photo_id: str = "",
        full_size: QSize | None = None,
    ) -> None:
        """A picture of the photo `photo_id`, of `full_size` pixels; for another photo than the
        one before, its 100 % pixels go. The zoom and its centre stay: the next frame of a burst
        is looked at where the last one was."""
        if photo_id != self.photo_id:
            self.full = None
            self.full_size = QSize()
        self.photo_id = photo_id
        if self.full is None and full_size is not None:
            self.full_size = full_size
        self.image, self.enlarge, self.message = image, enlarge, message
        self._scaled = None
        self.update()

    def show_full(self, photo_id: str, image: QImage) -> None:
        """The photo's own pixels have come (ignored when another photo is in view now)."""
        if photo_id != self.photo_id or image.isNull():
            return
        self.full = image
        self.full_size = image.size()
        self.update()

    # -- zoom and pan --------------------------------------------------------------------------

    def can_zoom(self) -> bool:
        """Whether 100 % shows more of the photo than fitting it does: it has more pixels than
        the view has device pixels for it. Known from its size alone, before any picture of it
        has come (stepping through a burst at 100 % under load stays at 100 %)."""
        if self.full_size.isEmpty() or self.width() <= 0 or self.height() <= 0:
            return False
        view = QSizeF(self.size()) * self.devicePixelRatioF()
        shown = QSizeF(self.full_size).scaled(view, Qt.AspectRatioMode.KeepAspectRatio)
        return self.full_size.width() > math.ceil(shown.width())

    def zoom_in(self, at: QPointF | None = None) -> bool:
        """100 % around the point of the photo under `at` (a point of this widget), or around
        the last centre; False when there is nothing more to see."""
        if not self.can_zoom():
            return False
        fitted = QRectF(self.fitted())
        if at is not None and not fitted.isEmpty():
            self.centre = QPointF(
                min(1.0, max(0.0, (at.x() - fitted.left()) / fitted.width())),
                min(1.0, max(0.0, (at.y() - fitted.top()) / fitted.height())),
            )
        self.zoomed = True
        self.update()
        return True

    def zoom_out(self) -> None:
        self.zoomed = False
        self.update()

    def pan(self, dx: float, dy: float) -> None:
        """Moves the view by (dx, dy) logical pixels of the screen over the photo at 100 %."""
        if not self.zoomed or self.full_size.isEmpty():
            return
        ratio = self.devicePixelRatioF()
        self.centre = QPointF(
            self.centre.x() + dx * ratio / self.full_size.width(),
            self.centre.y() + dy * ratio / self.full_size.height(),
        )
        self.update()

    def source(self) -> QRectF:
        """The part of the photo shown at 100 %, in its pixels: the view's size in device
        pixels around `centre`, kept inside the photo (and `centre` with it)."""
        ratio = self.devicePixelRatioF()
        view = QSizeF(self.width() * ratio, self.height() * ratio)
        width, height = self.full_size.width(), self.full_size.height()
        shown_w, shown_h = min(view.width(), width), min(view.height(), height)
        left = min(max(0.0, self.centre.x() * width - shown_w / 2), width - shown_w)
        top = min(max(0.0, self.centre.y() * height - shown_h / 2), height - shown_h)
        self.centre = QPointF((left + shown_w / 2) / width, (top + shown_h / 2) / height)
        return QRectF(left, top, shown_w, shown_h)

    # -- painting ------------------------------------------------------------------------------

    def fitted(self) -> QRect:
        """Where the photo is drawn when fitted: as large as fits, never beyond its own pixels."""
        if self.image is None or self.image.isNull():
            return QRect()
        ratio = self.devicePixelRatioF()
        natural = QSize(
            math.ceil(self.image.width() / ratio), math.ceil(self.image.height() / ratio)
        )
        size = natural.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        if not self.enlarge and size.width() > natural.width():
            size = natural
        left, top = (self.width() - size.width()) // 2, (self.height() - size.height()) // 2
        return QRect(left, top, size.width(), size.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        if self.zoomed and not self.full_size.isEmpty():
            self._paint_zoomed(painter)
        else:
            target = self.fitted()
            if self.image is not None and not target.isEmpty():
                painter.drawPixmap(target, self._pixmap(target.size()))
        if self.message:
            painter.setPen(Qt.GlobalColor.lightGray)
            painter.drawText(
                self.rect().adjusted(24, 24, -24, -24),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self.message,
            )

    def _paint_zoomed(self, painter: QPainter) -> None:
        source = self.source()
        ratio = self.devicePixelRatioF()
        size = QSizeF(source.width() / ratio, source.height() / ratio)
        target = QRectF(
            QPointF((self.width() - size.width()) / 2, (self.height() - size.height()) / 2), size
        )
        if self.full is not None:
            painter.drawImage(target, self.full, source)  # one pixel on one pixel: no scaling
            return
        if self.image is None:
            return  # neither the photo's pixels nor a picture of it yet: black until they come
        scale = self.image.width() / self.full_size.width()  # the stand-in, enlarged
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        stand_in = QRectF(
            source.left() * scale,
            source.top() * scale,
            source.width() * scale,
            source.height() * scale,
        )
        painter.drawImage(target, self.image, stand_in)

    def _pixmap(self, size: QSize) -> QPixmap:
        """The photo scaled once per size (smoothly), not at every repaint."""
        assert self.image is not None
        key = self.image.cacheKey()
        if self._scaled is None or self._scaled[:2] != (key, size):
            ratio = self.devicePixelRatioF()
            scaled = self.image.scaled(
                size * ratio,
                Qt.AspectRatioMode.IgnoreAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            pixmap = QPixmap.fromImage(scaled)
            pixmap.setDevicePixelRatio(ratio)
            self._scaled = (key, size, pixmap)
        return self._scaled[2]


def picture_image(picture: UprightPicture) -> QImage:
    """A decoded photo's pixels as a QImage (made off the GUI thread), with its colour profile,
    as Qt reads one from a JPEG for the fitted view. Copied a band of rows at a time: a copy
    holds the interpreter's lock, and 72 MB at once (24 MP) held the GUI thread 40 ms."""
    with picture.image as rgb:
        width, height = rgb.size
        image = QImage(width, height, QImage.Format.Format_RGB888)
        line = image.bytesPerLine()
        pixels = memoryview(image.bits())  # writable: the QImage owns its pixels
        band = max(1, _BAND_BYTES // (3 * width))
        for top in range(0, height, band):
            rows = rgb.crop((0, top, width, min(height, top + band))).tobytes()
            if line == 3 * width:
                pixels[top * line : top * line + len(rows)] = rows
            else:  # rows padded to 4 bytes
                for row in range(len(rows) // (3 * width)):
                    start = (top + row) * line
                    pixels[start : start + 3 * width] = rows[
                        row * 3 * width : (row + 1) * 3 * width
                    ]
    if picture.profile:
        image.setColorSpace(QColorSpace.fromIccProfile(picture.profile))
    return image
