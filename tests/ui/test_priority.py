"""The app's background work yields the CPU to its window (albumen.priority): the threads
that check, send and make grid thumbnails run at a lower priority than the GUI thread and the
photo in view."""

from __future__ import annotations

import os
import sys
import threading

import pytest
from pytestqt.qtbot import QtBot

from albumen.priority import BACKGROUND_NICE
from albumen.ui.tasks import TaskRunner
from tests.ui.windows import WORK_MS

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's"
)


def _nice_of_this_thread() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def _nice_of_a_thread_started_here() -> int:
    """What a thread started from the calling thread gets (a pool started by the sync)."""
    seen: list[int] = []
    thread = threading.Thread(target=lambda: seen.append(_nice_of_this_thread()))
    thread.start()
    thread.join()
    return seen[0]


def test_background_pools_run_below_the_gui_and_the_photo_in_view(qapp: object) -> None:
    del qapp
    runner = TaskRunner()
    results: dict[str, int] = {}
    try:
        foreground = _nice_of_this_thread()
        assert foreground < BACKGROUND_NICE
        runner.run(_nice_of_a_thread_started_here, lambda r, _e: results.update(general=r))
        runner.run_image(_nice_of_this_thread, lambda r, _e: results.update(grid=r))
        runner.run_image(_nice_of_this_thread, lambda r, _e: results.update(loupe=r), now=True)
        assert runner.wait()
    finally:
        runner.shutdown()
    assert results == {
        "general": BACKGROUND_NICE,  # and the import's checking pool it starts
        "grid": BACKGROUND_NICE,
        "loupe": foreground,
    }, results


def test_the_sync_thread_and_its_pools_run_in_the_background(qtbot: QtBot, context: object) -> None:
    from albumen.ui.context import AppContext

    assert isinstance(context, AppContext)
    bridge = context.sync
    seen: list[int] = []
    original = bridge.service.sync_once

    def sync_once(**kwargs: object) -> object:
        seen.append(_nice_of_this_thread())
        seen.append(_nice_of_a_thread_started_here())
        return original(**kwargs)  # type: ignore[arg-type]

    bridge.service.sync_once = sync_once  # type: ignore[method-assign]
    bridge.request_sync()
    qtbot.waitUntil(lambda: not bridge.is_running(), timeout=WORK_MS)
    assert seen == [BACKGROUND_NICE, BACKGROUND_NICE], seen


_PAINT_A_BIG_FILL = """
import os, sys
from albumen.app import tune_gui_process
if sys.argv[1] == "tuned":
    tune_gui_process()
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
app = QGuiApplication(["albumen", "-platform", "offscreen"])
before = len(os.listdir("/proc/self/task"))
image = QImage(2000, 2000, QImage.Format.Format_ARGB32_Premultiplied)
painter = QPainter(image)
painter.fillRect(0, 0, 2000, 2000, QColor(10, 20, 30, 128))
painter.end()
print(len(os.listdir("/proc/self/task")) - before)
"""


def _threads_a_big_fill_starts(how: str) -> int:
    """In a fresh process: Qt decides once per process whether it has a GUI thread pool."""
    import subprocess

    environment = {k: v for k, v in os.environ.items() if k != "QT_NO_GUI_THREADPOOL"}
    done = subprocess.run(
        [sys.executable, "-c", _PAINT_A_BIG_FILL, how],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return int(done.stdout.split()[-1])


def test_the_gui_thread_paints_without_waiting_for_qts_painting_threads() -> None:
    """Left alone, Qt's raster engine hands big fills to threads of its own and the GUI thread
    waits for them, behind the busy cores of an import (albumen.app.tune_gui_process)."""
    assert _threads_a_big_fill_starts("untuned") > 0  # the pool this guards against
    assert _threads_a_big_fill_starts("tuned") == 0


def test_nothing_starts_once_the_runner_is_shut_down(qapp: object) -> None:
    """A widget's timer that fires after the app began quitting (the share dialog's watermark
    preview waits for the owner to stop typing) asks for work: nothing starts, nothing raises."""
    del qapp
    runner = TaskRunner()
    runner.shutdown()
    ran: list[str] = []
    runner.run(lambda: ran.append("general"))
    runner.run_image(lambda: ran.append("grid"))
    runner.run_image(lambda: ran.append("in view"), now=True)
    assert runner.wait(1000)
    assert ran == []
