"""Secrets in the OS keyring and nowhere else: the server token and every link's password.

Headless use may give the server token in ALBUMEN_TOKEN instead. Without a usable keyring a link
password is shown once and kept only in this process's memory.

The keyring is looked for on the first secret asked for, not as the client opens: importing
keyring and finding the OS backend (every backend's module, a D-Bus probe) takes 60–170 ms
here, ahead of the first byte of an `albumen share` that ALBUMEN_TOKEN spares it entirely.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

SERVICE = "Albumen"
TOKEN_ENV = "ALBUMEN_TOKEN"  # noqa: S105  # the name of a variable, not a secret


class KeyringUnavailableError(Exception):
    """No usable keyring: the message says what to do about it."""


HOW_TO_FIX = (
    "No usable keyring was found to keep Albumen's secrets. On Linux, install and unlock a "
    "Secret Service provider (GNOME Keyring or KWallet); for headless use set ALBUMEN_TOKEN "
    "to the server token instead."
)


def _usable(backend: KeyringBackend) -> bool:
    # keyring's fail/null backends have a priority of 0 or below; keyrings.alt's plain-text
    # file would be usable but is not acceptable for secrets, so it is refused by name.
    name = type(backend).__module__ + "." + type(backend).__name__
    if "keyrings.alt" in name:
        return False
    try:
        return float(backend.priority) > 0
    except Exception:  # a backend that cannot even report its priority is not usable
        return False


class Credentials:
    """Reads and writes secrets through one keyring backend (the OS one unless given)."""

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend
        self._finding = threading.Lock()  # threads asking at once find one backend
        self._memory: dict[str, str] = {}

    @property
    def backend(self) -> KeyringBackend:
        if self._backend is None:
            with self._finding:
                if self._backend is None:
                    import keyring

                    self._backend = keyring.get_keyring()
        return self._backend

    @property
    def available(self) -> bool:
        return _usable(self.backend)

    def _require(self) -> None:
        if not self.available:
            raise KeyringUnavailableError(HOW_TO_FIX)

    def _get(self, key: str) -> str | None:
        if key in self._memory:
            return self._memory[key]
        if not self.available:
            return None
        from keyring.errors import KeyringError

        try:
            return self.backend.get_password(SERVICE, key)
        except KeyringError as error:
            raise KeyringUnavailableError(f"{HOW_TO_FIX} ({error})") from None

    def _set(self, key: str, secret: str) -> None:
        self._require()
        from keyring.errors import KeyringError

        try:
            self.backend.set_password(SERVICE, key, secret)
        except KeyringError as error:
            raise KeyringUnavailableError(f"{HOW_TO_FIX} ({error})") from None

    def _delete(self, key: str) -> None:
        self._memory.pop(key, None)
        if not self.available:
            return
        from keyring.errors import PasswordDeleteError

        with contextlib.suppress(PasswordDeleteError):
            self.backend.delete_password(SERVICE, key)

    # -- server token --------------------------------------------------------------------------

    def server_token(self, server_url: str) -> str | None:
        return os.environ.get(TOKEN_ENV) or self._get(f"server-token:{server_url.rstrip('/')}")

    def set_server_token(self, server_url: str, token: str) -> None:
        self._set(f"server-token:{server_url.rstrip('/')}", token)

    # -- link passwords ------------------------------------------------------------------------

    def link_password(self, link_id: str) -> str | None:
        return self._get(f"link-password:{link_id}")

    def set_link_password(self, link_id: str, password: str) -> bool:
        """Keep a link's password; returns False when it could only be kept in memory."""
        if self.available:
            self._set(f"link-password:{link_id}", password)
            return True
        self.hold_link_password(link_id, password)
        return False

    def hold_link_password(self, link_id: str, password: str) -> None:
        """Keep a link's password for this process only (the keyring refused it)."""
        self._memory[f"link-password:{link_id}"] = password

    def forget_link_password(self, link_id: str) -> None:
        self._delete(f"link-password:{link_id}")
