"""Text that must be shown as text: Qt takes a tooltip (or a label in AutoText) that looks like
HTML for rich text, and what a viewer typed — their name, their notes — reaches the owner's
app. One place turns such text into the markup that shows it as typed."""

from __future__ import annotations

from PySide6 import QtGui


def plain_tooltip(text: str) -> str:
    """`text` as a tooltip shows it: escaped, its line breaks kept."""
    return QtGui.Qt.convertFromPlainText(text)
