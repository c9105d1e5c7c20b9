"""An upload's part file is written out to disk as its bytes arrive (albumen_server.writeback),
and doing so changes none of what is kept."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

from albumen_server import writeback
from albumen_server.upload_locks import RunningHash
from albumen_server.upload_parts import FolderParts, Hashes


def test_a_part_file_is_handed_to_the_disk_piece_by_piece_and_kept_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = writeback._sync_file_range
    assert real is not None or not sys.platform.startswith("linux")
    asked: list[tuple[int, int, int]] = []

    def recording(fd: int, offset: int, length: int, flags: int) -> int:
        asked.append((offset, length, flags))
        return real(fd, offset, length, flags) if real is not None else 0

    monkeypatch.setattr(writeback, "_sync_file_range", recording)
    parts = FolderParts(tmp_path / "uploads")
    parts.start("u1", 3 << 20)
    first = os.urandom(1 << 20)
    rest = [os.urandom(1 << 20), os.urandom(1 << 20)]
    running = RunningHash(0, hashlib.sha256())

    writer = parts.writer("u1", 0, 3 << 20, Hashes(running, None))
    writer.write([first])
    writer.keep()
    writer = parts.writer("u1", 1 << 20, 3 << 20, Hashes(running, None))
    writer.write(rest)
    writer.keep()

    whole = first + b"".join(rest)
    assert parts.offset("u1") == len(whole)
    assert parts.path("u1").read_bytes() == whole
    assert running.offset == len(whole)
    assert running.sha256.hexdigest() == hashlib.sha256(whole).hexdigest()
    # Each write's own range, to be started and not waited for; and the kernel took every
    # request (a refused one, from wrong argument types say, switches it off for good).
    mib = 1 << 20
    assert asked == [(0, mib, 2), (mib, 2 * mib, 2)]
    assert writeback._sync_file_range is recording
