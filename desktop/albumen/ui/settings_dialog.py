"""Where albums go (the embedded server or one the owner runs), how uploads behave, and what a
new link starts with.

A remote server is checked with its token before it is saved (off the GUI thread), so a typo
shows up here rather than as failed uploads later. The token goes to the keyring only. A pairing
address (`albumen-server invite`) pasted as the address is traded for a token instead
(albumen.core.pairing), so nobody copies tokens by hand.
"""

from __future__ import annotations

from urllib.parse import urlparse

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from albumen.core.backend import Backend, BackendError, OfflineError
from albumen.core.credentials import KeyringUnavailableError
from albumen.core.link_state import works_only_here
from albumen.core.model import Download
from albumen.core.pairing import Paired, PairingError, parse_invite, redeem
from albumen.core.settings import LinkDefaults
from albumen.ui.context import AppContext
from albumen.ui.pick_limit_box import limit_of, pick_limit_box
from albumen.ui.share_dialog import DOWNLOAD_CHOICES, EXPIRY_PRESETS
from albumen.ui.theme import tone
from albumen.ui.watermark_box import WatermarkBox

MAX_CONCURRENT = 8


def server_url_problem(url: str) -> str | None:
    """Why a typed server address cannot be used, or None."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return "Server address: enter a full address such as https://photos.example.com"
    if parsed.scheme == "http" and not works_only_here(url):
        return (
            "Server address: use https:// — over plain http, link passwords and your token "
            "would cross the network readable by anyone on the way."
        )
    return None


def check_server(url: str, token: str) -> str:
    """Runs on a worker: the account name the server knows the token by."""
    backend = Backend(url, token, read_timeout=15)
    try:
        me = backend.me()
    finally:
        backend.close()
    return str(me.get("name") or "owner")


class SettingsDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Settings")
        self.setMinimumWidth(520)
        self._checking = False
        self._attempt = 0  # each check and Cancel bump it: late answers of old checks are ignored
        settings = context.settings

        # -- server ----------------------------------------------------------------------------
        self.embedded_option = QRadioButton("&Embedded server on this computer")
        self.remote_option = QRadioButton("A &sharing server:")
        group = QButtonGroup(self)
        group.addButton(self.embedded_option)
        group.addButton(self.remote_option)
        self.url_edit = QLineEdit(settings.server_url or "")
        self.url_edit.setPlaceholderText("https://photos.example.com or a pairing address")
        self.url_edit.setAccessibleName("Server address")
        self.token_edit = QLineEdit()
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setAccessibleName("Owner token")
        known = self._known_token(settings.server_url)
        self.token_edit.setPlaceholderText(
            "Kept in the keyring — type to replace"
            if known
            else "Not needed with a pairing address"
        )
        self.check_button = QPushButton("C&heck connection")
        self.check_button.clicked.connect(lambda: self.check(save_after=False))
        self.server_status = QLabel()
        self.server_status.setWordWrap(True)
        embedded_note = QLabel(
            "The embedded server runs in the background while Albumen is open; its links "
            "work on this computer. To share with the world, run albumen-server where "
            "viewers can reach it."
        )
        embedded_note.setWordWrap(True)
        embedded_note.setEnabled(False)
        self.move_note = QLabel(
            "Albums already uploaded stay where they are; links you made keep pointing there."
        )
        self.move_note.setWordWrap(True)
        self.move_note.hide()
        remote_form = QFormLayout()
        remote_form.addRow("&Address:", self.url_edit)
        remote_form.addRow("&Token:", self.token_edit)
        check_row = QHBoxLayout()
        check_row.addWidget(self.check_button)
        check_row.addWidget(self.server_status, 1)
        server_box = QGroupBox("Server")
        server_layout = QVBoxLayout(server_box)
        server_layout.addWidget(self.embedded_option)
        server_layout.addWidget(embedded_note)
        server_layout.addWidget(self.remote_option)
        server_layout.addLayout(remote_form)
        server_layout.addLayout(check_row)
        server_layout.addWidget(self.move_note)
        (self.remote_option if settings.server_url else self.embedded_option).setChecked(True)
        group.buttonToggled.connect(self._server_mode_changed)
        self.url_edit.textEdited.connect(self._server_edited)
        self.token_edit.textEdited.connect(self._server_edited)

        # -- uploads ---------------------------------------------------------------------------
        self.concurrent_spin = QSpinBox()
        self.concurrent_spin.setRange(1, MAX_CONCURRENT)
        self.concurrent_spin.setValue(min(MAX_CONCURRENT, settings.concurrent_uploads))
        self.concurrent_spin.setAccessibleName("Photos uploaded at once")
        self.limit_check = QCheckBox("&Limit upload speed to")
        self.limit_spin = QDoubleSpinBox()
        self.limit_spin.setRange(0.1, 1000.0)
        self.limit_spin.setDecimals(1)
        self.limit_spin.setSingleStep(0.5)
        self.limit_spin.setSuffix(" MB/s")
        self.limit_spin.setAccessibleName("Upload speed limit in megabytes per second")
        limit = settings.bandwidth_limit_kbps
        self.limit_check.setChecked(limit is not None)
        self.limit_spin.setValue(limit / 1000 if limit else 2.0)
        self.limit_spin.setEnabled(limit is not None)
        self.limit_check.toggled.connect(self.limit_spin.setEnabled)
        limit_row = QHBoxLayout()
        limit_row.addWidget(self.limit_check)
        limit_row.addWidget(self.limit_spin)
        limit_row.addStretch(1)
        uploads_box = QGroupBox("Uploads")
        uploads_form = QFormLayout(uploads_box)
        uploads_form.addRow("&Photos uploaded at once:", self.concurrent_spin)
        uploads_form.addRow(limit_row)
        self.web_sizes_check = QCheckBox(
            "Send &web sizes first: links show every photo before the originals are in"
        )
        self.web_sizes_check.setChecked(settings.web_sizes_first)
        uploads_form.addRow(self.web_sizes_check)

        # -- link defaults ---------------------------------------------------------------------
        defaults = settings.link_defaults
        self.default_password = QCheckBox("Protect new links with a &generated passphrase")
        self.default_password.setChecked(defaults.password)
        self.default_expiry = QComboBox()
        for text, days in EXPIRY_PRESETS:
            self.default_expiry.addItem(text.replace("In ", "After "), days)
        index = self.default_expiry.findData(defaults.expires_days)
        if index < 0:
            self.default_expiry.addItem(
                f"After {defaults.expires_days} days", defaults.expires_days
            )
            index = self.default_expiry.count() - 1
        self.default_expiry.setCurrentIndex(index)
        self.default_download = QComboBox()
        for value, text in DOWNLOAD_CHOICES:
            self.default_download.addItem(text, value.value)
        self.default_download.setCurrentIndex(self.default_download.findData(defaults.download))
        self.default_metadata = QCheckBox("Show camera, lens and exposure &details")
        self.default_metadata.setChecked(defaults.show_metadata)
        self.default_location = QCheckBox("Show where photos were taken (places and &map)")
        self.default_location.setChecked(defaults.show_location)
        self.default_picks = QCheckBox("Let viewers p&ick favourites and send them to you")
        self.default_picks.setChecked(defaults.allow_picks)
        self.default_pick_limit = pick_limit_box()
        self.default_pick_limit.setValue(defaults.pick_limit or 0)
        self.default_pick_limit.setEnabled(defaults.allow_picks)
        self.default_picks.toggled.connect(self.default_pick_limit.setEnabled)
        self.default_watermark = WatermarkBox("Draw a wate&rmark:")
        self.default_watermark.set_text(defaults.watermark)
        self.default_watermark.hold_downloads(self.default_download)
        links_box = QGroupBox("New links")
        links_form = QFormLayout(links_box)
        links_form.addRow(self.default_password)
        links_form.addRow("E&xpire:", self.default_expiry)
        links_form.addRow("Dow&nloads:", self.default_download)
        links_form.addRow(self.default_metadata)
        links_form.addRow(self.default_location)
        links_form.addRow(self.default_picks)
        links_form.addRow("Pic&ks each:", self.default_pick_limit)
        links_form.addRow(self.default_watermark)

        # -- appearance ------------------------------------------------------------------------
        self.theme_combo = QComboBox()
        for scheme, label in (("system", "Like the system"), ("light", "Light"), ("dark", "Dark")):
            self.theme_combo.addItem(label, scheme)
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(settings.theme)))
        appearance_box = QGroupBox("Appearance")
        appearance_form = QFormLayout(appearance_box)
        appearance_form.addRow("&Colours:", self.theme_combo)

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(tone("error"))
        self.error_label.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(server_box)
        layout.addWidget(uploads_box)
        layout.addWidget(links_box)
        layout.addWidget(appearance_box)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._server_mode_changed()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Tall enough for the wrapped notes at this width: Qt sizes a new dialog from its
        minimum, which with large fonts or QT_SCALE_FACTOR=1.5 squeezed the address and token
        fields to a few pixels."""
        super().showEvent(event)
        layout = self.layout()
        needed = layout.totalHeightForWidth(self.width()) if layout is not None else -1
        if needed > self.height():
            self.resize(self.width(), needed)

    # -- server --------------------------------------------------------------------------------

    def _known_token(self, url: str | None) -> str | None:
        if not url:
            return None
        try:
            return self.context.credentials.server_token(url)
        except KeyringUnavailableError:
            return None

    def _remote(self) -> bool:
        return self.remote_option.isChecked()

    def _server_mode_changed(self, *_args: object) -> None:
        remote = self._remote()
        for widget in (self.url_edit, self.token_edit, self.check_button):
            widget.setEnabled(remote)
        self._server_edited()

    def _server_edited(self) -> None:
        self.server_status.clear()
        wanted = self.url_edit.text().strip().rstrip("/") if self._remote() else None
        current = (self.context.settings.server_url or "").rstrip("/") or None
        self.move_note.setVisible(wanted != current)

    def _token(self, url: str) -> str | None:
        return self.token_edit.text().strip() or self._known_token(url)

    def check(self, *, save_after: bool) -> None:
        """Asks the server who the token belongs to; saves afterwards when asked to. A pairing
        address is traded for a token first."""
        self._attempt += 1
        attempt = self._attempt
        invite = parse_invite(self.url_edit.text())
        if invite is not None:
            self._set_checking(True)
            self.server_status.setText(f"Pairing with {urlparse(invite.server_url).hostname}…")
            self.context.runner.run(
                lambda: redeem(invite),
                lambda paired, error: self._paired(
                    paired, error, save_after and attempt == self._attempt
                ),
            )
            return
        url = self.url_edit.text().strip().rstrip("/")
        problem = server_url_problem(url)
        if problem:
            self._fail(problem)
            self.url_edit.setFocus()
            return
        token = self._token(url)
        if not token:
            self._fail("Token: paste the owner token the server's administrator gave you.")
            self.token_edit.setFocus()
            return
        self._set_checking(True)
        self.server_status.setText(f"Checking {urlparse(url).hostname}…")
        self.context.runner.run(
            lambda: check_server(url, token),
            lambda name, error: (
                self._checked(url, token, name, error, save_after)
                if attempt == self._attempt
                else None
            ),
        )

    def reject(self) -> None:
        """Cancel: a check under way may still answer, but it no longer saves anything."""
        self._attempt += 1
        self._set_checking(False)
        super().reject()

    def _set_checking(self, checking: bool) -> None:
        self._checking = checking
        self.check_button.setEnabled(not checking and self._remote())
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not checking)

    def _checked(
        self, url: str, token: str, name: object, error: BaseException | None, save_after: bool
    ) -> None:
        self._set_checking(False)
        if error is None:
            self.server_status.setText(f"✓ Connected as {name}.")
            self.error_label.hide()
            if save_after:
                self._save(url, token)
            return
        # Before "cannot be reached": a refused token is an `OfflineError` too, to the sync
        # (its queue waits), but here it is the answer to the question asked.
        if isinstance(error, BackendError) and error.status in (401, 403):
            self.server_status.setText("✗ The server refused this token.")
            self._fail("Token: the server does not accept it; ask for a new one.")
            self.token_edit.setFocus()
            return
        if isinstance(error, OfflineError):
            self.server_status.setText("✗ The server cannot be reached.")
            if save_after and self._save_anyway(url):
                self._save(url, token)
            return
        self.server_status.setText("✗ That does not look like an Albumen server.")
        self._fail(f"Server address: {error}")

    def _paired(self, paired: object, error: BaseException | None, save_after: bool) -> None:
        self._set_checking(False)
        if not isinstance(paired, Paired):
            self.server_status.setText("✗ Pairing did not work.")
            message = str(error) if isinstance(error, PairingError) else f"{error}"
            self._fail(f"Pairing address: {message}")
            self.url_edit.setFocus()
            return
        # The address is spent now: the token it gave is kept at once, whatever comes next.
        try:
            self.context.credentials.set_server_token(paired.server_url, paired.token)
        except KeyringUnavailableError as error:
            self._fail(f"Token: it cannot be kept without a keyring ({error}).")
        self.url_edit.setText(paired.server_url)
        self.token_edit.setText(paired.token)
        self._checked(paired.server_url, paired.token, paired.owner, None, save_after)

    def _save_anyway(self, url: str) -> bool:
        answer = QMessageBox.question(
            self,
            "Server not reachable",
            f"{url} cannot be reached now. Use it anyway? Albumen keeps your changes and "
            "uploads them once it answers.",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Save

    # -- saving --------------------------------------------------------------------------------

    def _fail(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def save(self) -> None:
        if self._checking:
            return
        problem = self.default_watermark.problem()
        if problem is not None:
            self._fail(problem)
            self.default_watermark.edit.setFocus()
            return
        if self._remote():
            self.check(save_after=True)
        else:
            self._save(None, None)

    def _save(self, url: str | None, token: str | None) -> None:
        if url is not None and token is not None and self.token_edit.text().strip():
            try:
                self.context.credentials.set_server_token(url, token)
            except KeyringUnavailableError as error:
                self._fail(
                    f"Token: it cannot be kept without a keyring ({error}). "
                    "Set ALBUMEN_TOKEN instead."
                )
                return
        settings = self.context.settings
        settings.server_url = url
        settings.concurrent_uploads = self.concurrent_spin.value()
        settings.theme = str(self.theme_combo.currentData())
        settings.bandwidth_limit_kbps = (
            round(self.limit_spin.value() * 1000) if self.limit_check.isChecked() else None
        )
        settings.web_sizes_first = self.web_sizes_check.isChecked()
        settings.link_defaults = LinkDefaults(
            download=Download(self.default_download.currentData()).value,
            show_metadata=self.default_metadata.isChecked(),
            show_location=self.default_location.isChecked(),
            expires_days=self.default_expiry.currentData(),
            password=self.default_password.isChecked(),
            allow_picks=self.default_picks.isChecked(),
            pick_limit=limit_of(self.default_pick_limit)
            if self.default_picks.isChecked()
            else None,
            watermark=self.default_watermark.text(),
        )
        try:
            self.context.save_settings()
        except OSError as error:
            self._fail(f"{self.context.settings_path}: the settings could not be saved ({error})")
            return
        self.accept()
