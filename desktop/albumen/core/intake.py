"""Adding files to an album while they are checked, so their upload starts with the first one.

Each file is checked by `scan.check_file` (is it a whole photo of a format Albumen shares, its
SHA-256) on as many threads as there are cores (Pillow and hashlib let go of the GIL while they
work), or in the app's worker processes (`albumen.check_processes`). Verdicts are taken in
the order the files were named, and a good photo is recorded in the album (its upload queued,
in the same transaction) as soon as it and every file before it are checked; the album keeps
the files' order, whichever check ends first. With `Arrivals`, the drain that sends the queue
hears of each photo at once (see `SyncService.sending`), so checking and uploading overlap. A
file that is not a whole photo is never recorded, so it can never reach the server; each file
gets its own verdict, given to `on_verdict` as it comes.

Photos checked at the same moment are recorded together: one transaction (one flush to disk)
for all of them, not one each.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import BrokenExecutor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from albumen.core.arrivals import Arrivals
from albumen.core.model import Photo
from albumen.core.scan import ScanProblem, check_file, expand
from albumen.core.sections import grouped_order
from albumen.core.store import NewPhoto, Store

ALREADY_THERE = "already in the album"


def already_there(path: Path, twin: str | None) -> str:
    """Why a file is not added again: its bytes are in the album already, under the name
    `twin` (said when it is another name: the same export saved twice, a copy renamed)."""
    if twin and twin != path.name:
        return f"the same photo as {twin}, {ALREADY_THERE}"
    return ALREADY_THERE


@dataclass(frozen=True)
class Verdict:
    """One file's fate: recorded as `photo`, or not, and why (`problem`)."""

    path: Path
    photo: Photo | None = None
    problem: str | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.problem or 'added'}"


@dataclass
class IntakeReport:
    added: list[Photo] = field(default_factory=list)
    problems: list[ScanProblem] = field(default_factory=list)
    duplicates: list[Path] = field(default_factory=list)  # already in the album (same bytes)


def check_workers() -> int:
    """Threads for checking: one per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def check_workers_beside_sending() -> int:
    """Threads for checking while this process also sends what they pass (`albumen share`):
    one core is left to the sending, and to a server on this computer. Checking only has to
    stay ahead of the sending (one thread checks some 600 MB/s of camera JPEGs here, SHA-256
    and all); on every core it took the CPU from the uploads in a share's first second: on a
    1 Gbit/s wire, 2 cores, three alternated pairs, the share ended 8.90-9.05 s in with one
    thread and 9.08-9.31 s with two, its first upload going at 0.27-0.35 s against 0.34-0.44;
    on loopback, 4.9-5.0 s against 4.8-5.2."""
    return max(1, check_workers() - 1)


Check = Callable[[Path], NewPhoto | ScanProblem]
Submit = Callable[[Check, Path], Future[NewPhoto | ScanProblem]]  # how a check is run

CHECK_STOPPED = "its check stopped (a crash in a decoder: the file may be damaged)"


def checked(
    paths: Iterable[Path], workers: int | None = None, submit: Submit | None = None
) -> Iterator[list[tuple[Path, NewPhoto | ScanProblem]]]:
    """Every file under `paths` with its check's result, in order, in runs: each run is what
    is checked, in order, by the time the one before it was handed over (at least one).

    Checks run on `workers` threads, or through `submit` (the app's worker processes,
    `albumen.check_processes`). A check whose worker died (`BrokenExecutor`: a crash takes the
    whole pool's pending checks with it) is made again once; the file it stops on twice is
    named with `CHECK_STOPPED`."""
    workers = workers or check_workers()
    ahead = 4 * workers  # checks under way or done, not handed over yet: bounded
    window: deque[tuple[Path, Future[NewPhoto | ScanProblem]]] = deque()
    again: set[Path] = set()
    with contextlib.ExitStack() as stack:
        if submit is None:
            threads = ThreadPoolExecutor(workers, thread_name_prefix="albumen-check")
            submit = stack.enter_context(threads).submit
        try:
            files = iter(expand(paths))
            more = True
            while more or window:
                while more and len(window) < ahead:
                    path = next(files, None)
                    if path is None:
                        more = False
                    else:
                        window.append((path, submit(check_file, path)))
                if not window:
                    break
                run: list[tuple[Path, NewPhoto | ScanProblem]] = []
                while window and (not run or window[0][1].done()):
                    path, future = window[0]
                    try:
                        result = future.result()
                    except BrokenExecutor:
                        if path not in again:
                            again.add(path)
                            window[0] = (path, submit(check_file, path))
                            continue
                        result = ScanProblem(path, CHECK_STOPPED)
                    window.popleft()
                    run.append((path, result))
                yield run
        finally:
            for _path, future in window:
                future.cancel()  # left early: checks not started yet are not made


def add_checked(
    store: Store,
    album_id: str,
    paths: Iterable[Path],
    *,
    arrivals: Arrivals | None = None,
    on_verdict: Callable[[Verdict], None] | None = None,
    workers: int | None = None,
    submit: Submit | None = None,
) -> IntakeReport:
    """Check the files and record the good ones in the album as they are checked (see the
    module's docstring); says `arrivals.arrived()` after each recording. A photo whose bytes
    the album already holds (also one named twice) is not added again."""
    report = IntakeReport()
    for run in checked(paths, workers, submit):
        photos = [result for _path, result in run if isinstance(result, NewPhoto)]
        added = store.add_photos(album_id, photos) if photos else None
        if added is not None and added.added and store.album(album_id).sections_used:
            # In no section yet: placed with the photos in none, where viewers will see them.
            store.order_photos(album_id, grouped_order(store.photos(album_id)))
        if added is not None and added.added and arrivals is not None:
            arrivals.arrived()
        recorded = {photo.path: photo for photo in added.added} if added else {}
        for path, result in run:
            if isinstance(result, ScanProblem):
                report.problems.append(result)
                verdict = Verdict(path, problem=result.reason)
            elif result.path in recorded:
                report.added.append(recorded.pop(result.path))
                verdict = Verdict(path, photo=report.added[-1])
            else:
                report.duplicates.append(path)
                twin = added.same_as.get(result.path) if added else None
                verdict = Verdict(path, problem=already_there(path, twin))
            if on_verdict is not None:
                on_verdict(verdict)
    return report
