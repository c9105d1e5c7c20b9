"""The share dialog's preview of a watermarked link: the album's cover as the link's viewers
will see it, with the text drawn over it (docs/DESIGN.md, "Watermarked links").

Albumen's promise is that the owner sees what a viewer will see, so the text is drawn by the
server's own code (`albumen_photo.watermark.draw`), not by an imitation in Qt: the size, the
opacity and the outline are the ones the gallery will show.

The picture is the cover's small thumbnail, read through the grid's thumbnail cache on the
runner's image pool (`TaskRunner.run_image`), as the album list's covers are, so a photo of
100 megapixels is never decoded on the GUI thread; drawing a line of text on 240 pixels takes a
millisecond or two and is done on the GUI thread, again as the owner types (after a short pause,
so a fast typist does not redraw at every key).
"""

from __future__ import annotations

from PIL import Image
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColorSpace, QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from albumen.core.store import Store
from albumen.core.thumbnails import ThumbnailCache, UprightPicture, upright_picture
from albumen.ui.context import AppContext
from albumen.ui.watermark_box import WatermarkBox
from albumen_photo import watermark

PREVIEW_EDGE = 240
"""The preview's long edge in logical pixels: large enough to read the text, small enough to
sit under the watermark's row without pushing the dialog off a laptop's screen."""
TYPING_PAUSE_MS = 150
"""How long the text must rest before the picture is drawn again."""
WHAT_IT_SHOWS = "How viewers of this link see your photos"


class WatermarkPreview(QWidget):
    """The cover with the watermark of `box` drawn on, shown while the box is checked and its
    text is one the server can draw; hidden otherwise, and for good when the album has no photo
    or its cover cannot be read (the grid says why)."""

    visibility_changed = Signal(bool)
    """Shown or hidden: the dialog holding it fits itself to its new size."""

    def __init__(
        self,
        context: AppContext,
        album_id: str,
        box: WatermarkBox,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.album_id = album_id
        self.box = box
        self.plain: UprightPicture | None = None
        """The cover's picture without the text, once it has been read."""
        self._requested = False
        self._unavailable = False  # no photo, or its thumbnail cannot be made
        self.picture = QLabel()
        self.picture.setAccessibleName(WHAT_IT_SHOWS)
        self.picture.setToolTip(
            f"{WHAT_IT_SHOWS}: the text drawn as the server draws it over every picture of "
            "the link. Your files stay untouched."
        )
        self.picture.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.caption = QLabel(f"{WHAT_IT_SHOWS}: the text over every picture they open.")
        self.caption.setWordWrap(True)
        self.caption.setEnabled(False)  # the quieter colour of a note, as the dialog's others
        self.caption.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.picture, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.caption, 1, Qt.AlignmentFlag.AlignTop)
        self.hide()

        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        self._typing.timeout.connect(self.refresh)
        box.edit.textChanged.connect(self._typing.start)
        box.check.toggled.connect(self._toggled)
        self._typing.start()

    def pixmap(self) -> QPixmap:
        """What the preview shows now (a null pixmap before the first drawing)."""
        return self.picture.pixmap()

    def _toggled(self, checked: bool) -> None:
        """Unchecked: gone at once, not after the typing pause (nothing is to be drawn)."""
        if checked:
            self._typing.start()
        else:
            self._typing.stop()
            self._set_shown(False)

    def refresh(self) -> None:
        """Draw the box's text on the cover and show it; or hide the preview when there is no
        text the server would draw. The cover is read first, off the GUI thread, if need be."""
        text = self.box.text()
        if text is None or watermark.problem(text) is not None or self._unavailable:
            self._set_shown(False)
            return
        if self.plain is None:
            self._request_cover()
            return
        self.picture.setPixmap(_pixmap(watermark.draw(self.plain.image, text), self.plain))
        self._set_shown(True)

    def _request_cover(self) -> None:
        if self._requested:
            return  # the picture is on its way: `refresh` runs again when it comes
        self._requested = True
        store, cache = self.context.store, self.context.thumbnails
        album_id = self.album_id
        # As many device pixels as the screen shows in PREVIEW_EDGE logical ones (a 2× display
        # gets 480); the grid's thumbnail is as sharp as the sharpest screen, so it has them.
        edge = round(PREVIEW_EDGE * max(1.0, self.devicePixelRatioF()))

        def load() -> UprightPicture | None:
            return cover_picture(store, cache, album_id, edge)

        def done(picture: UprightPicture | None, error: BaseException | None) -> None:
            if error is not None or picture is None:
                self._unavailable = True
                self._set_shown(False)
                return
            self.plain = picture
            self.refresh()

        # In the lane of the photo in view: the owner is looking at it, and it must not queue
        # behind a screenful of the grid's thumbnails (usually it is one of them, cached).
        self.context.runner.run_image(load, done, now=True)

    def _set_shown(self, shown: bool) -> None:
        if shown != self.isHidden():
            return  # already so: no signal, the dialog keeps its size
        self.setVisible(shown)
        self.visibility_changed.emit(shown)


def cover_picture(
    store: Store, cache: ThumbnailCache, album_id: str, edge: int
) -> UprightPicture | None:
    """The cover's pixels at `edge` on the long side, from the grid's cached thumbnail (made
    first if it is not there yet); None for an album without photos. Slow the first time
    (a decode of the photo): for a worker thread.

    Raises `ThumbnailError` when the photo cannot be read."""
    photo = store.cover_photo(album_id)
    if photo is None:
        return None
    thumbnail = cache.get(photo.path, photo.sha256, cache.grid_edge)
    return upright_picture(thumbnail, edge)


def _pixmap(drawn: Image.Image, plain: UprightPicture) -> QPixmap:
    """The RGB picture `drawn` as a pixmap PREVIEW_EDGE logical pixels long (sharp on a dense
    screen), in the colour space of the photo it was made from."""
    width, height = drawn.size
    data = drawn.tobytes()  # rows of 3 × width bytes, without padding
    # QImage reads `data` without copying it: `copy()` gives it pixels of its own before `data`
    # goes, and says the rows are 3 × width bytes (Qt's own would be padded to 4).
    image = QImage(data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
    if plain.profile:
        image.setColorSpace(QColorSpace.fromIccProfile(plain.profile))
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(max(1.0, max(width, height) / PREVIEW_EDGE))
    return pixmap
