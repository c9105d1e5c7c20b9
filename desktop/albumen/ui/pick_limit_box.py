"""The box that says how many photos each viewer of a link may pick (the photographer's
package: "choose your 30 for the album"), as the share dialog and Settings ▸ New links both
ask it: 0 reads "any number of photos", else "up to 30 photos"."""

from __future__ import annotations

from PySide6.QtWidgets import QSpinBox, QWidget

from albumen.core.backend import MAX_PHOTO_ORDER


def pick_limit_box(parent: QWidget | None = None) -> QSpinBox:
    box = QSpinBox(parent)
    box.setRange(0, MAX_PHOTO_ORDER)  # the server's bound: an album's most photos
    box.setSpecialValueText("any number of photos")
    box.setPrefix("up to ")
    box.setSuffix(" photos")
    box.setAccessibleName("Picks each")
    box.setToolTip(
        "How many photos each viewer may pick: the number your package includes. Viewers see "
        "it, and a pick past it is refused with a word."
    )
    widest = max(("any number of photos", f"up to {MAX_PHOTO_ORDER} photos"), key=len)
    box.setMinimumWidth(box.fontMetrics().horizontalAdvance(widest) + 40)
    return box


def limit_of(box: QSpinBox) -> int | None:
    """The limit the box says; None for any number."""
    return box.value() or None
