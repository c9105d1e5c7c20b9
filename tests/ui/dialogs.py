"""Answering a modal message box the way a person does: by clicking the button it shows.

A modal box runs its own event loop, so the click is scheduled before the box opens and finds
it among the top-level widgets once it is up. The button is found by its text, which tests the
words on it too.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QMessageBox,
    QWidget,
)


def answer_next_box(button: str, tries: int = 500) -> list[str]:
    """Click `button` ("Delete", "Cancel", …) in the next message box; returns what it asked
    (filled in once the box was answered). Gives up after `tries` × 10 ms with no box."""
    asked: list[str] = []

    def click(left: int) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                buttons = {b.text().replace("&", ""): b for b in widget.buttons()}
                asked.append(widget.text())
                assert button in buttons, f"no {button!r} among {sorted(buttons)}"
                buttons[button].click()
                return
        if left:
            QTimer.singleShot(10, lambda: click(left - 1))

    QTimer.singleShot(0, lambda: click(tries))
    return asked


def mnemonics(dialog: QWidget) -> list[str]:
    """The Alt+letter keys the labels, buttons and group boxes a dialog shows now offer (a page
    of a stack that is not shown, say, offers none)."""
    keys: list[str] = []
    for widget in dialog.findChildren(QWidget):
        if not widget.isVisibleTo(dialog):
            continue
        if isinstance(widget, QLabel | QAbstractButton):
            text = widget.text()
        elif isinstance(widget, QGroupBox):
            text = widget.title()
        else:
            continue
        marked = re.search(r"&([^&])", text.replace("&&", ""))
        if marked:
            keys.append(marked.group(1).lower())
    return keys


def repeated_mnemonics(dialog: QWidget) -> list[str]:
    """Keys offered twice: Alt+key then only cycles between the two, a keyboard path broken."""
    keys = mnemonics(dialog)
    return sorted({key for key in keys if keys.count(key) > 1})
