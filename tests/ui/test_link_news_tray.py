"""The app tells the owner when a link is first opened, and when photos are first taken through
it (core.link_news), as a sync brings the server's counts back."""

from __future__ import annotations

from pathlib import Path

import requests
from pytestqt.qtbot import QtBot

from albumen.ui.context import AppContext
from albumen.ui.main_window import MainWindow
from tests.support import ServerProcess, wait_until
from tests.ui.test_picks import _shared_album


def test_the_tray_says_when_a_link_is_first_opened(
    qtbot: QtBot,
    window: MainWindow,
    context: AppContext,
    shared_server: ServerProcess,
    tmp_path: Path,
) -> None:
    album_id, url, _ids = _shared_album(qtbot, context, tmp_path, "Lofoten", photos=1)
    window.select_album(album_id)
    assert window.tray.last_link_message is None
    assert requests.get(url, timeout=30).status_code == 200
    [link] = context.store.links(album_id)
    wait_until(
        lambda: shared_server.api("GET", f"/api/links/{link.id}").json()["view_count"] == 1,
        what="the view counted",
    )
    window.sync_action.trigger()  # F5
    qtbot.waitUntil(lambda: window.tray.last_link_message is not None, timeout=30_000)
    assert window.tray.last_link_message == ("Link opened", "“Client” (Lofoten) was opened")
