"""Guards the Qt binding itself: PySide6 6.12.0 drops a reference to None on every call of a
method that returns nothing (`update()`, `setText()`, `processEvents()`...). Python 3.11 counts
references to None, so after some tens of thousands of such calls (minutes of scrolling a big
album while it uploads) the app died with "Fatal Python error: none_dealloc". pyproject.toml
excludes that release; this test catches one that does it again. On Python 3.12+ None is
immortal and its count stays put either way."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

CALLS = 1000


def test_qt_methods_that_return_nothing_keep_none_alive(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for index in range(CALLS):
        label.setText(str(index))
        label.update()
    lost = before - sys.getrefcount(None)
    assert lost < CALLS // 10, f"{lost} references to None lost in {2 * CALLS} calls"
