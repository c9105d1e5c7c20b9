"""The selected photo's metadata, grouped, beside what a viewer of a chosen link will see.

Reading metadata touches the disk, so it runs on the task pool; a result for a photo that is no
longer selected is dropped.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from albumen.core.model import LinkState, Photo
from albumen.ui.context import AppContext
from albumen_photo.describe import grouped
from albumen_photo.metadata import PhotoMetadata, read_metadata
from albumen_photo.policy import KeepPolicy, viewer_sees

HIDDEN = "—"


def rows_side_by_side(
    meta: PhotoMetadata, keep: KeepPolicy
) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(group, [(label, in the file, a viewer sees)]): every field of the file, with a dash
    where the viewer gets nothing."""
    viewer = viewer_sees(meta, keep)
    seen = {(group, label): text for group, rows in grouped(viewer) for label, text in rows}
    rows = [
        (group, [(label, text, seen.get((group, label), HIDDEN)) for label, text in rows])
        for group, rows in grouped(meta)
    ]
    if meta.error is None:
        if viewer.original_withheld is not None:
            offered = f"not offered: {viewer.original_withheld}"
        elif keep.keeps_everything:
            offered = "byte for byte"
        else:
            offered = "without what the link hides"
        rows.append(("Download", [("Original", "the file", offered)]))
    return rows


class MetadataPanel(QWidget):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._photo: Photo | None = None
        self._meta: PhotoMetadata | None = None
        self._album_id: str | None = None
        self.title = QLabel("No photo selected")
        self.title.setWordWrap(True)
        self.link_choice = QComboBox()
        self.link_choice.setAccessibleName("Show what this link's viewers see")
        self.link_choice.currentIndexChanged.connect(self._show)
        self.model = QStandardItemModel(0, 3, self)
        self.model.setHorizontalHeaderLabels(["Field", "In the file", "A viewer sees"])
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setAccessibleName("Photo metadata")
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setEditTriggers(QTreeView.EditTrigger.NoEditTriggers)
        self.map_button = QPushButton("&Open location in map")
        self.map_button.setEnabled(False)
        self.map_button.clicked.connect(self._open_map)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(QLabel("Compare with:"))
        layout.addWidget(self.link_choice)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.map_button)

    def set_album(self, album_id: str | None) -> None:
        self._album_id = album_id
        self.refresh_links()

    def refresh_links(self) -> None:
        """The comparison choices: a default viewer, then each of the album's live links."""
        current = self.link_choice.currentData()
        self.link_choice.blockSignals(True)
        self.link_choice.clear()
        self.link_choice.addItem("A viewer with default rights (no location, no camera data)", None)
        if self._album_id:
            for link in self.context.store.links(self._album_id):
                if link.state in (LinkState.REVOKED, LinkState.REVOKE_PENDING, LinkState.EXPIRED):
                    continue
                name = link.settings.label or link.token[:8]
                self.link_choice.addItem(f"Link for {name}", link.id)
        found = self.link_choice.findData(current)
        self.link_choice.setCurrentIndex(max(0, found))
        self.link_choice.blockSignals(False)
        self._show()

    def set_photo(self, photo: Photo | None) -> None:
        self._photo, self._meta = photo, None
        if photo is None:
            self.title.setText("No photo selected")
            self.model.removeRows(0, self.model.rowCount())
            self.map_button.setEnabled(False)
            return
        self.title.setText(f"<b>{photo.filename}</b><br>{photo.path.parent}")
        wanted = photo.id

        def done(meta: PhotoMetadata | None, error: BaseException | None) -> None:
            if self._photo is None or self._photo.id != wanted:
                return  # another photo was selected meanwhile
            if error is not None or meta is None:
                self.title.setText(f"<b>{photo.filename}</b><br>metadata unreadable: {error}")
                return
            self._meta = meta
            self._show()

        path = photo.path
        self.context.runner.run(lambda: read_metadata(path), done)

    def keep_policy(self) -> KeepPolicy:
        link_id = self.link_choice.currentData()
        if not link_id:
            return KeepPolicy()
        link = self.context.store.link(link_id)
        settings = self.context.store.album(link.album_id).privacy.limit(link.settings)
        return KeepPolicy(location=settings.show_location, metadata=settings.show_metadata)

    def _show(self) -> None:
        self.model.removeRows(0, self.model.rowCount())
        meta = self._meta
        if meta is None:
            return
        if meta.error:
            self.model.appendRow([QStandardItem("Error"), QStandardItem(meta.error)])
        for group, rows in rows_side_by_side(meta, self.keep_policy()):
            header = QStandardItem(group)
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            self.model.appendRow([header, QStandardItem(""), QStandardItem("")])
            for label, text, seen in rows:
                self.model.appendRow(
                    [QStandardItem(label), QStandardItem(text), QStandardItem(seen)]
                )
        for problem in meta.problems:
            self.model.appendRow([QStandardItem("Problem"), QStandardItem(problem)])
        self.map_button.setEnabled(meta.gps is not None)

    def _open_map(self) -> None:
        if self._meta is None or self._meta.gps is None:
            return
        lat, lon = self._meta.gps.lat, self._meta.gps.lon
        QDesktopServices.openUrl(
            QUrl(f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=15/{lat}/{lon}")
        )
