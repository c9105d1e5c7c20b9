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
    qtbot.waitUntil(lambda: not bridge.is_running(), timeout=20_000)
    assert seen == [BACKGROUND_NICE, BACKGROUND_NICE], seen
