"""The loupe at 100 %: the photo's own pixels one for one on the screen, around the point the
owner clicked or kept from the frame before, moved by dragging or Shift+arrows; Z, a click or
the toolbar's "100 %" in, Esc out before Esc leaves the loupe."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from albumen.ui.context import AppContext
from albumen.ui.loupe import PAN_FRACTION, Loupe
from albumen.ui.main_window import MainWindow
from tests.ui.windows import WORK_MS, album_with

SIZE = (3000, 2000)


def chart(path: Path, seed: int) -> Path:
    """A lossless chart: red counts the columns and green the rows (so a pixel says where in
    the photo it is), blue alternates column by column (so only 100 % shows stripes)."""
    width, height = SIZE
    red = Image.linear_gradient("L").rotate(90).resize((width, height))  # 0 at left
    green = Image.linear_gradient("L").resize((width, height))  # 0 at top
    stripes = Image.new("L", (width, height))
    stripes.putdata([(x % 2) * 255 for x in range(width)] * height)
    rgb = Image.merge("RGB", (red, green, stripes))
    if seed:
        rgb = rgb.point(lambda value: min(255, value + seed))
    rgb.save(path)
    return path


def opened(qtbot: QtBot, window: MainWindow, paths: list[Path]) -> Loupe:
    album_with(qtbot, window, paths)
    window.grid.setCurrentIndex(window.photos.index(0))
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Space)
    loupe = window.loupe
    qtbot.waitUntil(
        lambda: loupe.canvas.image is not None and not loupe.canvas.enlarge, timeout=WORK_MS
    )
    return loupe


def at_100(qtbot: QtBot, loupe: Loupe) -> QImage:
    """Once the photo's own pixels are in, what the canvas shows."""
    qtbot.waitUntil(lambda: loupe.canvas.full is not None, timeout=WORK_MS)
    return loupe.canvas.grab().toImage()


def stripes_in(image: QImage) -> int:
    """How often blue flips between neighbouring pixels along the middle row's first 200."""
    y = image.height() // 2
    blues = [image.pixelColor(x, y).blue() > 127 for x in range(200)]
    return sum(a != b for a, b in itertools.pairwise(blues))


def centre_colour(image: QImage) -> tuple[int, int]:
    colour = image.pixelColor(image.width() // 2, image.height() // 2)
    return colour.red(), colour.green()


def test_z_shows_the_photos_own_pixels_one_for_one(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    path = chart(tmp_path / "chart.png", 0)
    loupe = opened(qtbot, window, [path])
    assert stripes_in(loupe.canvas.grab().toImage()) < 20, "fitted: the stripes blur to grey"

    qtbot.keyClick(loupe, Qt.Key.Key_Z)
    assert loupe.canvas.zoomed and loupe.zoom_button.isChecked()
    shown = at_100(qtbot, loupe)
    assert stripes_in(shown) >= 195, "100 %: every column of the photo on its own pixel"
    source = loupe.canvas.source()
    assert (source.width(), source.height()) == (loupe.canvas.width(), loupe.canvas.height())
    # The very pixels of the file, not a JPEG made of them.
    with Image.open(path) as original:
        left, top = int(source.left()), int(source.top())
        for x in (0, 1, 2, 101):
            expected = original.getpixel((left + x, top + 7))
            colour = shown.pixelColor(x, 7)
            assert (colour.red(), colour.green(), colour.blue()) == expected
    red, green = centre_colour(shown)
    assert abs(red - 128) <= 3 and abs(green - 128) <= 3, "around the photo's middle"

    qtbot.keyClick(loupe, Qt.Key.Key_Escape)  # out of 100 %, still in the loupe
    assert not loupe.canvas.zoomed and window.pages.currentWidget() is loupe
    assert stripes_in(loupe.canvas.grab().toImage()) < 20
    qtbot.keyClick(loupe, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is not loupe


def test_a_click_looks_at_that_point_and_a_drag_moves_the_photo(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    loupe = opened(qtbot, window, [chart(tmp_path / "chart.png", 0)])
    canvas = loupe.canvas
    fitted = canvas.fitted()
    point = QPoint(fitted.left() + fitted.width() // 4, fitted.top() + fitted.height() * 3 // 4)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=point)
    assert canvas.zoomed
    red, green = centre_colour(at_100(qtbot, loupe))
    assert abs(red - 64) <= 4 and abs(green - 191) <= 4, "the clicked point, now in the middle"

    before = canvas.source()
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(400, 300))
    qtbot.mouseMove(canvas, QPoint(350, 300))
    qtbot.mouseMove(canvas, QPoint(300, 280))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(300, 280))
    after = canvas.source()
    assert canvas.zoomed, "a drag is no click"
    assert (after.left() - before.left(), after.top() - before.top()) == (100, 20)

    qtbot.keyClick(loupe, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    step = PAN_FRACTION * min(canvas.width(), canvas.height())
    assert canvas.source().left() - after.left() == pytest.approx(step)
    assert loupe.position.text() == "1 of 1"

    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=point)
    assert not canvas.zoomed and not loupe.zoom_button.isChecked()

    qtbot.mouseDClick(canvas, Qt.MouseButton.LeftButton, pos=point)  # back to the grid
    assert window.pages.currentWidget() is not loupe
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_Space)
    assert window.pages.currentWidget() is loupe and not canvas.zoomed, "opened fitted"


def test_the_next_frame_is_seen_where_the_last_one_was(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    small = tmp_path / "small.png"
    Image.new("RGB", (300, 200), (10, 20, 30)).save(small)
    frames = [chart(tmp_path / f"frame{i}.png", i * 40) for i in range(2)]
    loupe = opened(qtbot, window, [*frames, small])
    canvas = loupe.canvas
    loupe.zoom_button.click()  # the toolbar's way in
    assert canvas.zoomed
    at_100(qtbot, loupe)
    qtbot.keyClick(loupe, Qt.Key.Key_Left, Qt.KeyboardModifier.ShiftModifier)
    kept = canvas.source()

    qtbot.keyClick(loupe, Qt.Key.Key_Right)
    assert loupe.position.text() == "2 of 3" and canvas.zoomed
    qtbot.waitUntil(lambda: canvas.full is not None and canvas.photo_id == loupe.photo.id)
    assert canvas.source() == kept, "the same spot of the next frame"
    shown = canvas.grab().toImage()
    assert stripes_in(shown) >= 195
    assert shown.pixelColor(10, 10).red() >= 40, "the second frame's pixels, not the first's"

    qtbot.keyClick(loupe, Qt.Key.Key_Right)  # a photo smaller than the screen: fitted
    assert loupe.position.text() == "3 of 3"
    assert not canvas.zoomed and not loupe.zoom_button.isChecked()
    qtbot.keyClick(loupe, Qt.Key.Key_Z)
    assert not canvas.zoomed, "nothing more to see at 100 %"


def test_100_percent_is_known_from_the_photos_size_before_any_picture_of_it(
    qtbot: QtBot,
) -> None:
    """Stepping through a burst at 100 % on a busy machine: the next frame's screen picture
    and the grid's thumbnail may both be on their way; it stays at 100 % all the same, and is
    painted black until its pixels come."""
    from albumen.ui.loupe_canvas import LoupeCanvas

    parent = QWidget()
    qtbot.addWidget(parent)
    canvas = LoupeCanvas(parent)
    canvas.resize(800, 600)
    canvas.show_image(None, enlarge=True, photo_id="next", full_size=QSize(*SIZE))
    assert canvas.can_zoom()
    assert canvas.zoom_in() and canvas.zoomed
    shown = canvas.grab().toImage()
    assert shown.pixelColor(400, 300).black() == 255
    canvas.show_image(None, enlarge=True, photo_id="small", full_size=QSize(640, 480))
    assert not canvas.can_zoom(), "fewer pixels than the view: nothing more at 100 %"
