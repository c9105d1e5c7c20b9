"""Byte counts cross Qt signals whole (as Python ints): a file over 2 GiB (a long video, a huge
TIFF) must not wrap round to a negative number of bytes sent on its way to the progress bar."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from albumen.ui.context import AppContext
from albumen.ui.main_window import MainWindow

BIG = 5 * 2**30 + 7  # past what a 32-bit int holds


def test_progress_of_a_file_over_2_gib_arrives_exact(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    received: list[tuple[str, str, int, int]] = []
    bridge = context.sync
    bridge.photo_progress.connect(lambda *args: received.append(args))
    bridge.photo_progress.emit("photo", "album", BIG - 1, BIG)  # the window's slot runs too
    assert received == [("photo", "album", BIG - 1, BIG)]
