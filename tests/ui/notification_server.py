"""A stand-in for the desktop's notification server (GNOME Shell's, Plasma's), which cannot run
in the tests: a private D-Bus daemon (the real `dbus-daemon`), and a thread that owns
`org.freedesktop.Notifications` on it and answers its methods as the specification says,
recording every notification it is sent."""

from __future__ import annotations

import subprocess
import threading
from dataclasses import dataclass, field
from typing import Any

from jeepney import HeaderFields, MessageType, new_error, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

SERVICE = "org.freedesktop.Notifications"


@dataclass
class Shown:
    """One notification as the server received it."""

    app_name: str
    icon: str
    summary: str
    body: str
    hints: dict[str, Any] = field(default_factory=dict)


class PrivateBus:
    """A session bus of the test's own (`dbus-daemon --session`), stopped by `stop`."""

    def __init__(self) -> None:
        self._daemon = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._daemon.stdout is not None
        self.address = self._daemon.stdout.readline().strip()
        assert self.address.startswith("unix:"), self.address

    def stop(self) -> None:
        self._daemon.terminate()
        self._daemon.wait(10)


class NotificationServer:
    """Serves `org.freedesktop.Notifications` on `bus` with these `capabilities`."""

    def __init__(self, bus: str, capabilities: list[str]) -> None:
        self.capabilities = capabilities
        self.shown: list[Shown] = []
        self._connection = open_dbus_connection(bus=bus)
        reply = self._connection.send_and_get_reply(message_bus.RequestName(SERVICE))
        assert reply.body == (1,), "the name is ours (primary owner)"
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                message = self._connection.receive(timeout=0.1)
            except TimeoutError:
                continue
            if message.header.message_type is not MessageType.method_call:
                continue
            member = message.header.fields.get(HeaderFields.member)
            if member == "GetCapabilities":
                answer = new_method_return(message, "as", (self.capabilities,))
            elif member == "Notify":
                app_name, _replaces, icon, summary, body, _actions, hints, _timeout = message.body
                self.shown.append(Shown(app_name, icon, summary, body, dict(hints)))
                answer = new_method_return(message, "u", (len(self.shown),))
            else:
                answer = new_error(message, "org.freedesktop.DBus.Error.UnknownMethod")
            self._connection.send_message(answer)

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)
        self._connection.close()
