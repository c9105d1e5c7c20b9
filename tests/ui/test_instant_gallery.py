"""The app while an album's web sizes are in and its originals still go: the album list, the
album's heading and the share dialog say "Viewable now, originals n of m", and move on as the
originals land. Real server, real store, real sync."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from albumen.core.backend import Backend
from albumen.core.credentials import Credentials
from albumen.core.model import LinkSettings, PhotoState
from albumen.core.scan import scan
from albumen.core.sync import SyncEvent, SyncService
from albumen.core.web_size import WebSizes
from albumen.ui.album_list import StateTextRole
from albumen.ui.context import AppContext
from albumen.ui.main_window import MainWindow
from albumen.ui.share_dialog import ShareDialog
from tests.core.test_credentials import MemoryKeyring
from tests.support import ServerProcess, photo_jpeg
from tests.ui.windows import WORK_MS


def _viewable_album(context: AppContext, server: ServerProcess, folder: Path) -> str:
    """An album of three photos whose web sizes and link reached the server, and whose
    originals did not: a drain stopped right after the link went live."""
    folder.mkdir()
    for index in range(3):
        (folder / f"IMG_{index}.jpg").write_bytes(photo_jpeg((2400, 1600), seed=6100 + index))
    album = context.store.create_album("Arriving")
    context.store.add_photos(album.id, scan([folder]).photos)
    context.store.create_link(album.id, LinkSettings(), has_password=False)
    service = SyncService(
        context.store,
        lambda: Backend(server.url, server.token, read_timeout=20),
        Credentials(MemoryKeyring()),
        web_sizes=WebSizes(context.thumbnails),
    )

    def heard(event: SyncEvent) -> None:
        if event.kind == "link":
            service.stop()  # every web size is in; the originals are not sent

    service.listener = heard
    report = service.sync_once()
    assert (report.previewed, report.uploaded) == (3, 0)
    return album.id


def test_viewable_now_originals_n_of_m_until_the_originals_land(
    qtbot: QtBot,
    window: MainWindow,
    context: AppContext,
    shared_server: ServerProcess,
    tmp_path: Path,
) -> None:
    album_id = _viewable_album(context, shared_server, tmp_path / "shoot")
    context.events.albums_changed.emit()  # as after any change of the store
    window.select_album(album_id)
    row = window.albums.row_of(album_id)
    assert row is not None
    state = window.albums.index(row).data(StateTextRole)
    assert state == "Viewable now, originals 0 of 3"
    assert "Viewable now, originals 0 of 3" in window.heading.text()

    dialog = ShareDialog(context, album_id, window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.save()
    assert dialog.pages.currentIndex() == 1
    assert dialog.originals_note.isVisible()
    assert dialog.originals_note.text() == "Viewable now, originals 0 of 3."

    context.sync.request_sync()  # the originals go now; the views follow the sync
    qtbot.waitUntil(
        lambda: {p.state for p in context.store.photos(album_id)} == {PhotoState.UPLOADED},
        timeout=60_000,
    )
    qtbot.waitUntil(lambda: not dialog.originals_note.isVisible(), timeout=WORK_MS)
    qtbot.waitUntil(
        lambda: window.albums.index(row).data(StateTextRole) == "Shared", timeout=WORK_MS
    )
