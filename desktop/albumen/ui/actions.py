"""The main window's commands as actions: menus, toolbar, shortcuts, the grid's context menu,
and which commands are enabled when.

Every command is one QAction, so its text, shortcut and tooltip are written once and the menu,
the toolbar, the tray and the keyboard all trigger the same thing. The commands themselves are
`MainWindow`'s methods; this layer only presents them.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QToolBar

from albumen.core.photo_order import LABELS, PhotoSort
from albumen.ui.grid_view import PhotoGridView


class ActionsWindow(QMainWindow):
    """A main window with the app's menus, toolbar and shortcuts; the subclass gives the
    commands they trigger (declared below) and calls `_build_actions` once its grid exists."""

    new_album: Callable[[], object]
    rename_album: Callable[[], None]
    delete_album: Callable[[], None]
    undo_delete: Callable[[], None]
    add_photos: Callable[[], None]
    add_folder: Callable[[], None]
    remove_photos: Callable[[], None]
    set_cover: Callable[[], None]
    put_in_section: Callable[[], None]
    move_selected: Callable[..., None]  # (step, section=False)
    open_loupe: Callable[[], None]
    sort_by: Callable[[PhotoSort], None]
    apply_sort: Callable[[], None]
    share: Callable[[], None]
    edit_privacy: Callable[[], None]
    show_about: Callable[[], None]
    retry_failed: Callable[[], None]
    sync_now: Callable[[], None]
    toggle_pause: Callable[[], None]
    open_settings: Callable[[], None]
    quit: Callable[[], None]
    confirm_quit: Callable[[], None]

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

    def _build_actions(self, grid: PhotoGridView) -> None:
        """Make every action, then the menus, the toolbar and the grid's context menu."""
        keys = QKeySequence.StandardKey
        self.new_album_action = self._action("&New album…", self.new_album, keys.New)
        self.rename_album_action = self._action("&Rename album…", self.rename_album, "F2")
        self.delete_album_action = self._action("&Delete album…", self.delete_album)
        self.add_photos_action = self._action("&Add photos…", self.add_photos, keys.Open)
        self.add_folder_action = self._action("Add &folder…", self.add_folder, "Ctrl+Shift+O")
        self.remove_photos_action = self._action("Re&move photos", self.remove_photos, keys.Delete)
        self.remove_photos_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.cover_action = self._action("Use as &cover", self.set_cover, "Ctrl+Shift+C")
        self.section_action = self._action(
            "Put in &section…",
            self.put_in_section,
            "Ctrl+E",
            tip="Put the selected photos in a part of the album, under its title (Ctrl+E)",
        )
        self.earlier_action = self._action(
            "Move &earlier", lambda: self.move_selected(-1), "Alt+Left"
        )
        self.later_action = self._action("Move &later", lambda: self.move_selected(1), "Alt+Right")
        self.section_up_action = self._action(
            "Move section &up",
            lambda: self.move_selected(-1, section=True),
            "Alt+Up",
            tip="Move the photo's whole section before the one before it (Alt+Up)",
        )
        self.section_down_action = self._action(
            "Move section do&wn",
            lambda: self.move_selected(1, section=True),
            "Alt+Down",
            tip="Move the photo's whole section after the one after it (Alt+Down)",
        )
        self.share_action = self._action("&Share…", self.share, "Ctrl+Shift+S")
        self.privacy_action = self._action("&Privacy…", self.edit_privacy, "Ctrl+Shift+L")
        self.undo_action = self._action("&Undo delete", self.undo_delete, keys.Undo)
        self.about_action = self._action("&About Albumen", self.show_about)
        self.retry_action = self._action("Re&try failed uploads", self.retry_failed)
        self.sync_action = self._action("Sync &now", self.sync_now, keys.Refresh)
        self.pause_action = self._action("&Pause uploads", self.toggle_pause, "Ctrl+Shift+P")
        self.settings_action = self._action("Se&ttings…", self.open_settings, keys.Preferences)
        if self.settings_action.shortcut().isEmpty():
            self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.quit_action = self._action("&Quit", self.confirm_quit, keys.Quit)
        self._build_view_actions(grid)

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
            self.section_action,
            self.earlier_action,
            self.later_action,
            self.section_up_action,
            self.section_down_action,
        ):
            photo_menu.addSeparator() if action is None else photo_menu.addAction(action)
        view_menu = self.menuBar().addMenu("&View")
        for action in (self.loupe_action, None, self.larger_action, self.smaller_action):
            view_menu.addSeparator() if action is None else view_menu.addAction(action)
        view_menu.addAction(self.default_size_action)
        view_menu.addSeparator()
        view_menu.addMenu(self.sort_menu)
        sync_menu = self.menuBar().addMenu("&Uploads")
        for action in (self.sync_action, self.pause_action, self.retry_action):
            sync_menu.addAction(action)
        self.help_menu = self.menuBar().addMenu("&Help")
        self.help_menu.addAction(self.about_action)

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
        grid.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for action in (
            self.loupe_action,
            None,
            self.cover_action,
            self.section_action,
            self.earlier_action,
            self.later_action,
            None,
            self.remove_photos_action,
        ):
            if action is None:
                action = QAction(grid)
                action.setSeparator(True)
            grid.addAction(action)

    def _build_view_actions(self, grid: PhotoGridView) -> None:
        """The loupe, the photos' size, and the sort (a menu of its own, which the grid's
        header opens too)."""
        keys = QKeySequence.StandardKey
        self.loupe_action = self._action("&Open in loupe", self.open_loupe, "Space")
        self.loupe_action.setShortcuts([QKeySequence("Space"), QKeySequence("Return")])
        self.loupe_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.loupe_action.setToolTip("See the photo large (Space; Esc comes back)")
        self.larger_action = self._action("&Larger photos", lambda: grid.zoom(1), keys.ZoomIn)
        self.larger_action.setShortcuts([QKeySequence(keys.ZoomIn), QKeySequence("Ctrl+=")])
        self.smaller_action = self._action("&Smaller photos", lambda: grid.zoom(-1), keys.ZoomOut)
        self.default_size_action = self._action("&Default size", grid.zoom_reset, "Ctrl+0")
        self.sort_menu = QMenu("So&rt", self)
        group = QActionGroup(self)
        self.sort_actions: dict[PhotoSort, QAction] = {}
        for sort in PhotoSort:
            action = QAction(LABELS[sort], group)
            action.setCheckable(True)
            action.setChecked(sort is PhotoSort.ALBUM)
            action.triggered.connect(lambda _checked=False, sort=sort: self.sort_by(sort))
            self.sort_menu.addAction(action)
            self.sort_actions[sort] = action
        self.sort_menu.addSeparator()
        self.apply_sort_action = self._action(
            "&Use this order for the album…",
            self.apply_sort,
            tip="Put the album's photos in the order shown, for its viewers too",
        )
        self.sort_menu.addAction(self.apply_sort_action)

    def enable_actions(
        self,
        *,
        has_album: bool,
        selected: int,
        can_undo: bool,
        sort: PhotoSort,
        filtered: bool = False,
    ) -> None:
        """Only what has something to act on is enabled: the current album's commands need
        one, the photo commands a selection (moving and the cover one photo), Undo a delete
        still waiting. Moving is for the album's own order, all of it shown (in a sorted view,
        or one showing only the picked photos, the photo would not move where it is seen),
        making a sorted order the album's for a sorted view. Adding photos always works:
        without an album it makes one."""
        for action in (
            self.rename_album_action,
            self.delete_album_action,
            self.share_action,
            self.privacy_action,
            self.retry_action,
        ):
            action.setEnabled(has_album)
        self.remove_photos_action.setEnabled(selected > 0)
        self.section_action.setEnabled(selected > 0)
        self.cover_action.setEnabled(selected == 1)
        moving = (self.earlier_action, self.later_action)
        for action in (*moving, self.section_up_action, self.section_down_action):
            action.setEnabled(selected == 1 and sort is PhotoSort.ALBUM and not filtered)
        self.loupe_action.setEnabled(selected > 0)
        self.apply_sort_action.setEnabled(has_album and sort is not PhotoSort.ALBUM)
        self.sort_actions[sort].setChecked(True)
        self.undo_action.setEnabled(can_undo)

    def show_paused(self, paused: bool) -> None:
        self.pause_action.setText("&Resume uploads" if paused else "&Pause uploads")
