"""The notice of a last run that stopped on a fatal error (`albumen.crash_log`): over the
window, with the log's place and a way to its folder, closed from the keyboard."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from albumen.crash_log import LastCrash
from albumen.ui.crash_notice import tell_last_crash


def _crash(tmp_path: Path) -> LastCrash:
    log = tmp_path / "crashes" / "2026-12-02T09-14-05.log"
    log.parent.mkdir()
    log.write_text("Fatal Python error: Segmentation fault\n")
    return LastCrash(log, datetime(2026, 12, 2, 9, 14, 5))


def _crash_again(tmp_path: Path) -> LastCrash:
    log = tmp_path / "crashes" / "2026-12-02T10-00-00.log"
    log.write_text("Fatal Python error: Aborted\n")
    return LastCrash(log, datetime(2026, 12, 2, 10, 0, 0))


def test_the_notice_says_when_and_where_and_opens_the_folder(
    qtbot: QtBot, tmp_path: Path, opened_urls: list[QUrl]
) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    crash = _crash(tmp_path)
    box = tell_last_crash(window, crash)
    qtbot.waitExposed(box)
    assert box.windowTitle() == "Albumen stopped unexpectedly"
    assert "on 02 December 2026 at 09:14" in box.text()
    assert str(crash.log) in box.informativeText()
    (folder,) = [button for button in box.buttons() if "Folder" in button.text()]
    assert folder.text() == "Open &Folder"
    qtbot.mouseClick(folder, Qt.MouseButton.LeftButton)
    assert [url.toLocalFile() for url in opened_urls] == [str(crash.log.parent)]


def test_enter_closes_the_notice(qtbot: QtBot, tmp_path: Path) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    box = tell_last_crash(window, _crash(tmp_path))
    qtbot.waitExposed(box)
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Ok)
    with qtbot.waitSignal(box.finished, timeout=2000):
        qtbot.keyClick(box, Qt.Key.Key_Return)
    assert not box.isVisible()


def test_escape_closes_the_notice_and_so_can_quitting(qtbot: QtBot, tmp_path: Path) -> None:
    """Before: with two buttons the box had no escape button, refused to close, and so
    stopped the app from quitting while it was shown."""
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    box = tell_last_crash(window, _crash(tmp_path))
    qtbot.waitExposed(box)
    with qtbot.waitSignal(box.finished, timeout=2000):
        qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert not box.isVisible()
    again = tell_last_crash(window, _crash_again(tmp_path))
    qtbot.waitExposed(again)
    assert again.close()  # what quitting asks of every window
