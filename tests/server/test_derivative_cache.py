"""The cache of viewer pictures, in the server's own process: how many it renders at once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from albumen_photo.policy import KeepPolicy
from albumen_server import derivative_cache
from albumen_server.config import ServerConfig
from albumen_server.deployment import build_context
from albumen_server.derivatives import Rendition


def test_viewers_requests_render_one_picture_per_core_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight viewers asking at once for eight pictures not made yet (a lightbox's large ones:
    each a whole 24 MP decode) render them two at a time on two cores, not eight: more would
    only hold more memory."""
    context = build_context(ServerConfig(data_dir=tmp_path))
    monkeypatch.setattr(derivative_cache, "_rendering", threading.BoundedSemaphore(2))
    lock = threading.Lock()
    running: list[int] = []
    most = 0

    def slow_render(_source: Path, _rendition: Rendition) -> bytes:
        nonlocal most
        with lock:
            running.append(1)
            most = max(most, len(running))
        time.sleep(0.2)
        with lock:
            running.pop()
        return b"pixels"  # the source has no EXIF to add: served as made

    monkeypatch.setattr(derivative_cache, "render", slow_render)
    blobs = [f"{index:064x}" for index in range(8)]

    def view(sha256: str) -> bytes:
        return derivative_cache.derivative(context, sha256, "large", KeepPolicy())

    with ThreadPoolExecutor(8) as pool:
        served = list(pool.map(view, blobs))

    assert served == [b"pixels"] * 8
    assert most == 2
    context.db.engine.dispose()
