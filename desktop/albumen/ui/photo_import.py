"""Files dropped or chosen, added to an album as they are checked, off the GUI thread.

The checking and recording are `albumen.core.intake.add_checked`, the same as `albumen share`
does: each good photo is in the album (its upload queued) as soon as it and the files before it
are checked, so the grid fills and the first upload starts while the rest are still being read.
The worker thread never touches widgets: it posts to the GUI thread (the task runner's inbox) a
refresh at most every `REFRESH_SECONDS`, and wakes an upload run under way directly (the sync
service's `queued`, thread-safe). Every file gets its own verdict, shown once all are in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

from albumen.core.intake import ALREADY_THERE, IntakeReport, Verdict, add_checked
from albumen.core.model import Album
from albumen.core.scan import expand
from albumen.core.wording import count
from albumen.ui.context import AppContext
from albumen.ui.photo_grid import PhotoGridModel
from albumen.ui.problems_panel import ProblemsPanel
from albumen.ui.status_bar import StatusBar
from albumen_photo.decode import load_plugins

REFRESH_SECONDS: Final = 0.25
"""How often at most the grid and the album list are refreshed while photos keep arriving."""


EXPECT_WAIT_SECONDS: Final = 5.0
"""How long checking waits for the GUI thread to show the files' cells (it is busy, or closing)."""


class _Tally:
    """What the checking thread has seen, read by the GUI thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.checked = 0
        self.added = 0
        self.problems: list[str] = []
        self.posted_at = float("-inf")
        self.unshown = 0  # verdicts already taken off the grid's cells being checked (GUI thread)


class PhotoImport:
    """Starts imports for the window; several may run at once (each its own tally)."""

    def __init__(
        self,
        context: AppContext,
        status: StatusBar,
        problems: ProblemsPanel,
        grid: PhotoGridModel,
    ) -> None:
        self.context = context
        self.status = status
        self.problems = problems
        self.grid = grid
        # Ready before the first drop, in the background: the first file checked would
        # otherwise import the image plugins with the GIL held, stalling the window that
        # has just shown the dropped files (bench/ui_responsiveness.py's worst stall).
        context.runner.run(load_plugins)

    def start(self, album: Album, paths: list[Path]) -> None:
        context, status = self.context, self.status
        tally = _Tally()
        status.show_checking(len(paths))

        def show_progress() -> None:
            with tally.lock:
                checked, added = tally.checked, tally.added
            verdicts, tally.unshown = checked - tally.unshown, checked
            status.showMessage(
                f"Adding to {album.title}: {count(checked, 'file')} checked,"
                f" {count(added, 'photo')} added…"
            )
            # Photos only (not `context.changed`: the album's links did not change), a few
            # times a second while a folder comes in: the album list and the heading at once,
            # the grid's rows read in the background, its cells being checked replaced by
            # the photos they became.
            context.events.albums_changed.emit()
            grid = self.grid
            if grid.album_id == album.id:
                grid.refresh_in_background(then=lambda: grid.files_checked(album.id, verdicts))
            context.sync.request_sync()

        def on_verdict(verdict: Verdict) -> None:  # on the checking thread
            post: Callable[[], None] | None = None
            with tally.lock:
                tally.checked += 1
                if verdict.photo is not None:
                    tally.added += 1
                    now = time.monotonic()
                    if now - tally.posted_at >= REFRESH_SECONDS:
                        tally.posted_at = now
                        post = show_progress
                else:
                    tally.problems.append(problem_line(verdict))
            if verdict.photo is not None:
                context.sync.service.queued()
            if post is not None:
                context.runner.inbox.post(post)

        def done(report: IntakeReport | None, error: BaseException | None) -> None:
            status.checking_done()
            self.grid.files_checked(album.id, self.grid.incoming_count())
            with tally.lock:
                lines = list(tally.problems)
            if error is not None or report is None:
                # The files checked before the failure are in the album; the rest are named.
                lines.append(f"the files could not all be checked: {error}")
            self.problems.show_problems(lines)
            added = len(report.added) if report is not None else tally.added
            status.showMessage(f"{count(added, 'photo')} added to {album.title}", 5000)
            context.changed(album.id)

        def work() -> IntakeReport:
            # Listed first (quick), shown as cells being checked, then checked in that order.
            files = list(expand(paths))
            names = [path.name for path in files]

            shown = threading.Event()

            def expect() -> None:
                self.grid.expect_files(album.id, names)
                context.events.photos_changed.emit(album.id)  # the heading, the empty state
                shown.set()

            context.runner.inbox.post(expect)
            # Recording waits for the cells (one tick of the GUI thread, 15 ms): a refresh that
            # found photos recorded before them would show those photos twice for a moment.
            shown.wait(EXPECT_WAIT_SECONDS)
            return add_checked(
                context.store,
                album.id,
                files,
                on_verdict=on_verdict,
                submit=context.runner.checks.submit,
            )

        context.runner.run(work, done)


def problem_line(verdict: Verdict) -> str:
    """How a file that was not added is named in the problems panel."""
    return f"{verdict.path.name}: {verdict.problem or ALREADY_THERE}"
