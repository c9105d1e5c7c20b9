"""The dialogs that pick photos to add: files or a folder, opening where the owner last took
photos from (remembered in QSettings), with a filter made from the one format registry."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

from albumen_photo import formats

_LAST_FOLDER = "files/last_folder"


def choose_photos(parent: QWidget) -> list[Path]:
    """The files the owner chose (none if cancelled)."""
    files, _filter = QFileDialog.getOpenFileNames(
        parent, "Add photos", _last_folder(), photo_filter()
    )
    if files:
        QSettings().setValue(_LAST_FOLDER, str(Path(files[0]).parent))
    return [Path(f) for f in files]


def choose_folder(parent: QWidget) -> Path | None:
    """The folder the owner chose, or None."""
    folder = QFileDialog.getExistingDirectory(parent, "Add a folder of photos", _last_folder())
    if not folder:
        return None
    QSettings().setValue(_LAST_FOLDER, str(Path(folder).parent))
    return Path(folder)


def _last_folder() -> str:
    """Where the file dialogs open: where the owner last took photos from."""
    folder = QSettings().value(_LAST_FOLDER)
    return str(folder) if isinstance(folder, str) and Path(folder).is_dir() else str(Path.home())


def photo_filter() -> str:
    """The file dialog's filter, from the one format registry (both cases: some platforms'
    dialogs match patterns case-sensitively)."""
    patterns = formats.file_dialog_patterns()
    both = patterns + [pattern.upper() for pattern in patterns if pattern.upper() != pattern]
    return f"Photos ({' '.join(both)});;All files (*)"
