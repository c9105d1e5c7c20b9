"""The main window driven as an owner would: drops, keys, menus, against a real server."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QWidget
from pytestqt.qtbot import QtBot

from albumen.core.model import LinkSettings, PhotoState
from albumen.core.store import NewPhoto
from albumen.ui.album_list import AlbumListModel, StateTextRole, album_state
from albumen.ui.context import AppContext
from albumen.ui.main_window import MainWindow
from albumen.ui.photo_grid import BATCH, PhotoGridModel, ThumbnailReadyRole
from tests.support import ServerProcess, photo_jpeg
from tests.ui.dialogs import answer_next_box, mnemonic, mnemonics, repeated
from tests.ui.windows import WORK_MS
from tests.ui.windows import drop as _drop
from tests.ui.windows import photos as _photos


def test_album_state_reads_at_a_glance() -> None:
    from albumen.core.model import Album
    from albumen.core.store_rows import utcnow

    def album(**kw: int) -> Album:
        return Album("a", "t", None, utcnow(), utcnow(), **kw)  # type: ignore[arg-type]

    assert album_state(album(), offline=False).startswith("Draft")
    assert album_state(album(photo_count=4, uploaded_count=1), False) == "Uploading 1 of 4"
    assert (
        album_state(album(photo_count=4, uploaded_count=1), True) == "Offline · 3 waiting to upload"
    )
    assert album_state(album(photo_count=2, uploaded_count=2, link_count=1), False) == "Shared"
    assert album_state(album(photo_count=2, failed_count=1), False).startswith("Error")


def test_every_alt_key_of_the_window_and_its_menus_leads_to_one_place(window: MainWindow) -> None:
    """An empty album shows its "Add photos…" button beside the menu bar: Alt+A was both the
    Album menu and that button, and did neither; Alt+M both the Metadata tab and the map
    button under it; in View, Alt+S was two entries."""
    window.new_album("Lofoten")
    window.show()
    assert window.drop_zone.isVisibleTo(window)
    keys = mnemonics(window)
    assert {"a", "p", "d"} <= set(keys)
    assert repeated(keys) == []
    for tab in range(window.side.count()):  # each side panel's own buttons, shown in turn
        window.side.setCurrentIndex(tab)
        assert repeated(mnemonics(window)) == [], window.side.tabText(tab)
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        entries = [mnemonic(action.text()) for action in menu.actions() if action.text()]
        assert repeated([key for key in entries if key]) == [], menu.title()


def test_new_album_from_the_menu(
    window: MainWindow, context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A modal dialog cannot be typed into offscreen: its answer is given here.
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Faroe Islands", True))
    window.new_album_action.trigger()
    assert [a.title for a in context.store.albums()] == ["Faroe Islands"]
    assert window.album_view.currentIndex().data() == "Faroe Islands"
    assert "Faroe Islands" in window.heading.text()


def test_dropping_files_on_the_grid_adds_them_and_thumbnails_arrive(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    album = window.new_album("Drop here")
    assert album is not None
    paths = _photos(tmp_path / "drop", 3)
    _drop(window.grid.viewport(), paths)
    qtbot.waitUntil(
        lambda: window.photos.photo_count() == 3 and not window.photos.incoming_count(),
        timeout=WORK_MS,
    )
    assert [p.filename for p in context.store.photos(album.id)] == [p.name for p in paths]
    model = window.photos
    for row in range(3):
        model.data(model.index(row), Qt.ItemDataRole.DecorationRole)  # as painting would ask
    qtbot.waitUntil(
        lambda: all(model.data(model.index(r), ThumbnailReadyRole) for r in range(3)),
        timeout=WORK_MS,
    )


def test_dropping_a_folder_on_an_album_in_the_list(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    first = window.new_album("First")
    second = window.new_album("Second")
    assert first is not None and second is not None
    folder = tmp_path / "shoot"
    _photos(folder / "day1", 2)
    _photos(folder / "day2", 1, start=10)
    row = window.albums.row_of(first.id)
    assert row is not None
    rect = window.album_view.visualRect(window.albums.index(row))
    _drop(window.album_view.viewport(), [folder], rect.center())
    qtbot.waitUntil(lambda: len(context.store.photos(first.id)) == 3, timeout=WORK_MS)
    assert context.store.photos(second.id) == []
    assert window.current_album() is not None and window.current_album().id == first.id  # type: ignore[union-attr]


def test_bad_files_are_listed_with_their_reason(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    window.new_album("Mixed")
    good = _photos(tmp_path / "mixed", 1)
    empty = tmp_path / "mixed" / "empty.jpg"
    empty.write_bytes(b"")
    broken = tmp_path / "mixed" / "broken.jpg"
    broken.write_bytes(photo_jpeg()[:2000])
    text = tmp_path / "mixed" / "notes.txt"
    text.write_text("hello")
    _drop(window.grid.viewport(), [*good, empty, broken, text])
    qtbot.waitUntil(lambda: window.problems.isVisible(), timeout=WORK_MS)
    lines = [window.problems.list.item(i).text() for i in range(window.problems.list.count())]
    assert any(line.startswith("empty.jpg: is empty") for line in lines)
    assert any(line.startswith("broken.jpg: is truncated") for line in lines)
    assert any(line.startswith("notes.txt: is not a photo") for line in lines)
    assert "3 files could not be added" in window.problems.heading.text()
    assert window.photos.rowCount() == 1


def test_upload_progress_reaches_every_photo(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    album = window.new_album("Upload me")
    assert album is not None
    paths = _photos(tmp_path / "up", 4, start=40)
    progress: list[tuple[str, int, int]] = []
    context.sync.photo_progress.connect(
        lambda pid, _a, sent, total: progress.append((pid, sent, total))
    )
    _drop(window.grid.viewport(), paths)
    qtbot.waitUntil(
        lambda: [p.state for p in context.store.photos(album.id)] == [PhotoState.UPLOADED] * 4,
        timeout=60_000,
    )
    assert progress, "progress was reported while uploading"
    assert all(0 < sent <= total for _pid, sent, total in progress)
    qtbot.waitUntil(lambda: not context.sync.is_running(), timeout=WORK_MS)
    qtbot.waitUntil(lambda: "Uploaded" in window.heading.text(), timeout=10_000)
    states = {window.photos.photo_at(r).state for r in range(window.photos.rowCount())}
    assert states == {PhotoState.UPLOADED}


def test_a_burst_of_uploads_reads_the_albums_counts_once(
    qtbot: QtBot,
    window: MainWindow,
    context: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each upload repaints its own cell; the album's heading and its row in the album list
    are read again once for a burst of uploads (RECOUNT_MS), not twice per photo: those reads
    were the GUI thread's largest cost while uploads ran beside an import."""
    context.sync.pause()
    album = window.new_album("Burst")
    assert album is not None
    context.store.add_photos(
        album.id,
        [
            NewPhoto(path=tmp_path / f"b{i}.jpg", size=1, mtime_ns=1, sha256=f"{i + 7:064x}")
            for i in range(20)
        ],
    )
    context.changed(album.id)
    qtbot.waitUntil(lambda: window.photos.rowCount() == 20)
    real_album, real_find = context.store.album, context.store.find_photo
    reads: list[str] = []

    def counted_album(album_id: str) -> object:
        reads.append(album_id)
        return real_album(album_id)

    monkeypatch.setattr(context.store, "album", counted_album)
    for photo in context.store.photos(album.id):
        context.store.set_photo_state(photo.id, PhotoState.UPLOADED)
        # as the bridge does: the photo read by the sync's thread, then the upload's news
        context.sync.photo_stored.emit(real_find(photo.id))
        context.sync.photo_uploaded.emit(photo.id, album.id)
    row = window.albums.row_of(album.id)
    assert row is not None
    expected = album_state(real_album(album.id), window.albums.offline)
    qtbot.waitUntil(lambda: window.albums.index(row).data(StateTextRole) == expected)
    qtbot.waitUntil(lambda: "20 photos · Uploaded" in window.heading.text())
    assert {window.photos.photo_at(r).state for r in range(20)} == {PhotoState.UPLOADED}
    assert len(reads) <= 4, reads  # 40 before: the row and the heading for each photo


def test_keyboard_reorder_remove_and_cover(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    album = window.new_album("Order")
    assert album is not None
    _drop(window.grid.viewport(), _photos(tmp_path / "order", 3, start=90))
    qtbot.waitUntil(
        lambda: window.photos.photo_count() == 3 and not window.photos.incoming_count(),
        timeout=WORK_MS,
    )
    window.grid.setFocus()
    window.grid.setCurrentIndex(window.photos.index(0))
    qtbot.keyClick(window.grid, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert [p.filename for p in context.store.photos(album.id)] == [
        "IMG_0091.jpg",
        "IMG_0090.jpg",
        "IMG_0092.jpg",
    ]
    window.grid.setCurrentIndex(window.photos.index(2))
    window.cover_action.trigger()
    assert context.store.album(album.id).cover_photo_id == context.store.photos(album.id)[2].id
    window.grid.setCurrentIndex(window.photos.index(0))
    qtbot.keyClick(window.grid, Qt.Key.Key_Delete)
    assert window.photos.rowCount() == 2, "out of the grid at once"
    assert "1 photo removed" in window.undo_bar.label.text()
    assert len(context.store.photos(album.id)) == 3, "not final yet: it can be undone"
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.photos.rowCount() == 3 and not window.undo_bar.isVisible()

    window.grid.setCurrentIndex(window.photos.index(0))
    qtbot.keyClick(window.grid, Qt.Key.Key_Delete)
    window.finish_deletes()
    assert [p.filename for p in context.store.photos(album.id)] == ["IMG_0090.jpg", "IMG_0092.jpg"]
    assert window.photos.rowCount() == 2


def test_removing_the_cover_hands_it_to_the_next_photo(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    album = window.new_album("Covers")
    assert album is not None
    _drop(window.grid.viewport(), _photos(tmp_path / "covers", 3, start=70))
    qtbot.waitUntil(
        lambda: window.photos.photo_count() == 3 and not window.photos.incoming_count(),
        timeout=WORK_MS,
    )
    first, middle, last = context.store.photos(album.id)
    context.store.set_cover(album.id, middle.id)
    context.store.remove_photos([middle.id])
    assert context.store.album(album.id).cover_photo_id == last.id  # the one that followed
    context.store.remove_photos([last.id])
    assert context.store.album(album.id).cover_photo_id == first.id  # none follows: before
    context.store.remove_photos([first.id])
    assert context.store.album(album.id).cover_photo_id is None


def test_commands_are_enabled_only_with_something_to_act_on(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    assert window.current_album() is None
    for action in (
        window.share_action,
        window.remove_photos_action,
        window.cover_action,
        window.earlier_action,
        window.undo_action,
    ):
        assert not action.isEnabled(), action.text()
    assert window.add_photos_action.isEnabled(), "adding photos makes an album"
    album = window.new_album("Acting")
    assert album is not None
    assert window.share_action.isEnabled() and not window.remove_photos_action.isEnabled()
    _drop(window.grid.viewport(), _photos(tmp_path / "acting", 2, start=60))
    qtbot.waitUntil(
        lambda: window.photos.photo_count() == 2 and not window.photos.incoming_count(),
        timeout=WORK_MS,
    )
    window.grid.setCurrentIndex(window.photos.index(0))
    assert window.remove_photos_action.isEnabled() and window.cover_action.isEnabled()
    window.grid.selectAll()
    assert window.remove_photos_action.isEnabled() and not window.cover_action.isEnabled()
    window.remove_photos_action.trigger()
    assert window.undo_action.isEnabled()
    window.finish_deletes()
    assert not window.undo_action.isEnabled()


def test_grid_model_fetches_in_batches_and_passes_the_model_tester(
    qtmodeltester: object, context: AppContext, gui_parent: QWidget, tmp_path: Path
) -> None:
    album = context.store.create_album("Big")
    photos = [
        NewPhoto(path=tmp_path / f"p{i}.jpg", size=1, mtime_ns=1, sha256=f"{i:064x}")
        for i in range(BATCH * 2 + 10)
    ]
    context.store.add_photos(album.id, photos)
    model = PhotoGridModel(context, gui_parent)
    model.set_album(album.id)
    assert model.rowCount() == BATCH
    assert model.canFetchMore(model.index(-1))
    model.fetchMore(model.index(-1))
    assert model.rowCount() == BATCH * 2
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    albums = AlbumListModel(context, gui_parent)
    qtmodeltester.check(albums)  # type: ignore[attr-defined]


def test_metadata_panel_shows_both_sides(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    album = window.new_album("Meta")
    assert album is not None
    _drop(window.grid.viewport(), _photos(tmp_path / "meta", 1, start=120))
    qtbot.waitUntil(
        lambda: window.photos.photo_count() == 1 and not window.photos.incoming_count(),
        timeout=WORK_MS,
    )
    window.grid.setCurrentIndex(window.photos.index(0))
    panel = window.metadata

    def rows() -> dict[str, tuple[str, str]]:
        model = panel.model
        return {
            model.item(r, 0).text(): (model.item(r, 1).text(), model.item(r, 2).text())
            for r in range(model.rowCount())
            if model.item(r, 2) is not None
        }

    qtbot.waitUntil(lambda: any("Position" in k for k in rows()), timeout=WORK_MS)
    position = next(v for k, v in rows().items() if "Position" in k)
    assert position[0].startswith("48.85") and position[1] == "—"
    assert panel.map_button.isEnabled()
    context.store.create_link(
        album.id, LinkSettings(show_location=True, label="Lea"), has_password=False
    )
    panel.refresh_links()
    panel.link_choice.setCurrentIndex(panel.link_choice.findText("Link for Lea"))
    position = next(v for k, v in rows().items() if "Position" in k)
    assert position[1] == position[0]


def test_window_remembers_its_last_album(
    qtbot: QtBot, context: AppContext, window: MainWindow
) -> None:
    window.new_album("One")
    two = window.new_album("Two")
    assert two is not None
    window.resize(800, 477)  # within the offscreen screen, which would clamp it
    window._save()
    again = MainWindow(context)
    qtbot.addWidget(again)
    assert again.current_album() is not None
    assert again.current_album().id == two.id  # type: ignore[union-attr]
    assert again.size().height() == 477


def test_deleting_an_album_can_be_undone_until_it_is_final(
    qtbot: QtBot,
    window: MainWindow,
    context: AppContext,
    monkeypatch: pytest.MonkeyPatch,
    shared_server: ServerProcess,
) -> None:
    keep = window.new_album("Keep")
    gone = window.new_album("Gone")
    assert keep is not None and gone is not None
    window.select_album(gone.id)
    asked = answer_next_box("Delete")
    window.delete_album_action.trigger()
    assert asked and "Its photos are removed" in asked[0]
    assert window.albums.row_of(gone.id) is None, "it leaves the list at once"
    assert window.undo_bar.isVisible() and "Gone" in window.undo_bar.label.text()
    assert [a.title for a in context.store.albums()] == ["Keep", "Gone"], "not final yet"
    # The offscreen platform gives the focus back to no window once a modal box closes; a
    # desktop gives it to the window: done here as the desktop would.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.albums.row_of(gone.id) is not None
    assert window.current_album() is not None and window.current_album().id == gone.id  # type: ignore[union-attr]
    assert not window.undo_bar.isVisible()

    answer_next_box("Delete")
    window.delete_album_action.trigger()
    window.undo_bar.timer.setInterval(50)
    window.undo_bar.timer.start()
    qtbot.waitUntil(lambda: [a.title for a in context.store.albums()] == ["Keep"], timeout=5_000)
    qtbot.waitUntil(
        lambda: shared_server.api("GET", f"/api/albums/{gone.id}").status_code == 404,
        timeout=WORK_MS,
    )
    assert shared_server.api("GET", f"/api/albums/{keep.id}").status_code == 200


def test_a_finished_sync_keeps_the_owners_album_and_photo_selection(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    window.new_album("First")
    second = window.new_album("Second")
    assert second is not None
    window.import_paths(_photos(tmp_path / "keep", 3, start=150), second.id)
    qtbot.waitUntil(
        lambda: window.photos.photo_count() == 3 and not window.photos.incoming_count(),
        timeout=WORK_MS,
    )
    qtbot.waitUntil(
        lambda: (
            all(p.state is PhotoState.UPLOADED for p in context.store.photos(second.id))
            and not context.sync.is_running()
        ),
        timeout=30_000,
    )
    chosen = window.photos.index(1)
    selection = window.grid.selectionModel()
    selection.setCurrentIndex(chosen, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    assert [i.row() for i in selection.selectedIndexes()] == [1]
    with qtbot.waitSignal(context.sync.finished, timeout=30_000):
        window.sync_action.trigger()
    assert window.current_album() is not None
    assert window.current_album().id == second.id  # type: ignore[union-attr]
    assert [i.row() for i in window.grid.selectionModel().selectedIndexes()] == [1]


def test_the_cameras_own_thumbnail_shows_while_the_real_one_is_made(
    qtbot: QtBot, context: AppContext, gui_parent: QWidget, tmp_path: Path
) -> None:
    import io
    import threading

    import piexif
    from PIL import Image

    small = io.BytesIO()
    Image.new("RGB", (160, 120), "orange").save(small, "JPEG")
    exif = piexif.dump({"0th": {}, "Exif": {}, "GPS": {}, "1st": {}, "thumbnail": small.getvalue()})
    path = tmp_path / "camera.jpg"
    Image.new("RGB", (1600, 1200), "navy").save(path, "JPEG", exif=exif)
    album = context.store.create_album("Placeholder")
    context.store.add_photos(
        album.id,
        [NewPhoto(path=path, size=path.stat().st_size, mtime_ns=1, sha256="ab" * 32)],
    )
    # Both image threads are held, so the real thumbnail cannot be made before we look.
    release = threading.Event()
    for _ in range(context.runner.image_threads):
        context.runner.run_image(release.wait)
    model = PhotoGridModel(context, gui_parent)
    model.set_album(album.id)
    index = model.index(0)
    try:
        assert model.data(index, Qt.ItemDataRole.DecorationRole) is None
        qtbot.waitUntil(
            lambda: model.data(index, Qt.ItemDataRole.DecorationRole) is not None, timeout=10_000
        )
        placeholder = model.data(index, Qt.ItemDataRole.DecorationRole)
        assert placeholder.width() == 160 and not model.data(index, ThumbnailReadyRole)
    finally:
        release.set()
    qtbot.waitUntil(lambda: bool(model.data(index, ThumbnailReadyRole)), timeout=WORK_MS)
    assert model.data(index, Qt.ItemDataRole.DecorationRole).width() == 320


def test_the_empty_app_is_a_drop_zone_that_makes_an_album_of_a_folder(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    assert window.current_album() is None
    assert window.drop_zone.isVisible() and not window.grid.isVisible()
    assert "Drop photos or folders here" in window.drop_zone.title.text()
    folder = tmp_path / "Hurtigruten"
    _photos(folder, 2, start=40)
    _drop(window.drop_zone, [folder])
    qtbot.waitUntil(
        lambda: window.photos.photo_count() == 2 and not window.photos.incoming_count(),
        timeout=WORK_MS,
    )
    album = window.current_album()
    assert album is not None and album.title == "Hurtigruten"  # the folder's name, not a date
    assert window.grid.isVisible() and not window.drop_zone.isVisible()


def test_colours_follow_the_setting_dark_or_light(qtbot: QtBot, window: MainWindow) -> None:
    from albumen.ui.theme import apply_theme, is_dark, tone

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    light_error = tone("error")
    try:
        apply_theme(app, "dark")
        qtbot.waitUntil(lambda: is_dark(window.palette()), timeout=5_000)
        assert tone("error") != light_error  # readable on the dark background
    finally:
        apply_theme(app, "light")
    qtbot.waitUntil(lambda: not is_dark(window.palette()), timeout=5_000)
    assert tone("error") == light_error
