"""The app's checking processes (albumen.check_processes) with the intake of albumen.core: the
checks run in other processes at background priority, and a file whose check crashes its
worker is named while the others of the batch are added."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from albumen.check_processes import CheckProcesses
from albumen.core.intake import CHECK_STOPPED, add_checked
from albumen.core.model import Photo
from albumen.core.scan import NewPhoto, ScanProblem, check_file
from albumen.core.store import Store
from albumen.priority import BACKGROUND_NICE
from tests.support import photo_jpeg

CRASHING_NAME = "crashes-the-decoder.jpg"


def _where() -> tuple[int, int]:
    """In a worker: its process id and its CPU priority."""
    return os.getpid(), os.getpriority(os.PRIO_PROCESS, 0)


def _check_or_crash(path: Path) -> NewPhoto | ScanProblem:
    """`check_file`, except on one file, where the worker dies as a crashing decoder would:
    at once, with no exception to hand back."""
    if path.name == CRASHING_NAME:
        os._exit(70)
    return check_file(path)


def _workers_of(pid: int) -> list[int]:
    """The processes `multiprocessing` started to run work for process `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; nice per thread")
def test_checks_run_in_worker_processes_started_ahead_at_background_priority() -> None:
    # Workers of pools that earlier tests of this process shut down may still be leaving.
    earlier = set(_workers_of(os.getpid()))
    checks = CheckProcesses(workers=2)
    try:
        checks.warm()
        deadline = time.monotonic() + 30
        while len(set(_workers_of(os.getpid())) - earlier) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        started = set(_workers_of(os.getpid())) - earlier
        assert len(started) == 2, "warm() did not start both workers"
        pid, nice = checks.submit(_where).result(timeout=30)
        assert pid in started
        assert nice == BACKGROUND_NICE
    finally:
        checks.shutdown()


def test_a_file_whose_check_kills_its_worker_is_named_and_the_others_are_added(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    names = ["a.jpg", "b.jpg", CRASHING_NAME, "c.jpg", "d.jpg"]
    for seed, name in enumerate(names):
        (folder / name).write_bytes(photo_jpeg((64, 48), seed=seed))
    store = Store(tmp_path / "s.sqlite3")
    checks = CheckProcesses(workers=2)
    try:
        album = store.create_album("Batch")
        report = add_checked(
            store,
            album.id,
            [folder / name for name in names],
            submit=lambda _check, path: checks.submit(_check_or_crash, path),
        )
        added: list[Photo] = report.added
        assert [photo.filename for photo in added] == ["a.jpg", "b.jpg", "c.jpg", "d.jpg"]
        assert [(p.path.name, p.reason) for p in report.problems] == [
            (CRASHING_NAME, CHECK_STOPPED)
        ]
        assert checks.submit(_where).result(timeout=30)[0] != os.getpid(), "no worker after"
    finally:
        checks.shutdown()
        store.close()


def test_no_worker_is_started_again_once_the_app_has_shut_them_down() -> None:
    """An import still running as the app quits gets an error, not a new pool of processes
    that would outlive the window."""
    checks = CheckProcesses(workers=1)
    assert checks.submit(_where).result(timeout=30)[0] != os.getpid()
    checks.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        checks.submit(_where)
