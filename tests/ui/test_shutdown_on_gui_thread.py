"""A shut-down bridge to the sync leaves no Qt timer behind for another thread to orphan.

The crash this guards against (albumen.ui.tasks): the sync bridge and its service held each
other, so only a garbage collection freed them, on whichever thread started one; a QObject freed
off the GUI thread with a timer running leaves that timer registered, and the GUI thread's next
tick called into freed memory. It took the UI tests down about once in ten full runs, in
`QTimerInfoList::activateTimers`. Here it is made to happen on purpose, in a child process (a
crash must fail this test, not end the test run): the app quits while a sync is still going, the
bridge is let go, a worker thread collects the garbage, and the GUI thread's event loop runs on.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT

QUIT_DURING_A_SYNC = """
import gc, sys, threading, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
from tests.ui.conftest import build_context

app = QApplication([])
context = build_context(Path(sys.argv[1]), "http://127.0.0.1:9", "token")  # nobody listens
context.sync.request_sync()  # a sync thread starts: the bridge's inbox timer runs meanwhile
context.sync.shutdown(timeout=0)  # the app quits without waiting for it
for thread in threading.enumerate():
    if thread.name == "albumen-sync":
        thread.join(30)
context.runner.shutdown()
context.runner.wait()
context.store.close()
del context
gc.disable()  # no collection but the worker's below
worker = threading.Thread(target=gc.collect)
worker.start()
worker.join()
deadline = time.monotonic() + 0.5
while time.monotonic() < deadline:
    app.processEvents()
print("survived")
"""


def test_a_bridge_let_go_during_a_sync_leaves_no_timer_to_another_thread(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", QUIT_DURING_A_SYNC, str(tmp_path / "client")],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"exit {result.returncode}: {result.stderr[-2000:]}"
    assert "survived" in result.stdout
    assert "Timers cannot be stopped from another thread" not in result.stderr
