"""Preferences in a small typed JSON file in the data folder; secrets never go here."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from albumen.core.keep_aside import keep_aside
from albumen.core.model import Download
from albumen_photo import watermark


@dataclass
class LinkDefaults:
    download: str = Download.NONE.value
    show_metadata: bool = False
    show_location: bool = False
    expires_days: int | None = 30
    password: bool = True
    allow_picks: bool = False  # viewers may send their favourites (proofing)
    pick_limit: int | None = None  # at most this many each (the photographer's package)
    watermark: str | None = None  # the text new links draw over their pictures (proofs)


@dataclass
class Settings:
    server_url: str | None = None  # None: the embedded server
    concurrent_uploads: int = 3
    bandwidth_limit_kbps: int | None = None  # kB (1000 bytes) a second
    web_sizes_first: bool = True  # each photo's web size goes ahead of its original
    theme: str = "system"  # or "light", "dark": the app's colours
    link_defaults: LinkDefaults = field(default_factory=LinkDefaults)
    # What was wrong with the file these settings came from (never saved): each problem names
    # the file and the field, and says what is used instead.
    problems: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def load(cls, path: Path) -> Settings:
        """The settings in ``path``, defaults where it has none. A broken file never stops the
        app or the CLI: what cannot be used is replaced by its default and listed in
        ``problems``, and the file is copied aside first (``settings.json.broken-…``), so that
        nothing the owner wrote is lost when the settings are next saved."""
        if not path.exists():
            return cls()
        problems: list[str] = []
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict):
                raise ValueError("it holds no settings object")
        except (OSError, ValueError) as error:
            raw = {}
            problems.append(f"{path}: the settings file cannot be read ({error})")
        values: dict[str, Any] = {}
        for name, check in _CHECKS.items():
            if name in raw:
                value, problem = check(raw[name])
                if problem is None:
                    values[name] = value
                else:
                    problems.append(f"{path}: {name} {problem}")
        settings = cls(**values)
        defaults = raw.get("link_defaults", {})
        if isinstance(defaults, dict):
            good = {}
            for name, value in defaults.items():
                default_check = _DEFAULT_CHECKS.get(name)
                if default_check is None:
                    continue  # a setting of a newer or older Albumen: ignored
                checked, problem = default_check(value)
                if problem is None:
                    good[name] = checked
                else:
                    problems.append(f"{path}: link_defaults.{name} {problem}")
            settings.link_defaults = LinkDefaults(**good)
        else:
            problems.append(f"{path}: link_defaults is not an object")
        if problems:
            copy = keep_aside(path, "broken")
            kept = f"; the file is kept as {copy.name}" if copy else ""
            settings.problems = tuple(f"{p} — the default is used{kept}" for p in problems)
        return settings

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = asdict(self)
        data.pop("problems")
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".settings.")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
        os.replace(temporary, path)


Check = Callable[[Any], tuple[Any, str | None]]


def _optional_url(value: Any) -> tuple[Any, str | None]:
    if value is None or (isinstance(value, str) and value.startswith(("http://", "https://"))):
        return value, None
    return None, f"must be an http(s) address or null, not {value!r}"


def _whole(low: int, high: int | None, *, optional: bool = False) -> Check:
    def check(value: Any) -> tuple[Any, str | None]:
        if optional and value is None:
            return None, None
        whole = isinstance(value, int) and not isinstance(value, bool)
        if whole and value >= low and (high is None or value <= high):
            return value, None
        limits = f"from {low} to {high}" if high is not None else f"of {low} or more"
        return (
            None,
            f"must be a whole number {limits}{' or null' if optional else ''}, not {value!r}",
        )

    return check


def _boolean(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool):
        return value, None
    return None, f"must be true or false, not {value!r}"


def _download(value: Any) -> tuple[Any, str | None]:
    choices = [item.value for item in Download]
    if value in choices:
        return value, None
    return None, f"must be one of {', '.join(choices)}, not {value!r}"


def _watermark(value: Any) -> tuple[Any, str | None]:
    """A text the server can draw (its own rule, `albumen_photo.watermark`), or null; a blank
    one is none."""
    if value is None:
        return None, None
    if not isinstance(value, str):
        return None, f"must be a line of text or null, not {value!r}"
    text = watermark.cleaned(value)
    if text is None:
        return None, None
    problem = watermark.problem(text)
    return (text, None) if problem is None else (None, problem)


def _theme(value: Any) -> tuple[Any, str | None]:
    if value in THEMES:
        return value, None
    return None, f"must be one of {', '.join(THEMES)}, not {value!r}"


THEMES = ("system", "light", "dark")
_CHECKS: dict[str, Check] = {
    "server_url": _optional_url,
    "concurrent_uploads": _whole(1, 8),
    "bandwidth_limit_kbps": _whole(1, None, optional=True),
    "web_sizes_first": _boolean,
    "theme": _theme,
}
_DEFAULT_CHECKS: dict[str, Check] = {
    "download": _download,
    "show_metadata": _boolean,
    "show_location": _boolean,
    "expires_days": _whole(1, 3650, optional=True),
    "password": _boolean,
    "allow_picks": _boolean,
    "pick_limit": _whole(1, 20_000, optional=True),
    "watermark": _watermark,
}
