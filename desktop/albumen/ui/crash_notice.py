"""Telling the owner, once, that the last run of the app stopped on a fatal error of its own
(`albumen.crash_log` kept what it was doing), and where that is, to send with a report."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from albumen.crash_log import LastCrash


def tell_last_crash(parent: QWidget, crash: LastCrash) -> QMessageBox:
    """A message over the window (which stays usable: the box is not waited for), with a way
    to the folder that holds the crash's log."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Albumen stopped unexpectedly",
        f"The last time Albumen was open, on {crash.when:%d %B %Y at %H:%M}, it stopped on an"
        " error of its own. Your albums and photos are as they were, and uploads that had not"
        " finished go on by themselves.",
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setInformativeText(
        f"What Albumen was doing then is written in {crash.log}. Please attach that file when"
        " you report the problem."
    )
    folder = box.addButton("Open &Folder", QMessageBox.ButtonRole.ActionRole)
    folder.clicked.connect(
        lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(crash.log.parent)))
    )
    box.setDefaultButton(QMessageBox.StandardButton.Ok)
    # With two buttons Qt picks no escape button, and a box without one refuses to close:
    # Escape did nothing, and quitting the app (which closes every window first) stopped there.
    box.setEscapeButton(QMessageBox.StandardButton.Ok)
    box.open()
    return box
