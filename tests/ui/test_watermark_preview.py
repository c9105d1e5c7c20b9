"""The share dialog shows the owner the album's cover as a watermarked link's viewers will see
it: the text drawn by the server's own code over the cover's thumbnail, while Watermark is on
and its text can be drawn, gone otherwise. Real store, real photos, real thumbnail cache and
task runner."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageChops
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage, QPixmap
from pytestqt.qtbot import QtBot

from albumen.core.model import Photo
from albumen.core.scan import scan
from albumen.core.thumbnails import upright_picture
from albumen.ui.context import AppContext
from albumen.ui.share_dialog import ShareDialog
from albumen.ui.watermark_preview import PREVIEW_EDGE, WHAT_IT_SHOWS
from albumen_photo import watermark
from tests.support import photo_jpeg

TEXT = "© Anna Berg"
BLUE, GREEN = (40, 90, 200), (60, 170, 80)


def _album(context: AppContext, folder: Path) -> tuple[str, list[Photo]]:
    """An album of two photos of 1200 × 800 (a blue one, then a green one), the green one its
    cover: the preview must show the cover, not merely the first photo."""
    folder.mkdir()
    (folder / "IMG_1.jpg").write_bytes(photo_jpeg((1200, 800), colour=BLUE, seed=1))
    (folder / "IMG_2.jpg").write_bytes(photo_jpeg((1200, 800), colour=GREEN, seed=2))
    album = context.store.create_album("Proofs")
    context.store.add_photos(album.id, scan([folder]).photos)
    photos = context.store.photos(album.id)
    context.store.set_cover(album.id, photos[1].id)
    return album.id, photos


def _open(qtbot: QtBot, context: AppContext, album_id: str) -> ShareDialog:
    dialog = ShareDialog(context, album_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _pil(pixmap: QPixmap) -> Image.Image:
    """The pixmap's pixels, to compare with Pillow's (rows padded as Qt pads them)."""
    image = pixmap.toImage().convertToFormat(QImage.Format.Format_RGB888)
    data = bytes(image.constBits())
    size = (image.width(), image.height())
    return Image.frombuffer("RGB", size, data, "raw", "RGB", image.bytesPerLine(), 1)


def _plain(context: AppContext, photo: Photo) -> Image.Image:
    """The photo's picture at the preview's size with nothing drawn on it."""
    cache = context.thumbnails
    thumbnail = cache.get(photo.path, photo.sha256, cache.grid_edge)
    return upright_picture(thumbnail, PREVIEW_EDGE).image


def _largest_difference(first: Image.Image, second: Image.Image) -> int:
    """The largest difference of one channel of one pixel."""
    return max(ImageChops.difference(first, second).tobytes())


def test_the_cover_with_the_servers_watermark_follows_the_text(
    qtbot: QtBot, context: AppContext, tmp_path: Path
) -> None:
    album_id, photos = _album(context, tmp_path / "shoot")
    dialog = _open(qtbot, context, album_id)
    preview = dialog.watermark_preview
    assert preview.isHidden(), "no watermark, nothing to preview"
    assert preview.picture.accessibleName() == WHAT_IT_SHOWS
    assert WHAT_IT_SHOWS in preview.picture.toolTip()

    dialog.watermark.check.setChecked(True)
    dialog.watermark.edit.setFocus()
    qtbot.keyClicks(dialog.watermark.edit, TEXT)
    qtbot.waitUntil(lambda: not preview.isHidden(), timeout=10_000)
    assert preview.isVisible()
    pixmap = preview.pixmap()
    assert pixmap.deviceIndependentSize().toSize().toTuple() == (PREVIEW_EDGE, 160)

    shown = _pil(pixmap)
    plain = _plain(context, photos[1])  # the cover
    assert shown.size == plain.size == (240, 160)
    width, height = shown.size
    corner = (width - 40, height - 30, width, height)  # far from the text (the photo's red
    band = (0, height * 2 // 5, width, height * 3 // 5)  # block is at the top left)
    assert _largest_difference(shown.crop(corner), plain.crop(corner)) <= 2
    assert _largest_difference(shown.crop(band), plain.crop(band)) > 40, "the text is drawn"
    assert _largest_difference(shown, watermark.draw(plain, TEXT)) <= 2, "the server's look"
    other = _plain(context, photos[0])
    assert _largest_difference(shown.crop(corner), other.crop(corner)) > 40, "the cover"

    # Laid out in the dialog, above its buttons, not over them.
    bottom = preview.mapTo(dialog, QPoint(0, preview.height())).y()
    assert bottom <= dialog.create_button.mapTo(dialog, QPoint(0, 0)).y()

    qtbot.keyClicks(dialog.watermark.edit, " Photography")  # redrawn once the typing rests
    qtbot.waitUntil(lambda: _pil(preview.pixmap()).tobytes() != shown.tobytes(), timeout=5_000)
    longer = watermark.draw(plain, f"{TEXT} Photography")
    assert _largest_difference(_pil(preview.pixmap()), longer) <= 2

    dialog.watermark.check.setChecked(False)
    assert preview.isHidden(), "unchecked: gone at once"
    dialog.watermark.check.setChecked(True)
    qtbot.waitUntil(lambda: not preview.isHidden(), timeout=5_000)

    dialog.watermark.edit.setText("   ")  # nothing to draw
    qtbot.waitUntil(preview.isHidden, timeout=5_000)
    qtbot.keyClick(dialog.watermark.edit, Qt.Key.Key_A)
    qtbot.waitUntil(lambda: not preview.isHidden(), timeout=5_000)
    dialog.watermark.edit.setText("東京")  # the font has no glyph: the server would refuse it
    qtbot.waitUntil(preview.isHidden, timeout=5_000)


def test_an_album_without_photos_has_no_preview(qtbot: QtBot, context: AppContext) -> None:
    album = context.store.create_album("Empty")
    dialog = _open(qtbot, context, album.id)
    dialog.watermark.check.setChecked(True)
    dialog.watermark.edit.setText(TEXT)
    qtbot.wait(400)  # the typing pause, and the search for a cover
    assert context.runner.wait(5_000)
    assert dialog.watermark_preview.isHidden()
    assert dialog.watermark_preview.pixmap().isNull()
