"""Proofing in the app, against a real server: viewers send their picks over HTTP as the
gallery's script does, the picks arrive with a sync, the grid shows only the picked photos,
the file names go to the clipboard for Lightroom, and `albumen picks` prints the same line."""

from __future__ import annotations

import csv
import json
import uuid
from pathlib import Path

import pytest
import requests
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextDocument
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from albumen.core.model import LinkSettings, LinkState, PhotoState
from albumen.core.scan import scan
from albumen.ui.album_list import AlbumRole
from albumen.ui.context import AppContext
from albumen.ui.main_window import MainWindow
from albumen.ui.photo_grid import PickCountRole, PickNotesRole
from albumen.ui.picks_panel import NOTE, PhotoIdRole
from albumen.ui.share_dialog import ShareDialog
from tests.support import ServerProcess, free_port, photo_jpeg, run_albumen

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def send_pick(
    url: str,
    name: str,
    photo_ids: list[str],
    note: str | None = None,
    photo_notes: dict[str, str] | None = None,
) -> str:
    """What the viewer's browser sends: its own pick id, a name, a note, the favourites, and
    a note on any of them."""
    pick_id = str(uuid.uuid4())
    body = {"name": name, "note": note, "photo_ids": photo_ids, "photo_notes": photo_notes or {}}
    answer = requests.put(f"{url}/picks/{pick_id}", json=body, timeout=30)
    assert answer.status_code in (200, 201), answer.text
    return pick_id


def _shared_album(
    qtbot: QtBot, context: AppContext, tmp_path: Path, title: str, photos: int
) -> tuple[str, str, list[str]]:
    """An album of `photos` photos, uploaded, with a live link that allows picks: (album id,
    the link's URL, the photos' ids in the album's order)."""
    folder = tmp_path / "shoot"
    folder.mkdir()
    for index in range(photos):
        (folder / f"IMG_{index:04d}.jpg").write_bytes(photo_jpeg((320, 240), seed=index))
    album = context.store.create_album(title)
    context.store.add_photos(album.id, scan([folder]).photos)
    link = context.store.create_link(
        album.id, LinkSettings(allow_picks=True, label="Client"), has_password=False
    )
    context.changed(album.id)

    def ready() -> bool:
        states = {photo.state for photo in context.store.photos(album.id)}
        return states == {PhotoState.UPLOADED} and (
            context.store.link(link.id).state is LinkState.ACTIVE
        )

    qtbot.waitUntil(ready, timeout=60_000)
    qtbot.waitUntil(lambda: not context.sync.is_running(), timeout=30_000)  # one sync at a time
    live = context.store.link(link.id)
    return album.id, context.link_url(live), [p.id for p in context.store.photos(album.id)]


def test_picks_arrive_filter_the_grid_and_copy_the_lightroom_line_the_cli_prints(
    qtbot: QtBot,
    window: MainWindow,
    context: AppContext,
    shared_server: ServerProcess,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    album_id, url, ids = _shared_album(qtbot, context, tmp_path, "Lofoten", photos=4)
    window.select_album(album_id)
    panel = window.picks
    assert panel.tree.isHidden() and not panel.empty_label.isHidden()
    assert not panel.filter_action.isEnabled()

    send_pick(url, "Anna", [ids[3], ids[1]], note="For the living room")
    send_pick(url, "Ben", [ids[3]])
    window.sync_action.trigger()  # F5
    qtbot.waitUntil(lambda: panel.tree.topLevelItemCount() == 3, timeout=30_000)

    rows = [panel.tree.topLevelItem(r) for r in range(3)]
    assert [(row.text(0), row.text(1)) for row in rows if row] == [
        ("Everyone", "2"),
        ("Ben", "1"),
        ("Anna", "2"),
    ]
    assert rows[2] is not None and rows[2].text(3) == "For the living room"
    assert window.side.tabText(window.side.indexOf(panel)) == "P&icks (2)"
    assert window.tray.last_message is not None
    title, text = window.tray.last_message
    assert title == "2 new lists of picks"
    assert text.splitlines() == [
        "Anna picked 2 photos from Lofoten",
        "Ben picked 1 photo from Lofoten",
    ]
    row = window.albums.row_of(album_id)
    assert row is not None
    assert window.albums.index(row).data(AlbumRole).pick_count == 2
    assert "2 lists of picks" in window.albums.index(row).data(Qt.ItemDataRole.ToolTipRole)

    # The grid shows only the picked photos, each with how many picked it, by keyboard.
    window.grid.setFocus()
    qtbot.keyClick(window.grid, Qt.Key.Key_F, CTRL_SHIFT)
    assert panel.filter_action.isChecked()
    assert window.photos.rowCount() == 2
    shown = {window.photos.photo_at(r).id: r for r in range(2)}
    assert set(shown) == {ids[1], ids[3]}
    assert window.photos.index(shown[ids[3]]).data(PickCountRole) == 2
    assert window.photos.index(shown[ids[1]]).data(PickCountRole) == 1
    assert not window.grid.reorderable, "the rows shown are not the album's order"
    window.grid.setCurrentIndex(window.photos.index(0))
    window.grid.selectionModel().select(
        window.photos.index(0), window.grid.selectionModel().SelectionFlag.ClearAndSelect
    )
    assert not window.earlier_action.isEnabled()

    # One sender's picks: the grid and the Lightroom line follow the chosen row.
    qtbot.keyClick(window.grid, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # the Picks tab
    assert window.side.currentWidget() is panel
    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key.Key_Down)
    assert panel.chosen_picks()[0].name == "Ben"
    assert [window.photos.photo_at(r).id for r in range(window.photos.rowCount())] == [ids[3]]
    qtbot.keyClick(panel.tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == "IMG_0003"
    qtbot.keyClick(panel.tree, Qt.Key.Key_Up)
    panel.copy_action.trigger()
    everyone = QGuiApplication.clipboard().text()
    assert everyone == "IMG_0001, IMG_0003"
    assert "2 file names copied" in panel.message.text()

    export = tmp_path / "picks.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(export), ""))
    panel.export_action.trigger()
    with export.open(newline="", encoding="utf-8") as file:
        table = list(csv.DictReader(file))
    assert sorted((r["filename"], r["sender"]) for r in table) == [
        ("IMG_0001.jpg", "Anna"),
        ("IMG_0003.jpg", "Anna"),
        ("IMG_0003.jpg", "Ben"),
    ]
    assert {r["note"] for r in table if r["sender"] == "Anna"} == {"For the living room"}

    qtbot.keyClick(window.grid, Qt.Key.Key_F, CTRL_SHIFT)
    assert not panel.filter_action.isChecked() and window.photos.rowCount() == 4
    assert window.grid.reorderable

    # The command line prints the very line the app copied; offline, what the store kept.
    data = context.data_dir
    context.settings.save(context.settings_path)
    printed = run_albumen(data, "picks", "Lofoten", token=shared_server.token)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == everyone + "\n"
    as_json = run_albumen(data, "picks", album_id, "--format", "json", token=shared_server.token)
    listed = json.loads(as_json.stdout)["picks"]
    assert [(p["name"], p["filenames"]) for p in listed] == [
        ("Anna", ["IMG_0001.jpg", "IMG_0003.jpg"]),
        ("Ben", ["IMG_0003.jpg"]),
    ]
    (data / "settings.json").write_text(
        json.dumps({"server_url": f"http://127.0.0.1:{free_port()}"})
    )
    offline = run_albumen(data, "picks", "Lofoten", token=shared_server.token)
    assert offline.returncode == 3
    assert offline.stdout == everyone + "\n"
    assert "picks kept here at the last sync" in offline.stderr


def test_a_sent_link_can_start_taking_picks(
    qtbot: QtBot, context: AppContext, shared_server: ServerProcess, tmp_path: Path
) -> None:
    album = context.store.create_album("Wedding proofs")
    dialog = ShareDialog(context, album.id)
    qtbot.addWidget(dialog)
    assert not dialog.picks_check.isChecked(), "links do not take picks unless the owner says"
    dialog.no_password.setChecked(True)
    dialog.save()
    made = dialog.link
    assert made is not None
    context.sync.request_sync()
    qtbot.waitUntil(lambda: context.store.link(made.id).state is LinkState.ACTIVE, timeout=30_000)
    remote = shared_server.api("GET", f"/api/links/{made.id}").json()
    assert remote["allow_picks"] is False
    url = context.link_url(context.store.link(made.id))
    refused = requests.put(f"{url}/picks/{uuid.uuid4()}", json={"name": "A", "photo_ids": []})
    assert refused.status_code == 404

    edit = ShareDialog(context, album.id, link=context.store.link(made.id))
    qtbot.addWidget(edit)
    edit.picks_check.setFocus()
    qtbot.keyClick(edit.picks_check, Qt.Key.Key_Space)
    assert edit.picks_check.isChecked()
    edit.save()
    assert context.store.link(made.id).settings.allow_picks
    context.sync.request_sync()

    def server_allows() -> bool:
        answer = shared_server.api("GET", f"/api/links/{made.id}")
        return bool(answer.json()["allow_picks"])

    qtbot.waitUntil(server_allows, timeout=30_000)
    send_pick(url, "Carla", [])
    reopened = ShareDialog(context, album.id, link=context.store.link(made.id))
    qtbot.addWidget(reopened)
    assert reopened.picks_check.isChecked()


def test_notes_on_photos_show_under_their_sender_and_lead_to_the_photo(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    album_id, url, ids = _shared_album(qtbot, context, tmp_path, "Wedding", photos=4)
    window.select_album(album_id)
    send_pick(url, "Anna", [ids[0], ids[2]], photo_notes={ids[2]: "Warmer, please\nand larger"})
    send_pick(url, "Ben", [ids[2], ids[3]], photo_notes={ids[2]: "<b>Black</b> and white"})
    window.sync_action.trigger()
    panel = window.picks
    qtbot.waitUntil(lambda: panel.tree.topLevelItemCount() == 3, timeout=30_000)

    # Under each sender, the photos they wrote on: its file name and the note.
    ben, anna = panel.tree.topLevelItem(1), panel.tree.topLevelItem(2)
    assert ben is not None and anna is not None and anna.text(0) == "Anna"
    assert [(anna.child(0).text(0), anna.child(0).text(NOTE))] == [
        ("IMG_0002.jpg", "Warmer, please and larger")
    ]
    assert anna.childCount() == 1 and anna.isExpanded()
    assert ben.childCount() == 1 and ben.child(0).text(NOTE) == "<b>Black</b> and white"
    assert panel.tree.topLevelItem(0).childCount() == 0, "Everyone's row has none of its own"

    # The grid: the photo's tag carries a pen, its tooltip the notes, first sent first.
    row = window.photos.row_of(ids[2])
    assert row is not None
    index = window.photos.index(row)
    assert index.data(PickNotesRole) == (
        ("Anna", "Warmer, please\nand larger"),
        ("Ben", "<b>Black</b> and white"),
    )
    assert index.data(PickCountRole) == 2
    tip = index.data(Qt.ItemDataRole.ToolTipRole)
    # A stranger's words as text, never as markup.
    assert "<b>" not in tip and "&lt;b&gt;Black&lt;/b&gt;" in tip
    shown = QTextDocument()
    shown.setHtml(tip)
    assert (
        shown.toPlainText()
        .replace("\xa0", " ")
        .endswith(
            "Picked by 2 viewers\nAnna: “Warmer, please and larger”\nBen: “<b>Black</b> and white”"
        )
    )
    assert "&lt;b&gt;" in (ben.child(0).toolTip(NOTE) or "")
    assert window.photos.index(window.photos.row_of(ids[3]) or 0).data(PickNotesRole) == ()
    assert "picked by 2 viewers, 2 notes" in index.data(Qt.ItemDataRole.AccessibleTextRole)

    # By keyboard: down to Anna's note, its words in full; Return shows its photo in the grid.
    window.grid.setCurrentIndex(window.photos.index(0))
    panel.tree.setFocus()
    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
    for _ in range(4):  # Everyone, Ben, Ben's note, Anna, Anna's note
        qtbot.keyClick(panel.tree, Qt.Key.Key_Down)
    current = panel.tree.currentItem()
    assert current is not None and current.data(0, PhotoIdRole) == ids[2]
    assert panel.note_label.text() == "Anna on IMG_0002.jpg: “Warmer, please\nand larger”"
    assert panel.note_label.textFormat() is Qt.TextFormat.PlainText
    assert [p.name for p in panel.chosen_picks()] == ["Anna"], "a note's row chooses its sender"
    qtbot.keyClick(panel.tree, Qt.Key.Key_Return)
    assert window.grid.currentIndex().data(PickCountRole) == 2
    assert window.photos.photo_at(window.grid.currentIndex().row()).id == ids[2]
    assert window.grid.hasFocus()

    # The loupe on that photo shows the notes under its bar; a photo without any, nothing.
    window.open_loupe()
    assert window.pages.currentWidget() is window.loupe
    assert not window.loupe.notes.isHidden()
    assert window.loupe.notes.text() == (
        "✎ Anna: “Warmer, please and larger”\n✎ Ben: “<b>Black</b> and white”"
    )
    qtbot.keyClick(window.loupe, Qt.Key.Key_Right)
    assert window.loupe.photo is not None and window.loupe.photo.id == ids[3]
    assert window.loupe.notes.isHidden()


def test_the_share_dialog_sets_how_many_photos_each_viewer_may_pick(
    qtbot: QtBot, context: AppContext, shared_server: ServerProcess
) -> None:
    album = context.store.create_album("Wedding package")
    dialog = ShareDialog(context, album.id)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.pick_limit.isEnabled(), "no limit to set on a link without picks"
    dialog.no_password.setChecked(True)
    dialog.picks_check.setChecked(True)
    assert dialog.pick_limit.isEnabled() and dialog.pick_limit.value() == 0
    assert dialog.pick_limit.text() == "any number of photos"
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)  # P&icks each
    assert dialog.pick_limit.hasFocus()
    qtbot.keyClicks(dialog.pick_limit, "30")  # typed over, as a person would
    assert dialog.pick_limit.value() == 30 and dialog.pick_limit.text() == "up to 30 photos"
    dialog.save()
    made = dialog.link
    assert made is not None and made.settings.pick_limit == 30
    context.sync.request_sync()
    qtbot.waitUntil(lambda: context.store.link(made.id).state is LinkState.ACTIVE, timeout=30_000)
    remote = shared_server.api("GET", f"/api/links/{made.id}").json()
    assert (remote["allow_picks"], remote["pick_limit"]) == (True, 30)

    edit = ShareDialog(context, album.id, link=context.store.link(made.id))
    qtbot.addWidget(edit)
    assert edit.pick_limit.value() == 30
    edit.picks_check.setChecked(False)  # no picks: no limit either
    edit.save()
    assert context.store.link(made.id).settings.pick_limit is None
    context.sync.request_sync()

    def server_has_no_limit() -> bool:
        answer = shared_server.api("GET", f"/api/links/{made.id}").json()
        return answer["allow_picks"] is False and answer["pick_limit"] is None

    qtbot.waitUntil(server_has_no_limit, timeout=30_000)
