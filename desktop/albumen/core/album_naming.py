"""What a new album is called when photos arrive with no album to go to: the folder they came
from ("Lisbon 2026"), or, when that says nothing (DCIM, Downloads, a camera's 100CANON), the days
the files were made ("12–14 June 2026"); never just today's date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from albumen_photo.describe import day_range

# Folder names that tell nothing about the photos in them.
_GENERIC = re.compile(
    r"^(dcim|\d{3}[a-z_]{3,5}|downloads?|desktop|pictures|photos|images|camera|"
    r"camera roll|export(s)?|import(s)?|new folder|untitled folder|tmp|temp)$",
    re.IGNORECASE,
)


def new_album_title(paths: Sequence[Path], today: date | None = None) -> str:
    folders = {p if p.is_dir() else p.parent for p in paths}
    if len(folders) == 1:
        (folder,) = folders
        if folder.name and not _GENERIC.match(folder.name):
            return folder.name
    days = sorted({_made(p) for p in paths if p.is_file()} - {None})  # type: ignore[type-var]
    if not days:
        day = today or date.today()
        return day_range(day, day)
    return day_range(days[0], days[-1])  # type: ignore[arg-type]


def _made(path: Path) -> date | None:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime).date()
    except OSError:
        return None
