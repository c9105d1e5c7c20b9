"""Photos ▸ "Put in section…" by keyboard on the real window, store and server: the dialog, the
cells that show the section, the album's order that follows the gallery's."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QMessageBox, QStyle, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from albumen.ui.context import AppContext
from albumen.ui.main_window import MainWindow
from albumen.ui.photo_delegate import PhotoDelegate
from albumen.ui.photo_grid import ThumbnailReadyRole
from albumen.ui.section_dialog import SectionDialog
from tests.ui.windows import album_with, photos


def _dialog(window: MainWindow) -> SectionDialog | None:
    shown = [d for d in window.findChildren(SectionDialog) if d.isVisible()]
    return shown[0] if shown else None


def _put_in_section(qtbot: QtBot, window: MainWindow, typed: str) -> SectionDialog:
    """Ctrl+E on the grid, `typed` into the dialog, Return: the dialog (gone if it applied)."""
    # The offscreen platform gives the focus back to no window once a dialog closes, and
    # activates none on showing: done here as a desktop does.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.grid, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: _dialog(window) is not None)
    dialog = _dialog(window)
    assert dialog is not None and dialog.isModal(), "window-modal, not blocking the loop"
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.title_box)  # the keyboard's
    focus = dialog.title_box
    qtbot.keyClick(focus, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(focus, Qt.Key.Key_Backspace)  # what it offered (the photos' section) goes
    qtbot.keyClicks(focus, typed)
    qtbot.keyClick(focus, Qt.Key.Key_Return)
    return dialog


def _select(qtbot: QtBot, window: MainWindow, first: int, count: int) -> None:
    """Rows `first`… selected as a person does: the first, then Shift+Right."""
    grid = window.grid
    grid.setFocus()
    grid.setCurrentIndex(window.photos.index(first))
    for _ in range(count - 1):
        qtbot.keyClick(grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert len(window.selected_photos()) == count


def _painted(window: MainWindow, photo_id: str) -> QImage:
    """The photo's cell as the grid's delegate paints it (a 200-point cell)."""
    delegate = window.grid.itemDelegate()
    assert isinstance(delegate, PhotoDelegate)
    row = window.photos.row_of(photo_id)
    assert row is not None
    image = QImage(200, 200, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 200, 200)
    option.state = QStyle.StateFlag.State_Enabled
    option.palette = QApplication.palette()
    painter = QPainter(image)
    delegate.paint(painter, option, window.photos.index(row))
    painter.end()
    return image


def _shown_section(window: MainWindow, photo_id: str) -> str | None:
    """The section of the photo as the grid's row holds it (what the delegate paints), once
    its thumbnail is there; "" while the row or its thumbnail is not."""
    row = window.photos.row_of(photo_id)
    if row is None or not window.photos.index(row).data(ThumbnailReadyRole):
        return ""
    return window.photos.photo_at(row).section


def _differ(one: QImage, other: QImage, xs: range, ys: range) -> int:
    return sum(one.pixelColor(x, y) != other.pixelColor(x, y) for x in xs for y in ys)


def test_put_in_section_by_keyboard_shows_it_on_the_cells_and_moves_the_photos(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    album_id = album_with(qtbot, window, photos(tmp_path / "shoot", 4), title="Wedding")
    model, store = window.photos, context.store
    first = [model.photo_at(row).id for row in range(4)]
    assert window.section_action.text() == "Put in &section…"
    assert window.section_action in window.grid.actions(), "in the grid's context menu too"

    _select(qtbot, window, 0, 2)
    dialog = _put_in_section(qtbot, window, "Ceremony")
    qtbot.waitUntil(lambda: _dialog(window) is None)
    assert dialog.result() == SectionDialog.DialogCode.Accepted

    in_album = store.photos(album_id)
    assert [p.id for p in in_album] == [first[2], first[3], first[0], first[1]], (
        "a new section starts at the end of the album: the gallery shows it after the rest"
    )
    assert [p.section for p in in_album] == [None, None, "Ceremony", "Ceremony"]
    qtbot.waitUntil(
        lambda: [model.photo_at(row).id for row in range(4)] == [p.id for p in in_album]
    )
    assert "in section Ceremony" in model.index(2).data(Qt.ItemDataRole.AccessibleTextRole)
    tooltip = model.index(3).data(Qt.ItemDataRole.ToolTipRole)  # as plain text, in markup
    assert "Section: Ceremony" in tooltip.replace("\xa0", " ")
    assert "section" not in model.index(0).data(Qt.ItemDataRole.AccessibleTextRole)
    qtbot.waitUntil(lambda: all(model.index(row).data(ThumbnailReadyRole) for row in range(4)))
    qtbot.waitUntil(lambda: _shown_section(window, first[0]) == "Ceremony")
    tagged = _painted(window, first[0])

    # The album's titles are offered; typed in another case, the photo joins the section.
    _select(qtbot, window, 0, 1)
    dialog = _put_in_section(qtbot, window, "ceremony")
    qtbot.waitUntil(lambda: _dialog(window) is None)
    assert [p.section for p in store.photos(album_id)] == [None] + ["Ceremony"] * 3
    assert store.photos(album_id)[-1].id == first[2], "to the end of the section's photos"

    # A title the server would refuse is said in the dialog, which stays open.
    _select(qtbot, window, 0, 1)
    dialog = _put_in_section(qtbot, window, "x" * 101)
    assert dialog.isVisible() and dialog.error_label.isVisible()
    assert "section title: 101 characters is too long" in dialog.error_label.text()
    assert store.photos(album_id)[0].section is None, "nothing changed"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: _dialog(window) is None)

    # Emptied, the title takes the photo out of its section: its cell loses the tag, which
    # sat at the picture's bottom left; nothing else of the cell changes.
    window.grid.setFocus()
    window.grid.setCurrentIndex(model.index(model.row_of(first[0]) or 0))
    _put_in_section(qtbot, window, "")
    qtbot.waitUntil(lambda: _dialog(window) is None)
    assert store.photo(first[0]).section is None
    assert [p.id for p in store.photos(album_id)][:2] == [first[3], first[0]]

    # The grid takes the change from the store as the app refreshes it (not at once: CI saw
    # the cell painted from the row as it was).
    qtbot.waitUntil(lambda: _shown_section(window, first[0]) is None)
    untagged = _painted(window, first[0])
    assert _shown_section(window, first[0]) is None
    assert _differ(tagged, untagged, range(200), range(0, 100)) == 0, "the top is the same"
    assert _differ(tagged, untagged, range(7, 100), range(100, 175)) > 300, "the tag is gone"
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]


def test_a_whole_section_moves_up_and_down_by_keyboard(
    qtbot: QtBot, window: MainWindow, context: AppContext, tmp_path: Path
) -> None:
    """Photos ▸ Move section up/down (Alt+Up, Alt+Down): the selected photo's section, all of
    it, among the album's sections; the photo stays selected where it went."""
    album_id = album_with(qtbot, window, photos(tmp_path / "shoot", 4), title="Wedding")
    model, owner, store = window.photos, context.owner, context.store
    first = [model.photo_at(row).id for row in range(4)]
    owner.put_in_section(album_id, [first[0], first[1]], "Ceremony")
    owner.put_in_section(album_id, [first[2]], "Party")
    qtbot.waitUntil(lambda: model.photo_at(3).id == first[2])  # [3] [0 1 Ceremony] [2 Party]
    assert window.section_up_action.text() == "Move section &up"
    assert window.section_down_action.shortcut().toString() == "Alt+Down"

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.grid.setFocus()
    window.grid.setCurrentIndex(model.index(3))  # a photo of Party
    assert window.section_up_action.isEnabled()
    qtbot.keyClick(window.grid, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert [(p.id, p.section) for p in store.photos(album_id)] == [
        (first[3], None),
        (first[2], "Party"),
        (first[0], "Ceremony"),
        (first[1], "Ceremony"),
    ]
    qtbot.waitUntil(lambda: model.photo_at(1).id == first[2])
    assert [photo.id for photo in window.selected_photos()] == [first[2]], "still the one"

    qtbot.keyClick(window.grid, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # first: stays
    assert [p.section for p in store.photos(album_id)] == [None, "Party", "Ceremony", "Ceremony"]
    qtbot.keyClick(window.grid, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert [p.section for p in store.photos(album_id)] == [None, "Ceremony", "Ceremony", "Party"]
