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
    QMenuBar,
    QMessageBox,
    QTabBar,
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


def mnemonic(text: str) -> str | None:
    """The Alt+letter key a text offers ("Dow&nloads:" offers n), lower case; None for none."""
    marked = re.search(r"&([^&])", text.replace("&&", ""))
    return marked.group(1).lower() if marked else None


def mnemonics(window: QWidget) -> list[str]:
    """The Alt+letter keys the labels, buttons and group boxes a window shows now offer (a page
    of a stack that is not shown, say, offers none), and its menu bar's and tabs'."""
    texts: list[str] = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QMenuBar):
            texts += [action.text() for action in widget.actions()]
        elif isinstance(widget, QTabBar):
            texts += [widget.tabText(index) for index in range(widget.count())]
    return [key for key in map(mnemonic, texts) if key]


def repeated(keys: list[str]) -> list[str]:
    """Keys offered twice: Alt+key then only cycles between the two (or, between a menu and a
    button, does nothing at all), a keyboard path broken."""
    return sorted({key for key in keys if keys.count(key) > 1})
