"""Helpers for driving the main window as an owner would: photo files on disk, an album of them
shown in the grid, and a real drag-and-drop sequence delivered to a widget."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget

from albumen.core.store import NewPhoto, Store
from tests.support import photo_jpeg

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from albumen.ui.main_window import MainWindow

WORK_MS = 60_000
"""How long a test waits for the app's background work (checking, decoding, uploading): an
upper bound, not an expectation. The app checks photos in processes at nice 10, which get
little of a core while the other test worker keeps both busy; a wait of 20 s ran out once
beside the rest of the suite (which wait, the summary did not say)."""


def photos(folder: Path, count: int, start: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(start, start + count):
        path = folder / f"IMG_{index:04d}.jpg"
        path.write_bytes(photo_jpeg((480, 320), seed=index))
        paths.append(path)
    return paths


def album_with(qtbot: QtBot, window: MainWindow, paths: list[Path], title: str = "Grid") -> str:
    """A new album of these files, once every one is checked and shown in the grid; its id."""
    album = window.new_album(title)
    assert album is not None
    window.import_paths(paths, album.id)
    qtbot.waitUntil(
        lambda: window.photos.photo_count() == len(paths) and not window.photos.incoming_count(),
        timeout=WORK_MS,
    )
    return album.id


def unseen_photos(store: Store, album_id: str, count: int) -> None:
    """Photos recorded without files: enough rows for layouts and states, nothing to decode."""
    store.add_photos(
        album_id,
        [
            NewPhoto(path=Path(f"/nowhere/p{i}.jpg"), size=1, mtime_ns=1, sha256=f"{i:064x}")
            for i in range(count)
        ],
    )


def drop(target: QWidget, paths: list[Path], at: QPoint | None = None) -> None:
    """A real drag-and-drop sequence, as the file manager would deliver it."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    point = QPointF(at or target.rect().center())
    actions = Qt.DropAction.CopyAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point.toPoint(), actions, mime, buttons, modifiers)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(point.toPoint(), actions, mime, buttons, modifiers)
    QApplication.sendEvent(target, move)
    drop = QDropEvent(point, actions, mime, buttons, modifiers)
    QApplication.sendEvent(target, drop)
    assert drop.isAccepted()
