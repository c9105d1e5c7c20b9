"""The grid's thumbnails follow the sharpest screen, one that comes after the app started too.

The offscreen platform the tests run on has one screen of 1× that cannot be scaled, and no
screen can be plugged in: what the platform would answer for a sharper screen is given by hand
(`sharpest_ratio`), and the screen's own signals are raised as Qt raises them when it happens.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from albumen.ui import screens
from albumen.ui.context import AppContext
from albumen.ui.main_window import MainWindow
from albumen.ui.photo_grid import ThumbnailReadyRole
from tests.ui.windows import WORK_MS, album_with


def _width_shown(window: MainWindow) -> int:
    pixmap = window.photos.index(0).data(Qt.ItemDataRole.DecorationRole)
    return 0 if pixmap is None else int(pixmap.width())


def test_a_sharper_screen_makes_the_grid_show_sharper_thumbnails(
    qtbot: QtBot,
    window: MainWindow,
    context: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = QGuiApplication.instance()
    assert isinstance(app, QGuiApplication)
    context.screens.follow(app, context.thumbnails)  # as app.main does
    assert context.thumbnails.grid_edge == 320  # the offscreen screen: 1×
    photo = tmp_path / "photos" / "DSC_0001.jpg"
    photo.parent.mkdir()
    Image.effect_noise((1200, 800), 60).convert("RGB").save(photo, quality=90)
    album_with(qtbot, window, [photo], "Screens")
    index = window.photos.index(0)
    qtbot.waitUntil(lambda: bool(index.data(ThumbnailReadyRole)), timeout=WORK_MS)
    assert _width_shown(window) == 320

    # The screen is set to 200 %: Qt tells it by the screen's logical DPI.
    monkeypatch.setattr(screens, "sharpest_ratio", lambda _app: 2.0)
    with qtbot.waitSignal(context.screens.thumbnails_sharper, timeout=WORK_MS):
        app.primaryScreen().logicalDotsPerInchChanged.emit(192.0)
    assert context.thumbnails.grid_edge == 640
    assert _width_shown(window) == 320  # shown until the sharper one is made: no blank cell
    qtbot.waitUntil(lambda: _width_shown(window) == 640, timeout=WORK_MS)

    # A 3× screen plugged in; then one of 1× again, which makes nothing smaller.
    monkeypatch.setattr(screens, "sharpest_ratio", lambda _app: 3.0)
    app.screenAdded.emit(app.primaryScreen())
    qtbot.waitUntil(lambda: _width_shown(window) == 960, timeout=WORK_MS)
    monkeypatch.setattr(screens, "sharpest_ratio", lambda _app: 1.0)
    with qtbot.assertNotEmitted(context.screens.thumbnails_sharper):
        app.primaryScreen().geometryChanged.emit(app.primaryScreen().geometry())
    assert context.thumbnails.grid_edge == 960
