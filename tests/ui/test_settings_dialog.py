"""The settings dialog: a server is checked over real HTTP before it is saved, the token goes
to the keyring (the in-memory backend of the UI fixtures) and never to the settings file."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from pathlib import Path

import pytest
import requests
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from albumen.core.settings import Settings
from albumen.ui.context import AppContext
from albumen.ui.settings_dialog import SettingsDialog, server_url_problem
from albumen.ui.share_dialog import ShareDialog
from tests.support import (
    ServerProcess,
    free_port,
    invite,
    new_token,
    photo_jpeg,
    run_albumen,
)
from tests.ui.dialogs import mnemonics, repeated
from tests.ui.windows import WORK_MS


@pytest.fixture
def embedded_context(context: AppContext) -> AppContext:
    """An owner still on the embedded server, about to move to a sharing server."""
    context.settings.server_url = None
    return context


def _open(qtbot: QtBot, context: AppContext) -> SettingsDialog:
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_a_sharing_server_is_checked_then_saved_with_its_token_in_the_keyring(
    qtbot: QtBot, embedded_context: AppContext, shared_server: ServerProcess
) -> None:
    context = embedded_context
    applied: list[bool] = []
    context.settings_applied = lambda: applied.append(True)
    dialog = _open(qtbot, context)
    assert dialog.embedded_option.isChecked() and not dialog.url_edit.isEnabled()
    dialog.remote_option.setChecked(True)
    dialog.url_edit.setText(shared_server.url + "/")
    dialog.token_edit.setText(shared_server.token)
    dialog._server_edited()
    assert not dialog.move_note.isHidden(), "the owner is told what moving servers means"
    with qtbot.waitSignal(dialog.accepted, timeout=WORK_MS):
        dialog.save()
    assert "Connected as" in dialog.server_status.text()
    saved = json.loads(context.settings_path.read_text())
    assert saved["server_url"] == shared_server.url
    assert shared_server.token not in context.settings_path.read_text()
    assert context.credentials.server_token(shared_server.url) == shared_server.token
    assert applied == [True], "the new server applies without a restart"


def test_a_token_the_server_refuses_is_named_and_nothing_is_saved(
    qtbot: QtBot, embedded_context: AppContext, shared_server: ServerProcess
) -> None:
    dialog = _open(qtbot, embedded_context)
    dialog.remote_option.setChecked(True)
    dialog.url_edit.setText(shared_server.url)
    dialog.token_edit.setText(new_token())
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.error_label.isHidden(), timeout=WORK_MS)
    assert dialog.error_label.text().startswith("Token:")
    assert dialog.isVisible()
    assert not embedded_context.settings_path.exists()
    assert embedded_context.settings.server_url is None


def test_an_unreachable_server_is_only_saved_when_the_owner_says_so(
    qtbot: QtBot, embedded_context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save]
    asked: list[str] = []

    def question(_parent: object, _title: str, text: str, *_a: object) -> object:
        asked.append(text)
        return answers.pop(0)

    # A modal message box cannot be clicked offscreen: its answers are given here.
    monkeypatch.setattr(QMessageBox, "question", question)
    dialog = _open(qtbot, embedded_context)
    dialog.remote_option.setChecked(True)
    dialog.url_edit.setText(url)
    dialog.token_edit.setText(new_token())
    dialog.save()
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=30_000)
    assert url in asked[0]
    assert embedded_context.settings.server_url is None and dialog.isVisible()
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        dialog.save()
    assert Settings.load(embedded_context.settings_path).server_url == url


def test_uploads_and_new_link_defaults_are_saved(
    qtbot: QtBot, embedded_context: AppContext, tmp_path: Path
) -> None:
    dialog = _open(qtbot, embedded_context)
    dialog.concurrent_spin.setValue(5)
    dialog.limit_check.setChecked(True)
    dialog.limit_spin.setValue(1.5)
    assert dialog.web_sizes_check.isChecked()  # on by default
    dialog.web_sizes_check.setChecked(False)
    dialog.default_password.setChecked(False)
    dialog.default_expiry.setCurrentIndex(dialog.default_expiry.findData(None))
    dialog.default_download.setCurrentIndex(dialog.default_download.findData("web"))
    dialog.default_location.setChecked(True)
    assert not dialog.default_picks.isChecked()  # off unless the owner wants proofing
    assert not dialog.default_pick_limit.isEnabled()
    dialog.default_picks.setChecked(True)
    assert dialog.default_pick_limit.isEnabled()
    dialog.default_pick_limit.setValue(30)
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        dialog.save()
    saved = Settings.load(embedded_context.settings_path)
    assert saved.server_url is None
    assert saved.concurrent_uploads == 5
    assert saved.bandwidth_limit_kbps == 1500
    assert saved.web_sizes_first is False
    defaults = saved.link_defaults
    assert (defaults.password, defaults.expires_days, defaults.download) == (False, None, "web")
    assert defaults.show_location and not defaults.show_metadata
    assert defaults.allow_picks and defaults.pick_limit == 30
    # A new link starts from them: the share dialog offers 30 picks each.
    share = ShareDialog(embedded_context, embedded_context.store.create_album("Next").id)
    qtbot.addWidget(share)
    assert share.picks_check.isChecked() and share.pick_limit.value() == 30
    assert share.chosen_settings().pick_limit == 30


def test_every_keyboard_key_of_the_settings_leads_to_one_field(
    qtbot: QtBot, embedded_context: AppContext
) -> None:
    dialog = _open(qtbot, embedded_context)
    assert len(mnemonics(dialog)) >= 12
    assert repeated(mnemonics(dialog)) == []


def test_addresses_that_would_leak_secrets_are_refused() -> None:
    assert server_url_problem("photos.example.com") is not None
    problem = server_url_problem("http://photos.example.com")
    assert problem is not None and "https" in problem
    assert server_url_problem("https://photos.example.com") is None
    assert server_url_problem("http://127.0.0.1:8737") is None


def test_a_pairing_address_pasted_in_settings_connects_and_a_share_lands_there(
    qtbot: QtBot, embedded_context: AppContext, fresh_server: ServerProcess, tmp_path: Path
) -> None:
    """End to end: the administrator's `albumen-server invite`, the address pasted as the
    server's address, saved; then a share with what was saved lands on that server."""
    address = invite(fresh_server, "pat")
    dialog = _open(qtbot, embedded_context)
    dialog.remote_option.setChecked(True)
    dialog.url_edit.setText(address)  # no token typed
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        dialog.save()
    assert "Connected as pat" in dialog.server_status.text()
    saved = Settings.load(embedded_context.settings_path)
    assert saved.server_url == fresh_server.url  # the server, not the spent address
    token = embedded_context.credentials.server_token(fresh_server.url)
    assert token and token.startswith("alb_")
    assert token not in embedded_context.settings_path.read_text()

    photos = tmp_path / "photos"
    photos.mkdir()
    (photos / "IMG_0001.jpg").write_bytes(photo_jpeg())
    # The CLI reads the keyring of this machine, not the test's in-memory one: the token the
    # dialog kept goes in ALBUMEN_TOKEN, and the settings file the dialog wrote is the CLI's.
    share = run_albumen(
        embedded_context.data_dir, "share", str(photos), "--album", "Paired", token=token
    )
    assert share.returncode == 0, share.stderr
    albums = fresh_server.api("GET", "/api/albums").json()["albums"]
    assert albums == []  # the administrator's own owner sees nothing of pat's
    mine = requests.get(
        f"{fresh_server.url}/api/albums",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()["albums"]
    assert [album["title"] for album in mine] == ["Paired"]


def test_a_spent_pairing_address_is_named_and_nothing_is_saved(
    qtbot: QtBot, embedded_context: AppContext, fresh_server: ServerProcess
) -> None:
    address = invite(fresh_server, "pat")
    assert requests.post(
        f"{fresh_server.url}/api/pair", json={"code": address.rsplit("/", 1)[1]}, timeout=30
    ).ok
    dialog = _open(qtbot, embedded_context)
    dialog.remote_option.setChecked(True)
    dialog.url_edit.setText(address)
    dialog.save()
    qtbot.waitUntil(lambda: not dialog.error_label.isHidden(), timeout=WORK_MS)
    assert dialog.error_label.text().startswith("Pairing address:")
    assert "used already or has expired" in dialog.error_label.text()
    assert not embedded_context.settings_path.exists()


def test_with_large_text_the_fields_keep_their_height(
    qtbot: QtBot, embedded_context: AppContext
) -> None:
    """At QT_SCALE_FACTOR=1.5 (or large fonts) the wrapped notes once squeezed the address and
    token fields to a few pixels: the dialog opened at its minimum height."""
    dialog = SettingsDialog(embedded_context)
    qtbot.addWidget(dialog)
    font = dialog.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    dialog.setFont(font)
    dialog.remote_option.setChecked(True)
    dialog.show()
    qtbot.waitExposed(dialog)
    for field in (dialog.url_edit, dialog.token_edit):
        assert field.height() >= field.sizeHint().height(), field.accessibleName()


class _Gate:
    """A TCP relay to the real server that holds each connection until `open()`: the check
    is still under way, for as long as the test wants, when the owner presses Cancel."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.opened = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connected = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connected.set()
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        self.opened.wait(60)
        upstream = socket.create_connection(("127.0.0.1", self.target_port))
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.opened.set()
        self.listener.close()


def test_cancel_during_the_server_check_saves_nothing(
    qtbot: QtBot, embedded_context: AppContext, shared_server: ServerProcess
) -> None:
    context = embedded_context
    gate = _Gate(int(shared_server.url.rsplit(":", 1)[1]))
    try:
        dialog = _open(qtbot, context)
        dialog.remote_option.setChecked(True)
        url = f"http://127.0.0.1:{gate.port}"
        dialog.url_edit.setText(url)
        dialog.token_edit.setText(shared_server.token)
        dialog.save()  # checks first, and would save once the server answers
        assert gate.connected.wait(20), "the check never reached the server"
        dialog.reject()  # Cancel while the check waits for its answer
        gate.opened.set()  # the server answers now: a good token, a real server
        assert context.runner.wait(20_000)
        assert context.settings.server_url is None, "Cancel was overruled by the late answer"
        assert not context.settings_path.exists() or (
            json.loads(context.settings_path.read_text()).get("server_url") is None
        )
    finally:
        gate.close()
