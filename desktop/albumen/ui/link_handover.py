"""What the owner sends once a link is made or changed: the link, its password, or both.

The share dialog's second page, and `Handover`, which the links panel copies from too. It says
whether the link is live yet, whether its password is kept on this computer, and when the link
points at the embedded server (so works only here).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from albumen.core.link_state import ONLY_HERE, works_only_here
from albumen.ui.theme import tone


@dataclass(frozen=True)
class Handover:
    """What the owner sends once the link is made."""

    url: str
    password: str | None
    live: bool

    def both(self) -> str:
        if self.password is None:
            return self.url
        return f"{self.url}\nPassword: {self.password}"


class HandoverPage(QWidget):
    """The link and its password, read-only, with a button to copy each and both; Ctrl+C
    copies both. `close_button` is the dialog's to connect."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.handover: Handover | None = None
        self.done_title = QLabel()
        self.done_title.setTextFormat(Qt.TextFormat.RichText)
        self.url_edit = QLineEdit()
        self.url_edit.setReadOnly(True)
        self.url_edit.setAccessibleName("Link")
        self.password_edit = QLineEdit()
        self.password_edit.setReadOnly(True)
        self.password_edit.setAccessibleName("Password")
        self.password_row_label = QLabel("Password:")
        self.state_note = QLabel()
        self.state_note.setWordWrap(True)
        self.only_here_note = QLabel(f"⚠ {ONLY_HERE}")
        self.only_here_note.setWordWrap(True)
        self.only_here_note.setStyleSheet(tone("warning"))
        self.keyring_note = QLabel(
            "⚠ No keyring is available: Albumen keeps this password only until it closes. "
            "Note it now."
        )
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setStyleSheet(tone("warning"))
        self.copied_label = QLabel()

        self.copy_link_button = QPushButton("Copy &link")
        self.copy_password_button = QPushButton("Copy &password")
        self.copy_both_button = QPushButton("Copy link &and password")
        self.copy_link_button.clicked.connect(self.copy_link)
        self.copy_password_button.clicked.connect(self.copy_password)
        self.copy_both_button.clicked.connect(self.copy_both)
        self.close_button = QPushButton("Close")
        QShortcut(QKeySequence.StandardKey.Copy, self, self.copy_both)

        form = QFormLayout()
        form.addRow("Link:", self.url_edit)
        form.addRow(self.password_row_label, self.password_edit)
        buttons = QHBoxLayout()
        for button in (self.copy_link_button, self.copy_password_button, self.copy_both_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        self._layout = layout
        layout.addWidget(self.done_title)
        layout.addLayout(form)
        layout.addWidget(self.state_note)
        layout.addWidget(self.only_here_note)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.copied_label)
        layout.addStretch(1)
        layout.addLayout(buttons)

    def add_note(self, note: QWidget) -> None:
        """A note of the dialog's own (how far the album's originals are), under the link's
        state."""
        self._layout.insertWidget(self._layout.indexOf(self.state_note) + 1, note)

    def show_handover(
        self,
        handover: Handover,
        album_title: str,
        server_label: str,
        *,
        kept_safely: bool,
        password_not_kept: bool,
    ) -> None:
        """`password_not_kept`: the link has a password this computer does not know."""
        self.handover = handover
        self.done_title.setText(f"<b>Send this to the people you share “{album_title}” with.</b>")
        self.url_edit.setText(handover.url)
        has_password = handover.password is not None
        self.password_edit.setText(handover.password or "")
        for widget in (self.password_row_label, self.password_edit):
            widget.setVisible(has_password)
        self.copy_password_button.setVisible(has_password)
        self.copy_both_button.setVisible(has_password)
        if handover.live:
            self.state_note.setText("The link is live.")
        else:
            self.state_note.setText(
                "The link is saved here and goes live as soon as "
                f"{server_label} has it — you can send it already."
            )
        if password_not_kept:
            self.state_note.setText(
                self.state_note.text() + " Its password is not kept on this computer."
            )
        self.keyring_note.setVisible(has_password and not kept_safely)
        local = works_only_here(handover.url)
        self.only_here_note.setVisible(local)
        if local:
            self.done_title.setText(f"<b>A link to “{album_title}” on this computer.</b>")
            self.state_note.setText(
                "Open it in a browser here to see the album as its viewers will."
            )
        (self.copy_both_button if has_password else self.copy_link_button).setFocus()
        self.close_button.setDefault(False)

    def _copy(self, text: str, what: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.copied_label.setText(f"{what} copied.")

    def copy_link(self) -> None:
        if self.handover:
            self._copy(self.handover.url, "Link")

    def copy_password(self) -> None:
        if self.handover and self.handover.password:
            self._copy(self.handover.password, "Password")

    def copy_both(self) -> None:
        if self.handover:
            what = "Link and password" if self.handover.password else "Link"
            self._copy(self.handover.both(), what)
