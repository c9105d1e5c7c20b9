"""A folder added in the app fills the grid and starts uploading while its files are checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from albumen.core.model import PhotoState
from albumen.ui import photo_import
from albumen.ui.context import AppContext
from albumen.ui.main_window import MainWindow
from tests.support import noise_photo


def test_photos_show_and_upload_while_the_rest_are_checked(
    qtbot: QtBot,
    window: MainWindow,
    context: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every photo checked is shown at once (not coalesced), so the steps are there to see.
    monkeypatch.setattr(photo_import, "REFRESH_SECONDS", 0.0)
    folder = tmp_path / "shoot"
    folder.mkdir()
    count = 24
    for index in range(count):
        (folder / f"IMG_{index:04d}.jpg").write_bytes(noise_photo(2.0, "JPEG", seed=index))
    (folder / "broken.jpg").write_bytes(noise_photo(1.0, "JPEG", seed=99)[:5000])
    album = window.new_album("Shoot")
    assert album is not None

    shown: list[int] = []  # photos in the grid each time rows were added
    cells: list[int] = []  # cells (photos and files being checked) at those times
    model = window.photos

    def inserted(*_: object) -> None:
        shown.append(model.photo_count())
        cells.append(model.rowCount())

    model.rowsInserted.connect(inserted)
    submitted: list[str] = []  # files handed to the app's checking processes
    real_submit = context.runner.checks.submit

    def noted_submit(fn: Any, path: Path) -> Any:
        submitted.append(path.name)
        return real_submit(fn, path)

    monkeypatch.setattr(context.runner.checks, "submit", noted_submit)
    headings: list[str] = []  # after each update of the heading the import asks for
    context.events.photos_changed.connect(lambda _: headings.append(window.header.heading.text()))
    window.import_paths([folder], album.id)
    qtbot.waitUntil(lambda: window.problems.isVisible(), timeout=60_000)

    # Every file had its cell at once, before its check; photos then came in steps.
    assert cells[0] == count + 1 and shown[0] == 0, (cells, shown)
    assert len(shown) >= 3 and shown[1] < count, shown
    assert model.photo_count() == count and model.incoming_count() == 0
    assert model.rowCount() == count
    # The heading counted the files still being checked, and stops once all are.
    assert f"{count + 1} files being checked" in headings[0], headings[0]
    assert "being checked" not in window.header.heading.text()
    # The broken file has its own verdict, by name; the good ones are all in, in order.
    lines = [window.problems.list.item(i).text() for i in range(window.problems.list.count())]
    assert len(lines) == 1 and lines[0].startswith("broken.jpg: is truncated"), lines
    names = [p.filename for p in context.store.photos(album.id)]
    assert names == [f"IMG_{i:04d}.jpg" for i in range(count)]
    assert sorted(submitted) == sorted([*names, "broken.jpg"]), "checked off the app's process"
    # And everything reaches the server.
    qtbot.waitUntil(
        lambda: all(p.state is PhotoState.UPLOADED for p in context.store.photos(album.id)),
        timeout=60_000,
    )
