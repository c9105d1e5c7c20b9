"""The grid's thumbnails as sharp as the sharpest screen the window may be shown on, including
a screen plugged in, or scaled, after the app started.

A grid thumbnail is made with `grid_edge_for(ratio)` pixels on its long edge, 320 per started
unit of the screen's pixel ratio. The app starts with the sharpest screen it has; a Retina
display connected to a laptop of 1× later, or a screen set from 100 % to 200 %, would otherwise
show thumbnails blown up until the next start. The edge only ever grows: thumbnails made for a
sharper screen still look right on a duller one, and making them again smaller would only cost.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QGuiApplication, QScreen

from albumen.core.thumbnails import ThumbnailCache, grid_edge_for


def sharpest_ratio(app: QGuiApplication) -> float:
    """The highest device pixel ratio of the screens there are now (1 without any)."""
    return max((screen.devicePixelRatio() for screen in app.screens()), default=1.0)


class ScreenEvents(QObject):
    """What a change of screens means for the views that show thumbnails (one per app, in its
    `AppContext`; the connections to the screens go with it)."""

    thumbnails_sharper = Signal()
    """The grid's thumbnails are made bigger from now on: the ones shown were made smaller."""

    def __init__(self) -> None:
        super().__init__()
        self._app: QGuiApplication | None = None
        self._thumbnails: ThumbnailCache | None = None

    def follow(self, app: QGuiApplication, thumbnails: ThumbnailCache) -> None:
        """Give the grid's thumbnails the sharpest screen's edge now, and a larger one whenever
        a sharper screen comes (added, or scaled: Qt tells a scale by the screen's logical DPI
        or by its geometry in logical pixels)."""
        self._app, self._thumbnails = app, thumbnails
        app.screenAdded.connect(self._watch)
        for screen in app.screens():
            self._watch(screen)

    @Slot(QScreen)
    def _watch(self, screen: QScreen) -> None:
        screen.logicalDotsPerInchChanged.connect(self._update)
        screen.geometryChanged.connect(self._update)
        self._update()

    @Slot()
    def _update(self) -> None:
        if self._app is None or self._thumbnails is None:
            return
        edge = grid_edge_for(sharpest_ratio(self._app))
        if edge > self._thumbnails.grid_edge:
            self._thumbnails.grid_edge = edge
            self.thumbnails_sharper.emit()
