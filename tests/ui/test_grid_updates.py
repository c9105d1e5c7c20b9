"""The photo grid while photos change under it: a refresh repaints only the cells that changed,
rows are read off the GUI thread while photos arrive, and upload reports move a cell on
without a read of the store; on the real window, store and sync bridge."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from albumen.core.model import Photo, PhotoState, Pick
from albumen.core.store import NewPhoto
from albumen.core.sync_events import SyncEvent
from albumen.ui.context import AppContext
from albumen.ui.main_window import MainWindow
from albumen.ui.photo_grid import PhotoGridModel, PickCountRole, ProgressRole
from tests.ui.windows import unseen_photos


def test_a_refresh_repaints_only_the_cells_that_changed(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    """Unchanged rows are not announced (a range repaints the whole viewport); a photo whose
    number of picks changed is, though its row did not."""
    album = window.new_album("Repaint")
    assert album is not None
    unseen_photos(context.store, album.id, 6)
    window.select_album(album.id)
    model = window.photos
    qtbot.waitUntil(lambda: model.photo_count() == 6)
    announced: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda first, last, *_: announced.append((first.row(), last.row())))
    model.refresh()
    assert announced == [], "nothing changed, nothing repainted"
    picked = model.photo_at(4)
    context.store.receive_picks(
        album.id,
        [
            Pick(
                id=str(uuid.uuid4()),
                link_id=str(uuid.uuid4()),
                album_id=album.id,
                name="Anna",
                note=None,
                photo_ids=(picked.id,),
                submitted_at=datetime.now(UTC),
            )
        ],
    )
    model.refresh()
    assert announced == [(4, 4)]
    assert model.index(4).data(PickCountRole) == 1


def test_photos_arriving_are_read_off_the_gui_thread_and_a_stale_read_is_dropped(
    context: AppContext, gui_parent: QWidget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While a folder is added the grid's rows are read on a pool (refresh_in_background), and
    a read overtaken by a later refresh must not bring back what that refresh left out."""
    album = context.store.create_album("Arriving")
    unseen_photos(context.store, album.id, 6)
    model = PhotoGridModel(context, gui_parent)
    model.set_album(album.id)
    assert model.rowCount() == 6
    real_photos = context.store.photos
    readers: list[str] = []
    reading, release = threading.Event(), threading.Event()

    def slow_photos(album_id: str) -> list[object]:
        readers.append(threading.current_thread().name)
        read = real_photos(album_id)
        if threading.current_thread() is not threading.main_thread():
            reading.set()
            release.wait(10)  # this read is overtaken while it waits
        return read  # type: ignore[return-value]

    monkeypatch.setattr(context.store, "photos", slow_photos)
    then: list[int] = []
    model.refresh_in_background(then=lambda: then.append(model.rowCount()))
    assert reading.wait(10), "the background read never began"
    removed = model.photo_at(0).id
    context.store.remove_photos([removed])
    model.refresh()  # on the GUI thread, after the read above began
    assert model.rowCount() == 5
    release.set()
    assert context.runner.wait()
    assert then == [5], "the stale read was applied, or `then` not called"
    assert model.rowCount() == 5 and model.row_of(removed) is None
    assert readers[0].startswith("albumen-task"), readers
    assert readers[1] == threading.main_thread().name

    readers.clear()
    context.store.add_photos(
        album.id, [NewPhoto(path=tmp_path / "new.jpg", size=1, mtime_ns=1, sha256="9" * 64)]
    )
    model.refresh_in_background()
    assert model.rowCount() == 5  # not read on the GUI thread: the rows come when it is back
    assert context.runner.wait()
    assert model.rowCount() == 6
    assert readers and readers[0].startswith("albumen-task"), readers


def test_upload_progress_shows_a_photo_uploading_without_reading_the_store(
    context: AppContext, gui_parent: QWidget, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Progress reports come ten times a second per upload: they move the cell on (its bar, its
    state) from what the report says, not from a read of the store on the GUI thread."""
    album = context.store.create_album("Progress")
    context.store.add_photos(
        album.id, [NewPhoto(path=tmp_path / "p.jpg", size=100, mtime_ns=1, sha256="7" * 64)]
    )
    model = PhotoGridModel(context, gui_parent)
    model.set_album(album.id)
    photo = model.photo_at(0)
    assert photo.state is PhotoState.QUEUED

    def no_reads(*_args: object) -> None:
        raise AssertionError("the store was read for a progress report")

    monkeypatch.setattr(context.store, "find_photo", no_reads)
    monkeypatch.setattr(context.store, "photo", no_reads)
    monkeypatch.setattr(context.store, "photos", no_reads)
    for sent in (10, 50, 90):
        model.set_progress(photo.id, sent, 100)
    assert model.photo_at(0).state is PhotoState.UPLOADING
    assert model.index(0).data(ProgressRole) == 0.9


def test_an_uploaded_photo_is_shown_as_the_sync_read_it_and_an_older_read_does_not_undo_it(
    context: AppContext, gui_parent: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sync's thread reads a photo it uploaded and hands it over (`photo_stored`): the grid
    shows it without reading the store on the GUI thread, and a refresh asked for before the
    upload, which read the photo still queued, does not put it back to queued."""
    album = context.store.create_album("Told")
    unseen_photos(context.store, album.id, 3)
    model = PhotoGridModel(context, gui_parent)
    model.set_album(album.id)
    photo = model.photo_at(1)
    real_photos, real_find = context.store.photos, context.store.find_photo
    reading, release = threading.Event(), threading.Event()
    finders: list[str] = []

    def slow_photos(album_id: str) -> list[object]:
        read = real_photos(album_id)
        reading.set()
        release.wait(10)  # the upload lands while this read waits
        return read  # type: ignore[return-value]

    def noted_find(photo_id: str) -> object:
        finders.append(threading.current_thread().name)
        return real_find(photo_id)

    monkeypatch.setattr(context.store, "photos", slow_photos)
    monkeypatch.setattr(context.store, "find_photo", noted_find)
    model.refresh_in_background()
    assert reading.wait(10), "the background read never began"
    context.store.set_photo_state(photo.id, PhotoState.UPLOADED)
    stored: list[object] = []
    context.sync.photo_stored.connect(stored.append)
    reporter = threading.Thread(
        target=context.sync.service.listener,
        args=(SyncEvent("uploaded", photo.id, album.id, sent=10, total=10),),
        name="albumen-upload_0",
    )
    reporter.start()
    reporter.join(10)
    context.sync._inbox.drain()  # as its timer does while a sync runs: on the GUI thread
    assert finders == ["albumen-upload_0"], "the photo was not read on the reporting thread"
    (told,) = stored
    assert isinstance(told, Photo) and told.state is PhotoState.UPLOADED
    model.photo_changed(told)
    assert model.photo_at(1).state is PhotoState.UPLOADED
    release.set()
    assert context.runner.wait()
    QApplication.processEvents()
    assert model.photo_at(1).state is PhotoState.UPLOADED, "the older read undid the upload"
    assert finders == ["albumen-upload_0"], "the grid read the store on the GUI thread"

    monkeypatch.setattr(context.store, "photos", real_photos)
    context.store.set_photo_state(photo.id, PhotoState.FAILED, error="gone")
    model.refresh_in_background()  # asked for after: what the store says now is shown
    assert context.runner.wait()
    QApplication.processEvents()
    assert model.photo_at(1).state is PhotoState.FAILED
