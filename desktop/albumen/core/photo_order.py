"""The orders the app can show an album's photos in, and why sorting only changes the view.

An album has one order of its own: the owner's, set by dragging and by Move earlier/later, and
the order every viewer of a link sees (the sync sends it as the album's `photo_order`). Sorting
by capture time or by filename is a way of *looking* at the photos, as in Lightroom, where a
sort changes the grid and the "custom order" is a separate thing the photographer arranged.
So choosing a sort never rewrites the album: a photographer who glances at the photos by time,
to find one, must not discover that the sequence arranged for the family is gone. Making a
sorted order the album's own is a separate command that asks first (the window's "Use this
order for the album…"), and rearranging is only offered in the album's order, where the grid
shows what is being rearranged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum

from albumen.core.model import Photo

__all__ = ["LABELS", "PhotoSort", "natural_key", "sort_photos"]


class PhotoSort(StrEnum):
    ALBUM = "album"  # the owner's order: what viewers see
    TAKEN = "taken"  # capture time, oldest first
    FILENAME = "filename"  # file names as a person reads them: IMG_2 before IMG_10


LABELS = {
    PhotoSort.ALBUM: "Album order",
    PhotoSort.TAKEN: "Capture time",
    PhotoSort.FILENAME: "Filename",
}

_DIGITS = re.compile(r"(\d+)")
_NEVER = datetime.max.replace(tzinfo=UTC)


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """A key that orders file names as a person does: case aside, and numbers by value, so
    DSC_9.jpg comes before DSC_10.jpg (a camera's counter does not pad to a fixed width once
    it wraps, and renamed exports often do not at all)."""
    parts = _DIGITS.split(name.casefold())
    return tuple((1, int(part)) if part.isdigit() else (0, part) for part in parts if part)


def sort_photos(photos: Sequence[Photo], sort: PhotoSort) -> list[Photo]:
    """`photos` (in the album's order) in the order `sort` shows them.

    By capture time, photos without one (screenshots, scans) come last; equal times go by
    name, so a burst shot within one second follows the camera's counter. Equal names keep
    the album's order."""
    if sort is PhotoSort.TAKEN:
        return sorted(
            photos,
            key=lambda p: (p.taken_at is None, p.taken_at or _NEVER, natural_key(p.filename)),
        )
    if sort is PhotoSort.FILENAME:
        return sorted(photos, key=lambda p: natural_key(p.filename))
    return list(photos)
