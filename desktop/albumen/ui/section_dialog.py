"""Photos ▸ "Put in section…" (Ctrl+E): the selected photos into one of the album's parts.

A small dialog with one editable list: a title typed, or one of the album's sections picked;
a blank one takes the photos out of any section. Return applies. The rule (where the photos
move, titles compared without regard to case, the limits) is the core's,
`Owner.put_in_section`; a title it refuses is said in the dialog, which stays open to correct
it. Opened window-modal without blocking (`open`), so the window's event loop, and a test
typing into it, go on.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from albumen.core.model import Photo
from albumen.core.sections import MAX_TITLE, SectionError, section_titles
from albumen.core.wording import count
from albumen.ui.context import AppContext
from albumen.ui.theme import tone

BLANK_HINT = "Leave it empty to take {} out of any section."


class SectionDialog(QDialog):
    """Asks for the section of `photos` (of one album) and puts them in it."""

    def __init__(
        self, context: AppContext, photos: Sequence[Photo], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.album_id = photos[0].album_id
        self.photo_ids = [photo.id for photo in photos]
        self.setWindowTitle("Put in section")
        self.setMinimumWidth(360)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        album_photos = context.store.photos(self.album_id)
        self.title_box = QComboBox()
        self.title_edit = QLineEdit()
        self.title_box.setLineEdit(self.title_edit)  # editable: a title typed
        self.title_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.title_box.addItems(section_titles(album_photos))
        # Matches offered in a list under the text, never filled into it: completed inline,
        # "Ceremony" typed became "Ceremony 2" of the list, and Return put them there.
        completer = QCompleter(self.title_box.model(), self.title_box)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.title_box.setCompleter(completer)
        self.title_edit.setMaxLength(MAX_TITLE * 2)  # the core says what is too long
        self.title_edit.setPlaceholderText("Getting ready, Ceremony, Party…")
        self.title_box.setAccessibleName("Section title")
        # Photos all of one section: its title, to change or to empty (out of it).
        shared = {photo.section for photo in photos}
        self.title_box.setCurrentText(shared.pop() or "" if len(shared) == 1 else "")
        self.title_edit.selectAll()
        label = QLabel(f"&Section for {count(len(photos), 'photo')}:")
        label.setBuddy(self.title_box)
        hint = QLabel(BLANK_HINT.format("it" if len(photos) == 1 else "them"))
        hint.setEnabled(False)
        hint.setWordWrap(True)
        self.error_label = QLabel()
        self.error_label.setStyleSheet(tone("error"))
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Put in section")
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.title_box)
        layout.addWidget(hint)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.title_box.setFocus()

    def apply(self) -> None:
        """Put the photos in the section typed; a refusal is shown here, the dialog open."""
        try:
            self.context.owner.put_in_section(
                self.album_id, self.photo_ids, self.title_box.currentText()
            )
        except SectionError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            self.title_box.setFocus()
            return
        self.accept()

    @classmethod
    def ask(
        cls, context: AppContext, photos: Sequence[Photo], parent: QWidget | None = None
    ) -> SectionDialog | None:
        """Open the dialog for `photos` (nothing to do without any), without blocking."""
        if not photos:
            return None
        dialog = cls(context, photos, parent)
        dialog.open()
        return dialog
