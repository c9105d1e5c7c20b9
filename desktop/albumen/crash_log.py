"""A fatal crash of the app leaves what every thread was doing, and the next start says where.

When the process dies of a fatal signal (a segmentation fault in Qt or another C library, an
abort), nothing of it survives by default: the app has no terminal, and a crash in C++ leaves no
Python traceback. Python's `faulthandler` writes the Python stack of every thread on such a
signal; the app points it at a file of its own in the data folder's `crashes/`
(`running-<pid>.log`, so that two windows open at once each have theirs, each holding a lock on
its own while it runs), removed again at a clean exit. One left behind with something in it,
unlocked (its process is gone), is a crash: the next start keeps it as `<date>T<time>.log` (the
newest `KEPT` of them) and says where, to send with a report. One left empty (the process was
killed, or the machine went down) is removed. Qt-free: the window only shows what
`open_crash_log` found.
"""

from __future__ import annotations

import atexit
import contextlib
import faulthandler
import os
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

if sys.platform != "win32":
    import fcntl

CRASHES = "crashes"
KEPT = 5
"""Crash logs kept; older ones are removed as new ones come."""
_RUNNING = re.compile(r"running-(\d+)\.log")


@dataclass(frozen=True)
class LastCrash:
    """A run of the app that ended on a fatal error: its log, and when it was written."""

    log: Path
    when: datetime


def open_crash_log(data_dir: Path) -> LastCrash | None:
    """Have this process's fatal errors written to a log of its own, after keeping the log
    of a run that ended on one since the last start (returned, the newest if several)."""
    folder = data_dir / CRASHES
    try:
        folder.mkdir(parents=True, exist_ok=True)
        crashes = [crash for log in folder.glob("running-*.log") if (crash := _left_by_crash(log))]
        _prune(folder)
        stream = (folder / f"running-{os.getpid()}.log").open("w", encoding="utf-8")
    except OSError:  # a data folder it cannot write to: the app says so itself, later
        return None
    if sys.platform != "win32":  # there an open file cannot be renamed away: that guards it
        fcntl.flock(stream, fcntl.LOCK_EX)  # held until the process ends, however it ends
    faulthandler.enable(stream, all_threads=True)
    atexit.register(_closed_cleanly, stream)
    return max(crashes, key=lambda crash: crash.when, default=None)


def _left_by_crash(log: Path) -> LastCrash | None:
    """Keep the log of a process that is gone, if it wrote anything; else remove it."""
    try:
        if _running(log):
            return None
        written = log.stat()
        if written.st_size == 0:
            log.unlink()
            return None
        when = datetime.fromtimestamp(written.st_mtime).replace(microsecond=0)
        kept = log.with_name(f"{when.isoformat().replace(':', '-')}.log")
        log.replace(kept)
    except OSError:  # another window starting at the same instant took it first
        return None
    return LastCrash(kept, when)


def _running(log: Path) -> bool:
    """Whether the process that writes `log` still runs: it holds the lock on it."""
    if sys.platform == "win32":
        return False  # a running process's log cannot be removed or renamed there
    with log.open("rb") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
    return False  # the lock went with the probe's closing


def _prune(folder: Path) -> None:
    kept = sorted(log for log in folder.glob("*.log") if not _RUNNING.fullmatch(log.name))
    for old in kept[:-KEPT]:
        old.unlink(missing_ok=True)


def _closed_cleanly(stream: IO[str]) -> None:
    faulthandler.disable()
    stream.close()
    with contextlib.suppress(OSError):
        Path(stream.name).unlink()
