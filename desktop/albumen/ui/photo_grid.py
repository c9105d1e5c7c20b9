"""The photo grid's model: the album's photos, in the order chosen for the view, with lazy
thumbnails (the view is `grid_view`, a cell's painting `photo_delegate`).

Thumbnails are asked for only when a cell is painted, made on the image pool (a QImage in the
worker, a QPixmap only here on the GUI thread), kept in a bounded cache, and announced to the
view in batches, so 5,000 photos scroll without a stall. Changing album bumps a generation
number and late results for the old album are dropped. The rows follow `order` (the album's own
order unless the owner chose another view of it, see `albumen.core.photo_order`); with
`picked_only` set, only those photos (one viewer's picks, or everyone's) are rows. Each photo
knows how many viewers picked it (`PickCountRole`) and what they wrote on it (`PickNotesRole`);
one that no thumbnail can be made of, why (`NoPictureRole`: its cell says "No preview").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, NamedTuple

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QWidget

from albumen.core.camera_previews import embedded_preview
from albumen.core.model import Photo, PhotoState
from albumen.core.photo_order import PhotoSort, sort_photos
from albumen.core.picks import PhotoPicks, photo_picks
from albumen.core.store import StoreError
from albumen.core.thumbnails import why_no_thumbnail
from albumen.core.wording import count, photo_state_text
from albumen.ui.context import AppContext
from albumen.ui.photo_drag import PHOTO_MIME, photo_ids_mime
from albumen.ui.pixmap_budget import PixmapBudget
from albumen.ui.plain_text import plain_tooltip

PhotoRole = Qt.ItemDataRole.UserRole + 1
StateRole = Qt.ItemDataRole.UserRole + 2
ProgressRole = Qt.ItemDataRole.UserRole + 3
ThumbnailReadyRole = Qt.ItemDataRole.UserRole + 4
CoverRole = Qt.ItemDataRole.UserRole + 5  # True for the album's cover
IncomingRole = Qt.ItemDataRole.UserRole + 6  # a file still being checked: its name, else None
PickCountRole = Qt.ItemDataRole.UserRole + 7  # how many viewers picked the photo
PickNotesRole = Qt.ItemDataRole.UserRole + 8  # what they wrote on it: ((sender, note), ...)
NoPictureRole = Qt.ItemDataRole.UserRole + 9  # why no thumbnail can be made, else None

BATCH = 500  # rows handed to the view per fetchMore
FEW_ROWS = 32  # changed rows announced one by one (see `_changed`)
PIXMAP_BUDGET = 400 << 20
"""Bytes of thumbnails kept decoded: some 1500 on an ordinary screen, 370 on a Retina one
(where each has four times the pixels); the rest are read again from the disk cache."""

Index = QModelIndex | QPersistentModelIndex


class _View(NamedTuple):
    """What decides the rows, taken on the GUI thread for a read on another."""

    album_id: str | None
    hidden: frozenset[str]
    picked_only: frozenset[str] | None
    order: PhotoSort


_Read = tuple[list[Photo], dict[str, PhotoPicks]]  # the photos shown, and each one's picks


class PhotoGridModel(QAbstractListModel):
    thumbnails_loaded = Signal(int)  # how many arrived in the last batch (for tests, status)

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.album_id: str | None = None
        self._photos: list[Photo] = []
        self._rows: dict[str, int] = {}
        self.hidden: set[str] = set()  # removed, waiting out the time to undo
        self.order = PhotoSort.ALBUM
        self.cover_id: str | None = None
        self.picked_only: frozenset[str] | None = None  # the photos shown, when filtered
        self._pick_counts: dict[str, PhotoPicks] = {}
        self._shown = 0
        self._incoming: list[str] = []  # names of files being added, after the shown rows
        self._generation = 0
        self._reads = 0  # refreshes asked for, numbered
        self._shown_read = 0  # the newest of them whose rows are shown
        # Photos the sync told of (`photo_changed`), with how many refreshes were asked for by
        # then: a refresh asked for no later may hold them as they were before.
        self._stored: dict[str, tuple[int, Photo]] = {}
        self.decoded: PixmapBudget[str] = PixmapBudget(PIXMAP_BUDGET)  # thumbnails by photo id
        self._placeholders: dict[str, QPixmap] = {}  # the camera's own small JPEG, meanwhile
        self._duller: set[str] = set()  # decoded, but made for a duller screen than there is
        self._requested: set[str] = set()
        self._failed: dict[str, str] = {}  # photo id -> why no thumbnail can be made
        self._progress: dict[str, float] = {}
        self._dirty: set[str] = set()
        self._flush = QTimer(self, interval=40, singleShot=True)
        self._flush.timeout.connect(self._announce)
        context.events.albums_changed.connect(self._cover_moved)
        context.screens.thumbnails_sharper.connect(self._thumbnails_sharper)

    # -- content -------------------------------------------------------------------------------

    def set_album(self, album_id: str | None) -> None:
        self.beginResetModel()
        self._generation += 1
        if album_id != self.album_id:
            self._incoming = []
        self.album_id = album_id
        self.picked_only = None  # another album's picks say nothing of this one's photos
        self._requested.clear()
        self._placeholders.clear()
        self._progress.clear()
        self._stored.clear()
        self._load()
        self._shown = min(len(self._photos), BATCH)
        self.endResetModel()

    def refresh(self) -> None:
        """Reload rows from the store; thumbnails already made are kept.

        When the same photos come back in the same order (a sync changed their states), or
        with more after them (photos arriving while a folder is added), the rows are updated in
        place and the new ones inserted after them, so the owner's selection and scroll
        position stay."""
        self._reads += 1  # a read still under way in the background is older than this one
        self._shown_read = self._reads
        self._apply(*self._read(self._view()), self._reads)

    def refresh_in_background(self, then: Callable[[], None] | None = None) -> None:
        """`refresh`, with the store read on the general pool and the rows updated when it is
        back, then `then` called (whether or not this read was the one applied). For photos
        arriving several times a second while a folder is added: SQLite hands the GIL back at
        every row it reads, and with the import's and the uploads' threads waiting for it,
        reading 500 rows on the GUI thread took up to 34 ms (bench/ui_responsiveness.py). A
        read older than the rows shown (a later refresh came back first) or of another album is
        dropped."""
        view, generation = self._view(), self._generation
        self._reads += 1
        ticket = self._reads

        def done(result: _Read | None, error: BaseException | None) -> None:
            # A failed read changes nothing shown: the next refresh tells.
            # Newer than what is shown: applied, even while a later read is still under way
            # (reads asked for faster than they come back must not starve the grid).
            current = generation == self._generation and ticket > self._shown_read
            if result is not None and error is None and current:
                self._shown_read = ticket
                self._apply(*result, ticket)
            if then is not None:
                then()

        self.context.runner.run(lambda: self._read(view), done)

    def _apply(self, fresh: list[Photo], counts: dict[str, PhotoPicks], ticket: int) -> None:
        """Show the rows of refresh number `ticket`, with the photos the sync told of since it
        was asked for in place of what it read of them."""
        self._stored = {key: told for key, told in self._stored.items() if told[0] >= ticket}
        if self._stored:
            fresh = [self._stored[p.id][1] if p.id in self._stored else p for p in fresh]
        old, old_counts = self._photos, self._pick_counts
        self._pick_counts = counts
        before = [photo.id for photo in old]
        if fresh and [photo.id for photo in fresh[: len(before)]] == before:
            self._photos = fresh
            if len(fresh) > len(before):
                self._rows = {photo.id: row for row, photo in enumerate(fresh)}
            # The store hands back the same Photo for an unchanged row: only rows whose photo
            # or number of picks changed are repainted.
            self._changed(
                [
                    row
                    for row, photo in enumerate(fresh[: self._shown])
                    if photo is not old[row] or counts.get(photo.id) != old_counts.get(photo.id)
                ]
            )
            grow = min(len(fresh), max(self._shown, BATCH)) - self._shown
            if grow > 0:
                self.beginInsertRows(QModelIndex(), self._shown, self._shown + grow - 1)
                self._shown += grow
                self.endInsertRows()
            return
        self.beginResetModel()
        self._set_photos(fresh)
        self._shown = min(len(self._photos), max(self._shown, BATCH))
        self.endResetModel()

    def expect_files(self, album_id: str, names: list[str]) -> None:
        """Files about to be checked for the album: shown at once, as cells of their own after
        the photos, each until its verdict (`files_checked`), so a big folder fills the grid
        before its last file is read."""
        if album_id != self.album_id or not names:
            return
        first = self._shown + len(self._incoming)
        self.beginInsertRows(QModelIndex(), first, first + len(names) - 1)
        self._incoming.extend(names)
        self.endInsertRows()

    def files_checked(self, album_id: str, count: int) -> None:
        """The first `count` files expected have their verdict: their cells go (those added
        come back as photos with the next `refresh`)."""
        count = min(count, len(self._incoming))
        if album_id != self.album_id or count <= 0:
            return
        self.beginRemoveRows(QModelIndex(), self._shown, self._shown + count - 1)
        del self._incoming[:count]
        self.endRemoveRows()

    def incoming_count(self) -> int:
        return len(self._incoming)

    def shown_count(self) -> int:
        """Photos handed to the view so far (`fetchMore`); the files being checked follow."""
        return self._shown

    def set_order(self, order: PhotoSort) -> None:
        """Show the photos in another order; the album's own order is not touched."""
        self.order = order
        self.refresh()

    def set_picked_only(self, photo_ids: frozenset[str] | None) -> None:
        """Show only these photos (None: all of the album's)."""
        if photo_ids != self.picked_only:
            self.picked_only = photo_ids
            self.refresh()

    def _view(self) -> _View:
        return _View(self.album_id, frozenset(self.hidden), self.picked_only, self.order)

    def _read(self, view: _View) -> _Read:
        """The album's photos as shown (order, filter, those removed left out) and how many
        viewers picked each; safe on any thread (the store reads on a connection per thread)."""
        album_id, hidden, only, order = view
        if album_id is None:
            return [], {}
        store = self.context.store
        counts = photo_picks(store.picks(album_id))
        shown = [
            p
            for p in store.photos(album_id)
            if p.id not in hidden and (only is None or p.id in only)
        ]
        return sort_photos(shown, order), counts

    def _load(self) -> None:
        self._reads += 1
        self._shown_read = self._reads
        fresh, self._pick_counts = self._read(self._view())
        self._set_photos(fresh)

    def _set_photos(self, photos: list[Photo]) -> None:
        self._photos = photos
        self._rows = {photo.id: row for row, photo in enumerate(self._photos)}
        self.cover_id = self._album_cover()

    def _album_cover(self) -> str | None:
        try:
            return self.context.store.album(self.album_id).cover_photo_id if self.album_id else None
        except StoreError:
            return None  # deleted meanwhile

    @Slot()
    def _cover_moved(self) -> None:
        """The album's cover may have changed: its old and new cells are repainted."""
        cover = self._album_cover()
        if cover == self.cover_id:
            return
        changed = [self.row_of(photo_id) for photo_id in (self.cover_id, cover) if photo_id]
        self.cover_id = cover
        for row in (row for row in changed if row is not None):
            self.dataChanged.emit(self.index(row), self.index(row), [CoverRole])

    def photo_at(self, row: int) -> Photo:
        return self._photos[row]

    def photo_count(self) -> int:
        """All the photos shown, including those not yet handed to the view (`fetchMore`)."""
        return len(self._photos)

    def row_of(self, photo_id: str) -> int | None:
        row = self._rows.get(photo_id)
        return row if row is not None and row < self._shown else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._shown + len(self._incoming)

    def canFetchMore(self, parent: Index) -> bool:  # noqa: N802
        return not parent.isValid() and self._shown < len(self._photos)

    def fetchMore(self, parent: Index) -> None:  # noqa: N802
        if parent.isValid():
            return
        more = min(BATCH, len(self._photos) - self._shown)
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        if index.row() >= self._shown:
            return self._incoming_data(self._incoming[index.row() - self._shown], role)
        photo = self._photos[index.row()]
        picks = self._pick_counts.get(photo.id)
        if role == Qt.ItemDataRole.DisplayRole:
            return photo.filename
        if role == PhotoRole:
            return photo
        if role == StateRole:
            return photo.state
        if role == ProgressRole:
            return self._progress.get(photo.id)
        if role == Qt.ItemDataRole.DecorationRole:
            return self._thumbnail(photo)
        if role == ThumbnailReadyRole:
            return photo.id in self.decoded
        if role == CoverRole:
            return photo.id == self.cover_id
        if role == PickCountRole:
            return picks.count if picks else 0
        if role == PickNotesRole:
            return picks.notes if picks else ()
        if role == NoPictureRole:
            return self._failed.get(photo.id)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = f"{photo.filename}\n{photo_state_text(photo.state)}"
            text += "\nThe album's cover" if photo.id == self.cover_id else ""
            text += f"\nSection: {photo.section}" if photo.section else ""
            text += f"\n{picks.describe()}" if picks else ""
            text = f"{text}\n{photo.error}" if photo.error else text
            text += f"\nNo preview: {self._failed[photo.id]}" if photo.id in self._failed else ""
            # Viewers' words, a section named after a folder: shown as typed, never as markup.
            return plain_tooltip(text) if picks or photo.section else text
        if role == Qt.ItemDataRole.AccessibleTextRole:
            cover = ", album cover" if photo.id == self.cover_id else ""
            cover += f", in section {photo.section}" if photo.section else ""
            if picks:
                noted = f", {count(len(picks.notes), 'note')}" if picks.notes else ""
                cover += f", picked by {count(picks.count, 'viewer')}{noted}"
            cover += ", no preview" if photo.id in self._failed else ""
            return f"{photo.filename}, {photo_state_text(photo.state)}{cover}"
        return None

    @staticmethod
    def _incoming_data(name: str, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, IncomingRole):
            return name
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{name}, being checked"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if index.isValid() and index.row() >= self._shown:
            return Qt.ItemFlag.ItemIsEnabled  # not a photo yet: nothing to select or drag
        flags = super().flags(index) | Qt.ItemFlag.ItemIsDropEnabled
        if index.isValid():
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    # -- thumbnails ----------------------------------------------------------------------------

    def _thumbnails_sharper(self) -> None:
        """A sharper screen came: every thumbnail is asked for again at the new size as its
        cell is painted, the one made smaller shown until it comes."""
        self._duller.update(self.decoded.keys())
        self._requested.difference_update(self._duller)
        self._changed(list(range(self._shown)))

    def _thumbnail(self, photo: Photo) -> QPixmap | None:
        pixmap = self.decoded.get(photo.id)
        if pixmap is not None and photo.id not in self._duller:
            return pixmap
        if photo.id not in self._requested and photo.id not in self._failed:
            self._requested.add(photo.id)
            generation = self._generation
            cache = self.context.thumbnails
            edge = cache.grid_edge
            if pixmap is None:
                self._request_placeholder(photo, generation, cache.path_for(photo.sha256, edge))

            def load() -> QImage:
                return QImage(str(cache.get(photo.path, photo.sha256, edge)))

            def done(image: QImage | None, error: BaseException | None) -> None:
                if generation != self._generation:
                    return  # the album changed: nobody wants this one any more
                if error is not None or image is None or image.isNull():
                    self._failed[photo.id] = why_no_thumbnail(photo.path, error)
                    self._mark(photo.id)
                    return
                # Past the budget, the least recently shown go: read again when shown again.
                dropped = self.decoded.keep(photo.id, QPixmap.fromImage(image))
                self._requested.difference_update(dropped)
                self._duller.difference_update(dropped)
                if edge == cache.grid_edge:
                    self._duller.discard(photo.id)
                else:  # asked for before a sharper screen came: shown until it is made again
                    self._duller.add(photo.id)
                    self._requested.discard(photo.id)
                self._placeholders.pop(photo.id, None)
                self._mark(photo.id)

            self.context.runner.run_image(load, done)
        return pixmap if pixmap is not None else self._placeholders.get(photo.id)

    def _request_placeholder(self, photo: Photo, generation: int, thumbnail: Path) -> None:
        """The EXIF thumbnail (a few kilobytes to read) shown until the real one is made, if it
        is not made yet: both looked at on the general pool, never behind the slow decodes nor
        on the GUI thread (a `stat` there, while a cell was painted, waited 190 ms behind the
        disk uploads were writing to: bench/ui_responsiveness.py)."""
        path = photo.path

        def load() -> QImage | None:
            if thumbnail.exists():
                return None
            data = embedded_preview(path)
            return QImage.fromData(data) if data else None

        def done(image: QImage | None, error: BaseException | None) -> None:
            if generation != self._generation or photo.id in self.decoded:
                return
            if error is None and image is not None and not image.isNull():
                self._placeholders[photo.id] = QPixmap.fromImage(image)
                self._mark(photo.id)

        self.context.runner.run(load, done)

    def _mark(self, photo_id: str) -> None:
        self._dirty.add(photo_id)
        if not self._flush.isActive():
            self._flush.start()

    def _announce(self) -> None:
        rows = sorted(r for r in (self.row_of(i) for i in self._dirty) if r is not None)
        count = len(self._dirty)
        self._dirty.clear()
        self._changed(rows)
        self.thumbnails_loaded.emit(count)

    def _changed(self, rows: list[int]) -> None:
        """Announce changed rows (sorted). One row at a time while they are few: a list view
        repaints just that cell for a one-row change, but its whole viewport for any range,
        which made three uploads' progress repaint a screenful of cells 25 times a second."""
        if not rows:
            return
        if len(rows) <= FEW_ROWS:
            for index in map(self.index, rows):
                self.dataChanged.emit(index, index)
        else:
            self.dataChanged.emit(self.index(rows[0]), self.index(rows[-1]))

    # -- live state ----------------------------------------------------------------------------

    def set_progress(self, photo_id: str, sent: int, total: int) -> None:
        if photo_id in self._rows:
            self._progress[photo_id] = sent / total if total else 1.0
            row = self._rows[photo_id]
            if row < len(self._photos) and self._photos[row].state is PhotoState.QUEUED:
                # Its bytes are moving: uploading, without a read of the store on the GUI thread
                # per photo (a photo sent with its creation is noted in the store only once the
                # creation is answered, and was read again at every report until then).
                self._photos[row] = replace(self._photos[row], state=PhotoState.UPLOADING)
            self._mark(photo_id)

    def photo_changed(self, photo: Photo) -> None:
        """The photo of this album as the store holds it now (uploaded, seen through links,
        failed), read by the sync's thread (`SyncBridge.photo_stored`): no read of the store
        here. A refresh asked for before now may have read it as it was: what it brings of this
        photo gives way to this one (`_apply`)."""
        self._stored[photo.id] = (self._reads, photo)
        row = self._rows.get(photo.id)
        if row is None or row >= len(self._photos) or self._photos[row].id != photo.id:
            return
        self._photos[row] = photo
        if photo.state is PhotoState.UPLOADED:
            self._progress.pop(photo.id, None)
        self._mark(photo.id)

    # -- drag and drop -------------------------------------------------------------------------

    def supportedDropActions(self) -> Qt.DropAction:  # noqa: N802
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [PHOTO_MIME, "text/uri-list"]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # type: ignore[override]  # noqa: N802
        rows = sorted(index.row() for index in indexes)
        return photo_ids_mime([self._photos[row].id for row in rows])
