"""Help → About Albumen: the app's name, icon and version, its licence, the credits the data it
ships asks for, and where its data is."""

from __future__ import annotations

import platform
import tomllib
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QUrl, qVersion
from PySide6.QtGui import QDesktopServices, QIcon
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from albumen import __version__
from albumen.resources import icon_files
from albumen_server.data import GEONAMES_CREDIT, GEONAMES_URL

# Names and short texts of the licences Albumen may carry, by SPDX expression.
LICENCES = {
    "GPL-3.0-or-later": (
        "GNU General Public License, version 3 or later",
        "Albumen is free software: you can redistribute it and/or modify it under the terms of "
        "the GNU General Public License as published by the Free Software Foundation, either "
        "version 3 of the License, or (at your option) any later version. It comes with "
        "ABSOLUTELY NO WARRANTY.",
        "https://www.gnu.org/licenses/gpl-3.0.html",
    ),
}

_PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"


def licence_expression() -> str:
    """The SPDX licence of the installed package, as pyproject.toml's `license` field gives it
    (the package metadata is made from that field; a checkout never installed reads it there)."""
    try:
        expression = metadata("albumen")["License-Expression"]
        if expression:
            return str(expression)
    except PackageNotFoundError:
        pass
    try:
        with _PYPROJECT.open("rb") as file:
            return str(tomllib.load(file)["project"]["license"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


class AboutDialog(QDialog):
    """Modal; Esc, Enter and the Close button close it."""

    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.setWindowTitle("About Albumen")

        icon = QIcon()
        for path in icon_files():
            icon.addFile(str(path))
        self.icon_label = QLabel()
        self.icon_label.setPixmap(icon.pixmap(96, 96))
        self.icon_label.setAlignment(Qt.AlignmentFlag.AlignTop)

        self.name_label = QLabel("Albumen")
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.name_label.setFont(font)
        self.version_label = QLabel(f"Version {__version__}")
        self.version_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        summary = QLabel(
            "Share photo albums privately, at full resolution, behind password links you can "
            "revoke."
        )
        summary.setWordWrap(True)
        runtime = QLabel(
            f"Qt {qVersion()} · PySide6 {pyside_version} · Python {platform.python_version()}"
        )
        runtime.setEnabled(False)  # drawn dimmed: for bug reports, not for reading

        expression = licence_expression()
        name, text, url = LICENCES.get(expression, (expression, "", ""))
        self.licence_label = QLabel(f"<b>Licence:</b> {name} ({expression})")
        self.licence_label.setWordWrap(True)
        licence_text = QLabel(text + (f' <a href="{url}">Read the licence</a>' if url else ""))
        licence_text.setWordWrap(True)
        licence_text.setOpenExternalLinks(True)
        licence_text.setTextFormat(Qt.TextFormat.RichText)
        # Place names in shared albums come from GeoNames, whose licence (CC BY 4.0) asks for this.
        self.credits_label = QLabel(
            f'<b>Credits:</b> <a href="{GEONAMES_URL}">{GEONAMES_CREDIT}</a>'
        )
        self.credits_label.setWordWrap(True)
        self.credits_label.setOpenExternalLinks(True)
        self.credits_label.setTextFormat(Qt.TextFormat.RichText)

        self.data_label = QLabel(str(data_dir))
        self.data_label.setWordWrap(True)
        self.data_label.setTextFormat(Qt.TextFormat.PlainText)
        self.data_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.data_label.setToolTip("Your album list, caches and the embedded server's data")
        self.open_button = QPushButton("&Open Data Folder")
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(self.open_data_folder)
        if not data_dir.is_dir():
            self.open_button.setEnabled(False)
            self.open_button.setToolTip("The folder does not exist yet")
        data_row = QHBoxLayout()
        data_row.addWidget(self.data_label, 1)
        data_row.addWidget(self.open_button)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setDefault(True)
        buttons.rejected.connect(self.reject)

        text_column = QVBoxLayout()
        text_column.addWidget(self.name_label)
        text_column.addWidget(self.version_label)
        text_column.addWidget(summary)
        text_column.addWidget(runtime)
        text_column.addSpacing(12)
        text_column.addWidget(self.licence_label)
        text_column.addWidget(licence_text)
        text_column.addWidget(self.credits_label)
        text_column.addSpacing(12)
        text_column.addWidget(QLabel("<b>Data folder</b>"))
        text_column.addLayout(data_row)
        top = QHBoxLayout()
        top.addWidget(self.icon_label)
        top.addSpacing(12)
        top.addLayout(text_column, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self.close_button.setFocus()

    def open_data_folder(self) -> bool:
        """Show the data folder in the desktop's file manager."""
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_dir)))
