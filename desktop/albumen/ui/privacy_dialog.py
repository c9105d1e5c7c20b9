"""An album's privacy rules, above every link's own settings: whether location and camera
details may reach any viewer at all, and whether the server receives the location in the first
place."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from albumen.core.model import AlbumPrivacy, Exposure, PhotoState
from albumen.core.store import StoreError
from albumen.ui.context import AppContext
from albumen.ui.theme import tone


class _ExposureChoice(QGroupBox):
    def __init__(self, title: str, with_links: str, never: str, current: Exposure) -> None:
        super().__init__(title)
        self.with_links = QRadioButton(with_links)
        self.never = QRadioButton(never)
        group = QButtonGroup(self)
        group.addButton(self.with_links)
        group.addButton(self.never)
        (self.never if current is Exposure.NEVER else self.with_links).setChecked(True)
        self.box = QVBoxLayout(self)
        self.box.addWidget(self.with_links)
        self.box.addWidget(self.never)

    def value(self) -> Exposure:
        return Exposure.NEVER if self.never.isChecked() else Exposure.WITH_LINKS


class PrivacyDialog(QDialog):
    def __init__(self, context: AppContext, album_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.album = context.store.album(album_id)
        privacy = self.album.privacy
        self.setWindowTitle(f"Privacy of “{self.album.title}”")
        self.setMinimumWidth(480)

        self.location = _ExposureChoice(
            "Where photos were taken",
            "Show it on links that allow it",
            "Never show it, on any link",
            privacy.location,
        )
        self.strip_check = QCheckBox("&Remove location from photos before uploading")
        self.strip_check.setChecked(privacy.strip_location)
        self.strip_check.setToolTip(
            "The server receives copies without GPS; your own files are never changed."
        )
        self.location.box.addWidget(self.strip_check)
        self.metadata = _ExposureChoice(
            "Camera, lens, exposure and dates",
            "Show them on links that allow it",
            "Never show them, on any link",
            privacy.metadata,
        )
        self.note = QLabel()
        self.note.setWordWrap(True)
        rights = QLabel("Artist and copyright always stay with the photos.")
        rights.setEnabled(False)
        self.error_label = QLabel()
        self.error_label.setStyleSheet(tone("error"))
        self.error_label.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.location)
        layout.addWidget(self.metadata)
        layout.addWidget(rights)
        layout.addWidget(self.note)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.strip_check.toggled.connect(self._explain)
        self.strip_check.toggled.connect(self._strip_implies_never)
        self._strip_implies_never(self.strip_check.isChecked())
        self._explain()

    def _strip_implies_never(self, stripping: bool) -> None:
        # Without GPS on the server there is nothing a link could show.
        if stripping:
            self.location.never.setChecked(True)
        self.location.with_links.setEnabled(not stripping)

    def _explain(self) -> None:
        if not self.strip_check.isChecked() or self.album.privacy.strip_location:
            self.note.clear()
            return
        uploaded = sum(
            1
            for photo in self.context.store.photos(self.album.id)
            if photo.state is PhotoState.UPLOADED
        )
        self.note.setText(
            f"The {uploaded} photo{'s' if uploaded != 1 else ''} already uploaded will be "
            "replaced on the server by copies without location."
            if uploaded
            else ""
        )

    def chosen(self) -> AlbumPrivacy:
        return AlbumPrivacy(
            location=self.location.value(),
            metadata=self.metadata.value(),
            strip_location=self.strip_check.isChecked(),
        )

    def save(self) -> None:
        try:
            self.context.store.set_privacy(self.album.id, self.chosen())
        except StoreError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            return
        self.context.changed(self.album.id)
        self.accept()
