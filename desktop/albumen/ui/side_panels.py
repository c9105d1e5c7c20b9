"""The details beside the photos, as tabs: the current photo's metadata, the album's links, and
the picks its viewers sent. What they show follows the album and photo chosen and each sync;
the picks panel also decides which photos the grid shows (only the picked ones, on request),
and while it does, the grid cannot be reordered by dragging (its rows are not the album's).
The window lays the tabs out and tells them the album; the rest is wired here.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QTabWidget, QWidget

from albumen.core.photo_order import PhotoSort
from albumen.core.sync import SyncReport
from albumen.ui.context import AppContext
from albumen.ui.grid_view import PhotoGridView
from albumen.ui.links_panel import LinksPanel
from albumen.ui.metadata_panel import MetadataPanel
from albumen.ui.photo_grid import PhotoGridModel, PhotoRole
from albumen.ui.picks_panel import PicksPanel

PICKS_TAB = "P&icks"


class SidePanels(QTabWidget):
    def __init__(
        self,
        context: AppContext,
        grid: PhotoGridView,
        photos: PhotoGridModel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.grid, self.photos = grid, photos
        self.metadata = MetadataPanel(context)
        self.links = LinksPanel(context)
        self.picks = PicksPanel(context)
        self.addTab(self.metadata, "&Metadata")
        self.addTab(self.links, "&Links")
        self.addTab(self.picks, PICKS_TAB)
        context.events.links_changed.connect(lambda _album_id: self.metadata.refresh_links())
        context.sync.finished.connect(self._synced)
        grid.selectionModel().currentChanged.connect(self._photo_chosen)
        self.picks.filter_changed.connect(self._show_picked)
        self.picks.counted.connect(self._counted)
        self.picks.photo_chosen.connect(self._show_photo)

    def set_album(self, album_id: str | None) -> None:
        self.metadata.set_album(album_id)
        self.metadata.set_photo(None)
        self.links.set_album(album_id)
        self.picks.set_album(album_id)

    def _photo_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.metadata.set_photo(current.data(PhotoRole) if current.isValid() else None)

    def _synced(self, _report: SyncReport) -> None:
        """View counts, revocations and new picks came with the sync."""
        self.links.refresh()
        self.picks.refresh()

    def _show_picked(self, photo_ids: frozenset[str] | None) -> None:
        self.photos.set_picked_only(photo_ids)
        self.grid.reorderable = photo_ids is None and self.photos.order is PhotoSort.ALBUM

    def _show_photo(self, photo_id: str) -> None:
        """A note's photo, current in the grid and in view (rows past those loaded so far are
        loaded up to it)."""
        row = self.photos.row_of(photo_id)
        while row is None and self.photos.canFetchMore(QModelIndex()):
            self.photos.fetchMore(QModelIndex())
            row = self.photos.row_of(photo_id)
        if row is None:
            return  # not shown: hidden by the grid's filter, or removed meanwhile
        index = self.photos.index(row)
        self.grid.setCurrentIndex(index)
        self.grid.scrollTo(index)
        self.grid.setFocus()

    def _counted(self, lists: int) -> None:
        """The tab says how many lists the album has, so they are seen from any tab."""
        self.setTabText(self.indexOf(self.picks), f"{PICKS_TAB} ({lists})" if lists else PICKS_TAB)
