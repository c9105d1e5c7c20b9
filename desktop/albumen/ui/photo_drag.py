"""What a drag of photos within the grid carries: their ids, in the grid's order. Written by
the grid's model (`PhotoGridModel.mimeData`) and read by its view when they are dropped
(`PhotoGridView.dropEvent`, a reorder of the album), so the format lives here, once."""

from __future__ import annotations

from PySide6.QtCore import QMimeData

PHOTO_MIME = "application/x-albumen-photo-ids"


def photo_ids_mime(photo_ids: list[str]) -> QMimeData:
    """A drag's data for these photos."""
    data = QMimeData()
    data.setData(PHOTO_MIME, "\n".join(photo_ids).encode())
    return data


def photo_ids_of(mime: QMimeData) -> list[str] | None:
    """The photos a drag carries, in order; None for a drag of something else (files)."""
    if not mime.hasFormat(PHOTO_MIME):
        return None
    return [i for i in bytes(mime.data(PHOTO_MIME).data()).decode().split("\n") if i]
