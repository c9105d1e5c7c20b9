"""Make or change a link to an album, then hand it over: the link, its password, or both.

Two pages: the link's settings, then what to send (`link_handover`). A new link is recorded
locally first (pending until the server has it), so sharing works offline and the URL is known
at once.
Passwords go to the keyring, never to the store; when no keyring is usable the owner is told
to note the password now, because it will be gone when the app closes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from albumen.core.model import Download, Link, LinkSettings, LinkState
from albumen.core.owner import KEEP
from albumen.core.passwords import generate_password
from albumen.core.store import StoreError
from albumen.ui.context import AppContext
from albumen.ui.link_handover import Handover, HandoverPage
from albumen.ui.originals_note import OriginalsNote
from albumen.ui.pick_limit_box import limit_of, pick_limit_box
from albumen.ui.theme import tone
from albumen.ui.watermark_box import WatermarkBox
from albumen.ui.watermark_preview import WatermarkPreview

MIN_PASSWORD = 8  # chosen passwords; guessing is also rate-limited per link and address

EXPIRY_PRESETS: list[tuple[str, int | None]] = [
    ("Never", None),
    ("In 1 day", 1),
    ("In 1 week", 7),
    ("In 30 days", 30),
    ("In 90 days", 90),
    ("In 1 year", 365),
]
ON_DATE = "On a date…"
KEEP_CURRENT = "keep"

DOWNLOAD_CHOICES = [
    (Download.NONE, "No downloads"),
    (Download.WEB, "Web-size JPEGs"),
    (Download.ORIGINAL, "Originals, full resolution"),
]


def end_of_day(day: date) -> datetime:
    """A link 'until 12 May' works through the owner's 12 May, in their own time zone."""
    local = datetime.combine(day, time(23, 59, 59)).astimezone()
    return local.astimezone(UTC)


class ShareDialog(QDialog):
    def __init__(
        self,
        context: AppContext,
        album_id: str,
        parent: QWidget | None = None,
        link: Link | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.album = context.store.album(album_id)
        self.link = link
        self.handover: Handover | None = None
        editing = link is not None
        self.setWindowTitle(
            f"Edit link to “{self.album.title}”" if editing else f"Share “{self.album.title}”"
        )
        self.setMinimumWidth(600)

        self.pages = QStackedWidget()
        self.pages.addWidget(self._settings_page())
        self.handover_page = HandoverPage()
        self.originals_note = OriginalsNote(self.context, self.album.id)
        self.handover_page.add_note(self.originals_note)
        self.handover_page.close_button.clicked.connect(self.accept)
        self.pages.addWidget(self.handover_page)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self._load(link)

    # -- page 1: the link's settings -----------------------------------------------------------

    def _settings_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)

        self.label_edit = QLineEdit()
        self.label_edit.setPlaceholderText("Who it is for, e.g. “Family” or “Client review”")
        self.label_edit.setMaxLength(200)
        form.addRow("&Label:", self.label_edit)

        self.password_group = QButtonGroup(self)
        self.keep_password = QRadioButton("&Keep the current password")
        self.generate_option = QRadioButton("&Generate a passphrase")
        self.choose_option = QRadioButton("&Choose a password")
        self.no_password = QRadioButton("No pass&word")
        for button in (
            self.keep_password,
            self.generate_option,
            self.choose_option,
            self.no_password,
        ):
            self.password_group.addButton(button)
        self.generated_edit = QLineEdit(generate_password())
        self.generated_edit.setReadOnly(True)
        self.generated_edit.setAccessibleName("Generated passphrase")
        self.generated_edit.setMinimumWidth(
            self.generated_edit.fontMetrics().horizontalAdvance("m" * 30)
        )
        self.regenerate_button = QPushButton("&New passphrase")
        # Enter creates the link: no other button may become the default by taking the focus.
        self.regenerate_button.setAutoDefault(False)
        self.regenerate_button.clicked.connect(
            lambda: self.generated_edit.setText(generate_password())
        )
        generated_row = QHBoxLayout()
        generated_row.addWidget(self.generated_edit, 1)
        generated_row.addWidget(self.regenerate_button)
        self.chosen_edit = QLineEdit()
        self.chosen_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.chosen_edit.setPlaceholderText(f"At least {MIN_PASSWORD} characters")
        self.chosen_edit.setAccessibleName("Password")
        self.show_chosen = QCheckBox("S&how")
        self.show_chosen.toggled.connect(
            lambda shown: self.chosen_edit.setEchoMode(
                QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
            )
        )
        chosen_row = QHBoxLayout()
        chosen_row.addWidget(self.chosen_edit, 1)
        chosen_row.addWidget(self.show_chosen)
        self.open_warning = QLabel(
            "⚠ Anyone who gets hold of the link sees the album. Use this only for photos "
            "you would post publicly."
        )
        self.open_warning.setWordWrap(True)
        self.open_warning.setStyleSheet(tone("warning"))
        password_box = QVBoxLayout()
        password_box.addWidget(self.keep_password)
        password_box.addWidget(self.generate_option)
        password_box.addLayout(generated_row)
        password_box.addWidget(self.choose_option)
        password_box.addLayout(chosen_row)
        password_box.addWidget(self.no_password)
        password_box.addWidget(self.open_warning)
        form.addRow("Password:", password_box)
        self.password_group.buttonToggled.connect(self._password_mode_changed)
        self.chosen_edit.textEdited.connect(lambda: self.choose_option.setChecked(True))

        self.expiry_combo = QComboBox()
        self.expiry_date = QDateEdit()
        self.expiry_date.setCalendarPopup(True)
        self.expiry_date.setMinimumDate(QDate.currentDate().addDays(1))
        self.expiry_date.setDate(QDate.currentDate().addDays(30))
        self.expiry_date.setAccessibleName("Expiry date")
        expiry_row = QHBoxLayout()
        expiry_row.addWidget(self.expiry_combo, 1)
        expiry_row.addWidget(self.expiry_date)
        self.expiry_combo.currentIndexChanged.connect(self._expiry_changed)
        expires_label = QLabel("&Expires:")
        expires_label.setBuddy(self.expiry_combo)
        form.addRow(expires_label, expiry_row)

        self.download_combo = QComboBox()
        for value, text in DOWNLOAD_CHOICES:
            self.download_combo.addItem(text, value.value)
        form.addRow("Viewers may &download:", self.download_combo)

        self.metadata_check = QCheckBox("Show ca&mera, lens and exposure details")
        self.location_check = QCheckBox("Show where photos were taken (&places and map)")
        self.location_check.setToolTip(
            "Off: GPS coordinates are removed from every image and download, and the "
            "viewer shows no places or map."
        )
        form.addRow("Viewers see:", self.metadata_check)
        form.addRow("", self.location_check)
        self.copyright_note = QLabel(
            "Artist and copyright always stay in downloaded originals; everything else "
            "follows these choices."
        )
        self.copyright_note.setWordWrap(True)
        self.copyright_note.setEnabled(False)
        form.addRow("", self.copyright_note)
        self.picks_check = QCheckBox("Let viewers pick &favourites")
        self.picks_check.setToolTip(
            "Viewers mark the photos they like and send you the list with their name and a "
            "note; it arrives with the next sync (Picks, beside Links)."
        )
        form.addRow("Proofing:", self.picks_check)
        self.pick_limit = pick_limit_box()
        form.addRow("P&icks each:", self.pick_limit)
        self.picks_check.toggled.connect(self.pick_limit.setEnabled)
        self.watermark = WatermarkBox("W&atermark")
        # Under the box, the cover as the link's viewers will see it (while there is a text).
        self.watermark_preview = WatermarkPreview(self.context, self.album.id, self.watermark)
        self.watermark_preview.visibility_changed.connect(lambda _shown: self.adjustSize())
        watermark_rows = QVBoxLayout()
        watermark_rows.addWidget(self.watermark)
        watermark_rows.addWidget(self.watermark_preview)
        form.addRow("", watermark_rows)

        self.error_label = QLabel()
        self.error_label.setStyleSheet(tone("error"))
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        buttons = QDialogButtonBox()
        self.create_button = buttons.addButton(
            "Save link" if self.link is not None else "Create link",
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.create_button.setDefault(True)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(page)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(buttons)
        return page

    def _load(self, link: Link | None) -> None:
        defaults = self.context.settings.link_defaults
        if link is None:
            self.keep_password.hide()
            (self.generate_option if defaults.password else self.no_password).setChecked(True)
            settings = LinkSettings(
                download=Download(defaults.download),
                show_metadata=defaults.show_metadata,
                show_location=defaults.show_location,
                allow_picks=defaults.allow_picks,
                pick_limit=defaults.pick_limit,
                watermark=defaults.watermark,
            )
            self._fill_expiry(None, defaults.expires_days)
        else:
            settings = link.settings
            self.label_edit.setText(settings.label or "")
            if link.has_password:
                self.keep_password.setChecked(True)
            else:
                self.keep_password.hide()
                self.no_password.setChecked(True)
            self._fill_expiry(settings.expires_at, None)
        self.download_combo.setCurrentIndex(self.download_combo.findData(settings.download.value))
        self.metadata_check.setChecked(settings.show_metadata)
        self.location_check.setChecked(settings.show_location)
        self.picks_check.setChecked(settings.allow_picks)
        self.pick_limit.setValue(settings.pick_limit or 0)
        self.pick_limit.setEnabled(settings.allow_picks)
        self.watermark.set_text(settings.watermark)
        self.watermark.hold_downloads(self.download_combo)
        self._apply_album_rules()

    def _apply_album_rules(self) -> None:
        """An album that never shows something greys that choice out, and says why."""
        privacy = self.album.privacy
        allowed = privacy.limit(LinkSettings(show_location=True, show_metadata=True))
        why = "This album's privacy rules (Album ▸ Privacy…) keep it from every link."
        for check, allowed_here in (
            (self.location_check, allowed.show_location),
            (self.metadata_check, allowed.show_metadata),
        ):
            if not allowed_here:
                check.setChecked(False)
                check.setEnabled(False)
                check.setToolTip(why)
        self._password_mode_changed()

    def _fill_expiry(self, current: datetime | None, default_days: int | None) -> None:
        combo = self.expiry_combo
        if current is not None:
            combo.addItem(f"Keep: {current.astimezone():%d %b %Y, %H:%M}", KEEP_CURRENT)
        for text, days in EXPIRY_PRESETS:
            combo.addItem(text, days)
        combo.addItem(ON_DATE, ON_DATE)
        if current is not None:
            combo.setCurrentIndex(0)
        elif self.link is not None:
            combo.setCurrentIndex(combo.findData(None))
        else:
            index = combo.findData(default_days)
            if index < 0:  # an odd number of days in the settings: offer it as a date
                index = combo.findData(ON_DATE)
                self.expiry_date.setDate(QDate.currentDate().addDays(default_days or 30))
            combo.setCurrentIndex(index)
        self._expiry_changed()

    def _expiry_changed(self) -> None:
        self.expiry_date.setVisible(self.expiry_combo.currentData() == ON_DATE)

    def _password_mode_changed(self, *_args: object) -> None:
        self.generated_edit.setEnabled(self.generate_option.isChecked())
        self.regenerate_button.setEnabled(self.generate_option.isChecked())
        self.open_warning.setVisible(self.no_password.isChecked())
        # The warning's wrapped lines need room: the dialog grows rather than overlapping the
        # rows below it.
        self.adjustSize()

    # -- reading the form ----------------------------------------------------------------------

    def expires_at(self) -> datetime | None:
        choice = self.expiry_combo.currentData()
        if choice == KEEP_CURRENT:
            assert self.link is not None
            return self.link.settings.expires_at
        if choice == ON_DATE:
            return end_of_day(self.expiry_date.date().toPython())  # type: ignore[arg-type]
        if choice is None:
            return None
        return datetime.now(UTC) + timedelta(days=int(choice))

    def chosen_settings(self) -> LinkSettings:
        return LinkSettings(
            download=Download(self.download_combo.currentData()),
            show_metadata=self.metadata_check.isChecked(),
            show_location=self.location_check.isChecked(),
            allow_picks=self.picks_check.isChecked(),
            pick_limit=limit_of(self.pick_limit) if self.picks_check.isChecked() else None,
            watermark=self.watermark.text(),
            expires_at=self.expires_at(),
            label=self.label_edit.text().strip() or None,
        )

    def new_password(self) -> str | None:
        """The password to set, None for none; raises ValueError for one too short."""
        if self.generate_option.isChecked():
            return self.generated_edit.text()
        if self.choose_option.isChecked():
            password = self.chosen_edit.text()
            if len(password) < MIN_PASSWORD:
                raise ValueError(f"Password: use at least {MIN_PASSWORD} characters.")
            return password
        return None

    # -- saving --------------------------------------------------------------------------------

    def _fail(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def save(self) -> None:
        keep = self.keep_password.isChecked() and self.link is not None
        try:
            password = None if keep else self.new_password()
        except ValueError as error:
            self._fail(str(error))
            self.chosen_edit.setFocus()
            return
        problem = self.watermark.problem()
        if problem is not None:
            self._fail(problem)
            self.watermark.edit.setFocus()
            return
        settings = self.chosen_settings()
        try:
            saved = self.context.owner.save_link(
                self.album.id,
                settings,
                password=KEEP if keep else password,
                link_id=self.link.id if self.link is not None else None,
            )
        except StoreError as error:
            self._fail(str(error))
            return
        link, password, kept_safely = saved.link, saved.password, saved.kept
        self.link = link
        self.handover = Handover(
            self.context.link_url(link), password, live=link.state is LinkState.ACTIVE
        )
        self._show_handover(kept_safely)

    def _show_handover(self, kept_safely: bool) -> None:
        assert self.handover is not None
        self.pages.setCurrentIndex(1)
        self.handover_page.show_handover(
            self.handover,
            self.album.title,
            self.context.server_label(),
            kept_safely=kept_safely,
            password_not_kept=self.link is not None
            and self.link.has_password
            and self.handover.password is None,
        )
