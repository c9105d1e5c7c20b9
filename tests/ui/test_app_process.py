"""The process the window lives in, as `albumen.app.main` sets it up: run for real in a
process of its own, the window shown offscreen, then quit."""

from __future__ import annotations

import json
import os
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
    """`script` (which runs `albumen.app.main`) in a process of its own, offscreen, with a fresh
    data folder on `server`; the window quits once it is shown."""
    data = tmp_path / "data"
    data.mkdir()
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
