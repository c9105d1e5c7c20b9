"""Checking and sending at once (core.intake with SyncService.sending) against a real server:
every file gets its verdict, bad ones never reach the server, the first photo leaves before the
last file is checked, and a pause cuts an upload short without losing it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from albumen.core.backend import Backend
from albumen.core.credentials import Credentials
from albumen.core.intake import Verdict, add_checked
from albumen.core.model import PhotoState
from albumen.core.store import Store
from albumen.core.sync import SyncEvent, SyncService
from albumen.core.throttle import Throttle
from tests.core.test_credentials import MemoryKeyring
from tests.support import ServerProcess, photo_jpeg, sha256


def _service(
    store: Store,
    server: ServerProcess,
    events: list[SyncEvent] | None = None,
    throttle: Throttle | None = None,
) -> SyncService:
    return SyncService(
        store,
        lambda: Backend(server.url, server.token, read_timeout=20, throttle=throttle),
        Credentials(MemoryKeyring()),
        concurrency=2,
        listener=events.append if events is not None else None,
        retries=1,
        backoff=0.01,
    )


def _remote_hashes(server: ServerProcess, album_id: str) -> list[str]:
    photos = server.api("GET", f"/api/albums/{album_id}/photos").json()["photos"]
    return sorted(photo["sha256"] for photo in photos)


def test_a_bad_file_in_the_middle_is_named_and_never_sent_while_the_good_ones_are(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    folder = tmp_path / "shoot"
    folder.mkdir()
    good: dict[str, str] = {}
    for index in (0, 1, 2, 4, 5):
        data = photo_jpeg((640, 480), seed=9100 + index)
        (folder / f"P{index}.jpg").write_bytes(data)
        good[f"P{index}.jpg"] = sha256(data)
    whole = photo_jpeg((640, 480), seed=9103)
    cut = whole[: len(whole) // 2]  # a copy that stopped half-way
    (folder / "P3.jpg").write_bytes(cut)
    (folder / "P6.txt").write_text("not a photo")
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Half a photo")
    verdicts: list[Verdict] = []
    service = _service(store, shared_server)
    with service.sending() as sending:
        report = add_checked(
            store, album.id, [folder], arrivals=sending.arrivals, on_verdict=verdicts.append
        )
    result = sending.report
    assert result is not None
    names = ["P0.jpg", "P1.jpg", "P2.jpg", "P3.jpg", "P4.jpg", "P5.jpg", "P6.txt"]
    assert [v.path.name for v in verdicts] == names  # every file its own verdict, in order
    problems = {v.path.name: v.problem for v in verdicts if v.problem}
    assert set(problems) == {"P3.jpg", "P6.txt"}
    assert "truncated" in (problems["P3.jpg"] or "")
    assert "not a photo format" in (problems["P6.txt"] or "")
    assert [p.path.name for p in report.problems] == ["P3.jpg", "P6.txt"]
    assert (result.uploaded, result.failed, result.offline, result.remaining) == (5, [], None, 0)
    assert _remote_hashes(shared_server, album.id) == sorted(good.values())
    asked = shared_server.api("POST", "/api/photos/check", json={"sha256": [sha256(cut)]})
    assert asked.json()["present"] == [], "the truncated file's bytes never reached the server"
    assert [p.filename for p in store.photos(album.id)] == [
        "P0.jpg",
        "P1.jpg",
        "P2.jpg",
        "P4.jpg",
        "P5.jpg",
    ], "the album keeps the files' order"


def test_the_first_photo_is_sent_before_the_last_file_is_checked(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for index in range(12):
        (folder / f"Q{index:02d}.jpg").write_bytes(photo_jpeg((320, 240), seed=9200 + index))
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Early")
    order: list[str] = []
    lock = threading.Lock()
    first_sent = threading.Event()

    def heard(event: SyncEvent) -> None:
        if event.kind == "uploaded":
            with lock:
                order.append(f"uploaded {event.message}")
            if event.message == "Q00.jpg":
                first_sent.set()

    def checked(verdict: Verdict) -> None:
        with lock:
            order.append(f"checked {verdict.path.name}")
        if verdict.path.name == "Q00.jpg":
            # Checking holds here (one check thread, four files ahead at most) until the
            # first photo is on the server: only a drain running beside it can get it there.
            assert first_sent.wait(60), "nothing was sent while the files were being checked"

    service = _service(store, shared_server)
    service.listener = heard
    with service.sending() as sending:
        add_checked(
            store, album.id, [folder], arrivals=sending.arrivals, on_verdict=checked, workers=1
        )
    assert sending.report is not None and sending.report.uploaded == 12
    assert order.index("uploaded Q00.jpg") < order.index("checked Q11.jpg")
    assert len(_remote_hashes(shared_server, album.id)) == 12


def test_a_pause_cuts_an_upload_short_and_the_next_sync_finishes_it(
    fresh_server: ServerProcess, tmp_path: Path
) -> None:
    path = tmp_path / "big.jpg"
    path.write_bytes(photo_jpeg((2400, 1600), seed=9300))  # about 1 MB
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Paused")
    with _service(store, fresh_server).sending() as sending:
        add_checked(store, album.id, [], arrivals=sending.arrivals)  # the album reaches the server
    events: list[SyncEvent] = []
    started = threading.Event()
    slow = _service(store, fresh_server, throttle=Throttle(100_000))  # about 10 s for the photo

    def heard(event: SyncEvent) -> None:
        events.append(event)
        if event.kind == "progress" and event.sent > 0:
            started.set()

    slow.listener = heard
    with slow.sending() as sending:
        add_checked(store, album.id, [path], arrivals=sending.arrivals)
        assert started.wait(60), "the upload never started"
        slow.stop()  # mid-way through its one PATCH
    assert sending.report is not None and sending.report.offline == "paused"
    (photo,) = store.photos(album.id)
    assert photo.state is PhotoState.QUEUED and photo.upload_url
    assert _remote_hashes(fresh_server, album.id) == []
    assert max(e.sent for e in events if e.kind == "progress") < photo.size
    resumed = _service(store, fresh_server).sync_once()
    assert (resumed.uploaded, resumed.remaining) == (1, 0)
    assert _remote_hashes(fresh_server, album.id) == [sha256(path.read_bytes())]


def test_uploads_wait_for_an_album_queued_among_them(
    fresh_server: ServerProcess, tmp_path: Path
) -> None:
    """A new album queued while uploads run is made on the server before its photos go (they
    would be refused otherwise), while the first album's order, queued again by every upload,
    does not hold them up: every photo lands, in its album."""
    store = Store(tmp_path / "s.sqlite3")
    first = store.create_album("First")
    files = {}
    for name in ("A0", "A1", "A2", "B0", "B1"):
        files[name] = tmp_path / f"{name}.jpg"
        files[name].write_bytes(photo_jpeg((320, 240), seed=9400 + len(files)))
    landed = threading.Event()
    service = _service(store, fresh_server)
    service.listener = lambda event: landed.set() if event.kind == "uploaded" else None
    with service.sending() as sending:
        add_checked(store, first.id, [files["A0"], files["A1"]], arrivals=sending.arrivals)
        assert landed.wait(60), "the first album's photos did not start"
        second = store.create_album("Second")  # queued after uploads that are under way
        add_checked(store, second.id, [files["B0"], files["B1"]], arrivals=sending.arrivals)
        add_checked(store, first.id, [files["A2"]], arrivals=sending.arrivals)
    report = sending.report
    assert report is not None
    assert (report.uploaded, report.failed, report.remaining) == (5, [], 0)

    def names(album_id: str) -> list[str]:
        photos = fresh_server.api("GET", f"/api/albums/{album_id}/photos").json()["photos"]
        return sorted(photo["filename"] for photo in photos)

    assert names(first.id) == ["A0.jpg", "A1.jpg", "A2.jpg"]
    assert names(second.id) == ["B0.jpg", "B1.jpg"]


class _CountingQuestions(Backend):
    """The real backend, noting each question of which bytes the server has."""

    asked: list[int]

    def present(self, hashes: list[str]) -> set[str]:
        self.asked.append(len(hashes))
        return super().present(hashes)


def test_photos_checked_while_every_upload_is_busy_are_asked_about_together(
    shared_server: ServerProcess, tmp_path: Path
) -> None:
    """The server is asked which bytes it holds when an upload could start or too few photos
    are ready to go next, not once per photo as each is checked: 24 photos checked one
    by one while two slow uploads run cost a few questions, each about several photos
    (before: one per batch of checks, 12)."""
    folder = tmp_path / "arriving"
    folder.mkdir()
    for index in range(24):
        (folder / f"R{index:02d}.jpg").write_bytes(photo_jpeg((320, 240), seed=9300 + index))
    total = sum(path.stat().st_size for path in folder.iterdir())
    store = Store(tmp_path / "s.sqlite3")
    album = store.create_album("Gathered")
    asked: list[int] = []

    def backend() -> Backend:
        counting = _CountingQuestions(
            shared_server.url, shared_server.token, read_timeout=20, throttle=throttle
        )
        counting.asked = asked
        return counting

    throttle = Throttle(total / 3)  # every upload together takes about three seconds
    service = SyncService(
        store, backend, Credentials(MemoryKeyring()), concurrency=2, retries=1, backoff=0.01
    )

    def checked(_verdict: Verdict) -> None:
        time.sleep(0.01)  # one by one, each arrival apart from the next

    with service.sending() as sending:
        add_checked(
            store, album.id, [folder], arrivals=sending.arrivals, on_verdict=checked, workers=1
        )
    assert sending.report is not None and sending.report.uploaded == 24
    assert sum(asked) == 24, asked  # every photo asked about once
    assert len(asked) <= 6, asked
