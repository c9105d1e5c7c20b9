"""The main window: albums on the left, the photo grid in the centre, metadata, links and picks
on the right (`panels`, `side_panels`), or one photo in the `loupe`. It composes the parts
(menus and shortcuts in `actions`, the grid's `grid_header`, `status_bar`, `tray`,
`problems_panel`, the undo of a delete in `undo_delete`) and carries out the owner's commands on
the store; each part only presents and forwards."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QTimer, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QInputDialog,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from albumen.core.album_naming import new_album_title
from albumen.core.model import Album, Photo, PhotoState
from albumen.core.photo_order import LABELS, PhotoSort, sort_photos
from albumen.core.sync import SyncReport
from albumen.core.wording import count
from albumen.ui import window_state
from albumen.ui.about_dialog import AboutDialog
from albumen.ui.actions import ActionsWindow
from albumen.ui.album_list import AlbumListModel, AlbumListView, AlbumRole
from albumen.ui.confirm import confirm
from albumen.ui.context import AppContext
from albumen.ui.drop_zone import DropZone
from albumen.ui.file_dialogs import choose_folder, choose_photos
from albumen.ui.grid_header import GridHeader
from albumen.ui.grid_view import PhotoGridView
from albumen.ui.loupe import Loupe
from albumen.ui.panels import PanelSplitter
from albumen.ui.photo_grid import PhotoGridModel, PhotoRole
from albumen.ui.photo_import import PhotoImport
from albumen.ui.privacy_dialog import PrivacyDialog
from albumen.ui.problems_panel import ProblemsPanel
from albumen.ui.section_dialog import SectionDialog
from albumen.ui.settings_dialog import SettingsDialog
from albumen.ui.share_dialog import ShareDialog
from albumen.ui.side_panels import SidePanels
from albumen.ui.status_bar import StatusBar
from albumen.ui.sync_bridge import Connection
from albumen.ui.tray import Tray
from albumen.ui.undo_delete import UndoBar

RECOUNT_MS = 250
"""How often at most an album's counts are shown again while its photos upload."""


class MainWindow(ActionsWindow):
    """The app's one window: its commands act on the store through `AppContext`."""

    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.setWindowTitle("Albumen")
        self.setAcceptDrops(True)

        self.albums = AlbumListModel(context, self)
        self.album_view = AlbumListView()
        self.album_view.setModel(self.albums)
        self.photos = PhotoGridModel(context, self)
        self.grid = PhotoGridView()
        self.grid.setModel(self.photos)
        self.header = GridHeader(self.grid)
        self._counts_moved: set[str] = set()  # albums whose counts to show again (_recount)
        self._recount = QTimer(self, interval=RECOUNT_MS, singleShot=True)
        self._recount.timeout.connect(self._show_counts)
        self.heading = self.header.heading
        self.drop_zone = DropZone()
        self.problems = ProblemsPanel()
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(6, 6, 6, 0)
        centre_layout.addWidget(self.header)
        centre_layout.addWidget(self.problems)
        self.undo_bar = UndoBar(context, self.albums, self.photos)
        self.undo_bar.restored.connect(self.select_album)
        centre_layout.addWidget(self.undo_bar)
        centre_layout.addWidget(self.drop_zone, 1)
        centre_layout.addWidget(self.grid, 1)
        self.side = SidePanels(context, self.grid, self.photos)
        self.metadata, self.links, self.picks = self.side.metadata, self.side.links, self.side.picks
        self.splitter = PanelSplitter(self.album_view, centre, self.side)
        self.loupe = Loupe(context, self.grid)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.splitter)
        self.pages.addWidget(self.loupe)
        self.setCentralWidget(self.pages)

        self.status = StatusBar()
        self.setStatusBar(self.status)
        self.importer = PhotoImport(context, self.status, self.problems, self.photos)

        self._build_actions(self.grid)
        self.menuBar().insertMenu(self.help_menu.menuAction(), self.picks.menu)
        self.header.set_sort_menu(self.sort_menu, self.apply_sort_action)
        self.header.show_sort(self.photos.order)
        self._connect()
        self.tray = Tray(self, self.show_window, [self.pause_action, self.quit_action])
        self._restore()
        self._update_connection(context.sync.connection.value)
        self._album_changed()

    @property
    def connection_label(self) -> QLabel:
        """The connection to the server, as the status bar shows it."""
        return self.status.connection_label

    # -- building ------------------------------------------------------------------------------

    def _connect(self) -> None:
        selection = self.album_view.selectionModel()
        selection.currentChanged.connect(lambda *_: self._album_changed())
        self.grid.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.grid.files_dropped.connect(self.import_paths)
        self.drop_zone.files_dropped.connect(self.import_paths)
        self.drop_zone.add_clicked.connect(self.add_photos)
        self.grid.photos_moved.connect(self._photos_moved)
        self.grid.doubleClicked.connect(lambda *_: self.open_loupe())
        self.loupe.closed.connect(self._loupe_closed)
        self.album_view.files_dropped.connect(self._dropped_on_album)
        events = self.context.events
        events.albums_changed.connect(self._refresh_albums)
        events.photos_changed.connect(self._photos_changed)
        self.photos.modelReset.connect(self._update_heading)  # the picks shown only, or all
        sync = self.context.sync
        sync.connection_changed.connect(self._update_connection)
        sync.photo_progress.connect(self._progress)
        sync.photo_stored.connect(self._photo_stored)
        sync.photo_uploaded.connect(self._uploaded)
        sync.photo_previewed.connect(self._uploaded)  # seen through links: the state moves on
        sync.photo_failed.connect(self._failed)
        sync.finished.connect(self._sync_finished)

    # -- state ---------------------------------------------------------------------------------

    def current_album(self) -> Album | None:
        index = self.album_view.currentIndex()
        return index.data(AlbumRole) if index.isValid() else None

    def selected_photos(self) -> list[Photo]:
        rows = sorted(i.row() for i in self.grid.selectionModel().selectedIndexes())
        return [self.photos.photo_at(row) for row in rows]

    def select_album(self, album_id: str) -> None:
        row = self.albums.row_of(album_id)
        if row is not None:
            self.album_view.selectionModel().setCurrentIndex(
                self.albums.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    @Slot()
    def _refresh_albums(self) -> None:
        current = self.current_album()
        self.albums.refresh()
        if current is not None and self.albums.row_of(current.id) is not None:
            self.select_album(current.id)
        elif self.albums.rowCount():
            self.album_view.setCurrentIndex(self.albums.index(0))
        else:
            self._album_changed()  # no album left: the grid and panels empty at once
        self._update_heading()

    def _album_changed(self) -> None:
        album = self.current_album()
        album_id = album.id if album else None
        if self.photos.album_id != album_id:
            self.photos.set_album(album_id)
            self.side.set_album(album_id)
        self._update_heading()

    def _update_actions(self) -> None:
        self.enable_actions(
            has_album=self.current_album() is not None,
            selected=len(self.grid.selectionModel().selectedIndexes()),
            can_undo=self.undo_bar.can_undo,
            sort=self.photos.order,
            filtered=self.photos.picked_only is not None,
        )

    def _update_heading(self) -> None:
        self._update_actions()
        album = self.current_album()
        fresh = self.context.store.album(album.id) if album else None
        self.header.show_album(fresh, self.albums.offline, self.albums.held)
        empty = fresh is None or self.photos.rowCount() == 0
        self.drop_zone.setVisible(empty)  # instead of the grid while there is nothing to show
        self.grid.setVisible(not empty)

    @Slot(str)
    def _photos_changed(self, album_id: str) -> None:
        if self.photos.album_id == album_id:
            self.photos.refresh()
        self._update_heading()

    # -- albums --------------------------------------------------------------------------------

    def new_album(self, title: str | None = None) -> Album | None:
        if not title:
            title, ok = QInputDialog.getText(self, "New album", "Album title:")
            if not ok or not title.strip():
                return None
        album = self.context.owner.create_album(title)
        self.select_album(album.id)
        return album

    def rename_album(self) -> None:
        album = self.current_album()
        if album is None:
            return
        title, ok = QInputDialog.getText(self, "Rename album", "Album title:", text=album.title)
        if ok and title.strip():
            self.context.owner.rename_album(album.id, title)

    def delete_album(self) -> None:
        album = self.current_album()
        if album is None:
            return
        links = (
            f"Its {count(album.link_count, 'link')} stop working and its photos are"
            if album.link_count
            else "Its photos are"
        )
        text = (
            f"Delete “{album.title}”? {links} removed from the server. Your files on this "
            "computer are not touched."
        )
        if not confirm(self, "Delete album", text, "Delete"):
            return
        self.undo_bar.delete(album)  # final only when its time is up (or at quit)
        self._refresh_albums()

    def undo_delete(self) -> None:
        self.undo_bar.undo()

    def finish_deletes(self) -> None:
        """Make pending deletes final: from here on the server is told."""
        self.undo_bar.finish()

    @Slot(str, list)
    def _dropped_on_album(self, album_id: str, paths: list[Path]) -> None:
        self.select_album(album_id)
        self.import_paths(paths, album_id)

    # -- photos --------------------------------------------------------------------------------

    def add_photos(self) -> None:
        paths = choose_photos(self)
        if paths:
            self.import_paths(paths)

    def add_folder(self) -> None:
        folder = choose_folder(self)
        if folder is not None:
            self.import_paths([folder])

    @Slot(list)
    def import_paths(self, paths: list[Path], album_id: str | None = None) -> None:
        """Add the files to the album (a new one named after them when none is open) as they
        are checked, off the GUI thread (see photo_import)."""
        album = self.context.store.album(album_id) if album_id else self.current_album()
        if album is None:
            album = self.new_album(new_album_title(paths))
            if album is None:
                return
        self.importer.start(album, paths)

    def remove_photos(self) -> None:
        """Out of the grid at once; final (and told to the server) after the time to undo."""
        self.undo_bar.remove_photos(self.selected_photos())

    def set_cover(self) -> None:
        photos = self.selected_photos()
        if photos:
            self.context.owner.set_cover(photos[0].album_id, photos[0].id)

    def put_in_section(self) -> None:
        SectionDialog.ask(self.context, self.selected_photos(), self)

    def move_selected(self, step: int, *, section: bool = False) -> None:
        """The one photo selected, or its whole `section`, `step` places in the album's order."""
        photos = self.selected_photos()
        if len(photos) != 1 or self.photos.order is not PhotoSort.ALBUM:
            return
        owner, photo = self.context.owner, photos[0]
        if not section:
            owner.move_photo(photo.album_id, photo.id, photo.position + step)
        elif photo.section is not None:
            owner.move_section(photo.album_id, photo.section, step)
        if (row := self.photos.row_of(photo.id)) is not None:
            self.grid.setCurrentIndex(self.photos.index(row))

    @Slot(list, int)
    def _photos_moved(self, photo_ids: list[str], row: int) -> None:
        album_id = self.photos.album_id
        if album_id is None:
            return
        for offset, photo_id in enumerate(photo_ids):
            self.context.owner.move_photo(album_id, photo_id, row + offset)

    # -- looking -------------------------------------------------------------------------------

    def open_loupe(self) -> None:
        index = self.grid.currentIndex()
        if index.isValid():
            self.pages.setCurrentWidget(self.loupe)
            self.loupe.show_row(index.row())

    def _loupe_closed(self) -> None:
        self.pages.setCurrentWidget(self.splitter)
        self.grid.scrollTo(self.grid.currentIndex())
        self.grid.setFocus()

    def sort_by(self, sort: PhotoSort) -> None:
        """Show the photos in another order, here only (see `albumen.core.photo_order`); the
        current photo stays current and in view."""
        current: Photo | None = self.grid.currentIndex().data(PhotoRole)
        self.photos.set_order(sort)
        self.grid.reorderable = sort is PhotoSort.ALBUM and self.photos.picked_only is None
        self.header.show_sort(sort)
        row = self.photos.row_of(current.id) if current else None
        if row is not None:
            self.grid.setCurrentIndex(self.photos.index(row))
            self.grid.scrollTo(self.photos.index(row))
        self._update_actions()

    def apply_sort(self) -> None:
        """Make the order shown the album's own, for its viewers too, once the owner agrees."""
        album, sort = self.current_album(), self.photos.order
        if album is None or sort is PhotoSort.ALBUM:
            return
        text = (
            f"Put the photos of “{album.title}” in {LABELS[sort].lower()} order? Viewers of its "
            "links will see them in this order; the order you arranged is replaced."
        )
        if not confirm(self, "Use this order for the album", text, "Reorder album"):
            return
        photos = sort_photos(self.context.store.photos(album.id), sort)
        self.context.owner.order_photos(album.id, [photo.id for photo in photos])
        self.sort_by(PhotoSort.ALBUM)

    def retry_failed(self) -> None:
        album = self.current_album()
        if album is None:
            return
        for photo in self.context.store.photos(album.id):
            if photo.state in (PhotoState.FAILED, PhotoState.CHANGED, PhotoState.MISSING):
                self.context.store.retry_photo(photo.id)
        self.context.changed(album.id)

    # -- sharing -------------------------------------------------------------------------------

    def share(self) -> None:
        album = self.current_album()
        if album is None:
            return
        ShareDialog(self.context, album.id, self).exec()
        self.side.setCurrentWidget(self.links)

    def edit_privacy(self) -> None:
        album = self.current_album()
        if album is not None:
            PrivacyDialog(self.context, album.id, self).exec()

    def show_about(self) -> None:
        AboutDialog(self.context.data_dir, self).exec()

    def open_settings(self) -> None:
        SettingsDialog(self.context, self).exec()

    # -- sync ----------------------------------------------------------------------------------

    def sync_now(self) -> None:
        self.context.sync.request_sync()

    def toggle_pause(self) -> None:
        """Pause or resume uploads; a pause holds across restarts until the owner resumes."""
        sync = self.context.sync
        if sync.paused:
            sync.resume()
        else:
            sync.pause()
        window_state.remember_paused(sync.paused)
        self.show_paused(sync.paused)

    @Slot(str)
    def _update_connection(self, state: str) -> None:
        sync = self.context.sync
        self.status.show_connection(state, self.context.server_label(), sync.reason, sync.storage)
        waiting = (Connection.OFFLINE.value, Connection.REFUSED.value, Connection.FULL.value)
        held = {Connection.FULL.value: "No room", Connection.REFUSED.value: "Pair again"}
        self.albums.set_offline(state in waiting, held.get(state, "Offline"))
        self._update_heading()

    @Slot(str, str, object, object)
    def _progress(self, photo_id: str, album_id: str, sent: int, total: int) -> None:
        if self.photos.album_id == album_id:
            self.photos.set_progress(photo_id, sent, total)
        if self.status.show_transfer(self.context.sync.transfer):
            self.tray.show_progress(self.status.progress.text())

    @Slot(object)
    def _photo_stored(self, photo: Photo) -> None:
        if self.photos.album_id == photo.album_id:
            self.photos.photo_changed(photo)

    @Slot(str, str)
    def _uploaded(self, _photo_id: str, album_id: str) -> None:
        self._counts_changed(album_id)

    @Slot(str, str, str)
    def _failed(self, _photo_id: str, album_id: str, message: str) -> None:
        self._counts_changed(album_id)
        self.status.showMessage(f"Upload failed: {message}", 10_000)

    def _counts_changed(self, album_id: str) -> None:
        """An album's counts moved on: its heading and its row in the album list are read again
        at most every `RECOUNT_MS`. Read once per photo, they cost the GUI thread 1.4 ms per
        upload and up to 28 ms at a time while an import went on beside the uploads
        (bench/ui_responsiveness.py), for figures no one reads faster."""
        self._counts_moved.add(album_id)
        if not self._recount.isActive():
            self._recount.start()

    def _show_counts(self) -> None:
        moved, self._counts_moved = self._counts_moved, set()
        for album_id in moved:
            self.albums.album_changed(album_id)
        if self.photos.album_id in moved:
            self._update_heading()

    @Slot(object)
    def _sync_finished(self, report: SyncReport) -> None:
        if not self.context.sync.is_running():
            self.status.transfer_finished()
        self._refresh_albums()
        if self.photos.album_id:
            self.photos.refresh()
        self._update_heading()
        albums = [self.albums.album_at(row) for row in range(self.albums.rowCount())]
        self.tray.albums_synced(albums, bool(report.uploaded))
        self.tray.picks_arrived(report.new_picks)
        self.tray.links_touched(report.link_news)
        if report.storage is not None:  # the room used moves with every sync, online or not
            self._update_connection(self.context.sync.connection.value)

    # -- window --------------------------------------------------------------------------------

    def show_window(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()

    def _restore(self) -> None:
        window_state.restore(self)

    def _save(self) -> None:
        window_state.save(self)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._save()
        uploading = self.context.sync.is_running() or bool(self.context.store.pending_operations())
        if self.tray.available and uploading and not self.context.sync.paused:
            self.hide()
            self.tray.keeps_uploading()
            event.ignore()
            return
        event.accept()
        self.quit()

    def confirm_quit(self) -> None:
        """Quit (the menu, the tray, Ctrl+Q); with uploads still waiting, only once the owner
        has read that they go on next time."""
        waiting = len(self.context.store.unfinished_uploads())
        if waiting and not confirm(
            self,
            "Quit Albumen",
            f"{count(waiting, 'photo')} {'is' if waiting == 1 else 'are'} still waiting to"
            " upload. They go on the next time Albumen is open; links to them show what has"
            " arrived.",
            "Quit",
        ):
            return
        self.quit()

    def quit(self) -> None:
        self.finish_deletes()
        self._save()
        self.context.sync.shutdown(timeout=5)
        app = QApplication.instance()
        if app is not None:
            app.quit()
