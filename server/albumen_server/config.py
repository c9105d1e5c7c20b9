"""Server settings, gathered in one value so the app factory and the tests build servers alike."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServerConfig:
    """Everything a server process needs to know; several processes may share one deployment."""

    data_dir: Path
    database_url: str | None = None
    blobs_url: str | None = None
    public_url: str | None = None
    max_upload_size: int = 16 * 1024**3
    # Left free on the uploads' disk: uploads that would eat into it are refused with 507.
    disk_reserve: int = 256 * 1024**2
    upload_expiry_hours: int = 24
    unlock_failures_allowed: int = 10
    unlock_window_seconds: int = 15 * 60
    # Picks (proofing), per link and client address: lists sent, and photos marked on their
    # pages without JavaScript (each mark is one request there).
    pick_sends_allowed: int = 30
    pick_marks_allowed: int = 600
    pick_window_seconds: int = 15 * 60
    max_metadata_bytes: int = 4096
    # Street-level map tiles for the viewer's Places map, e.g. https://tiles.example/{z}/{x}/{y}.png.
    # None (the default): the map draws country outlines served by this server, and a viewer's
    # browser makes no request to any other host.
    tile_url: str | None = None
    tile_attribution: str | None = None

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'albumen.sqlite3'}"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def tile_origin(self) -> str | None:
        """The tile host as a Content-Security-Policy source (`{s}` subdomains as a wildcard)."""
        if not self.tile_url:
            return None
        scheme, _, rest = self.tile_url.partition("://")
        host = rest.split("/", 1)[0]
        if host.startswith("{s}."):
            host = "*." + host[4:]
        return f"{scheme}://{host}"

    @property
    def secure_cookies(self) -> bool:
        return bool(self.public_url and self.public_url.startswith("https://"))
