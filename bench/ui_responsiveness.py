"""How late does the GUI event loop run while the app imports and uploads 500 big photos?

Builds the real window on real services (SQLite store, a real server process on 127.0.0.1),
imports N 24-megapixel JPEGs through the same path a drop takes, lets them upload, and meanwhile
a 10 ms QTimer records how late each tick fires. Also measured from the drop: seconds until the
grid shows every photo (`grid_seconds`: the grid model's rows, cells of files still being
checked count, as placeholders), and until the first upload starts on the server
(`first_upload_seconds`: a thread watches the server's uploads folder for the first part file,
independently of the GUI). Prints one JSON line.

The server shares the machine's cores with the app. By default it runs at the priority the app
gives its embedded server (background, `albumen.priority`); `--server-priority normal` runs it
as a server started by hand beside the app would run, competing with the GUI thread for a core.

On a virtual machine the host may take its CPUs away for tens of milliseconds (steal time);
every thread of every process stops then, whatever the app does. On Linux each tick's window is
matched with the steal the kernel counted in it, per CPU (`/proc/stat`, in clock ticks of 10
ms, so a window shows 10 ms when a tick boundary falls in it): `stalls` lists each tick later
than 30 ms with the steal of its window, and `worst_delay_unstolen_ms` is the worst lateness of
the windows with none, beside the worst of all.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui_responsiveness.py [--photos 500]
                                                  [--server-priority background|normal]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.camera_photos import make_photos  # noqa: E402


def read_steal() -> tuple[int, ...]:
    """Each CPU's steal time so far, in clock ticks (`/proc/stat`); () where there is none."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            lines = stat.read().splitlines()
    except OSError:
        return ()
    return tuple(
        int(line.split()[8]) for line in lines if line.startswith("cpu") and line[3].isdigit()
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=int, default=500)
    parser.add_argument("--megapixels", type=int, default=24)
    parser.add_argument(
        "--server-priority",
        choices=("background", "normal"),
        default="background",
        help="the server process's priority: background, as the app runs its embedded server"
        " (albumen.priority), or normal, as a server someone started by hand beside the app",
    )
    options = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication
    from tests.support import start_server
    from tests.ui.conftest import build_context

    from albumen.app import freeze_startup_heap, tune_gui_process
    from albumen.core.model import PhotoState
    from albumen.ui.main_window import MainWindow

    with tempfile.TemporaryDirectory(prefix="albumen-bench-") as temporary:
        work = Path(temporary)
        total_bytes = make_photos(work / "photos", options.photos, options.megapixels)
        server_data = work / "server"
        server_data.mkdir()
        server = start_server(server_data, background=options.server_priority == "background")
        try:
            tune_gui_process()  # as the app's main does
            app = QApplication.instance() or QApplication([])
            context = build_context(work / "client", server.url, server.token)
            context.sync.service.retries = 4
            window = MainWindow(context)
            window.resize(1400, 900)
            window.show()
            freeze_startup_heap()  # as the app's main does
            context.runner.checks.warm()  # as the app's main does; the drop comes at once
            album = window.new_album("Benchmark")
            assert album is not None

            delays: list[float] = []
            stolen: list[tuple[int, ...]] = []  # each CPU's steal in that tick's window
            steal = [read_steal()]
            clock = QElapsedTimer()
            clock.start()
            expected = [clock.elapsed() + 10]

            def tick() -> None:
                now = clock.elapsed()
                delays.append(max(0, now - expected[0]))
                expected[0] = now + 10
                steal_now = read_steal()
                stolen.append(tuple(a - b for a, b in zip(steal_now, steal[0], strict=False)))
                steal[0] = steal_now

            timer = QTimer()
            timer.setInterval(10)
            timer.timeout.connect(tick)
            timer.start()
            started = time.monotonic()
            first_steal = read_steal()
            imported: list[float] = []
            grid_full: list[float] = []
            first_upload: list[float] = []
            watching = threading.Event()

            def watch_uploads() -> None:
                uploads = server_data / "uploads"
                while not watching.is_set():
                    if uploads.is_dir() and any(uploads.iterdir()):
                        first_upload.append(time.monotonic() - started)
                        return
                    time.sleep(0.002)

            watcher = threading.Thread(target=watch_uploads, daemon=True)
            watcher.start()

            def count_rows() -> None:
                if not grid_full and window.photos.rowCount() >= options.photos:
                    grid_full.append(time.monotonic() - started)

            window.photos.rowsInserted.connect(count_rows)
            window.photos.modelReset.connect(count_rows)
            window.import_paths([work / "photos"])

            finished = threading.Event()
            complete: list[float] = []  # seconds until every photo was uploaded

            def watch_store() -> None:
                """The bench's own question (how far the import and uploads are), asked on a
                connection of its own off the GUI thread, so that asking does not stall the
                event loop it measures (loading 500 photos every 250 ms on it did)."""
                connection = sqlite3.connect(context.store.path)
                query = "SELECT COUNT(*), SUM(state = ?) FROM photos WHERE album_id = ?"
                try:
                    while not finished.is_set():
                        count, uploaded = connection.execute(
                            query, (PhotoState.UPLOADED.value, album.id)
                        ).fetchone()
                        if count == options.photos and not imported:
                            imported.append(time.monotonic() - started)
                        if count == options.photos and uploaded == options.photos:
                            complete.append(time.monotonic() - started)
                            finished.set()
                        time.sleep(0.1)
                finally:
                    connection.close()

            threading.Thread(target=watch_store, daemon=True).start()

            def done() -> bool:
                return finished.is_set()

            def scroll() -> None:
                # Scroll through the grid as an impatient owner would, loading thumbnails.
                bar = window.grid.verticalScrollBar()
                bar.setValue((bar.value() + 40) % max(1, bar.maximum() + 1))

            def check() -> None:
                if done() or time.monotonic() - started > 3600:
                    app.quit()

            scroller = QTimer(interval=50)
            scroller.timeout.connect(scroll)
            scroller.start()
            checker = QTimer(interval=250)
            checker.timeout.connect(check)
            checker.start()
            app.exec()
            scroller.stop()
            checker.stop()
            seconds = time.monotonic() - started
            timer.stop()
            watching.set()
            finished.set()
            context.sync.shutdown()
            context.runner.shutdown()
            context.runner.wait()
            ordered = sorted(delays)
            tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
            unstolen = [delay for delay, was in zip(delays, stolen, strict=True) if not any(was)]
            stalls = [
                {"ms": delay, "steal_ms": [round(ticks * tick_ms) for ticks in was]}
                for delay, was in zip(delays, stolen, strict=True)
                if delay > 30
            ]
            steal_ms = [
                (after - before) * tick_ms
                for after, before in zip(read_steal(), first_steal, strict=False)
            ]
            p99 = ordered[int(len(ordered) * 0.99) - 1] if ordered else 0
            print(
                json.dumps(
                    {
                        "bench": "ui_responsiveness",
                        "photos": options.photos,
                        "megapixels": options.megapixels,
                        "server_priority": options.server_priority,
                        "bytes": total_bytes,
                        "import_seconds": round(imported[0], 2) if imported else None,
                        "grid_seconds": round(grid_full[0], 2) if grid_full else None,
                        "first_upload_seconds": (
                            round(first_upload[0], 3) if first_upload else None
                        ),
                        "total_seconds": round(seconds, 2),
                        "uploaded": bool(complete),
                        "ticks": len(delays),
                        "worst_delay_ms": max(delays, default=0),
                        "p99_delay_ms": p99,
                        "median_delay_ms": statistics.median(delays) if delays else 0,
                        "worst_delay_unstolen_ms": max(unstolen, default=0),
                        "stalls": stalls,
                        "host_steal_ms_per_cpu": [round(ms) for ms in steal_ms],
                    }
                )
            )
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
