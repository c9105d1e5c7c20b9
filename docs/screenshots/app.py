"""Screenshots of the desktop app in its main states, on a fresh data folder and its embedded
server, as an owner goes through them: empty, uploading, the album with its photos (a section
per city), one photo in the loupe (fitted and at 100 %), the album in a 1024×700 window, the
share dialog and what
it hands over (and the dialog for proofs: picks and a watermark, with the cover as the link's
viewers will see it), the album's links, and the picks two viewers sent (the grid showing only
the picked photos).

    xvfb-run -s "-screen 0 1600x1000x24" .venv/bin/python docs/screenshots/app.py

(QT_QPA_PLATFORM=offscreen works too, with Qt's plainer offscreen fonts.) Writes app-*.png
next to this file. The photos are the browser tests' synthetic scenes, with real EXIF.
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from PySide6.QtCore import QItemSelectionModel, QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402
from tests.browser.scenes import ALBUM, photo  # noqa: E402

from albumen import embedded  # noqa: E402
from albumen.app import build_context, tune_gui_process  # noqa: E402
from albumen.client import Client  # noqa: E402
from albumen.core.model import LinkSettings, LinkState, PhotoState  # noqa: E402
from albumen.crash_log import LastCrash  # noqa: E402
from albumen.paths import data_dir as default_data_dir  # noqa: E402
from albumen.ui.crash_notice import tell_last_crash  # noqa: E402
from albumen.ui.main_window import MainWindow  # noqa: E402
from albumen.ui.share_dialog import ShareDialog  # noqa: E402
from albumen.ui.theme import apply_theme  # noqa: E402

OUT = Path(__file__).resolve().parent
MORE = [  # a few more frames, so the grid looks like a day's selection
    ("DSCF0201.JPG", (1500, 1000), None, "2026:06:09 08:00:00"),
    ("DSCF0203.JPG", (1000, 1500), None, "2026:06:09 08:10:00"),
    ("DSCF0210.JPG", (1500, 1000), None, "2026:06:09 09:30:00"),
    ("DSCF0222.JPG", (1600, 900), None, "2026:06:09 10:45:00"),
]


def wait(app: QApplication, condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {seconds} s for {what}")
        app.processEvents()
        time.sleep(0.02)


def settle(app: QApplication, seconds: float = 0.6) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def save(widget: QWidget, name: str) -> None:
    widget.grab().save(str(OUT / name))
    print(OUT / name)


def take_picks(app: QApplication, window: MainWindow, album_id: str) -> None:
    """Two viewers send their favourites through a link that allows picks, as the gallery's
    script does, with notes on some photos; a sync brings them; the grid shows only the picked
    photos, and the notes fold under their senders."""
    context = window.context
    link = context.store.create_link(
        album_id, LinkSettings(allow_picks=True, label="Proofing"), has_password=False
    )
    context.changed(album_id)
    wait(app, lambda: context.store.link(link.id).state is LinkState.ACTIVE, 60, "the link")
    url = context.link_url(context.store.link(link.id))
    ids = [photo.id for photo in context.store.photos(album_id)]
    for name, note, chosen, noted in (
        (
            "Anna",
            "The harbour ones for the living room, please!",
            [0, 2, 3, 5, 8],
            {2: "Could this one be a little warmer?", 5: "Square crop for the frame"},
        ),
        ("Ben", "Prints for grandma", [2, 5, 9], {9: "Black and white, please"}),
    ):
        body = {
            "name": name,
            "note": note,
            "photo_ids": [ids[i] for i in chosen],
            "photo_notes": {ids[i]: text for i, text in noted.items()},
        }
        requests.put(f"{url}/picks/{uuid.uuid4()}", json=body, timeout=30).raise_for_status()
    wait(app, lambda: not context.sync.is_running(), 60, "the sync under way")
    window.sync_now()
    wait(app, lambda: window.picks.tree.topLevelItemCount() == 3, 60, "the picks")
    window.side.setCurrentWidget(window.picks)
    window.picks.filter_action.setChecked(True)
    window.grid.setFocus()
    settle(app, 2.0)
    save(window, "app-picks.png")
    window.picks.filter_action.setChecked(False)


def main() -> int:
    tune_gui_process()  # as the app's main does
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Albumen")
    with tempfile.TemporaryDirectory() as temporary:
        # The window's remembered state (size, photo size, sort) from a fresh folder, not the
        # user's: every run looks the same.
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, temporary)
        data = Path(temporary) / "data"
        pictures = Path(temporary) / "Pictures" / "Lisbon"
        pictures.mkdir(parents=True)
        paths = []
        for seed, (name, size, city, taken) in enumerate(ALBUM + MORE):
            path = pictures / name
            path.write_bytes(photo(size, seed, city=city, taken=taken))
            paths.append(path)
        client = Client(data)
        context = build_context(client)
        window = MainWindow(context)
        window.resize(1440, 880)
        window.show()
        context.sync.start()
        try:
            wait(app, lambda: "online" in window.connection_label.text(), 60, "the server")
            settle(app)
            save(window, "app-empty.png")

            album = window.new_album("Summer in three cities")
            assert album is not None
            client.throttle.set_rate(60_000)  # slow enough to catch the uploads under way
            window.import_paths(paths, album.id)
            wait(
                app,
                lambda: (
                    window.photos.photo_count() == len(paths) and not window.photos.incoming_count()
                ),
                30,
                "the import",
            )
            wait(app, lambda: window.status.progress.isVisible(), 30, "the upload")
            settle(app, 3.0)
            save(window, "app-uploading.png")

            client.throttle.set_rate(None)
            wait(
                app,
                lambda: all(p.state is PhotoState.UPLOADED for p in context.store.photos(album.id)),
                120,
                "every upload",
            )
            # A section per city, as a photographer would put them (Ctrl+E in the grid).
            cities = {name: city for name, _size, city, _taken in ALBUM + MORE if city}
            by_city: dict[str, list[str]] = {}
            for each in context.store.photos(album.id):
                if each.filename in cities:
                    title = cities[each.filename].name.split(",")[0]
                    by_city.setdefault(title, []).append(each.id)
            for title, ids in by_city.items():
                context.owner.put_in_section(album.id, ids, title)
            window.activateWindow()  # the focus ring shows in the active window only
            window.grid.setFocus()
            window.grid.selectionModel().setCurrentIndex(
                window.photos.index(3), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            settle(app, 2.0)
            save(window, "app-main.png")

            shown: list[str] = []
            window.loupe.shown.connect(shown.append)
            window.open_loupe()
            wait(app, lambda: bool(shown), 30, "the photo in the loupe")
            settle(app)
            save(window, "app-loupe.png")
            window.loupe.toggle_zoom()  # 100 %, as Z does
            wait(app, lambda: window.loupe.canvas.full is not None, 30, "the photo at 100 %")
            settle(app)
            save(window, "app-loupe-100.png")
            window.loupe.zoom_out()
            window.loupe.close_()

            window.resize(1024, 700)
            settle(app, 1.5)
            save(window, "app-narrow.png")  # the side panes give way to the photos
            window.resize(1440, 880)

            dialog = ShareDialog(context, album.id, window)
            dialog.label_edit.setText("Grandma & Grandpa")
            dialog.show()
            settle(app)
            save(dialog, "app-share.png")
            dialog.no_password.setChecked(True)
            settle(app)
            save(dialog, "app-share-open.png")
            proofs = ShareDialog(context, album.id, window)  # proofs: picks and a watermark
            proofs.label_edit.setText("Proofs for Anna")
            proofs.picks_check.setChecked(True)
            proofs.pick_limit.setValue(30)
            proofs.watermark.check.setChecked(True)
            proofs.watermark.edit.setText("© Amélie Berg Photography")
            proofs.show()
            preview = proofs.watermark_preview
            wait(app, lambda: not preview.isHidden(), 30, "the watermark's preview")
            settle(app)
            save(proofs, "app-share-proofs.png")
            proofs.close()
            dialog.generate_option.setChecked(True)
            dialog.save()
            settle(app, 1.5)
            save(dialog, "app-local-link.png")  # the embedded server: it says so
            dialog.close()

            window.side.setCurrentWidget(window.links)
            window.links.refresh()
            settle(app, 1.5)
            save(window, "app-links.png")

            take_picks(app, window, album.id)

            window.side.setCurrentWidget(window.metadata)
            apply_theme(app, "dark")  # as Settings ▸ Appearance ▸ Dark does
            settle(app, 2.0)
            save(window, "app-dark.png")
            apply_theme(app, "light")

            # Where albumen.crash_log keeps one in the owner's own data folder (not this run's).
            log = default_data_dir() / "crashes" / "2026-12-01T18-42-07.log"
            notice = tell_last_crash(window, LastCrash(log, datetime(2026, 12, 1, 18, 42, 7)))
            settle(app)
            save(notice, "app-crash-notice.png")  # the next start after a crash
            notice.done(0)
        finally:
            window.finish_deletes()
            context.sync.shutdown()
            context.runner.shutdown()
            context.runner.wait(5000)
            client.close()
            embedded.stop(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
