"""The bytes an upload sends: the owner's file itself, or a copy without its location.

When an album removes location before upload, the server must never receive the GPS, so the
copy is made here, losslessly (`strip`), into the data folder, never beside the original. The
copy is deterministic: after a crash the same bytes are made again, so a half-finished upload
resumes with the same checksum.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from albumen.core.model import Photo
from albumen_photo.digest import file_sha256
from albumen_photo.policy import KeepPolicy
from albumen_photo.strip import StripError, strip_file

WITHOUT_LOCATION = KeepPolicy(location=False, metadata=True)


@dataclass(frozen=True)
class UploadSource:
    path: Path
    size: int
    sha256: str
    temporary: bool  # a copy made for the upload, removed once the server has it

    def discard(self) -> None:
        if self.temporary:
            self.path.unlink(missing_ok=True)


class LocationRemovalError(Exception):
    """The photo's format cannot lose its location without re-encoding: it is not sent."""


def original(photo: Photo) -> UploadSource:
    return UploadSource(photo.path, photo.size, photo.sha256, temporary=False)


def without_location(photo: Photo, folder: Path) -> UploadSource:
    """A copy of the photo with GPS and other location fields removed, everything else kept."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / f"{photo.id}{photo.path.suffix.lower()}"  # one per photo: no sharing
    if not copy.exists():
        try:
            strip_file(photo.path, copy, WITHOUT_LOCATION)
        except StripError as error:
            raise LocationRemovalError(
                f"{photo.path}: its location cannot be removed ({error}); it was not uploaded. "
                "Save it as JPEG, HEIC or TIFF, or let this album upload location."
            ) from None
    return UploadSource(copy, copy.stat().st_size, file_sha256(copy), temporary=True)


def discard_copies_except(folder: Path, photo_ids: set[str]) -> None:
    """Copies of photos that were removed, or whose album stopped removing location, are of no
    further use; those still waiting to be sent are kept, so a resumed upload finds them."""
    if not folder.is_dir():
        return
    for copy in folder.iterdir():
        if copy.is_file() and copy.stem not in photo_ids and not copy.name.startswith("."):
            copy.unlink(missing_ok=True)
