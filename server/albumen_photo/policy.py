"""What a link lets a viewer see of a photo's metadata: the one rule, for the owner's preview
and for every byte the server serves.

Kept apart from the readers and the stripper so that both sides import the same policy: the
owner's "a viewer sees" column (:func:`viewer_sees`) and the server's stripping
(:mod:`albumen_photo.strip`) cannot disagree on what stays.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from albumen_photo.records import PhotoMetadata

__all__ = ["KeepPolicy", "viewer_sees"]


@dataclass(frozen=True)
class KeepPolicy:
    """What a viewer may see beyond what always stays (copyright, artist, orientation, ICC colour
    profile).

    Both default to False, because privacy is the default: a link shows location or camera
    details only when its owner said so.
    """

    location: bool = False
    """GPS in EXIF, location fields in XMP and IPTC."""
    metadata: bool = False
    """Everything else: camera, lens, exposure, dates, software, serial numbers, comments, maker
    notes, thumbnails..."""

    @property
    def keeps_everything(self) -> bool:
        """True when nothing needs removing, so the file can pass through byte for byte."""
        return self.location and self.metadata


def viewer_sees(meta: PhotoMetadata, keep: KeepPolicy) -> PhotoMetadata:
    """What a viewer of a link with ``keep`` gets of this photo's metadata.

    The same rules as the server applies when it strips a file: artist, copyright and
    orientation always stay (and size and format, which the image itself shows); location only
    with ``keep.location``; everything else only with ``keep.metadata``. The file size is
    dropped, as the viewer's copy is not the owner's file byte for byte.
    """
    # Imported here: strip depends on this module for KeepPolicy.
    from albumen_photo.formats import identify
    from albumen_photo.strip import original_withheld

    try:
        fmt = identify(meta.path)
    except OSError:
        fmt = None
    changes: dict[str, Any] = {
        "file_size": None,
        "original_withheld": original_withheld(fmt, keep) if meta.error is None else None,
    }
    if not keep.location:
        changes.update(gps=None, location_elsewhere=())
    if not keep.metadata:
        changes.update(
            camera_make=None,
            camera_model=None,
            lens=None,
            exposure_seconds=None,
            f_number=None,
            iso=None,
            focal_length=None,
            focal_length_35mm=None,
            taken_at=None,
            taken_at_offset=None,
            software=None,
            serial_number=None,
        )
    return replace(meta, **changes)
