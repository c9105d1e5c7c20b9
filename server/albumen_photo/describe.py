"""A photo's metadata as people read it: the owner's panel, ``albumen inspect``, and the facts
a link's viewer sees beside a photo.

One text per kind of value, so that the owner previewing "what a viewer sees" and the viewer
read the same thing: an exposure of 0.4 s is "0.4 s" on both sides, never "1/2 s" on one.
Texts meant for a web page put a no-break space (``\\u00a0``) between a number and its unit, so
that the unit never wraps onto the next line; the desktop's texts use a plain space.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from albumen_photo.records import PhotoMetadata

__all__ = [
    "NBSP",
    "camera_text",
    "day_range",
    "exposure_summary",
    "exposure_text",
    "grouped",
    "inspect_json",
]

NBSP = "\u00a0"

_ORIENTATION_TEXT = {
    1: "Normal",
    2: "Mirror horizontal",
    3: "Rotate 180°",
    4: "Mirror vertical",
    5: "Mirror horizontal and rotate 270° CW",
    6: "Rotate 90° CW",
    7: "Mirror horizontal and rotate 90° CW",
    8: "Rotate 270° CW",
}


def exposure_text(seconds: float, space: str = " ") -> str:
    """Exposure time as photographers write it: "1/250 s" below a quarter second (or for an
    exact fraction such as 1/2), else "0.4 s", "2 s"."""
    if seconds < 0.25 or (seconds < 1 and abs(1 / seconds - round(1 / seconds)) < 0.01):
        return f"1/{round(1 / seconds)}{space}s"
    return f"{round(seconds, 1):g}{space}s"


def day_range(first: date, last: date) -> str:
    """Days as people write them: '12 June 2026', '12–14 June 2026', '30 June – 2 July 2026',
    '30 December 2025 – 2 January 2026' (a gallery's dates, a new album's name)."""
    if first == last:
        return f"{first.day} {first:%B %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%B %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%B} – {last.day} {last:%B %Y}"
    return f"{first.day} {first:%B %Y} – {last.day} {last:%B %Y}"


def _number_text(value: float) -> str:
    return f"{round(value, 1):g}"


def camera_text(make: str | None, model: str | None) -> str | None:
    """Make and model as one name, without saying the maker twice ("Canon" and "Canon EOS R5"
    read "Canon EOS R5")."""
    if make and model and model.lower().startswith(make.split()[0].lower()):
        return model
    return " ".join(part for part in (make, model) if part) or None


def exposure_summary(meta: PhotoMetadata, space: str = NBSP) -> str | None:
    """Exposure time, aperture, ISO and focal length on one line: the viewer's "Exposure"."""
    parts = []
    if meta.exposure_seconds:
        parts.append(exposure_text(meta.exposure_seconds, space))
    if meta.f_number:
        parts.append(f"f/{_number_text(meta.f_number)}")
    if meta.iso:
        parts.append(f"ISO{space}{meta.iso}")
    if meta.focal_length:
        parts.append(f"{_number_text(meta.focal_length)}{space}mm")
    return " · ".join(parts) or None


def inspect_json(meta: PhotoMetadata) -> dict[str, object]:
    """The object ``albumen inspect --json`` prints for one file (the documented keys first)."""
    gps = meta.gps
    return {
        "path": str(meta.path),
        "camera_make": meta.camera_make,
        "camera_model": meta.camera_model,
        "lens": meta.lens,
        "taken_at": meta.taken_at.isoformat() if meta.taken_at else None,
        "gps": {"lat": gps.lat, "lon": gps.lon, "alt": gps.alt} if gps else None,
        "width": meta.width,
        "height": meta.height,
        "orientation": meta.orientation,
        "error": meta.error,
        "format": meta.format,
        "exposure_time": meta.exposure_time,
        "f_number": meta.f_number,
        "iso": meta.iso,
        "focal_length": meta.focal_length,
        "focal_length_35mm": meta.focal_length_35mm,
        "taken_at_offset": meta.taken_at_offset,
        "location_elsewhere": list(meta.location_elsewhere),
        "artist": meta.artist,
        "copyright": meta.copyright,
        "software": meta.software,
        "serial_number": meta.serial_number,
        "file_size": meta.file_size,
        "problems": list(meta.problems),
    }


def grouped(meta: PhotoMetadata) -> list[tuple[str, list[tuple[str, str]]]]:
    """The metadata as people read it, in groups: (group, [(label, text)]), empty groups left
    out. Labels are stable, so two records (the file's, and a viewer's) can be compared row by
    row, as the metadata panel does."""
    camera = [
        ("Make", meta.camera_make),
        ("Model", meta.camera_model),
        ("Lens", meta.lens),
        ("Serial number", meta.serial_number),
    ]
    exposure = [
        ("Exposure time", meta.exposure_time),
        ("Aperture", f"f/{_number_text(meta.f_number)}" if meta.f_number else None),
        ("ISO", str(meta.iso) if meta.iso else None),
        ("Focal length", f"{_number_text(meta.focal_length)} mm" if meta.focal_length else None),
        (
            "Focal length (35 mm)",
            f"{meta.focal_length_35mm} mm" if meta.focal_length_35mm else None,
        ),
    ]
    date = [("Taken", _date_text(meta))]
    place: list[tuple[str, str | None]] = []
    if meta.gps:
        place.append(("Position", f"{meta.gps.lat:.6f}, {meta.gps.lon:.6f}"))
        place.append(("Altitude", _altitude_text(meta.gps.alt)))
    if meta.location_elsewhere:
        place.append(("Location also in", ", ".join(meta.location_elsewhere)))
    rights = [("Artist", meta.artist), ("Copyright", meta.copyright)]
    file = [
        ("Format", meta.format),
        ("Dimensions", _dimensions_text(meta.width, meta.height)),
        ("Orientation", _orientation_text(meta.orientation)),
        ("Software", meta.software),
        ("File size", _size_text(meta.file_size)),
    ]
    groups = [
        ("Camera", camera),
        ("Exposure", exposure),
        ("Date", date),
        ("Place", place),
        ("Rights", rights),
        ("File", file),
    ]
    out: list[tuple[str, list[tuple[str, str]]]] = []
    for name, rows in groups:
        kept = [(label, text) for label, text in rows if text]
        if kept:
            out.append((name, kept))
    return out


def _date_text(meta: PhotoMetadata) -> str | None:
    if meta.taken_at is None:
        return None
    text = meta.taken_at.strftime("%Y-%m-%d %H:%M:%S")
    return f"{text} {meta.taken_at_offset}" if meta.taken_at_offset else text


def _altitude_text(alt: float | None) -> str | None:
    if alt is None:
        return None
    if alt < 0:
        return f"{-alt:.0f} m below sea level"
    return f"{alt:.0f} m"


def _dimensions_text(width: int | None, height: int | None) -> str | None:
    if not width or not height:
        return None
    megapixels = width * height / 1e6
    if megapixels >= 0.1:
        return f"{width} × {height} ({megapixels:.1f} MP)"
    return f"{width} × {height}"


def _orientation_text(orientation: int | None) -> str | None:
    if orientation is None:
        return None
    return f"{_ORIENTATION_TEXT.get(orientation, 'Unknown')} ({orientation})"


def _size_text(size: int | None) -> str | None:
    if size is None:
        return None
    if size < 1000:
        return f"{size} bytes"
    for unit in ("kB", "MB", "GB"):
        size_in = size / 1000
        if size_in < 1000 or unit == "GB":
            return f"{size_in:.1f} {unit}"
        size = int(size_in)
    return None  # pragma: no cover - the loop always returns
