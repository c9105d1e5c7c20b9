"""Desktop notifications through the session's notification server
(`albumen.desktop_notifications`), against a stand-in server on a private D-Bus
(`tests.ui.notification_server`): what a viewer typed reaches the owner as text, never as
markup."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from albumen.core.model import Pick
from albumen.core.picks import PickNews
from albumen.desktop_notifications import DesktopNotifications
from albumen.ui.tray import Tray
from tests.ui.notification_server import NotificationServer, PrivateBus

NAME = '<a href="https://pay.example">Anna</a> & <b>Ben</b>'


@pytest.fixture
def bus() -> Iterator[PrivateBus]:
    private = PrivateBus()
    yield private
    private.stop()


def _shown(bus: PrivateBus, capabilities: list[str], body: str) -> str:
    server = NotificationServer(bus.address, capabilities)
    try:
        notifications = DesktopNotifications.connect(bus.address)
        assert notifications is not None
        assert notifications.notify("Picks from Lofoten", body).result(10)
        notifications.close()
    finally:
        server.stop()
    (shown,) = server.shown
    assert (shown.app_name, shown.summary) == ("Albumen", "Picks from Lofoten")
    assert shown.hints["desktop-entry"][1] == "org.albumen.Albumen"
    return shown.body


def test_a_server_that_reads_markup_gets_the_text_escaped(bus: PrivateBus) -> None:
    """Before: Qt handed the body over as it was, and such a server showed a viewer's name
    as a link."""
    body = _shown(bus, ["body", "body-markup"], f"{NAME} picked 23 photos")
    assert body == (
        '&lt;a href="https://pay.example"&gt;Anna&lt;/a&gt; &amp; &lt;b&gt;Ben&lt;/b&gt;'
        " picked 23 photos"
    )


def test_a_server_of_plain_text_gets_the_text_as_it_is(bus: PrivateBus) -> None:
    assert _shown(bus, ["body"], f"{NAME} picked 23 photos") == f"{NAME} picked 23 photos"


def test_no_server_running_means_none(bus: PrivateBus) -> None:
    assert DesktopNotifications.connect(bus.address) is None
    assert DesktopNotifications.connect("unix:path=/nonexistent/bus") is None


@pytest.mark.parametrize("capabilities", [["body", "body-markup"], ["body"]])
def test_a_server_dbus_starts_on_demand_is_started_by_the_first_notification(
    bus: PrivateBus, tmp_path: Path, capabilities: list[str]
) -> None:
    """dunst, mako or xfce4-notifyd, where the desktop has not started one yet: before, the
    app found no server running and fell back on a tray icon such desktops rarely show. The
    app's start does not wait for it: it is started, and asked what it reads, by the first
    notification, on the sending thread."""
    record = tmp_path / "shown.jsonl"
    bus.startable(capabilities, record)
    notifications = DesktopNotifications.connect(bus.address)
    assert notifications is not None
    assert notifications.markup is None, "not asked yet: nothing started at connect"
    assert not record.exists()
    try:
        assert notifications.notify("Picks from Lofoten", f"{NAME} picked 23 photos").result(20)
        assert notifications.notify("Link opened", "Lofoten, for Anna").result(20)
    finally:
        notifications.close()
    shown = [json.loads(line) for line in record.read_text().splitlines()]
    assert [one["summary"] for one in shown] == ["Picks from Lofoten", "Link opened"]
    expected = html.escape(NAME, quote=False) if "body-markup" in capabilities else NAME
    assert shown[0]["body"] == f"{expected} picked 23 photos"
    assert notifications.markup == ("body-markup" in capabilities)


def test_the_trays_news_of_picks_goes_to_the_notification_server_as_text(
    qtbot: QtBot, bus: PrivateBus
) -> None:
    """The tray's messages go to the desktop's notification server wherever one runs, also
    where there is no tray (a stock GNOME desktop), a viewer's name escaped for a server that
    reads markup."""
    server = NotificationServer(bus.address, ["body", "body-markup", "actions"])
    window = QMainWindow()
    qtbot.addWidget(window)
    notifications = DesktopNotifications.connect(bus.address)
    try:
        tray = Tray(window, window.show, [], notifications=notifications)
        pick = Pick(
            id="p1",
            link_id="l1",
            album_id="a1",
            name=NAME,
            note=None,
            photo_ids=("x", "y"),
            submitted_at=datetime(2026, 12, 2, tzinfo=UTC),
        )
        tray.picks_arrived([PickNews(pick, "Lofoten")])
        qtbot.waitUntil(lambda: len(server.shown) == 1)
    finally:
        assert notifications is not None
        notifications.close()
        server.stop()
    (shown,) = server.shown
    assert shown.summary == "New picks"
    assert shown.body == (
        '&lt;a href="https://pay.example"&gt;Anna&lt;/a&gt; &amp; &lt;b&gt;Ben&lt;/b&gt;'
        " picked 2 photos from Lofoten"
    )
