"""The status bar: the connection to the server and the uploads' progress (bytes, rate, time
left), always in view; "Checking files…" while added files are read."""

from __future__ import annotations

import time
from typing import Final

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QWidget

from albumen.core import wording
from albumen.core.storage_use import StorageUse
from albumen.core.wording import human_bytes
from albumen.ui.sync_bridge import Connection, Transfer
from albumen.ui.theme import tone

TRANSFER_REFRESH_SECONDS: Final = 0.25
"""How often at most the bytes, rate and time left are redrawn: each change of their text lays
the status bar out again, and upload progress comes many times a second."""


def duration(seconds: float) -> str:
    """Time left, as precise as it is worth: 'a few seconds', '40 s', '3 min', '1 h 5 min'."""
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    if seconds >= 60:
        return f"{seconds // 60} min"
    return f"{seconds} s" if seconds >= 5 else "a few seconds"


class StatusBar(QStatusBar):
    """Permanent widgets on the right (rate and time left, progress, connection); passing
    messages on the left."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.connection_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self._transfer_shown = float("-inf")
        self.transfer_label = QLabel()
        self.addPermanentWidget(self.transfer_label)
        self.addPermanentWidget(self.progress)
        self.addPermanentWidget(self.connection_label)

    def show_connection(
        self, state: str, server: str, reason: str = "", storage: StorageUse | None = None
    ) -> None:
        """`state` is a `Connection` value; `server` names the server for the owner; `reason`
        is the server's own words when it has no room (what is used, what to do); `storage`
        the owner's room there (shown beside "online" when they have a quota, in the warning
        colour from 90 % on, and in the tooltip)."""
        texts = {
            Connection.ONLINE.value: f"● {server}: online",
            Connection.OFFLINE.value: f"○ {server}: offline — changes wait here",
            Connection.REFUSED.value: (
                f"⊘ {server} no longer accepts this computer — pair again in Settings;"
                " changes wait here"
            ),
            Connection.FULL.value: f"◔ {server} has no room for more photos — changes wait here",
            Connection.SYNCING.value: f"◐ {server}: syncing",
            Connection.PAUSED.value: f"‖ {server}: uploads paused",
            Connection.UNKNOWN.value: f"○ {server}",
        }
        text = texts.get(state, server)
        full = state == Connection.FULL.value and reason
        online = state == Connection.ONLINE.value and storage is not None
        tip = reason[:1].upper() + reason[1:] if full else ""
        if online and storage is not None:
            if storage.quota is not None:
                text += f" · {storage.words()}"
            tip = f"Your photos on {server}: {storage.words()}"
        warn = online and storage is not None and storage.nearly_full
        self.connection_label.setStyleSheet(tone("warning") if warn else "")
        self.connection_label.setText(text)
        self.connection_label.setToolTip(tip)
        self.connection_label.setAccessibleName(f"{text}: {reason}" if full else text)

    def show_checking(self, count: int) -> None:
        """Added files are being read (`count` files or folders): a busy bar."""
        self.progress.setRange(0, 0)
        self.progress.setFormat("Checking files…")
        self.progress.show()
        self.showMessage(f"Checking {wording.count(count, 'item')}…")

    def checking_done(self) -> None:
        self.progress.hide()

    def show_transfer(self, transfer: Transfer) -> bool:
        """The uploads' bytes, rate and time left; False (nothing shown) before sizes are
        known."""
        if not transfer.total:
            return False
        now = time.monotonic()
        if self.progress.isVisible() and now - self._transfer_shown < TRANSFER_REFRESH_SECONDS:
            return True
        self._transfer_shown = now
        if self.progress.maximum() != 1000:
            self.progress.setRange(0, 1000)
        self.progress.setValue(int(1000 * transfer.done / transfer.total))
        self.progress.setFormat(f"{human_bytes(transfer.done)} of {human_bytes(transfer.total)}")
        self.progress.show()
        left = transfer.seconds_left()
        rate = f"{human_bytes(transfer.rate())}/s"
        self.transfer_label.setText(rate + (f" · {duration(left)} left" if left else ""))
        return True

    def transfer_finished(self) -> None:
        self.progress.hide()
        self.transfer_label.clear()
