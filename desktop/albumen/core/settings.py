"""Preferences in a small typed JSON file in the data folder; secrets never go here."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from albumen.core.model import Download


@dataclass
class LinkDefaults:
    download: str = Download.NONE.value
    show_metadata: bool = False
    show_location: bool = False
    expires_days: int | None = 30
    password: bool = True


@dataclass
class Settings:
    server_url: str | None = None  # None: the embedded server
    concurrent_uploads: int = 3
    bandwidth_limit_kbps: int | None = None
    link_defaults: LinkDefaults = field(default_factory=LinkDefaults)

    @classmethod
    def load(cls, path: Path) -> Settings:
        if not path.exists():
            return cls()
        try:
            raw: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ValueError(f"{path}: the settings file cannot be read ({error})") from None
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in raw.items() if k in known and k != "link_defaults"}
        defaults = raw.get("link_defaults") or {}
        known_defaults = {f.name for f in fields(LinkDefaults)}
        settings = cls(**values)
        settings.link_defaults = LinkDefaults(
            **{k: v for k, v in defaults.items() if k in known_defaults}
        )
        if settings.concurrent_uploads < 1:
            raise ValueError(f"{path}: concurrent_uploads must be 1 or more")
        return settings

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".settings.")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(asdict(self), handle, indent=2)
        os.replace(temporary, path)
