"""The headless composition root: builds store, settings, credentials, backend and sync from a
data folder. The CLI uses it; the desktop app's `app.py` builds the same services for its widgets.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path

from albumen import embedded
from albumen.core.backend import Backend, BackendError
from albumen.core.credentials import Credentials, KeyringUnavailableError
from albumen.core.link_state import works_only_here
from albumen.core.settings import Settings
from albumen.core.store import Store
from albumen.core.sync import Listener, SyncService
from albumen.core.throttle import Throttle
from albumen.core.thumbnails import ThumbnailCache
from albumen.core.tus_client import ServerExtensions
from albumen.core.web_size import WebSizes


class NotLoggedInError(Exception):
    """A remote server is configured but no token for it is known."""


@dataclass(frozen=True)
class ServerTarget:
    url: str
    token: str
    embedded: bool


class Client:
    """Everything one data folder holds, opened once per process."""

    def __init__(self, data_dir: Path, credentials: Credentials | None = None) -> None:
        self.data_dir = data_dir
        embedded.private_folder(data_dir)  # link tokens, copies of photos: the owner's alone
        self.settings_path = data_dir / "settings.json"
        self.settings = Settings.load(self.settings_path)
        self.store = Store(data_dir / "albumen.sqlite3")
        _private_files(data_dir / "albumen.sqlite3")
        self.credentials = credentials or Credentials()
        self._target: ServerTarget | None = None
        self.thumbnails = ThumbnailCache(data_dir / "thumbnails")  # web sizes too
        self.rate_override: float | None = None  # `--limit-rate`, above the settings' cap
        self.throttle = Throttle(self._rate())
        self.server_extensions = ServerExtensions()  # the upload threads' backends share it

    def close(self) -> None:
        self.store.close()

    def apply_settings(self) -> None:
        """The settings changed: reach the server they name from the next request on."""
        self._target = None
        self.server_extensions = ServerExtensions()  # a server changed is asked again
        self.throttle.set_rate(self._rate())

    def limit_rate(self, bytes_per_second: float) -> None:
        """Cap uploads at this rate for this process, whatever the settings say."""
        self.rate_override = bytes_per_second
        self.throttle.set_rate(bytes_per_second)

    def _rate(self) -> float | None:
        if self.rate_override is not None:
            return self.rate_override
        limit = self.settings.bandwidth_limit_kbps
        return limit * 1000 if limit else None

    def web_sizes(self) -> WebSizes | None:
        """Where web sizes are made to go ahead of the originals; None when the owner turned
        that off (settings: `web_sizes_first`), and for a server on this computer (the embedded
        one) while uploads are not capped: originals then arrive at the speed of the disk, and
        web sizes would only cost time (with a cap, a slow uplink is what is being tried)."""
        if not self.settings.web_sizes_first:
            return None
        here = works_only_here(self.settings.server_url or "http://127.0.0.1")
        if here and self.throttle.rate is None:
            return None
        return WebSizes(self.thumbnails)

    def configured_url(self) -> str | None:
        return self.settings.server_url

    def target(self) -> ServerTarget:
        """The server to sync with; starts the embedded one when none is configured."""
        if self._target is not None:
            return self._target
        if self.settings.server_url:
            token = self.credentials.server_token(self.settings.server_url)
            if not token:
                raise NotLoggedInError(
                    f"no token for {self.settings.server_url}: run `albumen login "
                    f"{self.settings.server_url}` (or set ALBUMEN_TOKEN)"
                )
            self._target = ServerTarget(self.settings.server_url, token, embedded=False)
            return self._target
        server = embedded.ensure_running(self.data_dir)
        self._target = ServerTarget(server.url, self._embedded_token(server.url), embedded=True)
        return self._target

    def revive_embedded(self) -> bool:
        """The embedded server stopped (killed, crashed, the machine slept): start it again.
        True when it was restarted, so requests should go to it afresh; False when it runs,
        or when the configured server is not the embedded one (nothing to revive there)."""
        target = self._target
        if target is None or not target.embedded:
            return False
        if embedded.is_ours(target.url, embedded.server_data(self.data_dir)):
            return False
        self._target = None
        self.target()  # starts it; EmbeddedServerError says why it cannot
        return True

    def _embedded_token(self, url: str) -> str:
        # The embedded server's database is ours: a token lost from the keyring is re-minted.
        try:
            token = self.credentials.server_token(url)
        except KeyringUnavailableError:
            token = None
        if token and _accepted(url, token):
            return token
        token = embedded.mint_token(self.data_dir)
        if self.credentials.available:
            self.credentials.set_server_token(url, token)
        return token

    def backend(self) -> Backend:
        target = self.target()
        return Backend(
            target.url, target.token, throttle=self.throttle, extensions=self.server_extensions
        )

    def sync_service(self, listener: Listener | None = None) -> SyncService:
        return SyncService(
            self.store,
            self.backend,
            self.credentials,
            concurrency=self.settings.concurrent_uploads,
            listener=listener,
            web_sizes=self.web_sizes(),
        )

    def save_settings(self) -> None:
        self.settings.save(self.settings_path)


def _private_files(database: Path) -> None:
    """0600 for the store and its WAL files (SQLite gives new WAL files the store's mode)."""
    for path in (
        database,
        database.with_name(database.name + "-wal"),
        database.with_name(database.name + "-shm"),
    ):
        with contextlib.suppress(OSError):
            path.chmod(0o600)


def _accepted(url: str, token: str) -> bool:
    backend = Backend(url, token)
    try:
        backend.me()
    except BackendError:
        return False
    finally:
        backend.close()
    return True
