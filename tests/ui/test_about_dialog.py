"""Help → About Albumen: version, licence, credits and data folder, closed from the keyboard."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from albumen import __version__
from albumen.ui.about_dialog import AboutDialog, licence_expression
from albumen_server.data import GEONAMES_CREDIT, GEONAMES_URL


def _texts(dialog: AboutDialog) -> str:
    return "\n".join(label.text() for label in dialog.findChildren(QLabel))


def test_shows_version_licence_and_data_folder(qtbot: QtBot, tmp_path: Path) -> None:
    data = tmp_path / "Albumen data"
    data.mkdir()
    dialog = AboutDialog(data)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)

    texts = _texts(dialog)
    assert "Albumen" in texts
    assert f"Version {__version__}" in texts
    assert "GNU General Public License, version 3 or later" in texts
    assert "GPL-3.0-or-later" in texts
    # GeoNames' CC BY 4.0 credit for the place names, linked to GeoNames
    assert GEONAMES_CREDIT == "Place names: GeoNames, CC BY 4.0"
    assert f'<a href="{GEONAMES_URL}">{GEONAMES_CREDIT}</a>' in dialog.credits_label.text()
    assert GEONAMES_URL == "https://www.geonames.org/"
    assert dialog.credits_label.openExternalLinks()
    assert dialog.data_label.text() == str(data)
    flags = dialog.data_label.textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse
    assert flags & Qt.TextInteractionFlag.TextSelectableByKeyboard
    assert not dialog.icon_label.pixmap().isNull()
    assert dialog.close_button.isDefault()


def test_licence_comes_from_the_project_metadata() -> None:
    assert licence_expression() == "GPL-3.0-or-later"


def test_escape_closes(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = AboutDialog(tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.rejected, timeout=2000):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_enter_presses_close(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = AboutDialog(tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    with qtbot.waitSignal(dialog.finished, timeout=2000):
        qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert not dialog.isVisible()


def test_open_data_folder_asks_the_desktop(
    qtbot: QtBot, tmp_path: Path, opened_urls: list[QUrl]
) -> None:
    dialog = AboutDialog(tmp_path)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert [url.toLocalFile() for url in opened_urls] == [str(tmp_path)]


def test_a_missing_data_folder_cannot_be_opened(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = AboutDialog(tmp_path / "not yet")
    qtbot.addWidget(dialog)
    assert not dialog.open_button.isEnabled()
    assert dialog.data_label.text() == str(tmp_path / "not yet")
