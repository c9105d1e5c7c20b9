"""The picks an album's viewers sent (proofing): who, how many photos, when, their note, and
under each sender the photos they wrote a note on; and what the owner does with them: show only
the picked photos in the grid, copy their file names for Lightroom, export a CSV — for
everyone's picks or the chosen sender's.

Read from the local store, where the sync keeps the picks (fetched on its thread), so the panel
works offline. The Lightroom line and the CSV are `albumen.core.picks.format_picks`'s, the
same `albumen picks` prints. Keyboard: Ctrl+Shift+F shows only the picked photos, the arrows
choose a sender (Return shows theirs) or a note (Return shows its photo in the grid), Ctrl+C in
the list copies the file names for Lightroom.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from albumen.core.model import Pick
from albumen.core.picks import (
    PickFormat,
    display_name,
    format_picks,
    one_line,
    picked_counts,
)
from albumen.core.store import StoreError
from albumen.core.wording import count
from albumen.ui.context import AppContext
from albumen.ui.plain_text import plain_tooltip

COLUMNS = ["Sender", "Photos", "Sent", "Note"]
SENDER, PHOTOS, SENT, NOTE = range(len(COLUMNS))
EVERYONE = ""  # the first row's id: every list at once
PickIdRole = Qt.ItemDataRole.UserRole + 1
PhotoIdRole = Qt.ItemDataRole.UserRole + 2  # a note's row: the photo it is on

EMPTY = (
    "No picks yet. A link that lets viewers pick favourites (Share… or Edit link ▸ "
    "Proofing) brings each viewer's list here with the next sync."
)


def sent_text(when: datetime) -> str:
    return when.astimezone().strftime("%d %b %Y, %H:%M")


def csv_name(title: str) -> str:
    """A file name for the album's picks: its title without what file systems refuse."""
    clean = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", title).strip(" .") or "Album"
    return f"{clean} picks.csv"


class PicksPanel(QWidget):
    filter_changed = Signal(object)  # frozenset[str] | None: the photos the grid should show
    counted = Signal(int)  # how many lists of picks the album has
    photo_chosen = Signal(str)  # a note's photo, to show in the grid

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.album_id: str | None = None
        self._picks: list[Pick] = []
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(True)  # a sender's notes on photos fold under them
        self.tree.setAllColumnsShowFocus(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAccessibleName("Picks")
        header = self.tree.header()
        header.setStretchLastSection(True)
        for column in (SENDER, PHOTOS, SENT):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(lambda *_: self._chosen())

        self.filter_action = QAction("Show only &picked photos", self)
        self.filter_action.setCheckable(True)
        self.filter_action.setShortcut(QKeySequence("Ctrl+Shift+F"))
        self.filter_action.setToolTip(
            "Show only the photos the chosen sender picked, or everyone's (Ctrl+Shift+F)"
        )
        self.filter_action.toggled.connect(lambda _on: self._emit_filter())
        self.copy_action = QAction("Copy filenames for &Lightroom", self)
        self.copy_action.setToolTip(
            "The picked photos' file names without extension, joined by commas: paste them "
            "into Lightroom Classic's Library filter (Ctrl+C in the list)"
        )
        self.copy_action.triggered.connect(self.copy_for_lightroom)
        self.export_action = QAction("&Export CSV…", self)
        self.export_action.setToolTip("A row per photo per sender: file name, sender, note, time")
        self.export_action.triggered.connect(self.export_csv)
        copy_key = QShortcut(QKeySequence.StandardKey.Copy, self.tree, self.copy_for_lightroom)
        copy_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.tree.itemActivated.connect(self._activated)
        self.menu = QMenu("Pic&ks", self)
        self.menu.addActions([self.filter_action, self.copy_action, self.export_action])

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for action, text in (
            (self.filter_action, "&Only picked"),
            (self.copy_action, "Copy for Light&room"),
            (self.export_action, "&Export CSV…"),
        ):
            action.setIconText(text)  # what a button shows: the menu keeps the whole text
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.empty_label = QLabel(EMPTY)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.note_label = QLabel()
        self.note_label.setTextFormat(Qt.TextFormat.PlainText)  # a stranger's words: text only
        self.note_label.setWordWrap(True)
        self.note_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel()
        self.message.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(buttons)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.note_label)
        layout.addWidget(self.message)
        self._update()

    # -- state ---------------------------------------------------------------------------------

    def set_album(self, album_id: str | None) -> None:
        """Another album: its picks, everyone's chosen, the grid unfiltered."""
        self.album_id = album_id
        self.message.clear()
        self.filter_action.setChecked(False)
        self.refresh(keep=EVERYONE)

    def refresh(self, keep: str | None = None) -> None:
        """Read the album's picks again (after a sync), keeping the chosen sender when their
        list is still there."""
        chosen = self.chosen_id() if keep is None else keep
        self._picks = self.context.store.picks(self.album_id) if self.album_id else []
        filenames = self._filenames() if any(pick.photo_notes for pick in self._picks) else {}
        self.tree.blockSignals(True)
        self.tree.clear()
        rows: dict[str, QTreeWidgetItem] = {}
        if self._picks:
            everyone = picked_counts(self._picks)
            latest = max(pick.submitted_at for pick in self._picks)
            lists = count(len(self._picks), "list")
            rows[EVERYONE] = self._row(EVERYONE, "Everyone", len(everyone), latest, lists)
            font = rows[EVERYONE].font(SENDER)
            font.setBold(True)
            rows[EVERYONE].setFont(SENDER, font)
            for pick in reversed(self._picks):  # the newest first
                note = one_line(pick.note or "")
                photos = len(set(pick.photo_ids))
                rows[pick.id] = self._row(
                    pick.id, display_name(pick), photos, pick.submitted_at, note
                )
                self._notes(rows[pick.id], pick, filenames)
        if rows:
            self.tree.setCurrentItem(rows.get(chosen, rows[EVERYONE]))
        self.tree.blockSignals(False)
        if not self._picks and self.filter_action.isChecked():
            self.filter_action.setChecked(False)  # nothing left to show only
        self._chosen()
        self.counted.emit(len(self._picks))

    def _row(
        self, pick_id: str, name: str, photos: int, sent: datetime, note: str
    ) -> QTreeWidgetItem:
        item = QTreeWidgetItem([name, str(photos), sent_text(sent), note])
        item.setData(SENDER, PickIdRole, pick_id)
        item.setTextAlignment(PHOTOS, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setToolTip(NOTE, plain_tooltip(note))  # never read as markup
        self.tree.addTopLevelItem(item)
        return item

    def _filenames(self) -> dict[str, str]:
        if self.album_id is None:
            return {}
        return {photo.id: photo.filename for photo in self.context.store.photos(self.album_id)}

    @staticmethod
    def _notes(row: QTreeWidgetItem, pick: Pick, filenames: dict[str, str]) -> None:
        """The sender's notes on photos, a row each under theirs, in the album's order: the
        photo's file name and the note (a photo removed here since is left out)."""
        for photo_id in pick.photo_ids:
            note = pick.photo_notes.get(photo_id)
            if not note or photo_id not in filenames:
                continue
            text = one_line(note)
            child = QTreeWidgetItem([filenames[photo_id], "", "", text])
            child.setData(SENDER, PickIdRole, pick.id)
            child.setData(SENDER, PhotoIdRole, photo_id)
            child.setToolTip(NOTE, plain_tooltip(note))
            child.setToolTip(SENDER, f"{filenames[photo_id]}: Return shows it in the grid")
            row.addChild(child)
        row.setExpanded(True)

    def _activated(self, item: QTreeWidgetItem) -> None:
        """Return on a sender shows only their photos; on a note, its photo in the grid."""
        photo_id = item.data(SENDER, PhotoIdRole)
        if photo_id:
            self.photo_chosen.emit(str(photo_id))
        else:
            self.filter_action.setChecked(True)

    def chosen_id(self) -> str:
        item = self.tree.currentItem()
        return str(item.data(SENDER, PickIdRole)) if item is not None else EVERYONE

    def chosen_picks(self) -> list[Pick]:
        """The chosen sender's list, or every list (the "Everyone" row)."""
        chosen = self.chosen_id()
        if chosen == EVERYONE:
            return list(self._picks)
        return [pick for pick in self._picks if pick.id == chosen]

    def _chosen(self) -> None:
        picks = self.chosen_picks()
        item = self.tree.currentItem()
        photo_id = item.data(SENDER, PhotoIdRole) if item is not None else None
        if item is not None and photo_id and picks:
            note = picks[0].photo_notes.get(str(photo_id), "")
            self.note_label.setText(f"{display_name(picks[0])} on {item.text(SENDER)}: “{note}”")
        elif self.chosen_id() != EVERYONE and picks and picks[0].note:
            self.note_label.setText(f"{display_name(picks[0])}: “{picks[0].note}”")
        else:
            self.note_label.clear()
        self._update()
        self._emit_filter()

    def _update(self) -> None:
        has = bool(self._picks)
        self.tree.setVisible(has)
        self.empty_label.setVisible(not has and self.album_id is not None)
        for action in (self.filter_action, self.copy_action, self.export_action):
            action.setEnabled(has)

    def _emit_filter(self) -> None:
        if self.filter_action.isChecked() and self._picks:
            photo_ids = frozenset(i for pick in self.chosen_picks() for i in pick.photo_ids)
            self.filter_changed.emit(photo_ids)
        else:
            self.filter_changed.emit(None)

    # -- taking the picks away -----------------------------------------------------------------

    def _formatted(self, form: PickFormat) -> str | None:
        if self.album_id is None or not self._picks:
            return None
        try:
            album = self.context.store.album(self.album_id)
        except StoreError:
            return None
        photos = self.context.store.photos(self.album_id)
        return format_picks(album, photos, self.chosen_picks(), form)

    def copy_for_lightroom(self) -> None:
        line = self._formatted(PickFormat.LIGHTROOM)
        if line is None:
            return
        QGuiApplication.clipboard().setText(line)
        names = count(len(line.split(", ")) if line else 0, "file name")
        self.message.setText(f"{names} copied: paste them into Lightroom's Library filter.")

    def export_csv(self) -> None:
        text = self._formatted(PickFormat.CSV)
        if text is None or self.album_id is None:
            return
        title = self.context.store.album(self.album_id).title
        chosen, _filter = QFileDialog.getSaveFileName(
            self, "Export picks as CSV", str(Path.home() / csv_name(title)), "CSV files (*.csv)"
        )
        if not chosen:
            return
        path = Path(chosen)
        try:
            path.write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            self.message.setText(f"{path} could not be written: {error.strerror or error}")
            return
        rows = count(len(list(csv.reader(io.StringIO(text)))) - 1, "row")  # notes may span lines
        self.message.setText(f"{rows} saved to {path}.")
