"""The window's connection and queue states against a real server: offline and back, a pause
kept across a restart, Quit with uploads waiting."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from albumen.core.model import PhotoState
from albumen.core.wording import human_bytes
from albumen.ui.album_list import StateTextRole
from albumen.ui.context import AppContext
from albumen.ui.main_window import MainWindow
from tests.support import create_token, free_port, revoke_owner, server_admin, start_server
from tests.ui.conftest import build_context
from tests.ui.dialogs import answer_next_box
from tests.ui.windows import WORK_MS
from tests.ui.windows import drop as _drop
from tests.ui.windows import photos as _photos


@contextlib.contextmanager
def window_on(qtbot: QtBot, client: Path, url: str, token: str) -> Iterator[MainWindow]:
    """The app's window on its own data folder, for the server at `url`; shut down after."""
    context = build_context(client, url, token)
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.show()
    try:
        yield window
    finally:
        window.close()
        context.sync.shutdown()
        context.runner.wait()
        context.store.close()


def album_waiting(
    qtbot: QtBot, window: MainWindow, folder: Path, start: int, held: str = "Offline"
) -> str:
    """A new album of two dropped photos, once the album list says they wait (`held`: why, in
    a word); its id."""
    album = window.new_album(folder.name)
    assert album is not None
    _drop(window.grid.viewport(), _photos(folder, 2, start=start))
    store = window.context.store
    qtbot.waitUntil(lambda: len(store.photos(album.id)) == 2, timeout=WORK_MS)
    row = window.albums.row_of(album.id)
    assert row is not None
    # The album list hears of the photos once the import hands them over (GUI thread).
    qtbot.waitUntil(
        lambda: (
            window.albums.data(window.albums.index(row), StateTextRole)
            == f"{held} · 2 waiting to upload"
        ),
        timeout=WORK_MS,
    )
    return album.id


def test_offline_then_back_online_against_a_real_server(
    qtbot: QtBot, tmp_path: Path, qapp: QApplication
) -> None:
    port = free_port()
    server_data = tmp_path / "server"
    server_data.mkdir()
    token = create_token(server_data)
    with window_on(qtbot, tmp_path / "client", f"http://127.0.0.1:{port}", token) as window:
        album_id = album_waiting(qtbot, window, tmp_path / "Later", 70)
        assert "offline" in window.connection_label.text()
        server = start_server(server_data, port=port, token=token)
        try:
            window.sync_action.trigger()
            qtbot.waitUntil(lambda: "online" in window.connection_label.text(), timeout=30_000)
            photos = window.context.store.photos(album_id)
            assert [p.state for p in photos] == [PhotoState.UPLOADED] * 2
        finally:
            server.stop()


def test_a_server_that_no_longer_accepts_this_computer_says_pair_again(
    qtbot: QtBot, tmp_path: Path, qapp: QApplication
) -> None:
    """The administrator revoked the owner's devices (a lost laptop): the window says to pair
    again, not "offline", and the album's photos wait, none of them marked failed."""
    server = start_server(tmp_path / "server")
    revoked = create_token(server.data, "anna")
    revoke_owner(server.data, "anna")
    try:
        with window_on(qtbot, tmp_path / "client", server.url, revoked) as window:
            album_id = album_waiting(qtbot, window, tmp_path / "Senja", 90, "Pair again")
            label = window.connection_label
            qtbot.waitUntil(lambda: "pair again" in label.text(), timeout=30_000)
            assert "no longer accepts this computer" in label.text()
            photos = window.context.store.photos(album_id)
            assert [p.state for p in photos] == [PhotoState.QUEUED] * 2
    finally:
        server.stop()


def test_a_server_without_room_says_so_and_the_photos_wait_for_it(
    qtbot: QtBot, tmp_path: Path, qapp: QApplication
) -> None:
    """The owner's storage quota is full: the window says the server has no room, in its own
    words (what is used, what to do), not "offline"; the photos wait, none marked failed, and
    go once the administrator gives room."""
    server = start_server(tmp_path / "server")
    token = create_token(server.data, "anna")
    server_admin(server, "owners", "quota", "--name", "anna", "1K")
    try:
        with window_on(qtbot, tmp_path / "client", server.url, token) as window:
            album = window.new_album("Senja")
            assert album is not None
            _drop(window.grid.viewport(), _photos(tmp_path / "Senja", 2, start=110))
            label = window.connection_label
            qtbot.waitUntil(lambda: "has no room for more photos" in label.text(), timeout=30_000)
            assert label.toolTip().startswith("Your storage on this server is full: ")
            assert "ask the server's administrator for more room" in label.toolTip()
            assert "offline" not in label.text()
            store = window.context.store
            assert [p.state for p in store.photos(album.id)] == [PhotoState.QUEUED] * 2
            row = window.albums.row_of(album.id)
            assert row is not None
            state = window.albums.data(window.albums.index(row), StateTextRole)
            assert state == "No room · 2 waiting to upload"

            server_admin(server, "owners", "quota", "--name", "anna", "none")
            window.sync_action.trigger()
            qtbot.waitUntil(
                lambda: [p.state for p in store.photos(album.id)] == [PhotoState.UPLOADED] * 2,
                timeout=30_000,
            )
            qtbot.waitUntil(lambda: "online" in label.text(), timeout=30_000)
            used = sum(p.size for p in store.photos(album.id))
            assert label.toolTip().endswith(f": {human_bytes(used)} used"), label.toolTip()
            assert "·" not in label.text(), "no quota: nothing beside 'online'"

            # A quota nearly used up shows beside "online", in the warning colour.
            server_admin(server, "owners", "quota", "--name", "anna", str(used + 100))
            window.sync_action.trigger()
            qtbot.waitUntil(lambda: " used" in label.text(), timeout=30_000)
            assert label.text().endswith(
                f"online · {human_bytes(used)} of {human_bytes(used + 100)} used"
            )
            assert "color:" in label.styleSheet()
    finally:
        server.stop()


def test_a_pause_holds_across_a_restart_until_resumed(
    qtbot: QtBot, context: AppContext, window: MainWindow
) -> None:
    window.pause_action.trigger()
    assert context.sync.paused
    try:
        context.sync.resume()  # as a new app would start: unpaused, until the window says
        again = MainWindow(context)
        qtbot.addWidget(again)
        assert context.sync.paused, "the owner's pause came back with the window"
        assert again.pause_action.text() == "&Resume uploads"
        again.pause_action.trigger()
        assert not context.sync.paused
    finally:
        context.sync.resume()
    third = MainWindow(context)
    qtbot.addWidget(third)
    assert not context.sync.paused


def test_quitting_with_uploads_waiting_asks_first(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    album = window.new_album("Waiting")
    assert album is not None
    context.sync.pause()  # the uploads stay waiting
    try:
        _drop(window.grid.viewport(), _photos(tmp_path / "waiting", 2, start=30))
        qtbot.waitUntil(
            lambda: window.photos.photo_count() == 2 and not window.photos.incoming_count(),
            timeout=WORK_MS,
        )
        asked = answer_next_box("Cancel")
        window.quit_action.trigger()
        assert asked and asked[0].startswith("2 photos are still waiting to upload")
        assert window.isVisible(), "Cancel keeps Albumen open"
    finally:
        context.sync.resume()
