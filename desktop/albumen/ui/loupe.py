"""The loupe: one photo as large as the window allows, to look at it properly.

Space, Return or a double-click on the grid opens it on the current photo; Left and Right (or
Up and Down, Home and End) go through the album in the grid's order; Esc, Space or a
double-click close it, back on the grid with the last photo shown selected. The grid's
current photo follows, so the cover, Move earlier/later and the metadata panel act on the
photo in view. What viewers wrote on the photo (their notes on their picks) is shown under the
bar.

The photo is decoded off the GUI thread (`TaskRunner.run_image`, in the lane that does not wait
behind the grid's thumbnails) by the same code that makes the thumbnails, at the screen's size,
so it is upright and a RAW file shows its preview; the grid's thumbnail stands in, enlarged,
until it arrives, and the neighbours are decoded next so that stepping through is immediate.
Nothing here waits on the GUI thread.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QMouseEvent, QPalette, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from albumen.core.model import Photo
from albumen.core.picks import said
from albumen.core.thumbnails import make_thumbnail, upright_picture
from albumen.ui.context import AppContext
from albumen.ui.grid_view import PhotoGridView
from albumen.ui.loupe_canvas import BACKGROUND, LoupeCanvas, picture_image
from albumen.ui.photo_grid import PhotoGridModel, PickNotesRole

KEPT = 3  # decoded photos kept: the one in view and its neighbours
EDGE_MAX = 4096  # a 4K screen's long side: larger decodes show nothing more
PAN_FRACTION = 0.2  # of the view, per Shift+arrow at 100 %
DRAG_DISTANCE = 4  # logical pixels a press must move to be a drag, not a click


class Loupe(QWidget):
    """Shows the grid's photos one at a time; `closed` asks the window to show the grid."""

    closed = Signal()
    shown = Signal(str)  # the id of a photo once it is on screen at full size

    def __init__(self, context: AppContext, grid: PhotoGridView, parent: QWidget | None = None):
        super().__init__(parent)
        self.context = context
        self.grid = grid
        model = grid.model()
        assert isinstance(model, PhotoGridModel)
        self.model = model
        self.photo: Photo | None = None
        self.row = 0
        self._images: OrderedDict[str, QImage] = OrderedDict()
        self._errors: dict[str, str] = {}
        self._loading: set[str] = set()
        self._loading_full: set[str] = set()
        self._press: QPointF | None = None  # where a press began, until it is a click or a drag
        self._dragged = False
        # The photo in view and its neighbours: a decode queued for another (the owner held
        # the Right key) is skipped when its turn comes, so the pool is free for these.
        self._wanted: frozenset[str] = frozenset()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAutoFillBackground(True)
        palette = self.palette()
        for role, colour in (
            (QPalette.ColorRole.Window, QColor(BACKGROUND)),
            (QPalette.ColorRole.Button, QColor(48, 48, 48)),
            (QPalette.ColorRole.WindowText, QColor(235, 235, 235)),
            (QPalette.ColorRole.ButtonText, QColor(235, 235, 235)),
        ):
            palette.setColor(role, colour)
        self.setPalette(palette)  # light on black, whatever the desktop's theme
        self.title = QLabel()
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.position = QLabel()
        # What viewers wrote on the photo in view (proofing): to be read while looking at it.
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setContentsMargins(12, 0, 12, 6)
        self.notes.setTextFormat(Qt.TextFormat.PlainText)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes.hide()
        self.previous_button = self._button("‹", "Previous photo (Left)", lambda: self.step(-1))
        self.next_button = self._button("›", "Next photo (Right)", lambda: self.step(1))
        self.close_button = self._button("Back to the grid", "Back to the grid (Esc)", self.close_)
        self.zoom_button = self._button(
            "100 %", "See the photo at 100 % (Z)", lambda: self.toggle_zoom()
        )
        self.zoom_button.setCheckable(True)
        bar = QHBoxLayout()
        bar.setContentsMargins(10, 6, 10, 6)
        for widget in (self.previous_button, self.position, self.next_button, self.title):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.zoom_button)
        bar.addWidget(self.close_button)
        self.canvas = LoupeCanvas(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.notes)
        layout.addWidget(self.canvas, 1)
        self.setAccessibleName("Photo")
        model.modelReset.connect(self._rows_changed)

    def _button(self, text: str, tip: str, slot: Callable[[], object]) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the arrows keep going to the loupe
        button.clicked.connect(slot)
        return button

    # -- moving --------------------------------------------------------------------------------

    def show_row(self, row: int) -> None:
        """Show the grid's photo at `row` (clamped to the album) and make it the grid's
        current photo."""
        count = self.model.photo_count()
        if not count:
            self.close_()
            return
        row = max(0, min(row, count - 1))
        while row >= self.model.shown_count() and self.model.canFetchMore(self.model.index(-1)):
            self.model.fetchMore(self.model.index(-1))
        self.row = row
        self.photo = self.model.photo_at(row)
        self.title.setText(self.photo.filename)
        self.position.setText(f"{row + 1} of {count}")
        self.previous_button.setEnabled(row > 0)
        self.next_button.setEnabled(row < count - 1)
        self._wanted = frozenset(
            self.model.photo_at(near).id for near in (row - 1, row, row + 1) if 0 <= near < count
        )
        index = self.model.index(row)
        notes = index.data(PickNotesRole) or ()
        self.notes.setText("\n".join(f"✎ {said(name, note)}" for name, note in notes))
        self.notes.setVisible(bool(notes))
        about = f"{self.photo.filename}, {row + 1} of {count}"
        self.setAccessibleDescription("\n".join([about, self.notes.text()]) if notes else about)
        selection = self.grid.selectionModel()
        selection.setCurrentIndex(index, selection.SelectionFlag.ClearAndSelect)
        self._present()
        for neighbour in (row + 1, row - 1):
            if 0 <= neighbour < count:
                self._load(self.model.photo_at(neighbour))
        self.setFocus()

    def step(self, delta: int) -> None:
        target = max(0, min(self.row + delta, self.model.photo_count() - 1))
        if target != self.row:
            self.show_row(target)

    def close_(self) -> None:
        """Back to the grid (the window listens to `closed`); the next photo opened is fitted."""
        self.zoom_out()
        self.canvas.full = None  # 72 MB for 24 MP: not kept behind the grid
        self.closed.emit()

    def _rows_changed(self) -> None:
        """The grid's rows were reloaded (a sort, a move, a removal): follow the photo in view,
        or stay at its place if it is gone."""
        if self.photo is None or not self.isVisible():
            return
        row = self.model.row_of(self.photo.id)
        self.show_row(self.row if row is None else row)

    # -- the picture ---------------------------------------------------------------------------

    def _present(self) -> None:
        photo = self.photo
        if photo is None:
            return
        full_size = QSize(photo.width, photo.height) if photo.width and photo.height else None

        def show(image: QImage | None, *, enlarge: bool, message: str = "") -> None:
            self.canvas.show_image(
                image, enlarge=enlarge, message=message, photo_id=photo.id, full_size=full_size
            )

        image = self._images.get(photo.id)
        if image is not None:
            self._images.move_to_end(photo.id)
            show(image, enlarge=False)
            self.shown.emit(photo.id)
        elif photo.id in self._errors:
            self.zoom_out()  # nothing to look at closely: the message says why
            show(None, enlarge=False, message=self._errors[photo.id])
            return
        else:
            item = self.model.data(self.model.index(self.row), Qt.ItemDataRole.DecorationRole)
            show(item.toImage() if isinstance(item, QPixmap) else None, enlarge=True)
            self._load(photo)
        if self.canvas.zoomed:
            if self.canvas.can_zoom():
                self._load_full(photo)
            else:
                self.zoom_out()  # this one has nothing more to show at 100 %

    def _edge(self) -> int:
        """The long side to decode at: the screen's, in device pixels."""
        screen = self.screen()
        size = screen.size() * screen.devicePixelRatio()
        return min(EDGE_MAX, max(1024, size.width(), size.height()))

    def _load(self, photo: Photo) -> None:
        if photo.id in self._images or photo.id in self._errors or photo.id in self._loading:
            return
        self._loading.add(photo.id)
        path, edge = photo.path, self._edge()

        def decode() -> QImage | None:
            if photo.id not in self._wanted:
                return None  # passed by meanwhile
            return QImage.fromData(make_thumbnail(path, edge))

        def done(image: QImage | None, error: BaseException | None) -> None:
            self._loading.discard(photo.id)
            if error is None and image is None:
                if photo.id in self._wanted:
                    self._load(photo)  # skipped, then wanted again: decode it after all
                return
            if error is not None or image is None or image.isNull():
                self._errors[photo.id] = str(error or f"{photo.filename} cannot be shown")
            else:
                self._images[photo.id] = image
                while len(self._images) > KEPT:
                    self._images.popitem(last=False)
            if self.photo is not None and self.photo.id == photo.id:
                self._present()

        self.context.runner.run_image(decode, done, now=True)

    # -- 100 % --------------------------------------------------------------------------------

    def toggle_zoom(self, at: QPointF | None = None) -> None:
        """Between the photo fitted and at 100 % (around the point `at` of the canvas, or where
        the last look at 100 % was)."""
        if self.canvas.zoomed:
            self.zoom_out()
        elif self.canvas.zoom_in(at) and self.photo is not None:
            self._load_full(self.photo)
        self.zoom_button.setChecked(self.canvas.zoomed)

    def zoom_out(self) -> None:
        self.canvas.zoom_out()
        self.zoom_button.setChecked(False)

    def _load_full(self, photo: Photo) -> None:
        """The photo's own pixels decoded for 100 %, off the GUI thread, for the photo in view
        only (a 24 MP photo is 72 MB of them): skipped when the owner has moved on."""
        # Only a photo of known size gets here (`LoupeCanvas.can_zoom` asks for its size).
        if self.canvas.full is not None or photo.id in self._loading_full or not photo.width:
            return
        self._loading_full.add(photo.id)
        path = photo.path
        edge = max(photo.width, photo.height or 0)

        def decode() -> QImage | None:
            if self.photo is None or self.photo.id != photo.id or not self.canvas.zoomed:
                return None
            return picture_image(upright_picture(path, edge))

        def done(image: QImage | None, error: BaseException | None) -> None:
            self._loading_full.discard(photo.id)
            if image is not None:
                self.canvas.show_full(photo.id, image)
            elif error is not None and self.photo is not None and self.photo.id == photo.id:
                self.zoom_out()  # what is wrong with the file, the fitted view already says
            elif self.photo is not None and self.canvas.zoomed and self.canvas.full is None:
                self._load_full(self.photo)  # skipped for another photo meanwhile

        self.context.runner.run_image(decode, done, now=True)

    # -- keys and mouse ------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        key = Qt.Key(event.key())
        steps = {
            Qt.Key.Key_Left: -1,
            Qt.Key.Key_Up: -1,
            Qt.Key.Key_Right: 1,
            Qt.Key.Key_Down: 1,
            Qt.Key.Key_PageUp: -1,
            Qt.Key.Key_PageDown: 1,
        }
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        pans = {
            Qt.Key.Key_Left: (-1, 0),
            Qt.Key.Key_Right: (1, 0),
            Qt.Key.Key_Up: (0, -1),
            Qt.Key.Key_Down: (0, 1),
        }
        if modifiers == Qt.KeyboardModifier.ShiftModifier and key in pans and self.canvas.zoomed:
            dx, dy = pans[key]
            step = PAN_FRACTION * min(self.canvas.width(), self.canvas.height())
            self.canvas.pan(dx * step, dy * step)
        elif modifiers:
            super().keyPressEvent(event)  # Alt+Left and the like are the window's commands
        elif key == Qt.Key.Key_Z:
            self.toggle_zoom()
        elif key == Qt.Key.Key_Escape and self.canvas.zoomed:
            self.zoom_out()
        elif key in steps:
            self.step(steps[key])
        elif key == Qt.Key.Key_Home:
            self.show_row(0)
        elif key == Qt.Key.Key_End:
            self.show_row(self.model.photo_count() - 1)
        elif key in (Qt.Key.Key_Escape, Qt.Key.Key_Space):
            self.close_()
        else:
            super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._press, self._dragged = event.position(), False
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """A drag at 100 % moves the photo with the hand."""
        if self._press is None or not self.canvas.zoomed:
            return
        moved = event.position() - self._press
        if not self._dragged and moved.manhattanLength() < DRAG_DISTANCE:
            return
        self._dragged = True
        self.canvas.setCursor(Qt.CursorShape.ClosedHandCursor)
        self.canvas.pan(-moved.x(), -moved.y())
        self._press = event.position()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """A click (not a drag) on the photo: to 100 % around that point, or back."""
        press, self._press = self._press, None
        self.canvas.unsetCursor()
        if press is None or self._dragged or event.button() != Qt.MouseButton.LeftButton:
            return
        at = self.canvas.mapFrom(self, event.position().toPoint())
        if self.canvas.rect().contains(at):
            self.toggle_zoom(QPointF(at))

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self.close_()
