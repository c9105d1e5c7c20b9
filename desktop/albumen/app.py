"""The composition root: builds the services from the data folder and hands them to the
window. Nothing here blocks: the server (embedded or remote) is reached by the sync thread."""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from albumen import __version__, embedded
from albumen.client import Client
from albumen.core.store import StoreError
from albumen.crash_log import open_crash_log
from albumen.resources import icon_files

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication

    from albumen.ui.context import AppContext


def _embedded_url(data_dir: Path) -> str | None:
    try:
        state = json.loads((embedded.server_data(data_dir) / embedded.STATE_FILE).read_text())
        return str(state["url"])
    except (OSError, ValueError, KeyError):
        return f"http://127.0.0.1:{embedded.DEFAULT_PORT}"


def build_context(client: Client) -> AppContext:
    from albumen.ui.context import StoreEvents
    from albumen.ui.sync_bridge import SyncBridge
    from albumen.ui.tasks import TaskRunner

    def server_label() -> str:
        url = client.settings.server_url
        return urlparse(url).hostname or url if url else "Embedded server"

    def base_url() -> str | None:
        return client.settings.server_url or _embedded_url(client.data_dir)

    from albumen.ui.context import AppContext

    service = client.sync_service()

    def settings_applied() -> None:
        from PySide6.QtWidgets import QApplication

        from albumen.ui.theme import apply_theme

        client.apply_settings()
        service.reconfigure(concurrency=client.settings.concurrent_uploads)
        service.web_sizes = client.web_sizes()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, client.settings.theme)

    return AppContext(
        store=client.store,
        credentials=client.credentials,
        settings=client.settings,
        settings_path=client.settings_path,
        data_dir=client.data_dir,
        runner=TaskRunner(),
        sync=SyncBridge(service, revive=client.revive_embedded),
        thumbnails=client.thumbnails,
        events=StoreEvents(),
        server_label=server_label,
        base_url=base_url,
        settings_applied=settings_applied,
    )


def _shown_then_quit(app: QCoreApplication) -> None:
    print("albumen: window shown", flush=True)
    app.quit()


GUI_SWITCH_INTERVAL = 0.001
"""Seconds a thread keeps the GIL while another waits for it (Python's default: 0.005)."""


def tune_gui_process() -> None:
    """Settings of the process the window lives in, made before the QApplication exists.

    The GUI thread shares the GIL with the threads checking, hashing and sending photos; each
    time it wants the GIL back it waits for the holder's switch interval, and with several
    busy threads for several of them. At Python's 5 ms the event loop ran up to 180 ms late
    while 100 photos were added and sent; at 1 ms, under 110 ms (`bench/ui_responsiveness.py`,
    same machine and load), for a throughput cost too small to measure there.

    Qt's raster engine hands every fill of more than a few dozen lines (a cell's background,
    the scroll bar) to a pool of threads of its own and waits for them: with the cores busy
    importing and uploading, the GUI thread waited on those threads (a `QLatch` in
    `QRasterPaintEngine::fillRect`, half of its 8,400 context switches in 8 s, `perf`); with
    `QT_NO_GUI_THREADPOOL` it paints on its own, 1,900 switches, and the 99th-percentile
    lateness of a 10 ms timer went from 20–24 to 12–20 ms in the same bench. An owner's own
    setting of the variable is kept."""
    sys.setswitchinterval(GUI_SWITCH_INTERVAL)
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")


def freeze_startup_heap() -> None:
    """Once the window is up: what exists by then (Qt's wrappers, the app's modules, the window:
    some 68,000 objects) lives as long as the process, so it is moved out of the cyclic
    collector's sight. A full collection walked all of it, 20-25 ms on an idle machine with
    the GIL held, so every thread, the GUI's included, waited, and longer on busy cores. Full
    collections are rare (in a run of `bench/ui_responsiveness.py` the one there was came
    while the bench started), but an app left open for hours meets them now and then. The
    server does the same (`albumen_server.app`)."""
    gc.freeze()


def main(data_dir: Path) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from albumen.ui.main_window import MainWindow

    last_crash = open_crash_log(data_dir)  # first: a crash while starting is one too
    tune_gui_process()
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setOrganizationName("Albumen")
    app.setApplicationName("Albumen")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("org.albumen.Albumen")
    app.setQuitOnLastWindowClosed(False)  # the tray keeps uploads going
    icon = QIcon()
    for path in icon_files():
        icon.addFile(str(path))
    app.setWindowIcon(icon)
    try:
        client = Client(data_dir)
    except StoreError as error:  # a damaged or locked album list: say so, change nothing
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, "Albumen cannot open its album list", str(error))
        return 1
    from albumen.ui.theme import apply_theme, follow_system

    apply_theme(app, client.settings.theme)
    follow_system(app, lambda: client.settings.theme)
    context = build_context(client)
    # As sharp as the sharpest screen, then and later: the window may be moved there.
    context.screens.follow(app, client.thumbnails)
    window = MainWindow(context)
    window.show()
    freeze_startup_heap()
    if client.settings.problems:  # a broken settings file: say what is used instead
        window.problems.show_problems(list(client.settings.problems))
    if last_crash is not None:
        from albumen.ui.crash_notice import tell_last_crash

        print(f"albumen: the last run stopped on a fatal error; see {last_crash.log}", flush=True)
        tell_last_crash(window, last_crash)
    if os.environ.get("ALBUMEN_EXIT_AFTER_SHOWN"):  # bench/bundle_start.py times a cold start
        QTimer.singleShot(0, lambda: _shown_then_quit(app))
    context.sync.start()
    context.runner.checks.warm()  # ready before the first drop: its first upload waits less
    try:
        return app.exec()
    finally:
        context.sync.shutdown()
        context.runner.shutdown()
        context.runner.wait(5000)
        client.close()
        if not client.settings.server_url:
            # Settings promise the embedded server runs while Albumen is open; `albumen`
            # commands start it again when they need it.
            embedded.stop(data_dir)
