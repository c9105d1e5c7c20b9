"""The main window: albums on the left, the photo grid in the centre, metadata and links on
the right; a status bar with the connection and the uploads' progress; a tray icon that keeps
uploads going when the window is closed."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QItemSelectionModel,
    QModelIndex,
    QSettings,
    Qt,
    QTimer,
    Slot,
)
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStyle,
    QSystemTrayIcon,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from albumen.core.model import Album, Photo, PhotoState
from albumen.core.scan import ScanReport, scan
from albumen.core.store import StoreError
from albumen.core.sync import SyncReport
from albumen.ui.about_dialog import AboutDialog
from albumen.ui.album_list import AlbumListModel, AlbumListView, AlbumRole, album_state
from albumen.ui.context import AppContext
from albumen.ui.links_panel import LinksPanel
from albumen.ui.metadata_panel import MetadataPanel
from albumen.ui.photo_grid import PhotoGridModel, PhotoGridView, PhotoRole
from albumen.ui.privacy_dialog import PrivacyDialog
from albumen.ui.settings_dialog import SettingsDialog
from albumen.ui.share_dialog import ShareDialog
from albumen.ui.sync_bridge import Connection


def _human_bytes(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1000 or unit == "GB":
            return f"{count:,.1f} {unit}" if unit != "B" else f"{int(count)} B"
        count /= 1000
    return f"{count:,.1f} GB"


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    if seconds >= 60:
        return f"{seconds // 60} min"
    return f"{seconds} s" if seconds >= 5 else "a few seconds"


class ProblemsPanel(QWidget):
    """Files that could not be added, with the reason, in the window (not only in a log)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel()
        self.list = QListWidget()
        self.list.setAccessibleName("Files that could not be added")
        self.list.setMaximumHeight(120)
        clear = QPushButton("&Dismiss")
        clear.clicked.connect(self.clear)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(clear)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.list)
        self.hide()

    def show_problems(self, lines: list[str]) -> None:
        self.list.clear()
        self.list.addItems(lines)
        count = len(lines)
        self.heading.setText(f"<b>{count} file{'s' if count > 1 else ''} could not be added</b>")
        self.setVisible(bool(lines))

    def clear(self) -> None:
        self.list.clear()
        self.hide()


class UndoBar(QWidget):
    """'Album deleted — Undo' for a few seconds; the store is only told when they have passed."""

    SECONDS = 10

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.undo_button = QPushButton("&Undo")
        self.undo_button.setToolTip("Undo (Ctrl+Z)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.undo_button)
        self.timer = QTimer(self, singleShot=True, interval=self.SECONDS * 1000)
        self.hide()


class MainWindow(QMainWindow):
    def __init__(self, context: AppContext) -> None:
        super().__init__()
        self.context = context
        self.setWindowTitle("Albumen")
        self.setAcceptDrops(True)
        self._notified_shared: set[str] = set()

        self.albums = AlbumListModel(context, self)
        self.album_view = AlbumListView()
        self.album_view.setModel(self.albums)
        self.album_view.setMinimumWidth(230)
        self.photos = PhotoGridModel(context, self)
        self.grid = PhotoGridView()
        self.grid.setModel(self.photos)
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.empty_hint = QLabel(
            "Drop photos or folders here, or choose <b>Add photos…</b> (Ctrl+O)."
        )
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.problems = ProblemsPanel()
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(6, 6, 6, 0)
        centre_layout.addWidget(self.heading)
        centre_layout.addWidget(self.problems)
        self.undo_bar = UndoBar()
        self.undo_bar.undo_button.clicked.connect(self.undo_delete)
        self.undo_bar.timer.timeout.connect(self.finish_deletes)
        self._deleting: list[str] = []
        centre_layout.addWidget(self.undo_bar)
        centre_layout.addWidget(self.empty_hint)
        centre_layout.addWidget(self.grid, 1)
        self.metadata = MetadataPanel(context)
        self.links = LinksPanel(context)
        self.side = QTabWidget()
        self.side.addTab(self.metadata, "&Metadata")
        self.side.addTab(self.links, "&Links")
        self.side.setMinimumWidth(320)
        splitter = QSplitter()
        splitter.addWidget(self.album_view)
        splitter.addWidget(centre)
        splitter.addWidget(self.side)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 720, 440])
        self.splitter = splitter
        self.setCentralWidget(splitter)

        self.connection_label = QLabel()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.transfer_label = QLabel()
        self.statusBar().addPermanentWidget(self.transfer_label)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.connection_label)

        self._build_actions()
        self._connect()
        self.tray = self._build_tray()
        self._restore()
        self._update_connection(context.sync.connection.value)
        self._album_changed()

    # -- building ------------------------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{tip or text.replace('&', '').rstrip('…')}")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        keys = QKeySequence.StandardKey
        self.new_album_action = self._action("&New album…", self.new_album, keys.New)
        self.rename_album_action = self._action("&Rename album…", self.rename_album, "F2")
        self.delete_album_action = self._action("&Delete album…", self.delete_album)
        self.add_photos_action = self._action("&Add photos…", self.add_photos, keys.Open)
        self.add_folder_action = self._action("Add &folder…", self.add_folder, "Ctrl+Shift+O")
        self.remove_photos_action = self._action("Re&move photos", self.remove_photos, keys.Delete)
        self.remove_photos_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.grid.addAction(self.remove_photos_action)
        self.cover_action = self._action("Use as &cover", self.set_cover, "Ctrl+Shift+C")
        self.earlier_action = self._action(
            "Move &earlier", lambda: self.move_selected(-1), "Alt+Left"
        )
        self.later_action = self._action("Move &later", lambda: self.move_selected(1), "Alt+Right")
        self.share_action = self._action("&Share…", self.share, "Ctrl+Shift+S")
        self.privacy_action = self._action("&Privacy…", self.edit_privacy, "Ctrl+Shift+L")
        self.undo_action = self._action("&Undo delete", self.undo_delete, keys.Undo)
        self.about_action = self._action("&About Albumen", self.show_about)
        self.retry_action = self._action("Re&try failed uploads", self.retry_failed)
        self.sync_action = self._action("Sync &now", self.context.sync.request_sync, keys.Refresh)
        self.pause_action = self._action("&Pause uploads", self.toggle_pause, "Ctrl+Shift+P")
        self.settings_action = self._action("Se&ttings…", self.open_settings, keys.Preferences)
        if self.settings_action.shortcut().isEmpty():
            self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.quit_action = self._action("&Quit", self.quit, keys.Quit)

        album_menu = self.menuBar().addMenu("&Album")
        for action in (
            self.new_album_action,
            self.rename_album_action,
            self.delete_album_action,
            self.undo_action,
            None,
            self.share_action,
            self.privacy_action,
            None,
            self.settings_action,
            self.quit_action,
        ):
            album_menu.addSeparator() if action is None else album_menu.addAction(action)
        photo_menu = self.menuBar().addMenu("&Photos")
        for action in (
            self.add_photos_action,
            self.add_folder_action,
            self.remove_photos_action,
            None,
            self.cover_action,
            self.earlier_action,
            self.later_action,
        ):
            photo_menu.addSeparator() if action is None else photo_menu.addAction(action)
        sync_menu = self.menuBar().addMenu("&Uploads")
        for action in (self.sync_action, self.pause_action, self.retry_action):
            sync_menu.addAction(action)
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self.about_action)

        toolbar = QToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (
            self.new_album_action,
            self.add_photos_action,
            self.share_action,
            self.pause_action,
        ):
            toolbar.addAction(action)
        self.addToolBar(toolbar)
        self.grid.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for action in (self.cover_action, self.earlier_action, self.later_action):
            self.grid.addAction(action)

    def _build_tray(self) -> QSystemTrayIcon | None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return None
        icon = self.windowIcon()
        if icon.isNull():
            icon = self.style().standardIcon(QStyle.StandardPixmap.SP_DriveNetIcon)
        tray = QSystemTrayIcon(QIcon(icon), self)
        menu = QMenu(self)
        menu.addAction("Show Albumen", self.show_window)
        menu.addAction(self.pause_action)
        menu.addAction(self.quit_action)
        tray.setContextMenu(menu)
        tray.setToolTip("Albumen")
        tray.activated.connect(lambda _reason: self.show_window())
        tray.show()
        return tray

    def _connect(self) -> None:
        selection = self.album_view.selectionModel()
        selection.currentChanged.connect(lambda *_: self._album_changed())
        self.grid.selectionModel().currentChanged.connect(self._photo_selected)
        self.grid.files_dropped.connect(self.import_paths)
        self.grid.photos_moved.connect(self._photos_moved)
        self.album_view.files_dropped.connect(self._dropped_on_album)
        events = self.context.events
        events.albums_changed.connect(self._refresh_albums)
        events.photos_changed.connect(self._photos_changed)
        events.links_changed.connect(lambda album_id: self.metadata.refresh_links())
        sync = self.context.sync
        sync.connection_changed.connect(self._update_connection)
        sync.photo_progress.connect(self._progress)
        sync.photo_uploaded.connect(self._uploaded)
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
        self._update_heading()

    def _album_changed(self) -> None:
        album = self.current_album()
        album_id = album.id if album else None
        if self.photos.album_id != album_id:
            self.photos.set_album(album_id)
            self.metadata.set_album(album_id)
            self.metadata.set_photo(None)
            self.links.set_album(album_id)
        has_album = album is not None
        for action in (
            self.rename_album_action,
            self.delete_album_action,
            self.share_action,
            self.privacy_action,
        ):
            action.setEnabled(has_album)
        self._update_heading()

    def _update_heading(self) -> None:
        album = self.current_album()
        if album is None:
            self.heading.setText("<h2>No album</h2>Create one with <b>New album…</b> (Ctrl+N).")
            self.empty_hint.hide()
            return
        fresh = self.context.store.album(album.id)
        state = album_state(fresh, self.albums.offline)
        self.heading.setText(f"<h2>{fresh.title}</h2>{fresh.photo_count} photos · {state}")
        self.empty_hint.setVisible(fresh.photo_count == 0)

    @Slot(str)
    def _photos_changed(self, album_id: str) -> None:
        if self.photos.album_id == album_id:
            self.photos.refresh()
        self._update_heading()

    @Slot(QModelIndex, QModelIndex)
    def _photo_selected(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.metadata.set_photo(current.data(PhotoRole) if current.isValid() else None)

    # -- albums --------------------------------------------------------------------------------

    def new_album(self, title: str | None = None) -> Album | None:
        if not title:
            title, ok = QInputDialog.getText(self, "New album", "Album title:")
            if not ok or not title.strip():
                return None
        album = self.context.store.create_album(title)
        self.context.changed(album.id)
        self.select_album(album.id)
        return album

    def rename_album(self) -> None:
        album = self.current_album()
        if album is None:
            return
        title, ok = QInputDialog.getText(self, "Rename album", "Album title:", text=album.title)
        if ok and title.strip():
            self.context.store.update_album(album.id, title=title)
            self.context.changed(album.id)

    def delete_album(self) -> None:
        album = self.current_album()
        if album is None:
            return
        answer = QMessageBox.question(
            self,
            "Delete album",
            f"Delete “{album.title}”? Its {album.link_count} link(s) stop working and its "
            "photos are removed from the server. Your files on this computer are not touched.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.finish_deletes()  # one undo at a time: an earlier delete becomes final now
        self._deleting.append(album.id)
        self.albums.hidden.add(album.id)
        self._refresh_albums()
        self.undo_bar.label.setText(f"“{album.title}” deleted.")
        self.undo_bar.show()
        self.undo_bar.timer.start()

    def undo_delete(self) -> None:
        if not self._deleting:
            return
        album_id = self._deleting.pop()
        self.undo_bar.timer.stop()
        self.undo_bar.hide()
        self.albums.hidden.discard(album_id)
        self.albums.refresh()
        self.select_album(album_id)

    def finish_deletes(self) -> None:
        """Make pending deletes final: from here on the server is told."""
        self.undo_bar.timer.stop()
        self.undo_bar.hide()
        while self._deleting:
            album_id = self._deleting.pop()
            self.albums.hidden.discard(album_id)
            with contextlib.suppress(StoreError):  # gone already
                self.context.store.delete_album(album_id)
            self.context.changed(None)

    @Slot(str, list)
    def _dropped_on_album(self, album_id: str, paths: list[Path]) -> None:
        self.select_album(album_id)
        self.import_paths(paths, album_id)

    # -- photos --------------------------------------------------------------------------------

    def add_photos(self) -> None:
        files, _filter = QFileDialog.getOpenFileNames(
            self,
            "Add photos",
            str(Path.home()),
            "Photos (*.jpg *.jpeg *.png *.tif *.tiff *.webp *.heic *.heif *.dng *.cr2 *.cr3 "
            "*.nef *.arw *.raf *.orf *.JPG *.JPEG *.PNG *.TIF *.HEIC *.DNG *.CR2 *.CR3 *.NEF "
            "*.ARW *.RAF *.ORF);;All files (*)",
        )
        if files:
            self.import_paths([Path(f) for f in files])

    def add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of photos", str(Path.home()))
        if folder:
            self.import_paths([Path(folder)])

    @Slot(list)
    def import_paths(self, paths: list[Path], album_id: str | None = None) -> None:
        """Check the files off the GUI thread, then add the good ones to the album."""
        album = self.context.store.album(album_id) if album_id else self.current_album()
        if album is None:
            first = paths[0] if paths else None
            title = first.name if first and first.is_dir() else datetime.now().strftime("%Y-%m-%d")
            album = self.new_album(title)
            if album is None:
                return
        target = album.id
        self.progress.setRange(0, 0)
        self.progress.setFormat("Checking files…")
        self.progress.show()
        self.statusBar().showMessage(f"Checking {len(paths)} item(s)…")

        def done(report: ScanReport | None, error: BaseException | None) -> None:
            self.progress.hide()
            if error is not None or report is None:
                self.problems.show_problems([f"the files could not be checked: {error}"])
                return
            try:
                added = self.context.store.add_photos(target, report.photos)
            except StoreError as store_error:
                self.problems.show_problems([str(store_error)])
                return
            lines = [f"{p.path.name}: {p.reason}" for p in report.problems]
            lines += [f"{p.name}: already in the album" for p in report.duplicates]
            lines += [f"{p.name}: already in the album" for p in added.duplicates]
            self.problems.show_problems(lines)
            self.statusBar().showMessage(
                f"{len(added.added)} photo(s) added to {album.title}", 5000
            )
            self.context.changed(target)

        self.context.runner.run(lambda: scan(paths), done)

    def remove_photos(self) -> None:
        photos = self.selected_photos()
        if not photos:
            return
        self.context.store.remove_photos([p.id for p in photos])
        self.context.changed(photos[0].album_id)

    def set_cover(self) -> None:
        photos = self.selected_photos()
        if photos:
            self.context.store.set_cover(photos[0].album_id, photos[0].id)
            self.context.events.albums_changed.emit()

    def move_selected(self, step: int) -> None:
        photos = self.selected_photos()
        if len(photos) != 1:
            return
        self.context.store.move_photo(photos[0].id, photos[0].position + step)
        self.photos.refresh()
        row = self.photos.row_of(photos[0].id)
        if row is not None:
            self.grid.setCurrentIndex(self.photos.index(row))

    @Slot(list, int)
    def _photos_moved(self, photo_ids: list[str], row: int) -> None:
        for offset, photo_id in enumerate(photo_ids):
            self.context.store.move_photo(photo_id, row + offset)
        self.photos.refresh()

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
        dialog = ShareDialog(self.context, album.id, self)
        dialog.exec()
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

    def toggle_pause(self) -> None:
        sync = self.context.sync
        if sync.paused:
            sync.resume()
            self.pause_action.setText("&Pause uploads")
        else:
            sync.pause()
            self.pause_action.setText("&Resume uploads")

    @Slot(str)
    def _update_connection(self, state: str) -> None:
        label = self.context.server_label()
        texts = {
            Connection.ONLINE.value: f"● {label}: online",
            Connection.OFFLINE.value: f"○ {label}: offline — changes wait here",
            Connection.SYNCING.value: f"◐ {label}: syncing",
            Connection.PAUSED.value: f"‖ {label}: uploads paused",
            Connection.UNKNOWN.value: f"○ {label}",
        }
        self.connection_label.setText(texts.get(state, label))
        self.connection_label.setAccessibleName(texts.get(state, label))
        self.albums.set_offline(state == Connection.OFFLINE.value)
        self._update_heading()

    @Slot(str, str, int, int)
    def _progress(self, photo_id: str, album_id: str, sent: int, total: int) -> None:
        if self.photos.album_id == album_id:
            self.photos.set_progress(photo_id, sent, total)
        transfer = self.context.sync.transfer
        if transfer.total:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(1000 * transfer.done / transfer.total))
            self.progress.setFormat(
                f"{_human_bytes(transfer.done)} of {_human_bytes(transfer.total)}"
            )
            self.progress.show()
            left = transfer.seconds_left()
            rate = f"{_human_bytes(transfer.rate())}/s"
            self.transfer_label.setText(rate + (f" · {_duration(left)} left" if left else ""))
            if self.tray is not None:
                self.tray.setToolTip(f"Albumen: uploading, {self.progress.text()}")

    @Slot(str, str)
    def _uploaded(self, photo_id: str, album_id: str) -> None:
        if self.photos.album_id == album_id:
            self.photos.photo_changed(photo_id)
            self._update_heading()
        self.albums.album_changed(album_id)

    @Slot(str, str, str)
    def _failed(self, photo_id: str, album_id: str, message: str) -> None:
        if self.photos.album_id == album_id:
            self.photos.photo_changed(photo_id)
            self._update_heading()
        self.albums.album_changed(album_id)
        self.statusBar().showMessage(f"Upload failed: {message}", 10_000)

    @Slot(object)
    def _sync_finished(self, report: SyncReport) -> None:
        if not self.context.sync.is_running():
            self.progress.hide()
            self.transfer_label.clear()
        self._refresh_albums()
        if self.photos.album_id:
            self.photos.refresh()
        self._update_heading()
        self.links.refresh()
        for row in range(self.albums.rowCount()):
            shared = self.albums.album_at(row)
            complete = shared.photo_count and shared.uploaded_count == shared.photo_count
            if complete and shared.id not in self._notified_shared and report.uploaded:
                self._notified_shared.add(shared.id)
                if self.tray is not None:
                    self.tray.showMessage("Album shared", f"“{shared.title}” is fully uploaded.")

    # -- window --------------------------------------------------------------------------------

    def show_window(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()

    def _restore(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.resize(1320, 820)
        splitter = settings.value("window/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        last = settings.value("window/last_album")
        if isinstance(last, str) and self.albums.row_of(last) is not None:
            self.select_album(last)
        elif self.albums.rowCount():
            self.album_view.setCurrentIndex(self.albums.index(0))

    def _save(self) -> None:
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/splitter", self.splitter.saveState())
        album = self.current_album()
        if album is not None:
            settings.setValue("window/last_album", album.id)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._save()
        uploading = self.context.sync.is_running() or bool(self.context.store.pending_operations())
        if self.tray is not None and uploading and not self.context.sync.paused:
            self.hide()
            self.tray.showMessage(
                "Albumen keeps uploading", "Uploads go on in the background; quit from here."
            )
            event.ignore()
            return
        event.accept()
        self.quit()

    def quit(self) -> None:
        self.finish_deletes()
        self._save()
        self.context.sync.shutdown(timeout=5)
        app = QApplication.instance()
        if app is not None:
            app.quit()
