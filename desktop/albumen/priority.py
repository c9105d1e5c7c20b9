"""Background work yields the CPU to what the owner is looking at.

On a laptop's two or four cores the app checks, hashes and sends photos while the owner scrolls
and looks at them, and the embedded server receives what the app sends on the same cores. The
kernel shares a busy CPU out by priority, so the work the owner is not waiting on runs at
`BACKGROUND_NICE`: the GUI thread, the lane of the photo in view and anything else at the
normal priority get a core as soon as they wake (`bench/ui_responsiveness.py`, 200 photos of
24 MP added and sent on 2 cores: with the server at normal priority beside the app, the event
loop ran up to 108–122 ms late; with it in the background, 35–37 ms). When nothing else wants
the CPU, background work runs at full speed.

Qt-free and outside `albumen.core`: the core leaves the choice of what runs in the background
to the app that starts it (the command line runs everything at the owner's own priority).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from typing import Any

BACKGROUND_NICE = 10  # a tenth of a normal thread's share of a contended core


def lower_thread_priority() -> None:
    """Make the calling thread, and the threads it starts from now on, background work.

    Linux gives each thread a nice value of its own, which the threads it starts inherit, so
    the sync and import threads and every pool under them run at `BACKGROUND_NICE`. Elsewhere
    this is a no-op: macOS and Windows have no per-thread nice value, and their schedulers
    already favour the window in front.
    """
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError):  # a sandbox that forbids it: run as before
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)


def background_process_options() -> dict[str, Any]:
    """Keyword arguments for `subprocess.Popen` of a background process (see `lower_process`):
    on Windows its priority class, given at creation."""
    if sys.platform == "win32":
        return {"creationflags": subprocess.BELOW_NORMAL_PRIORITY_CLASS}
    return {}


def lower_process(pid: int) -> None:
    """Make a process just started background work, with every thread it will start.

    Called as soon as `Popen` returns: the new interpreter is still starting up then, with no
    thread but its first, and each thread it starts later inherits the priority. (Popen's
    `preexec_fn` could do it before the program starts, but is unsafe in a process that runs
    threads, as the app does.)"""
    if hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):  # gone already, or a sandbox forbids it
            os.setpriority(os.PRIO_PROCESS, pid, BACKGROUND_NICE)
