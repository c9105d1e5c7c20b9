"""A TCP proxy on loopback that cuts the connection every few megabytes, as a flaky hotel
Wi-Fi or a mobile hand-over does. Only for tests: a thread per direction, nothing clever."""

from __future__ import annotations

import contextlib
import random
import socket
import threading
from dataclasses import dataclass, field


@dataclass
class CuttingProxy:
    target_port: int
    cut_min: int
    cut_max: int
    seed: int = 0
    forwarded: int = 0  # bytes client → server that went through
    cuts: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _listener: socket.socket | None = None
    _open: set[socket.socket] = field(default_factory=set)

    def start(self) -> int:
        """Listen on a free loopback port; returns it."""
        self._chance = random.Random(self.seed)
        self._next_cut = self._chance.randint(self.cut_min, self.cut_max)
        listener = socket.create_server(("127.0.0.1", 0))
        self._listener = listener
        threading.Thread(target=self._accept, daemon=True).start()
        return int(listener.getsockname()[1])

    def stop(self) -> None:
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            for sock in list(self._open):
                with contextlib.suppress(OSError):
                    sock.close()

    def _accept(self) -> None:
        assert self._listener is not None
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._open |= {client, upstream}
            pair = (client, upstream)
            threading.Thread(
                target=self._pump, args=(client, upstream, pair, True), daemon=True
            ).start()
            threading.Thread(
                target=self._pump, args=(upstream, client, pair, False), daemon=True
            ).start()

    def _pump(
        self,
        source: socket.socket,
        target: socket.socket,
        pair: tuple[socket.socket, socket.socket],
        counted: bool,
    ) -> None:
        try:
            while data := source.recv(1 << 16):
                if counted:
                    with self._lock:
                        self.forwarded += len(data)
                        self._next_cut -= len(data)
                        cut = self._next_cut <= 0
                        if cut:
                            self.cuts += 1
                            self._next_cut = self._chance.randint(self.cut_min, self.cut_max)
                    if cut:
                        break
                target.sendall(data)
        except OSError:
            pass
        for sock in pair:  # a cut (or an end) drops both directions, as a network would
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()
        with self._lock:
            self._open -= set(pair)
