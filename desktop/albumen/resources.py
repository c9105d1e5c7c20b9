"""Where the app's icons are: inside the installed package, or in the source tree's
`resources/` when running from a checkout (the wheel maps one onto the other)."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CANDIDATES = (_PACKAGE / "resources", _PACKAGE.parents[1] / "resources")


def resource_dir() -> Path:
    for candidate in _CANDIDATES:
        if (candidate / "icons").is_dir():
            return candidate
    return _CANDIDATES[-1]


def icon_files() -> list[Path]:
    """The app icon at every size there is, largest last (what QIcon wants to be given)."""
    icons = resource_dir() / "icons"
    sized = sorted(
        icons.glob("*x*/org.albumen.Albumen.png"), key=lambda p: int(p.parent.name.split("x")[0])
    )
    return [icons / "org.albumen.Albumen.svg", *sized]
