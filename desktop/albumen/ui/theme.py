"""Light or dark: the app follows the system's colour scheme, or the one the owner forces in
Settings (`theme`: "system", "light", "dark").

Qt switches the palette itself where the platform theme can (macOS, Windows, GNOME through the
desktop portal). Where it cannot (a bare X11 session, Xvfb, older desktops), a forced or
detected dark scheme gets Fusion with a dark palette made here. Colours the app sets itself
(warnings, errors) come from `tone`, so they stay readable on both.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from albumen.core.settings import THEMES

__all__ = ["THEMES", "apply_theme", "follow_system", "is_dark", "tone", "tone_colour"]
_TONES = {
    # kind: (on light, on dark)
    "warning": ("#a15c00", "#f2b35b"),
    "error": ("#b00020", "#ff7b7b"),
}


def is_dark(palette: QPalette | None = None) -> bool:
    colours = palette or QGuiApplication.palette()
    return colours.color(QPalette.ColorRole.Window).lightness() < 128


def tone(kind: str) -> str:
    """A style sheet colouring a label's text as a warning or an error, for the current scheme."""
    return f"color: {tone_colour(kind).name()};"


def tone_colour(kind: str) -> QColor:
    """The colour of a warning or an error, for the current scheme (a model's foreground)."""
    light, dark = _TONES[kind]
    return QColor(dark if is_dark() else light)


def dark_palette() -> QPalette:
    palette = QPalette()
    roles = QPalette.ColorRole
    for role, colour in (
        (roles.Window, "#2b2b2d"),
        (roles.WindowText, "#e8e8e8"),
        (roles.Base, "#1f1f21"),
        (roles.AlternateBase, "#2b2b2d"),
        (roles.ToolTipBase, "#3a3a3c"),
        (roles.ToolTipText, "#f0f0f0"),
        (roles.Text, "#e8e8e8"),
        (roles.Button, "#363638"),
        (roles.ButtonText, "#e8e8e8"),
        (roles.BrightText, "#ff6b6b"),
        (roles.Light, "#4a4a4c"),
        (roles.Midlight, "#3e3e40"),
        (roles.Mid, "#2f2f31"),
        (roles.Dark, "#19191a"),
        (roles.Shadow, "#000000"),
        (roles.Highlight, "#3d7ad6"),
        (roles.HighlightedText, "#ffffff"),
        (roles.Link, "#7ab3ff"),
        (roles.LinkVisited, "#b69cff"),
        (roles.PlaceholderText, "#8c8c8e"),
    ):
        palette.setColor(role, QColor(colour))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.Text, roles.ButtonText, roles.WindowText):
        palette.setColor(disabled, role, QColor("#77777a"))
    return palette


def wants_dark(choice: str, app: QApplication) -> bool:
    if choice == "dark":
        return True
    if choice == "light":
        return False
    return app.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, choice: str) -> None:
    """Apply `choice` now (windows repaint with the new palette)."""
    hints = app.styleHints()
    if choice == "system":
        hints.unsetColorScheme()
    else:
        hints.setColorScheme(Qt.ColorScheme.Dark if choice == "dark" else Qt.ColorScheme.Light)
    dark = wants_dark(choice, app)
    if dark and not is_dark(app.palette()):  # the platform did not switch: ours
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    elif not dark and is_dark(app.palette()):
        app.setPalette(app.style().standardPalette())


def follow_system(app: QApplication, choice: object) -> None:
    """Re-apply when the system switches between light and dark (`choice` is read each time:
    a callable giving the current setting)."""
    app.styleHints().colorSchemeChanged.connect(
        lambda _scheme: apply_theme(app, choice() if callable(choice) else str(choice))
    )
