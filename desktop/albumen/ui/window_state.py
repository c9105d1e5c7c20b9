"""What the window remembers between runs, in QSettings (the desktop's place for a user's view
preferences, apart from the data folder's settings, which hold what the app does): its size
and place, the side panes' widths, the photos' size and sort, the album last open, and whether
uploads are paused.

A sorted view is remembered as Lightroom remembers it; the grid's header says that it is only
a view, so returning to it cannot be mistaken for the album's order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings

from albumen.core.photo_order import PhotoSort

if TYPE_CHECKING:
    from albumen.ui.main_window import MainWindow

DEFAULT_SIZE = (1320, 820)


def restore(window: MainWindow) -> None:
    settings = QSettings()
    if settings.value("uploads/paused") in (True, "true"):
        window.context.sync.pause()
        window.show_paused(True)
    geometry = settings.value("window/geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    else:
        window.resize(*DEFAULT_SIZE)
    panels = settings.value("window/panels")
    if isinstance(panels, list) and len(panels) == 2:
        window.splitter.prefer(*(_number(width, 0) for width in panels))
    window.grid.set_cell(_number(settings.value("grid/cell"), window.grid.cell))
    sort = settings.value("grid/sort")
    window.sort_by(PhotoSort(sort) if sort in set(PhotoSort) else PhotoSort.ALBUM)
    last = settings.value("window/last_album")
    if isinstance(last, str) and window.albums.row_of(last) is not None:
        window.select_album(last)
    elif window.albums.rowCount():
        window.album_view.setCurrentIndex(window.albums.index(0))


def save(window: MainWindow) -> None:
    settings = QSettings()
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/panels", list(window.splitter.preferred))
    settings.setValue("grid/cell", window.grid.cell)
    settings.setValue("grid/sort", window.photos.order.value)
    album = window.current_album()
    if album is not None:
        settings.setValue("window/last_album", album.id)


def remember_paused(paused: bool) -> None:
    """A pause holds across restarts until the owner resumes."""
    QSettings().setValue("uploads/paused", paused)


def _number(value: object, default: int) -> int:
    """A number from QSettings, which gives strings back from its INI files."""
    try:
        return int(str(value))
    except ValueError:
        return default
