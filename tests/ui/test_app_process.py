"""The process the window lives in, as `albumen.app.main` sets it up: run for real in a
process of its own, the window shown offscreen, then quit."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.support import ServerProcess

_OPEN_AND_QUIT = """
import gc, sys
from pathlib import Path
from albumen.app import main
code = main(Path(sys.argv[1]))
print("exit", code, "frozen", gc.get_freeze_count())
"""


def _open_and_quit(
    script: str, server: ServerProcess, tmp_path: Path, **environment: str
) -> subprocess.CompletedProcess[str]:
    """`script` (which runs `albumen.app.main`) in a process of its own, offscreen, with a data
    folder on `server` (`tmp_path`/data, made on the first run); the window quits once it is
    shown."""
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)  # a second run opens the same data folder
    (data / "settings.json").write_text(json.dumps({"server_url": server.url}))
    return subprocess.run(
        [sys.executable, "-c", script, str(data)],
        env={
            **os.environ,
            "ALBUMEN_EXIT_AFTER_SHOWN": "1",  # quit once the window is shown
            "QT_QPA_PLATFORM": "offscreen",
            "ALBUMEN_TOKEN": server.token,
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_what_the_window_starts_with_is_kept_out_of_the_collectors_way(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    """Everything that exists once the window is shown lives as long as the app: frozen, a
    full collection no longer walks it with the GIL held (20-25 ms idle, far more on busy
    cores) while the window waits (albumen.app.freeze_startup_heap)."""
    done = _open_and_quit(_OPEN_AND_QUIT, shared_server, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    words = done.stdout.split()
    assert "shown" in words, done.stdout  # "albumen: window shown"
    assert words[-4:-2] == ["exit", "0"], done.stdout
    assert int(words[-1]) > 20_000, done.stdout  # the modules, Qt's wrappers, the window


_OPEN_AND_QUIT_TELLING_THE_GRID_EDGE = """
import sys
from pathlib import Path
import albumen.app as app
clients = []
class Client(app.Client):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        clients.append(self)
app.Client = Client
code = app.main(Path(sys.argv[1]))
print("exit", code, "grid edge", clients[0].thumbnails.grid_edge)
"""


def test_on_a_sharp_screen_the_grid_asks_for_sharper_thumbnails(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    """A screen of twice the pixels (QT_SCALE_FACTOR=2: Qt's own way to make one offscreen)
    gets thumbnails of 640 pixels, made in the same decode as the photo's web size."""
    done = _open_and_quit(
        _OPEN_AND_QUIT_TELLING_THE_GRID_EDGE, shared_server, tmp_path, QT_SCALE_FACTOR="2"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-5:] == ["exit", "0", "grid", "edge", "640"], done.stdout


_OPEN_AND_CRASH = """
import faulthandler, sys
from pathlib import Path
import albumen.app as app
def crash_once_shown():
    faulthandler._sigsegv()  # the process dies as a fault in Qt or another C library ends it
app.freeze_startup_heap = crash_once_shown
app.main(Path(sys.argv[1]))
"""


def test_a_crash_leaves_what_the_app_was_doing_and_the_next_start_says_where(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    """Before: a fatal signal (a fault in Qt's C++) ended the app and left nothing behind."""
    crashed = _open_and_quit(_OPEN_AND_CRASH, shared_server, tmp_path)
    assert crashed.returncode == -signal.SIGSEGV, crashed.stderr[-2000:]
    crashes = tmp_path / "data" / "crashes"
    (log,) = crashes.glob("*.log")
    assert log.name.startswith("running-")
    written = log.read_text()
    assert "Fatal Python error: Segmentation fault" in written
    window_thread = written[written.index("Current thread 0x") :]  # and every other thread's
    assert "in crash_once_shown" in window_thread and "app.py" in window_thread

    again = _open_and_quit(_OPEN_AND_QUIT, shared_server, tmp_path)
    assert again.returncode == 0, again.stderr[-2000:]
    (kept,) = crashes.glob("*.log")  # this run's own log went with its clean exit
    assert not kept.name.startswith("running-")
    assert kept.read_text() == written
    assert f"the last run stopped on a fatal error; see {kept}" in again.stdout

    third = _open_and_quit(_OPEN_AND_QUIT, shared_server, tmp_path)
    assert third.returncode == 0 and "fatal error" not in third.stdout  # said once
    assert list(crashes.glob("*.log")) == [kept]
