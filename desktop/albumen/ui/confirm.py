"""Asking before something that cannot be taken back, with buttons that say what they do.

"Delete" and "Cancel", "Revoke" and "Cancel" rather than Yes and No: a person reads the button,
not the question (the platform guidelines of GNOME, macOS and Windows agree). Cancel is the
default, so Enter never destroys anything.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from albumen.core.model import Link


def confirm(parent: QWidget | None, title: str, text: str, verb: str) -> bool:
    """Whether the owner chose `verb` (e.g. "Delete") over Cancel."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton)
    box.setParent(parent, box.windowFlags())
    act = box.addButton(verb, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is act


def confirm_revoke(parent: QWidget, link: Link) -> bool:
    """Revoking cannot be undone: the same URL never works again."""
    name = f"“{link.settings.label}”" if link.settings.label else "this link"
    return confirm(
        parent,
        "Revoke link",
        f"Revoke {name}? Everyone who has it loses access at once, and it cannot be "
        "turned back on; you can make a new link instead.",
        "Revoke",
    )
