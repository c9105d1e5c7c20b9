"""What a link lets a viewer see of a photo's metadata: the one rule, for the owner's preview
and for every byte the server serves.

Kept apart from the readers and the stripper so that both sides import the same policy: the
owner's "a viewer sees" column (:func:`albumen_photo.metadata.viewer_sees`) and the server's
stripping (:mod:`albumen_photo.strip`) cannot disagree on what stays.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KeepPolicy"]


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
