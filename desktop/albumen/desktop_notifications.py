"""Desktop notifications on Linux, through the notification server on the session D-Bus
(`org.freedesktop.Notifications`).

Qt sends a tray icon's messages to that server only where a StatusNotifier host runs (KDE; GNOME
only with an extension): on a stock GNOME desktop the app told the owner nothing of viewers'
picks or links opened. And Qt hands a message's body over as it is, while a server that
advertises `body-markup` reads it as markup: a viewer's name such as `<a href="…">Pay here</a>`
arrived in the owner's notification as a link. So the app speaks the protocol itself wherever a
notification server runs, with `jeepney` (the pure-Python D-Bus library the keyring already
relies on on Linux), escaping the body for a server that reads markup. A server D-Bus starts on
demand (dunst, mako, xfce4-notifyd on a desktop that has not started one yet) is used too: it is
started by the first notification, not at the app's start. Elsewhere (macOS, Windows, no
server) the tray icon's own messages stay.

Sending happens on a thread of its own: a notification server that is slow to answer never
holds up the window. Qt-free.
"""

from __future__ import annotations

import html
import logging
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.Notifications"
DESKTOP_ENTRY = "org.albumen.Albumen"  # the app's .desktop file: the server shows its icon
ANSWER_SECONDS = 0.5
"""How long the app waits at start for the server to say what it can do."""
START_SECONDS = 10.0
"""How long the first notification waits for a server D-Bus starts on demand (on its own
thread: the window never waits for it)."""


class DesktopNotifications:
    """A connection to the session's notification server; `connect` makes one."""

    def __init__(self, connection: Any, *, markup: bool | None) -> None:
        self._connection = connection
        # The server reads the body as markup: it is escaped. None: not asked yet (a server
        # D-Bus starts on demand is asked, and so started, by the first notification).
        self.markup = markup
        self._sending = ThreadPoolExecutor(1, thread_name_prefix="albumen-notify")

    @classmethod
    def connect(cls, bus: str = "SESSION") -> DesktopNotifications | None:
        """The session's notification server, or None: not Linux, no session bus, or no
        server running on it nor one D-Bus can start."""
        if not sys.platform.startswith("linux"):
            return None
        from jeepney import new_method_call
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection
        from jeepney.wrappers import DBusErrorResponse

        try:
            connection = open_dbus_connection(bus=bus, auth_timeout=ANSWER_SECONDS)
        except (OSError, KeyError, ValueError, TimeoutError):  # no bus, or none named
            return None
        try:
            (running,) = connection.send_and_get_reply(
                message_bus.NameHasOwner(SERVICE), timeout=ANSWER_SECONDS
            ).body
            if not running:
                (startable,) = connection.send_and_get_reply(
                    message_bus.ListActivatableNames(), timeout=ANSWER_SECONDS
                ).body
                if SERVICE in startable:
                    return cls(connection, markup=None)
                connection.close()
                return None
            (capabilities,) = connection.send_and_get_reply(
                new_method_call(_server(), "GetCapabilities"), timeout=ANSWER_SECONDS
            ).body
        except (OSError, TimeoutError, DBusErrorResponse, ValueError):
            connection.close()
            return None
        return cls(connection, markup="body-markup" in capabilities)

    def notify(self, title: str, body: str) -> Future[bool]:
        """Show `title` and `body` (plain text, escaped where the server reads markup); returns
        at once. The future says whether the server took it."""
        return self._sending.submit(self._send, title, body)

    def _send(self, title: str, body: str) -> bool:
        from jeepney import new_method_call
        from jeepney.wrappers import DBusErrorResponse

        if self.markup is None:
            try:
                (capabilities,) = self._connection.send_and_get_reply(
                    new_method_call(_server(), "GetCapabilities"), timeout=START_SECONDS
                ).body
            except (OSError, TimeoutError, DBusErrorResponse, ValueError) as error:
                log.warning("the desktop's notification server did not start: %s", error)
                return False
            self.markup = "body-markup" in capabilities
        text = html.escape(body, quote=False) if self.markup else body
        hints = {"desktop-entry": ("s", DESKTOP_ENTRY)}
        message = new_method_call(
            _server(),
            "Notify",
            "susssasa{sv}i",
            ("Albumen", 0, DESKTOP_ENTRY, title, text, [], hints, -1),
        )
        try:
            self._connection.send_and_get_reply(message, timeout=5)
        except (OSError, TimeoutError, DBusErrorResponse, ValueError) as error:
            log.warning("the desktop's notification server did not take %r: %s", title, error)
            return False
        return True

    def close(self) -> None:
        self._sending.shutdown(wait=True)
        self._connection.close()


def _server() -> Any:
    """The notification server's object on the bus (jeepney is imported only on Linux)."""
    from jeepney import DBusAddress

    return DBusAddress("/org/freedesktop/Notifications", SERVICE, SERVICE)
