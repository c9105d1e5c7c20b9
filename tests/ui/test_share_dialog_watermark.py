"""A watermarked link made in the share dialog, by keyboard, against a real server: the
Originals choice goes off while Watermark is on, a text the server cannot draw is named before
anything is saved, and Settings ▸ New links gives new links their watermark."""

from __future__ import annotations

import requests
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent, QStandardItemModel
from PySide6.QtWidgets import QApplication, QComboBox
from pytestqt.qtbot import QtBot

from albumen.core.model import Download, LinkState
from albumen.core.settings import Settings
from albumen.ui.context import AppContext
from albumen.ui.links_panel import LinksPanel
from albumen.ui.settings_dialog import SettingsDialog
from albumen.ui.share_dialog import ShareDialog
from albumen.ui.watermark_box import NO_ORIGINALS
from albumen_photo.watermark import MAX_CHARACTERS
from tests.support import ServerProcess, wait_until


def _offered(combo: QComboBox) -> list[str]:
    """The download choices a person can pick in `combo` now."""
    model = combo.model()
    assert isinstance(model, QStandardItemModel)
    return [combo.itemData(i) for i in range(combo.count()) if model.item(i).isEnabled()]


def _open(qtbot: QtBot, context: AppContext, album_id: str) -> ShareDialog:
    dialog = ShareDialog(context, album_id)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def _watermark_by_keyboard(qtbot: QtBot, dialog: ShareDialog, text: str) -> None:
    """Alt+A checks Watermark, Tab goes to its text, and the text is typed."""
    qtbot.keyClick(dialog, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)  # W&atermark
    qtbot.waitUntil(dialog.watermark.check.isChecked)
    assert dialog.watermark.check.hasFocus()
    qtbot.keyClick(dialog.watermark.check, Qt.Key.Key_Tab)
    assert dialog.watermark.edit.hasFocus(), "the text follows its box"
    for character in text:
        if ord(character) < 0x100:
            qtbot.keyClicks(dialog.watermark.edit, character)
        else:  # beyond a Latin keyboard: what an input method commits
            QApplication.sendEvent(dialog.watermark.edit, _committed(character))
    assert dialog.watermark.edit.text() == text


def _committed(text: str) -> QInputMethodEvent:
    event = QInputMethodEvent()
    event.setCommitString(text)
    return event


def test_a_watermark_typed_by_keyboard_turns_originals_into_web_sizes_on_the_server(
    qtbot: QtBot, context: AppContext, shared_server: ServerProcess
) -> None:
    album = context.store.create_album("Wedding proofs")
    dialog = _open(qtbot, context, album.id)
    dialog.no_password.setChecked(True)
    combo = dialog.download_combo
    combo.setCurrentIndex(combo.findData(Download.ORIGINAL.value))
    assert not dialog.watermark.check.isChecked(), "none unless asked"
    assert not dialog.watermark.edit.isEnabled()
    assert Download.ORIGINAL.value in _offered(combo)

    _watermark_by_keyboard(qtbot, dialog, "© Anna Berg")
    assert dialog.watermark.edit.placeholderText() == "© Your Name"
    assert _offered(combo) == [Download.NONE.value, Download.WEB.value], "no originals now"
    assert combo.currentData() == Download.WEB.value, "a link of originals: web sizes instead"
    assert combo.toolTip() == NO_ORIGINALS and "no originals" in NO_ORIGINALS
    qtbot.keyClick(dialog.watermark.edit, Qt.Key.Key_Return)  # Enter creates the link
    made = dialog.link
    assert made is not None, dialog.error_label.text()
    assert (made.settings.watermark, made.settings.download) == ("© Anna Berg", Download.WEB)
    context.sync.request_sync()
    qtbot.waitUntil(lambda: context.store.link(made.id).state is LinkState.ACTIVE, timeout=30_000)
    remote = shared_server.api("GET", f"/api/links/{made.id}").json()
    assert (remote["watermark"], remote["download"]) == ("© Anna Berg", "web")

    panel = LinksPanel(context)
    qtbot.addWidget(panel)
    panel.model.set_album(album.id)
    panel.select(made.id)
    assert "“© Anna Berg” over every picture" in panel.details.text()
    assert "<b>Downloaded</b>&nbsp;</td><td>not yet" in panel.details.text()

    # The client takes the proofs (web sizes, watermarked): the panel says so after a sync.
    url = context.link_url(context.store.link(made.id))
    assert requests.get(f"{url}/download", timeout=30).status_code == 200
    wait_until(
        lambda: shared_server.api("GET", f"/api/links/{made.id}").json()["download_count"] == 1,
        what="the zip counted",
    )
    context.sync.request_sync()
    qtbot.waitUntil(lambda: context.store.link(made.id).download_count == 1, timeout=30_000)
    panel.model.set_album(album.id)
    panel.select(made.id)
    assert "<b>Downloaded</b>&nbsp;</td><td>once, last " in panel.details.text()

    edit = ShareDialog(context, album.id, link=context.store.link(made.id))
    qtbot.addWidget(edit)
    assert edit.watermark.check.isChecked() and edit.watermark.edit.text() == "© Anna Berg"
    assert Download.ORIGINAL.value not in _offered(edit.download_combo)
    edit.watermark.check.setChecked(False)  # the finished photos: originals again
    assert Download.ORIGINAL.value in _offered(edit.download_combo)
    assert edit.download_combo.toolTip() == ""
    edit.download_combo.setCurrentIndex(edit.download_combo.findData(Download.ORIGINAL.value))
    edit.save()
    assert context.store.link(made.id).settings.watermark is None
    context.sync.request_sync()

    def server_has_originals_unmarked() -> bool:
        answer = shared_server.api("GET", f"/api/links/{made.id}").json()
        return answer["watermark"] is None and answer["download"] == "original"

    qtbot.waitUntil(server_has_originals_unmarked, timeout=30_000)


def test_a_watermark_the_server_cannot_draw_is_named_and_nothing_is_saved(
    qtbot: QtBot, context: AppContext
) -> None:
    album = context.store.create_album("Tokyo")
    dialog = _open(qtbot, context, album.id)
    _watermark_by_keyboard(qtbot, dialog, "東京 Anna")
    qtbot.keyClick(dialog.watermark.edit, Qt.Key.Key_Return)
    assert dialog.pages.currentIndex() == 0 and dialog.link is None
    assert not dialog.error_label.isHidden()
    assert dialog.error_label.text() == (
        "Watermark: has '東', which the watermark's font cannot draw."
    )
    assert dialog.watermark.edit.hasFocus(), "the field to fix has the keyboard"
    assert context.store.links(album.id) == []

    dialog.watermark.edit.clear()  # checked, but nothing to draw
    dialog.save()
    assert dialog.link is None and "Watermark: type the text" in dialog.error_label.text()
    qtbot.keyClicks(dialog.watermark.edit, "x" * (MAX_CHARACTERS + 5))
    assert len(dialog.watermark.edit.text()) == MAX_CHARACTERS, "the server's longest"
    assert context.store.links(album.id) == []


def test_the_default_watermark_of_settings_starts_every_new_link(
    qtbot: QtBot, context: AppContext
) -> None:
    context.settings.server_url = None  # saved without a server check (the embedded server)
    settings = SettingsDialog(context)
    qtbot.addWidget(settings)
    settings.show()
    combo = settings.default_download
    combo.setCurrentIndex(combo.findData(Download.ORIGINAL.value))
    box = settings.default_watermark
    assert not box.check.isChecked() and not box.edit.isEnabled()
    box.check.setChecked(True)
    assert combo.currentData() == Download.WEB.value and Download.ORIGINAL.value not in (
        _offered(combo)
    )
    box.edit.setText("東京")
    settings.save()
    assert "Watermark: has '東'" in settings.error_label.text() and settings.isVisible()
    assert Settings.load(context.settings_path).link_defaults.watermark is None, "not saved"
    box.edit.setText("  Proof · Anna Berg  ")
    with qtbot.waitSignal(settings.accepted, timeout=5_000):
        settings.save()
    defaults = Settings.load(context.settings_path).link_defaults
    assert (defaults.watermark, defaults.download) == ("Proof · Anna Berg", "web")

    share = ShareDialog(context, context.store.create_album("Next").id)
    qtbot.addWidget(share)
    assert share.watermark.check.isChecked()
    assert share.watermark.edit.text() == "Proof · Anna Berg"
    assert Download.ORIGINAL.value not in _offered(share.download_combo)
    assert share.chosen_settings().watermark == "Proof · Anna Berg"
