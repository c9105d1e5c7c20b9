"""The window's three panes side by side: albums, photos, details (metadata and links).

The photos are what the window is for. In a wide window the side panes keep the widths the
owner gave them and the photos take the rest; as the window narrows, the side panes give way
(each in proportion to what it can spare, down to its minimum) before the photos drop below
`PHOTOS_WANT`, so a 1024-pixel laptop screen still shows three photos across, not one and a
half. The owner's widths come back when the window widens again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QWidget

PHOTOS_WANT = 720  # three photos of the default size across
ALBUMS_WIDTH, DETAILS_WIDTH = 260, 440  # the side panes' widths until the owner drags them
ALBUMS_MIN, DETAILS_MIN = 170, 250


class PanelSplitter(QSplitter):
    """Albums | photos | details; `preferred` holds the side panes' widths the owner chose
    (by dragging a handle), which `fit` shrinks as far as the window's width requires."""

    def __init__(self, albums: QWidget, photos: QWidget, details: QWidget) -> None:
        super().__init__(Qt.Orientation.Horizontal)
        albums.setMinimumWidth(ALBUMS_MIN)
        details.setMinimumWidth(DETAILS_MIN)
        self._albums, self._details = albums, details
        for pane in (albums, photos, details):
            self.addWidget(pane)
        self.setStretchFactor(1, 1)  # in a wider window, the photos take the extra width
        self.preferred = (ALBUMS_WIDTH, DETAILS_WIDTH)
        self.setSizes([ALBUMS_WIDTH, PHOTOS_WANT, DETAILS_WIDTH])
        self.splitterMoved.connect(self._moved)

    def _moved(self) -> None:
        sizes = self.sizes()
        self.preferred = (sizes[0], sizes[2])

    def prefer(self, albums: int, details: int) -> None:
        """The side panes' widths as the owner left them last time (window state)."""
        self.preferred = (max(0, albums), max(0, details))
        self.fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        """The side panes at the owner's widths, or narrower if the photos would have less
        than PHOTOS_WANT: each gives up the same share of what it can spare."""
        total = sum(self.sizes())
        if not total:
            return
        minimums = (self._albums.minimumWidth(), self._details.minimumWidth())
        # A pane the owner collapsed (width 0) stays collapsed: it has nothing to spare.
        spare = [max(0, want - least) for want, least in zip(self.preferred, minimums, strict=True)]
        short = PHOTOS_WANT - (total - sum(self.preferred))
        share = min(1.0, max(0, short) / sum(spare)) if sum(spare) else 0.0
        albums, details = (
            round(want - room * share) for want, room in zip(self.preferred, spare, strict=True)
        )
        self.setSizes([albums, max(0, total - albums - details), details])
