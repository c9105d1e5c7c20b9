"""The photo grid as an owner uses it: its size, columns that fill the width, the loupe, the
sort, the cover tag, the focus ring and the context menu; on the real window, store and
server."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QModelIndex, QPointF, QRect, Qt
from PySide6.QtGui import QDropEvent, QImage, QPainter
from PySide6.QtWidgets import QApplication, QStyle, QStyleOptionViewItem, QWidget
from pytestqt.qtbot import QtBot

from albumen.core.model import PhotoState
from albumen.core.photo_order import PhotoSort
from albumen.core.store import NewPhoto
from albumen.core.thumbnails import grid_edge_for
from albumen.ui.context import AppContext
from albumen.ui.grid_view import CELL_DEFAULT, CELL_MAX, CELL_MIN, PhotoGridView
from albumen.ui.main_window import MainWindow
from albumen.ui.panels import ALBUMS_MIN, DETAILS_MIN, PHOTOS_WANT
from albumen.ui.photo_delegate import PhotoDelegate
from albumen.ui.photo_drag import photo_ids_of
from albumen.ui.photo_grid import CoverRole, NoPictureRole, PhotoGridModel, ThumbnailReadyRole
from tests.support import CORPUS, ServerProcess, photo_jpeg
from tests.ui.dialogs import answer_next_box
from tests.ui.windows import WORK_MS, album_with, unseen_photos


def _files(folder: Path, sizes: list[tuple[int, int]], prefix: str = "IMG_") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index, size in enumerate(sizes):
        path = folder / f"{prefix}{index:04d}.jpg"
        path.write_bytes(photo_jpeg(size, seed=index))
        paths.append(path)
    return paths


def _columns(grid: PhotoGridView) -> int:
    """How many photos the grid really shows in its first row."""
    model = grid.model()
    tops = [grid.visualRect(model.index(row, 0)).top() for row in range(model.rowCount())]
    return tops.count(tops[0])


def test_size_keys_and_slider_change_the_cells_and_are_remembered(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    album = context.store.create_album("Sizes")
    unseen_photos(context.store, album.id, 40)
    context.changed(album.id)
    window.select_album(album.id)
    window.resize(1320, 880)
    grid = window.grid
    qtbot.waitUntil(
        lambda: window.photos.photo_count() == 40 and not window.photos.incoming_count()
    )
    grid.setFocus()
    qtbot.waitUntil(lambda: _columns(grid) == grid.columns())
    columns, edge = grid.columns(), grid.gridSize().width()

    qtbot.keyClick(grid, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert grid.columns() == columns - 1, "Ctrl++: one photo fewer across"
    assert grid.gridSize().width() > edge
    assert window.header.size_slider.value() == grid.cell
    qtbot.waitUntil(lambda: _columns(grid) == columns - 1)

    qtbot.keyClick(grid, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(grid, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert grid.columns() == columns + 1, "Ctrl+−: one photo more across"
    assert grid.gridSize().width() < edge
    qtbot.keyClick(grid, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert grid.cell == CELL_DEFAULT and grid.gridSize().width() == edge

    window.header.size_slider.setValue(CELL_MAX)
    assert grid.cell == CELL_MAX
    for _ in range(40):  # down to the smallest, and no further
        qtbot.keyClick(grid, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert grid.cell == CELL_MIN
    qtbot.keyClick(grid, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    chosen = grid.cell
    assert chosen > CELL_MIN

    window._save()
    again = MainWindow(context)
    qtbot.addWidget(again)
    assert again.grid.cell == chosen
    assert again.header.size_slider.value() == chosen
    again.close()  # now, while its store is open


@pytest.mark.parametrize("cell", [CELL_MIN, 180, CELL_DEFAULT, 300, CELL_MAX])
def test_columns_fill_the_width_at_every_width(
    qtbot: QtBot, context: AppContext, gui_parent: QWidget, cell: int
) -> None:
    album = context.store.create_album("Widths")
    unseen_photos(context.store, album.id, 30)
    model = PhotoGridModel(context, gui_parent)
    model.set_album(album.id)
    grid = PhotoGridView()
    qtbot.addWidget(grid)
    grid.setModel(model)
    grid.set_cell(cell)
    grid.show()
    for width in range(260, 1700, 53):
        grid.resize(width, 500)
        qtbot.waitUntil(lambda width=width: grid.width() == width)
        viewport = grid.viewport().width()
        edge = grid.gridSize().width()
        fit = viewport // edge  # as many cells as the width holds
        qtbot.waitUntil(lambda fit=fit: _columns(grid) == fit, timeout=2_000)
        assert viewport - fit * edge <= fit, f"{viewport} px: a strip left empty"
        assert abs(fit - viewport / cell) <= 0.5 or fit == 1, "the nearest count of columns"


@pytest.mark.parametrize(("width", "columns"), [(1024, 3), (1320, 3), (1440, 3), (1600, 4)])
def test_the_side_panes_give_way_in_a_narrow_window(
    qtbot: QtBot, window: MainWindow, context: AppContext, width: int, columns: int
) -> None:
    album = context.store.create_album("Panes")
    unseen_photos(context.store, album.id, 12)
    context.changed(album.id)
    window.select_album(album.id)
    assert window.grid.isVisible()
    window.resize(width, 880)
    qtbot.waitUntil(lambda: window.width() == width)
    albums, photos, details = window.splitter.sizes()
    assert albums >= ALBUMS_MIN and details >= DETAILS_MIN
    assert photos >= min(PHOTOS_WANT, width - ALBUMS_MIN - DETAILS_MIN - 10)
    assert window.grid.columns() == columns
    if width >= 1440:
        assert (albums, details) == window.splitter.preferred, "wide: the owner's widths"


def test_the_loupe_opens_moves_and_closes_without_waiting_for_the_photo(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    sizes = [(480, 320), (320, 480), (400, 400)]
    paths = _files(tmp_path / "loupe", sizes)
    album_with(qtbot, window, paths)
    grid, loupe = window.grid, window.loupe
    grid.setFocus()
    grid.setCurrentIndex(window.photos.index(1))
    # Every image thread held (the loupe's lane too): the loupe must open, and say which
    # photo, before the photo is decoded.
    release = threading.Event()
    for _ in range(context.runner.image_threads):
        context.runner.run_image(release.wait)
    context.runner.run_image(release.wait, now=True)
    try:
        qtbot.keyClick(grid, Qt.Key.Key_Space)
        assert window.pages.currentWidget() is loupe
        assert loupe.title.text() == "IMG_0001.jpg" and loupe.position.text() == "2 of 3"
        image = loupe.canvas.image
        assert image is None or loupe.canvas.enlarge, "at most the thumbnail, enlarged"
    finally:
        release.set()
    qtbot.waitUntil(lambda: not loupe.canvas.enlarge and loupe.canvas.image is not None)
    assert loupe.canvas.image.size().toTuple() == sizes[1]

    qtbot.keyClick(loupe, Qt.Key.Key_Right)
    assert loupe.position.text() == "3 of 3" and loupe.title.text() == "IMG_0002.jpg"
    qtbot.waitUntil(lambda: loupe.canvas.image is not None and not loupe.canvas.enlarge)
    assert loupe.canvas.image.size().toTuple() == sizes[2]
    qtbot.keyClick(loupe, Qt.Key.Key_Right)
    assert loupe.position.text() == "3 of 3", "the last photo stays"
    qtbot.keyClick(loupe, Qt.Key.Key_Left)
    qtbot.keyClick(loupe, Qt.Key.Key_Left)
    assert loupe.position.text() == "1 of 3" and loupe.title.text() == "IMG_0000.jpg"
    qtbot.waitUntil(lambda: loupe.canvas.image is not None and not loupe.canvas.enlarge)
    assert loupe.canvas.image.size().toTuple() == sizes[0]
    assert grid.currentIndex().row() == 0, "the grid follows the photo in view"

    qtbot.keyClick(loupe, Qt.Key.Key_Escape)
    assert window.pages.currentWidget() is window.splitter
    assert grid.currentIndex().row() == 0

    centre = grid.visualRect(window.photos.index(2)).center()
    # A double-click is a press, then a second press that arrives as the double-click.
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert window.pages.currentWidget() is loupe and loupe.title.text() == "IMG_0002.jpg"
    qtbot.keyClick(loupe, Qt.Key.Key_Space)
    assert window.pages.currentWidget() is window.splitter


def test_a_photo_that_cannot_be_decoded_says_why_in_the_loupe(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    paths = _files(tmp_path / "gone", [(300, 200)])
    album_with(qtbot, window, paths)
    paths[0].unlink()
    window.grid.setCurrentIndex(window.photos.index(0))
    window.loupe_action.trigger()
    qtbot.waitUntil(lambda: bool(window.loupe.canvas.message), timeout=10_000)
    assert "IMG_0000.jpg" in window.loupe.canvas.message
    assert "does not exist" in window.loupe.canvas.message


def test_a_photo_no_thumbnail_can_be_made_of_says_so_and_why(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """A RAW file from a camera newer than LibRaw (the corpus's CR3 has no sensor data to
    develop) is shared byte-exact, but no thumbnail can be made of it: its cell said nothing,
    an empty grey frame like one still loading. Its viewers see "No preview" there too."""
    (tmp_path / "shoot").mkdir()
    raw = tmp_path / "shoot" / "IMG_0001.CR3"
    raw.write_bytes((CORPUS / "CanonRaw.cr3").read_bytes())
    paths = [*_files(tmp_path / "shoot", [(300, 200)]), raw]
    album_with(qtbot, window, paths)
    model = window.photos
    rows = {model.photo_at(row).filename: row for row in range(model.photo_count())}
    missing, fine = model.index(rows["IMG_0001.CR3"]), model.index(rows["IMG_0000.jpg"])
    window.grid.scrollTo(missing)
    qtbot.waitUntil(lambda: model.data(missing, NoPictureRole) is not None, timeout=WORK_MS)
    qtbot.waitUntil(lambda: bool(model.data(fine, ThumbnailReadyRole)), timeout=WORK_MS)
    reason = model.data(missing, NoPictureRole)
    assert str(raw) not in reason, "the cell names the file already"
    assert "RAW" in reason, reason
    tooltip = model.data(missing, Qt.ItemDataRole.ToolTipRole)
    assert f"No preview: {reason}" in tooltip
    assert model.data(fine, NoPictureRole) is None
    assert ", no preview" in model.data(missing, Qt.ItemDataRole.AccessibleTextRole)
    assert "no preview" not in model.data(fine, Qt.ItemDataRole.AccessibleTextRole)
    assert "No preview" not in model.data(fine, Qt.ItemDataRole.ToolTipRole)
    # Painted: the words in the frame (text pixels in its middle), where a cell still loading
    # has an even grey.
    delegate = window.grid.itemDelegate()
    assert isinstance(delegate, PhotoDelegate)
    painted = _paint(delegate, missing, QStyle.StateFlag.State_None)
    middle = {painted.pixel(x, 86) for x in range(40, 160)}
    assert len(middle) > 2, "no words in the empty frame"


def test_photos_dragged_within_the_grid_land_where_they_are_dropped(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    """The drag's data is the model's (the ids, in the grid's order, whichever way they were
    selected) and the drop is the view's: a drop on a cell moves them there, in the album."""
    album_id = album_with(qtbot, window, _files(tmp_path / "drag", [(90, 60)] * 4))
    model, grid = window.photos, window.grid
    names = [model.photo_at(row).filename for row in range(4)]
    mime = model.mimeData([model.index(3), model.index(0)])
    ids = [model.photo_at(0).id, model.photo_at(3).id]
    assert photo_ids_of(mime) == ids
    assert photo_ids_of(QMimeData()) is None  # a drag of files, say
    target = grid.visualRect(model.index(2)).center()
    drop = QDropEvent(
        QPointF(target),
        Qt.DropAction.MoveAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(grid.photos_moved) as moved:
        grid.dropEvent(drop)
    assert moved.args == [ids, 2]
    order = [photo.filename for photo in context.store.photos(album_id)]
    assert order != names and sorted(order) == sorted(names)
    assert order.index(names[0]) + 1 == order.index(names[3]), "moved together, in order"


def _taken(context: AppContext, album_id: str) -> None:
    hours = {"DSC_10.jpg": 9, "DSC_9.jpg": 12, "DSC_2.jpg": 11, "scan.png": None}
    context.store.add_photos(
        album_id,
        [
            NewPhoto(
                path=Path("/nowhere") / name,
                size=1,
                mtime_ns=1,
                sha256=f"{index:064x}",
                taken_at=None if hour is None else datetime(2026, 6, 9, hour, tzinfo=UTC),
            )
            for index, (name, hour) in enumerate(hours.items())
        ],
    )


def _grid_names(window: MainWindow) -> list[str]:
    return [window.photos.photo_at(row).filename for row in range(window.photos.rowCount())]


def test_sorting_changes_the_view_and_the_album_only_when_asked(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    context.sync.pause()  # the photos have no files: nothing to upload here
    assert not window.header.controls.isVisibleTo(window), "no album: nothing to sort"
    album = context.store.create_album("Sorted")
    _taken(context, album.id)
    context.changed(album.id)
    window.select_album(album.id)
    arranged = ["DSC_10.jpg", "DSC_9.jpg", "DSC_2.jpg", "scan.png"]
    assert _grid_names(window) == arranged
    assert window.sort_actions[PhotoSort.ALBUM].isChecked()
    assert not window.apply_sort_action.isEnabled()
    assert window.header.controls.isVisibleTo(window)
    assert not window.header.note.isVisibleTo(window)

    window.sort_actions[PhotoSort.FILENAME].trigger()
    assert _grid_names(window) == ["DSC_2.jpg", "DSC_9.jpg", "DSC_10.jpg", "scan.png"]
    assert window.header.sort_button.text() == "Sort: Filename"
    assert window.header.note.isVisibleTo(window)
    assert [p.filename for p in context.store.photos(album.id)] == arranged, "a view only"
    window.grid.setCurrentIndex(window.photos.index(0))
    assert not window.earlier_action.isEnabled(), "no moving in a sorted view"
    assert not window.grid.reorderable

    window.sort_actions[PhotoSort.TAKEN].trigger()
    assert _grid_names(window) == ["DSC_10.jpg", "DSC_2.jpg", "DSC_9.jpg", "scan.png"]
    assert window.grid.currentIndex().data() == "DSC_2.jpg", "the current photo stays current"
    answer_next_box("Cancel")
    window.apply_sort_action.trigger()
    assert [p.filename for p in context.store.photos(album.id)] == arranged

    asked = answer_next_box("Reorder album")
    window.apply_sort_action.trigger()
    assert asked and "capture time" in asked[0]
    assert [p.filename for p in context.store.photos(album.id)] == _grid_names(window)
    assert _grid_names(window) == ["DSC_10.jpg", "DSC_2.jpg", "DSC_9.jpg", "scan.png"]
    assert window.photos.order is PhotoSort.ALBUM and window.grid.reorderable
    assert window.sort_actions[PhotoSort.ALBUM].isChecked()
    assert not window.header.note.isVisibleTo(window)

    window.sort_actions[PhotoSort.FILENAME].trigger()
    window._save()
    again = MainWindow(context)
    qtbot.addWidget(again)
    assert again.photos.order is PhotoSort.FILENAME, "the view is remembered"
    assert again.header.sort_button.text() == "Sort: Filename"
    again.close()


def test_an_order_made_the_albums_reaches_its_viewers(
    qtbot: QtBot,
    window: MainWindow,
    context: AppContext,
    tmp_path: Path,
    shared_server: ServerProcess,
) -> None:
    paths = _files(tmp_path / "server", [(240, 160)] * 3, prefix="shot_")
    album_id = album_with(qtbot, window, paths, "Ordered")
    qtbot.waitUntil(
        lambda: (
            all(p.state is PhotoState.UPLOADED for p in context.store.photos(album_id))
            and not context.sync.is_running()
        ),
        timeout=30_000,
    )
    photos = context.store.photos(album_id)
    context.store.order_photos(album_id, [photos[2].id, photos[0].id, photos[1].id])
    window.photos.refresh()
    window.sort_by(PhotoSort.FILENAME)
    answer_next_box("Reorder album")
    window.apply_sort_action.trigger()
    expected = [p.id for p in photos]

    def server_order() -> list[str]:
        answer = shared_server.api("GET", f"/api/albums/{album_id}")
        return [photo["id"] for photo in answer.json()["photos"]]

    qtbot.waitUntil(lambda: server_order() == expected, timeout=30_000)


def test_the_cover_is_tagged_and_moves_with_use_as_cover(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    album_id = album_with(qtbot, window, _files(tmp_path / "cover", [(200, 150)] * 3))
    model = window.photos

    def tagged() -> list[int]:
        return [row for row in range(model.rowCount()) if model.index(row).data(CoverRole)]

    assert tagged() == [0], "the first photo added is the cover"
    assert "album cover" in model.index(0).data(Qt.ItemDataRole.AccessibleTextRole)
    changed: list[int] = []
    model.dataChanged.connect(lambda top, _bottom, roles: changed.append(top.row()))
    window.grid.setCurrentIndex(model.index(2))
    menu = [a.text() for a in window.grid.actions() if not a.isSeparator()]
    assert menu == [
        "&Open in loupe",
        "Use as &cover",
        "Put in &section…",
        "Move &earlier",
        "Move &later",
        "Re&move photos",
    ]
    window.cover_action.trigger()
    assert tagged() == [2]
    assert context.store.album(album_id).cover_photo_id == model.photo_at(2).id
    assert {0, 2} <= set(changed), "both cells are repainted"


def _paint(
    delegate: PhotoDelegate, index: QModelIndex, state: QStyle.StateFlag, pixel_ratio: int = 1
) -> QImage:
    """A 200-point cell painted as on a screen of `pixel_ratio` (its pixels: 200 × the ratio)."""
    image = QImage(200 * pixel_ratio, 200 * pixel_ratio, QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(pixel_ratio)
    image.fill(Qt.GlobalColor.white)
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 200, 200)
    option.state = state
    option.palette = QApplication.palette()
    painter = QPainter(image)
    delegate.paint(painter, option, index)
    painter.end()
    return image


def test_the_current_photo_has_a_focus_ring(
    qtbot: QtBot, window: MainWindow, context: AppContext
) -> None:
    album = context.store.create_album("Focus")
    unseen_photos(context.store, album.id, 2)
    context.changed(album.id)
    window.select_album(album.id)
    delegate = window.grid.itemDelegate()
    assert isinstance(delegate, PhotoDelegate)
    index = window.photos.index(1)
    enabled = QStyle.StateFlag.State_Enabled
    plain = _paint(delegate, index, enabled)
    ringed = _paint(delegate, index, enabled | QStyle.StateFlag.State_HasFocus)
    edge = [(x, 2) for x in range(10, 190)] + [(2, y) for y in range(10, 190)]
    assert all(plain.pixelColor(x, y) == plain.pixelColor(10, 2) for x, y in edge)
    assert sum(ringed.pixelColor(x, y) != plain.pixelColor(x, y) for x, y in edge) > 300
    selected = enabled | QStyle.StateFlag.State_Selected
    both = _paint(delegate, index, selected | QStyle.StateFlag.State_HasFocus)
    assert both.pixelColor(100, 2) != _paint(delegate, index, selected).pixelColor(100, 2)


def test_a_thumbnail_is_painted_pixel_for_pixel_on_a_sharp_screen(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    """On a Retina display a cell of 200 points has 400 pixels a side: a thumbnail scaled to
    the points and blown up by the screen looks soft; one scaled to the pixels does not."""
    context.thumbnails.grid_edge = grid_edge_for(2.0)  # as app.main sets it for such a screen
    noise = tmp_path / "sharp" / "DSC_0001.jpg"
    noise.parent.mkdir()
    Image.effect_noise((1200, 800), 80).convert("RGB").save(noise, quality=95)
    album_with(qtbot, window, [noise])
    index = window.photos.index(0)
    qtbot.waitUntil(lambda: bool(index.data(ThumbnailReadyRole)), timeout=WORK_MS)
    thumbnail = index.data(Qt.ItemDataRole.DecorationRole)
    assert (thumbnail.width(), thumbnail.height()) == (640, 427)
    delegate = window.grid.itemDelegate()
    assert isinstance(delegate, PhotoDelegate)

    painted = _paint(delegate, index, QStyle.StateFlag.State_Enabled, pixel_ratio=2)

    # The cell's picture area is 186 x 166 points: 372 x 248 pixels of the photo, at (7, 28).
    expected = thumbnail.scaled(
        372, 332, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    ).toImage()
    assert (expected.width(), expected.height()) == (372, 248)
    differences = [
        abs(painted.pixelColor(14 + x, 56 + y).red() - expected.pixelColor(x, y).red())
        for x in range(120, 250, 2)
        for y in range(70, 180, 2)
    ]
    assert sum(differences) / len(differences) < 2, "the photo's pixels, one to one"


def test_decoded_thumbnails_are_kept_within_a_budget(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """The least recently shown thumbnail goes when the budget is spent, and is read again from
    the disk cache when it is shown again: four times the pixels each on a Retina screen."""
    model = window.photos
    model.decoded.budget = 250_000  # two of 200 x 150 x 4 bytes
    album_with(qtbot, window, _files(tmp_path / "budget", [(200, 150)] * 3))
    # The order of use is this test's alone: the shown grid's own paints asked for its cells
    # too, and a repaint of row 1 after row 0 left row 2 the one to go (seen once in CI).
    window.grid.setUpdatesEnabled(False)

    def shown(row: int) -> bool:
        model.index(row).data(Qt.ItemDataRole.DecorationRole)  # as the view asks to paint it
        return bool(model.index(row).data(ThumbnailReadyRole))

    for row in range(3):
        qtbot.waitUntil(lambda row=row: shown(row), timeout=WORK_MS)  # type: ignore[misc]
    assert [bool(model.index(row).data(ThumbnailReadyRole)) for row in range(3)] == [
        False,
        True,
        True,
    ]
    qtbot.waitUntil(lambda: shown(0), timeout=WORK_MS)
    assert not model.index(1).data(ThumbnailReadyRole)


def test_painting_a_cell_never_waits_for_the_disk_on_the_gui_thread(
    context: AppContext, gui_parent: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asking a cell for its thumbnail looks at no file on the GUI thread: whether the thumbnail
    is made yet, and the camera's placeholder, are looked at on a pool (a `stat` there waited
    190 ms behind uploads writing to the disk: bench/ui_responsiveness.py)."""
    album = context.store.create_album("Painted")
    unseen_photos(context.store, album.id, 12)
    looked_at: list[str] = []
    real_exists = Path.exists

    def recording_exists(path: Path, *args: object, **kwargs: object) -> bool:
        looked_at.append(threading.current_thread().name)
        return real_exists(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "exists", recording_exists)
    model = PhotoGridModel(context, gui_parent)
    model.set_album(album.id)
    for row in range(model.rowCount()):
        model.data(model.index(row), Qt.ItemDataRole.DecorationRole)
    assert context.runner.wait()
    main = threading.main_thread().name
    assert main not in looked_at
    assert len([name for name in looked_at if name.startswith("albumen-task")]) >= 12
