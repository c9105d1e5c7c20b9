"""Which crash logs the next start keeps, reports or leaves alone (`albumen.crash_log`). Each
case runs in a process of its own: the module points the process's `faulthandler` at a file,
which must not be this test run's."""

from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

_OPEN = """
import sys
from pathlib import Path
from albumen.crash_log import open_crash_log
crash = open_crash_log(Path(sys.argv[1]))
print(crash.log.name if crash else None)
"""


def _start(data: Path) -> str:
    """What a start of the app on `data` reports of the last run (the kept log's name)."""
    done = subprocess.run(
        [sys.executable, "-c", _OPEN, str(data)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_running_windows_log_is_left_alone_and_an_empty_one_removed(tmp_path: Path) -> None:
    crashes = tmp_path / "crashes"
    crashes.mkdir()
    running = crashes / "running-1.log"
    running.write_text("Fatal Python error: not yet, this one is still open\n")
    (crashes / "running-2.log").touch()  # a run that was killed: nothing to report
    with running.open("rb") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as its window holds it while it runs
        assert _start(tmp_path) == "None"
    assert sorted(path.name for path in crashes.iterdir()) == ["running-1.log"]
    assert _start(tmp_path).endswith(".log")  # its window gone, it is a crash


def test_the_newest_five_crashes_are_kept(tmp_path: Path) -> None:
    crashes = tmp_path / "crashes"
    crashes.mkdir()
    for day in range(1, 8):
        (crashes / f"2026-11-0{day}T10-00-00.log").write_text("Fatal Python error: Aborted\n")
    assert _start(tmp_path) == "None"
    assert sorted(path.name for path in crashes.iterdir()) == [
        f"2026-11-0{day}T10-00-00.log" for day in range(3, 8)
    ]


def test_a_data_folder_it_cannot_write_to_does_not_stop_the_app(tmp_path: Path) -> None:
    (tmp_path / "crashes").write_text("a file where the folder would be")
    assert _start(tmp_path) == "None"
