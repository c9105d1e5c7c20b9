"""A stand-in for the desktop's notification server (GNOME Shell's, Plasma's, dunst), which
cannot run in the tests: a private D-Bus daemon (the real `dbus-daemon`), and a thread that owns
`org.freedesktop.Notifications` on it and answers its methods as the specification says,
recording every notification it is sent.

Run as a program (`notification_server.py RECORD CAPABILITIES`), it is a server that D-Bus
starts on demand: the private bus's `startable` writes the service file that tells the daemon
how, and the process records each notification as a line of JSON in RECORD.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
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


_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir={folder}</listen>
  <servicedir>{folder}/services</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class PrivateBus:
    """A session bus of the test's own (the real `dbus-daemon`), stopped by `stop`. It starts
    no service of this machine's on demand (its only service folder is its own): the tests
    see none but the stand-ins they start, or make `startable`."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="albumen-bus-")
        folder = Path(self._folder.name)
        (folder / "services").mkdir()
        config = folder / "bus.conf"
        config.write_text(_CONFIG.format(folder=folder))
        self._daemon = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._daemon.stdout is not None
        self.address = self._daemon.stdout.readline().strip()
        assert self.address.startswith("unix:"), self.address

    def startable(self, capabilities: list[str], record: Path) -> None:
        """A notification server this bus starts on demand (not running until asked for),
        recording what it shows in `record`."""
        command = [sys.executable, str(Path(__file__).resolve()), str(record), *capabilities]
        service = Path(self._folder.name) / "services" / f"{SERVICE}.service"
        service.write_text(f"[D-BUS Service]\nName={SERVICE}\nExec={' '.join(command)}\n")
        # The daemon reads its service folder again when told (it may not watch it here).
        connection = open_dbus_connection(bus=self.address)
        try:
            connection.send_and_get_reply(message_bus.ReloadConfig(), timeout=10)
        finally:
            connection.close()

    def stop(self) -> None:
        self._daemon.terminate()
        self._daemon.wait(10)
        self._folder.cleanup()


class NotificationServer:
    """Serves `org.freedesktop.Notifications` on `bus` with these `capabilities`."""

    def __init__(
        self,
        bus: str,
        capabilities: list[str],
        on_shown: Callable[[Shown], None] | None = None,
        *,
        started_by_bus: bool = False,
    ) -> None:
        self.capabilities = capabilities
        self.shown: list[Shown] = []
        self._on_shown = on_shown
        self._connection = open_dbus_connection(bus=bus)
        if not started_by_bus:
            reply = self._connection.send_and_get_reply(message_bus.RequestName(SERVICE))
            assert reply.body == (1,), "the name is ours (primary owner)"
        else:
            # Started by the bus: the call that started it comes as soon as the name is ours,
            # before RequestName's answer, and waiting for that answer would drop it (jeepney's
            # blocking connection drops what it is not waiting for): the loop answers it.
            self._connection.send_message(message_bus.RequestName(SERVICE))
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                message = self._connection.receive(timeout=0.1)
            except TimeoutError:
                continue
            except (OSError, EOFError):  # the bus is gone
                self._stopping.set()
                return
            if message.header.message_type is not MessageType.method_call:
                continue
            member = message.header.fields.get(HeaderFields.member)
            if member == "GetCapabilities":
                answer = new_method_return(message, "as", (self.capabilities,))
            elif member == "Notify":
                app_name, _replaces, icon, summary, body, _actions, hints, _timeout = message.body
                self.shown.append(Shown(app_name, icon, summary, body, dict(hints)))
                if self._on_shown is not None:
                    self._on_shown(self.shown[-1])
                answer = new_method_return(message, "u", (len(self.shown),))
            else:
                answer = new_error(message, "org.freedesktop.DBus.Error.UnknownMethod")
            self._connection.send_message(answer)

    def wait(self) -> None:
        """Until the bus goes."""
        self._thread.join()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(5)
        self._connection.close()


def main() -> None:
    """Started by the bus (`PrivateBus.startable`): serve until the bus goes."""
    record = Path(sys.argv[1])

    def write(shown: Shown) -> None:
        with record.open("a", encoding="utf-8") as lines:
            lines.write(json.dumps(asdict(shown)) + "\n")

    address = os.environ["DBUS_STARTER_ADDRESS"]
    server = NotificationServer(address, sys.argv[2:], write, started_by_bus=True)
    server.wait()


if __name__ == "__main__":
    main()
