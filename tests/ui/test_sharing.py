"""The share dialog and the links panel, driven as an owner would, against a real server: the
link a dialog hands over is opened over HTTP the way a viewer's browser would."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from PySide6.QtCore import QDate, Qt, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from albumen.core.link_state import effective_state
from albumen.core.model import AlbumPrivacy, Download, Exposure, Link, LinkSettings, LinkState
from albumen.ui.context import AppContext
from albumen.ui.links_panel import EXPIRES, LABEL, LinksModel, LinksPanel
from albumen.ui.privacy_dialog import PrivacyDialog
from albumen.ui.share_dialog import MIN_PASSWORD, ON_DATE, ShareDialog, end_of_day
from albumen.ui.theme import tone_colour
from tests.ui.dialogs import answer_next_box, mnemonics, repeated


@pytest.fixture
def album_id(context: AppContext) -> str:
    return context.store.create_album("Lofoten, March").id


@pytest.fixture
def dialog(qtbot: QtBot, context: AppContext, album_id: str) -> Iterator[ShareDialog]:
    share = ShareDialog(context, album_id)
    qtbot.addWidget(share)
    share.show()
    yield share


def _live(qtbot: QtBot, context: AppContext, link_id: str) -> Link:
    context.sync.request_sync()
    qtbot.waitUntil(lambda: context.store.link(link_id).state is LinkState.ACTIVE, timeout=30_000)
    return context.store.link(link_id)


def _clipboard() -> str:
    return QGuiApplication.clipboard().text()


def test_a_generated_passphrase_link_opens_in_a_browser_with_that_passphrase(
    qtbot: QtBot, context: AppContext, dialog: ShareDialog
) -> None:
    assert dialog.generate_option.isChecked(), "new links are protected by default"
    passphrase = dialog.generated_edit.text()
    assert len(passphrase.split("-")) == 6
    dialog.label_edit.setText("Family")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)

    assert dialog.pages.currentIndex() == 1, "the dialog moved on to what to send"
    link = dialog.link
    assert link is not None and link.has_password and link.settings.label == "Family"
    assert context.credentials.link_password(link.id) == passphrase
    dialog.handover_page.copy_both()
    assert _clipboard() == f"{context.link_url(link)}\nPassword: {passphrase}"
    dialog.handover_page.copy_password()
    assert _clipboard() == passphrase

    live = _live(qtbot, context, link.id)
    viewer = requests.Session()
    locked = viewer.get(context.link_url(live), timeout=10)
    assert "Lofoten, March" not in locked.text and 'name="password"' in locked.text
    wrong = viewer.post(f"{context.link_url(live)}/unlock", data={"password": "nope"}, timeout=10)
    assert wrong.status_code == 401
    opened = viewer.post(
        f"{context.link_url(live)}/unlock", data={"password": passphrase}, timeout=10
    )
    assert opened.status_code == 200 and "Lofoten, March" in opened.text


def test_a_chosen_password_too_short_is_refused_and_nothing_is_made(
    context: AppContext, dialog: ShareDialog, album_id: str
) -> None:
    dialog.choose_option.setChecked(True)
    dialog.chosen_edit.setText("x" * (MIN_PASSWORD - 1))
    dialog.save()
    assert dialog.pages.currentIndex() == 0
    assert not dialog.error_label.isHidden()
    assert (
        "Password" in dialog.error_label.text() and str(MIN_PASSWORD) in dialog.error_label.text()
    )
    assert context.store.links(album_id) == []


def test_an_open_link_warns_first_and_then_needs_no_password(
    qtbot: QtBot, context: AppContext, dialog: ShareDialog
) -> None:
    assert dialog.open_warning.isHidden()
    dialog.no_password.setChecked(True)
    assert not dialog.open_warning.isHidden()
    dialog.save()
    link = dialog.link
    assert link is not None and not link.has_password
    assert dialog.handover_page.copy_password_button.isHidden()
    dialog.handover_page.copy_link()
    assert _clipboard() == context.link_url(link)
    live = _live(qtbot, context, link.id)
    page = requests.get(context.link_url(live), timeout=10)
    assert page.status_code == 200 and "Lofoten, March" in page.text


def test_new_links_start_from_the_owners_defaults(
    qtbot: QtBot, context: AppContext, album_id: str
) -> None:
    defaults = context.settings.link_defaults
    defaults.download = Download.ORIGINAL.value
    defaults.show_location = True
    defaults.expires_days = 7
    defaults.password = False
    defaults.allow_picks = True
    share = ShareDialog(context, album_id)
    qtbot.addWidget(share)
    assert share.no_password.isChecked()
    assert share.picks_check.isChecked() and share.chosen_settings().allow_picks
    assert share.download_combo.currentData() == Download.ORIGINAL.value
    assert share.location_check.isChecked() and not share.metadata_check.isChecked()
    assert share.expiry_combo.currentData() == 7
    expires = share.chosen_settings().expires_at
    assert expires is not None
    assert abs(expires - (datetime.now(UTC) + timedelta(days=7))) < timedelta(minutes=1)


def test_every_keyboard_key_of_the_share_dialog_leads_to_one_field(dialog: ShareDialog) -> None:
    dialog.show()
    assert len(mnemonics(dialog)) >= 10
    assert repeated(mnemonics(dialog)) == []
    dialog.choose_option.setChecked(True)  # the password field and its Show box appear
    assert "h" in mnemonics(dialog) and repeated(mnemonics(dialog)) == []


def test_a_link_until_a_date_works_through_that_whole_day(dialog: ShareDialog) -> None:
    dialog.expiry_combo.setCurrentIndex(dialog.expiry_combo.findData(ON_DATE))
    assert dialog.expiry_date.isVisibleTo(dialog)
    day = QDate.currentDate().addDays(3)
    dialog.expiry_date.setDate(day)
    expires = dialog.chosen_settings().expires_at
    assert expires == end_of_day(day.toPython())  # type: ignore[arg-type]
    assert expires.astimezone().hour == 23 and expires.astimezone().minute == 59  # type: ignore[union-attr]


def test_editing_keeps_the_password_and_changes_what_viewers_get(
    qtbot: QtBot, context: AppContext, dialog: ShareDialog, album_id: str
) -> None:
    dialog.save()
    made = dialog.link
    assert made is not None
    passphrase = context.credentials.link_password(made.id)
    live = _live(qtbot, context, made.id)

    edit = ShareDialog(context, album_id, link=live)
    qtbot.addWidget(edit)
    assert edit.keep_password.isChecked() and not edit.keep_password.isHidden()
    assert edit.expiry_combo.currentData() == "keep"
    edit.download_combo.setCurrentIndex(edit.download_combo.findData(Download.WEB.value))
    edit.save()
    changed = context.store.link(made.id)
    assert changed.settings.download is Download.WEB
    assert changed.settings.expires_at == live.settings.expires_at
    assert changed.has_password and context.credentials.link_password(made.id) == passphrase
    assert edit.handover is not None and edit.handover.password == passphrase
    context.sync.request_sync()
    qtbot.waitUntil(lambda: not context.store.pending_operations(), timeout=30_000)
    viewer = requests.Session()
    viewer.post(f"{context.link_url(live)}/unlock", data={"password": passphrase}, timeout=10)
    assert viewer.get(context.link_url(live), timeout=10).status_code == 200


# -- the links panel ---------------------------------------------------------------------------


@pytest.fixture
def panel(qtbot: QtBot, context: AppContext, album_id: str) -> LinksPanel:
    links = LinksPanel(context)
    qtbot.addWidget(links)
    links.set_album(album_id)
    links.show()
    return links


def test_the_panel_shows_each_link_and_how_often_it_was_opened(
    qtbot: QtBot, context: AppContext, panel: LinksPanel, album_id: str
) -> None:
    assert panel.table.isHidden() and not panel.empty_label.isHidden()
    link = context.store.create_link(album_id, LinkSettings(label="Open"), has_password=False)
    context.changed(album_id)
    assert panel.model.rowCount() == 1 and not panel.table.isHidden()
    state = panel.model.index(0, 1)
    assert state.data() in ("Pending", "Live")
    live = _live(qtbot, context, link.id)
    qtbot.waitUntil(lambda: panel.model.index(0, 1).data() == "Live", timeout=10_000)
    requests.get(context.link_url(live), timeout=10).raise_for_status()
    context.sync.request_sync()  # a sync pulls the view counts back
    qtbot.waitUntil(lambda: panel.model.index(0, 2).data() == "1", timeout=30_000)
    assert panel.model.index(0, 3).data() != "Never"
    assert panel.model.index(0, 6).data() == context.link_url(live)


def test_revoking_asks_first_and_then_the_link_stops_working(
    qtbot: QtBot,
    context: AppContext,
    panel: LinksPanel,
    album_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    link = context.store.create_link(album_id, LinkSettings(label="Client"), has_password=False)
    live = _live(qtbot, context, link.id)
    panel.refresh()
    panel.table.selectRow(0)
    asked = answer_next_box("Cancel")
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Delete)
    assert asked and "Client" in asked[0]
    assert context.store.link(link.id).state is LinkState.ACTIVE

    answer_next_box("Revoke")
    panel.revoke_action.trigger()
    assert context.store.link(link.id).state in (LinkState.REVOKE_PENDING, LinkState.REVOKED)
    assert panel.model.index(0, 1).data() in ("Revoke pending", "Revoked")
    assert not panel.revoke_action.isEnabled() and not panel.copy_link_action.isEnabled()
    qtbot.waitUntil(lambda: context.store.link(link.id).state is LinkState.REVOKED, timeout=30_000)
    gone = requests.get(context.link_url(live), timeout=10)
    assert gone.status_code in (404, 410) and "Lofoten" not in gone.text


def test_copying_from_the_panel_by_keyboard(
    qtbot: QtBot, context: AppContext, panel: LinksPanel, album_id: str
) -> None:
    link = context.store.create_link(album_id, LinkSettings(label="Lea"), has_password=True)
    context.credentials.set_link_password(link.id, "tumble-orbit-cactus-ledge-swift")
    panel.refresh()
    panel.table.selectRow(0)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert _clipboard() == context.link_url(link)
    panel.copy_both_action.trigger()
    assert _clipboard().endswith("\nPassword: tumble-orbit-cactus-ledge-swift")
    context.credentials.forget_link_password(link.id)
    panel.copy_password_action.trigger()
    assert "not kept" in panel.message.text()


def test_working_links_come_first_and_expired_ones_read_as_expired(
    qtmodeltester: object, context: AppContext, gui_parent: QWidget, album_id: str
) -> None:
    past = datetime.now(UTC) - timedelta(days=1)
    old = context.store.create_link(album_id, LinkSettings(label="Old"), has_password=False)
    context.store.set_link_remote(old.id, state=LinkState.ACTIVE)
    context.store.update_link(old.id, LinkSettings(label="Old", expires_at=past))
    context.store.create_link(album_id, LinkSettings(label="New"), has_password=False)
    model = LinksModel(context, gui_parent)
    model.set_album(album_id)
    assert [model.index(r, 0).data() for r in range(2)] == ["New", "Old"]
    assert model.index(1, 1).data() == "Expired"
    assert effective_state(context.store.link(old.id)) is LinkState.EXPIRED
    qtmodeltester.check(model)  # type: ignore[attr-defined]


def test_album_privacy_rules_grey_out_what_no_link_may_show(
    qtbot: QtBot, context: AppContext, album_id: str
) -> None:
    rules = PrivacyDialog(context, album_id)
    qtbot.addWidget(rules)
    assert rules.location.with_links.isChecked() and not rules.strip_check.isChecked()
    rules.strip_check.setChecked(True)
    assert rules.location.never.isChecked() and not rules.location.with_links.isEnabled()
    rules.metadata.never.setChecked(True)
    rules.save()
    privacy = context.store.album(album_id).privacy
    assert privacy == AlbumPrivacy(Exposure.NEVER, Exposure.NEVER, strip_location=True)

    share = ShareDialog(context, album_id)
    qtbot.addWidget(share)
    for check in (share.location_check, share.metadata_check):
        assert not check.isEnabled() and not check.isChecked()
        assert "Privacy" in check.toolTip()


def test_enter_creates_the_link_even_after_a_new_passphrase(
    qtbot: QtBot, dialog: ShareDialog
) -> None:
    qtbot.mouseClick(dialog.regenerate_button, Qt.MouseButton.LeftButton)
    passphrase = dialog.generated_edit.text()
    dialog.regenerate_button.setFocus()
    qtbot.keyClick(dialog.regenerate_button, Qt.Key.Key_Return)
    assert dialog.pages.currentIndex() == 1, "Enter made the link"
    assert dialog.handover is not None and dialog.handover.password == passphrase


def test_a_link_to_the_embedded_server_says_it_works_only_here(
    qtbot: QtBot, dialog: ShareDialog
) -> None:
    # The UI fixtures' server listens on 127.0.0.1, as the embedded server does.
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.handover is not None and "127.0.0.1" in dialog.handover.url
    assert dialog.handover_page.only_here_note.isVisible()
    assert "works only on this computer" in dialog.handover_page.only_here_note.text()
    assert "send it already" not in dialog.handover_page.state_note.text()


def test_a_live_link_opens_in_the_browser_as_a_viewer_sees_it(
    qtbot: QtBot,
    context: AppContext,
    panel: LinksPanel,
    album_id: str,
    opened_urls: list[QUrl],
) -> None:
    link = context.store.create_link(album_id, LinkSettings(label="Preview"), has_password=False)
    panel.refresh()
    panel.table.selectRow(0)
    assert not panel.open_action.isEnabled(), "pending: the server does not serve it yet"
    live = _live(qtbot, context, link.id)
    panel.refresh()
    panel.table.selectRow(0)
    assert panel.open_action.isEnabled()
    panel.open_action.trigger()
    opened = [url.toString() for url in opened_urls]
    assert opened == [context.link_url(live)]
    assert requests.get(opened[0], timeout=10).status_code == 200


def test_views_come_back_while_the_panel_is_on_screen_without_a_sync_asked_for(
    qtbot: QtBot, context: AppContext, panel: LinksPanel, album_id: str
) -> None:
    link = context.store.create_link(album_id, LinkSettings(label="Open"), has_password=False)
    context.changed(album_id)
    live = _live(qtbot, context, link.id)
    qtbot.waitUntil(lambda: panel.model.index(0, 1).data() == "Live", timeout=10_000)
    assert panel.isVisible() and panel.live_updates.isActive()
    panel.live_updates.setInterval(200)  # the panel's own pace, made quick for the test

    for _view in range(2):
        requests.get(context.link_url(live), timeout=10).raise_for_status()
    # No sync is asked for here; the sync's own half-minute round is far off.
    qtbot.waitUntil(lambda: panel.model.index(0, 2).data() == "2", timeout=15_000)
    panel.hide()
    assert not panel.live_updates.isActive(), "nothing is asked for while nobody looks"


def test_a_link_in_its_last_days_shows_its_end_in_the_warning_colour(
    context: AppContext, panel: LinksPanel, album_id: str
) -> None:
    now = datetime.now(UTC)
    for label, days in (("Ending", 2), ("Later", 20)):
        settings = LinkSettings(label=label, expires_at=now + timedelta(days=days))
        context.store.create_link(album_id, settings, has_password=False)
    context.changed(album_id)
    panel.refresh()
    model = panel.model
    rows = {model.index(row, LABEL).data(): row for row in range(model.rowCount())}
    assert set(rows) == {"Ending", "Later"}
    ending = model.index(rows["Ending"], EXPIRES).data(Qt.ItemDataRole.ForegroundRole)
    assert ending is not None and ending.color() == tone_colour("warning")
    assert model.index(rows["Later"], EXPIRES).data(Qt.ItemDataRole.ForegroundRole) is None
