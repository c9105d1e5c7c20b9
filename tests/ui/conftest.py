"""UI tests build the app's services per test from real parts on a temporary folder: real
SQLite store, real server over HTTP (the session's `shared_server`), an in-memory keyring
backend (the testing rules allow it for unit tests; the real Secret Service is tested in
tests/core/test_credentials.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QSettings, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from albumen.core.backend import Backend
from albumen.core.credentials import Credentials
from albumen.core.settings import Settings
from albumen.core.store import Store
from albumen.core.sync import SyncService
from albumen.core.thumbnails import ThumbnailCache
from albumen.ui.context import AppContext, StoreEvents
from albumen.ui.main_window import MainWindow
from albumen.ui.sync_bridge import SyncBridge
from albumen.ui.tasks import TaskRunner
from tests.core.test_credentials import MemoryKeyring
from tests.support import ServerProcess


def build_context(data: Path, server_url: str, token: str) -> AppContext:
    data.mkdir(parents=True, exist_ok=True)
    settings = Settings(server_url=server_url, concurrent_uploads=2)
    credentials = Credentials(MemoryKeyring())
    credentials.set_server_token(server_url, token)
    store = Store(data / "albumen.sqlite3")

    def backend() -> Backend:
        return Backend(server_url, token, read_timeout=20)

    service = SyncService(store, backend, credentials, concurrency=2, retries=1, backoff=0.05)
    return AppContext(
        store=store,
        credentials=credentials,
        settings=settings,
        settings_path=data / "settings.json",
        data_dir=data,
        runner=TaskRunner(),
        sync=SyncBridge(service, retry_seconds=3600),
        thumbnails=ThumbnailCache(data / "thumbnails"),
        events=StoreEvents(),
        server_label=lambda: server_url,
        base_url=lambda: server_url,
    )


@pytest.fixture
def context(qapp: object, tmp_path: Path, shared_server: ServerProcess) -> Iterator[AppContext]:
    del qapp
    # Windows of earlier tests, closed and handed to deleteLater, go now: they would be closed
    # again below, with their own store long closed.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    built = build_context(tmp_path / "client", shared_server.url, shared_server.token)
    yield built
    for widget in QApplication.topLevelWidgets():
        widget.close()  # windows save their state on close: while the store is still open
    built.sync.shutdown()
    built.runner.shutdown()
    built.runner.wait()
    QApplication.processEvents()  # results still queued for the views, while the store is open
    built.store.close()


@pytest.fixture(autouse=True)
def own_qsettings(tmp_path: Path) -> Iterator[None]:
    """The window's QSettings (geometry, last album, pause, the grid's size and sort) go to a
    folder of the test's own, never to the user's configuration, and start empty for each
    test: one test's remembered sort or pause must not shape the next."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qs"))
    QApplication.setOrganizationName("AlbumenTests")
    yield


@pytest.fixture
def gui_parent(qtbot: QtBot) -> QWidget:
    """The parent of the Qt objects a test makes on their own (a model): pytest-qt deletes it,
    and them with it, on the GUI thread when the test ends. A parentless one is freed by
    whichever thread lets go of it last or collects it, and one freed off the GUI thread with a
    timer running crashed a later test (albumen.ui.tasks)."""
    parent = QWidget()
    qtbot.addWidget(parent)
    return parent


@pytest.fixture
def window(qtbot: QtBot, context: AppContext) -> Iterator[MainWindow]:
    main = MainWindow(context)
    qtbot.addWidget(main)
    main.show()
    yield main
    main.close()  # while the store is open: closing saves the window's state


@pytest.fixture
def opened_urls(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    """The URLs the app hands the desktop to open, in order. No file manager or browser runs in
    the tests: the call that would start one records the URL instead."""
    opened: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        opened.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    return opened
