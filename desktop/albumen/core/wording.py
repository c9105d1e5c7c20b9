"""Words for people: counts read "1 photo" and "3 photos", never "1 photo(s)"; sizes and a
photo's state as the owner reads them."""

from __future__ import annotations

from albumen.core.model import PhotoState


def count(number: int, thing: str, things: str | None = None) -> str:
    """`number` and the noun it takes: count(1, "photo") is "1 photo", count(2, "photo") is
    "2 photos"; irregular plurals are given: count(2, "copy", "copies")."""
    return f"{number} {thing if number == 1 else (things or thing + 's')}"


def human_bytes(count: float) -> str:
    """A size in the units file managers show (1000s): "950 B", "18.3 GB"."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if count < 1000 or unit == "TB":
            return f"{count:,.1f} {unit}" if unit != "B" else f"{int(count)} B"
        count /= 1000
    return f"{count:,.1f} TB"


_PHOTO_STATES = {
    PhotoState.QUEUED: "Waiting to upload",
    PhotoState.UPLOADING: "Uploading",
    PhotoState.UPLOADED: "Uploaded",
    PhotoState.FAILED: "Upload failed",
    PhotoState.CHANGED: "Changed on disk since added",
    PhotoState.MISSING: "File is missing",
}


def photo_state_text(state: PhotoState) -> str:
    """A photo's state as the owner reads it (the grid's tooltip and its accessible name)."""
    return _PHOTO_STATES[state]
