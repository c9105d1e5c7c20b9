"""How soon does the loupe show a big photo, and how late does the GUI event loop run meanwhile?

Builds the real window on real services (SQLite store; the sync paused, no server needed), adds
N 24-megapixel JPEGs, opens the loupe on the first and steps through them as an owner does: the
next key once the photo is on screen (`step_*`: the neighbour was decoded ahead, or is on its
way), then holding the Right key (`held_*`: a key every 60 ms, decodes pile up), then at 100 %
(`zoom_*`: Z, and the previous frame at the same spot, until the photo's own pixels show; the
process's resident memory before and at 100 %). A 10 ms QTimer records how late each tick fires; the
baseline is the same timer over the idle grid, measured first in the same run. Prints one JSON
line.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/loupe.py [--photos 12] [--megapixels 24]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _delays(ticks: list[float]) -> dict[str, float]:
    ordered = sorted(ticks)
    return {
        "worst_ms": ordered[-1] if ordered else 0.0,
        "p99_ms": ordered[max(0, int(len(ordered) * 0.99) - 1)] if ordered else 0.0,
        "median_ms": statistics.median(ordered) if ordered else 0.0,
    }


def _rss_mb() -> float:
    """This process's resident memory now (VmRSS), in MiB: what the 100 % view holds on to."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=int, default=12)
    parser.add_argument("--megapixels", type=int, default=24)
    options = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from bench.camera_photos import make_photos
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication
    from tests.ui.conftest import build_context

    from albumen.app import tune_gui_process
    from albumen.core.scan import scan
    from albumen.ui.main_window import MainWindow

    tune_gui_process()  # as the app's main does
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(prefix="albumen-bench-") as temporary:
        work = Path(temporary)
        make_photos(work / "photos", options.photos, options.megapixels)
        context = build_context(work / "client", "http://127.0.0.1:9", "unused")
        context.sync.pause()
        album = context.store.create_album("Loupe")
        context.store.add_photos(album.id, scan([work / "photos"]).photos)
        window = MainWindow(context)
        window.resize(1440, 880)
        window.show()
        window.select_album(album.id)

        clock = QElapsedTimer()
        clock.start()
        ticks: list[float] = []
        expected = [float(clock.elapsed() + 10)]

        def tick() -> None:
            now = clock.elapsed()
            ticks.append(max(0.0, now - expected[0]))
            expected[0] = now + 10

        timer = QTimer(interval=10)
        timer.timeout.connect(tick)

        def run_for(milliseconds: int) -> None:
            loop = QEventLoop()
            QTimer.singleShot(milliseconds, loop.quit)
            loop.exec()

        def until_shown(photo_id: str, limit: float = 120.0) -> float:
            """Milliseconds until the loupe shows `photo_id` at full size."""
            started = time.monotonic()
            while window.loupe.canvas.enlarge or window.loupe.canvas.image is None:
                if window.loupe.photo is None or window.loupe.photo.id != photo_id:
                    break
                if time.monotonic() - started > limit:
                    raise TimeoutError(f"the loupe did not show {photo_id}")
                app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 5)
            return (time.monotonic() - started) * 1000

        run_for(1500)  # thumbnails of the first screen settle
        ticks.clear()
        expected[0] = clock.elapsed() + 10
        timer.start()
        run_for(2000)
        baseline = _delays(ticks)

        ticks.clear()
        window.grid.setCurrentIndex(window.photos.index(0))
        opened = time.monotonic()
        window.open_loupe()
        assert window.loupe.photo is not None
        open_ms = (time.monotonic() - opened) * 1000 + until_shown(window.loupe.photo.id)
        steps: list[float] = []
        for _ in range(options.photos // 2 - 1):
            started = time.monotonic()
            window.loupe.step(1)
            assert window.loupe.photo is not None
            steps.append((time.monotonic() - started) * 1000 + until_shown(window.loupe.photo.id))
        stepping = _delays(ticks)

        ticks.clear()
        held = QTimer(interval=60)
        held.timeout.connect(lambda: window.loupe.step(1))
        held.start()
        run_for(60 * (options.photos - options.photos // 2))
        held.stop()
        assert window.loupe.photo is not None
        last_ms = until_shown(window.loupe.photo.id)
        holding = _delays(ticks)

        def until_full(limit: float = 120.0) -> float:
            """Milliseconds until the loupe shows the photo in view at 100 %, from its pixels."""
            started = time.monotonic()
            while window.loupe.canvas.full is None:
                if time.monotonic() - started > limit:
                    raise TimeoutError("the loupe did not show the photo at 100 %")
                app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 5)
            return (time.monotonic() - started) * 1000

        # 100 %: the photo's own pixels, then the burst's previous frame at the same spot.
        rss_before = _rss_mb()
        ticks.clear()
        started = time.monotonic()
        window.loupe.toggle_zoom()
        zoom_ms = (time.monotonic() - started) * 1000 + until_full()
        started = time.monotonic()
        window.loupe.step(-1)
        zoom_step_ms = (time.monotonic() - started) * 1000 + until_full()
        zooming = _delays(ticks)
        rss_after = _rss_mb()
        timer.stop()

        print(
            json.dumps(
                {
                    "bench": "loupe",
                    "photos": options.photos,
                    "megapixels": options.megapixels,
                    "edge": window.loupe._edge(),
                    "open_to_shown_ms": round(open_ms, 1),
                    "step_to_shown_median_ms": round(statistics.median(steps), 1),
                    "step_to_shown_worst_ms": round(max(steps), 1),
                    "held_last_shown_after_ms": round(last_ms, 1),
                    "baseline_delay": baseline,
                    "stepping_delay": stepping,
                    "holding_delay": holding,
                    "zoom_to_full_ms": round(zoom_ms, 1),
                    "zoom_step_to_full_ms": round(zoom_step_ms, 1),
                    "zoom_delay": zooming,
                    "rss_mb_before_zoom": round(rss_before, 1),
                    "rss_mb_at_100": round(rss_after, 1),
                }
            )
        )
        window.close()
        context.sync.shutdown()
        context.runner.shutdown()
        context.runner.wait()
        context.store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
