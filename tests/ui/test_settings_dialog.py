"""The settings dialog: a server is checked over real HTTP before it is saved, the token goes
to the keyring (the in-memory backend of the UI fixtures) and never to the settings file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from albumen.core.settings import Settings
from albumen.ui.context import AppContext
from albumen.ui.settings_dialog import SettingsDialog, server_url_problem
from tests.support import ServerProcess, free_port, new_token


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
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
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
    qtbot.waitUntil(lambda: not dialog.error_label.isHidden(), timeout=20_000)
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
    dialog.default_password.setChecked(False)
    dialog.default_expiry.setCurrentIndex(dialog.default_expiry.findData(None))
    dialog.default_download.setCurrentIndex(dialog.default_download.findData("web"))
    dialog.default_location.setChecked(True)
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        dialog.save()
    saved = Settings.load(embedded_context.settings_path)
    assert saved.server_url is None
    assert saved.concurrent_uploads == 5
    assert saved.bandwidth_limit_kbps == 1500
    defaults = saved.link_defaults
    assert (defaults.password, defaults.expires_days, defaults.download) == (False, None, "web")
    assert defaults.show_location and not defaults.show_metadata


def test_addresses_that_would_leak_secrets_are_refused() -> None:
    assert server_url_problem("photos.example.com") is not None
    problem = server_url_problem("http://photos.example.com")
    assert problem is not None and "https" in problem
    assert server_url_problem("https://photos.example.com") is None
    assert server_url_problem("http://127.0.0.1:8737") is None
