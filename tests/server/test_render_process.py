"""The background renderer's child process: the same pictures as in-process, at a lower priority,
and a child that dies is replaced instead of stopping background rendering for good."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from albumen_server.derivatives import THUMB, DerivativeError, render
from albumen_server.render_process import NICENESS, RenderProcess
from tests.support import photo_jpeg, wait_until


@pytest.fixture
def renderer() -> Iterator[RenderProcess]:
    process = RenderProcess()
    yield process
    process.close()


def _child_pids(renderer: RenderProcess) -> list[int]:
    pool = renderer._pool
    assert pool is not None, "no child process was started"
    return list(pool._processes)  # the executor's own table of its workers


def test_the_child_renders_what_the_server_would_at_a_lower_priority(
    renderer: RenderProcess, tmp_path: Path
) -> None:
    source = tmp_path / "photo.jpg"
    source.write_bytes(photo_jpeg((1200, 800)))
    made = renderer.render(source, THUMB)
    assert made == render(source, THUMB)
    (child,) = _child_pids(renderer)
    assert child != os.getpid()
    assert os.getpriority(os.PRIO_PROCESS, child) == os.getpriority(os.PRIO_PROCESS, 0) + NICENESS


def test_a_file_that_is_no_picture_answers_the_same_error(
    renderer: RenderProcess, tmp_path: Path
) -> None:
    source = tmp_path / "notes.jpg"
    source.write_bytes(b"not a photo at all")
    with pytest.raises(DerivativeError) as raised:
        renderer.render(source, THUMB)
    assert raised.value.code == "not_an_image"
    assert "notes.jpg" in str(raised.value)


def test_a_killed_child_is_replaced(renderer: RenderProcess, tmp_path: Path) -> None:
    source = tmp_path / "photo.jpg"
    source.write_bytes(photo_jpeg((640, 480)))
    renderer.render(source, THUMB)
    (first,) = _child_pids(renderer)
    os.kill(first, signal.SIGKILL)
    # The picture asked for while the child is dead is still made (in this process, once) ...
    assert renderer.render(source, THUMB) == render(source, THUMB)
    # ... and the next one has a new child.
    assert renderer.render(source, THUMB) == render(source, THUMB)
    (second,) = _child_pids(renderer)
    assert second != first


def test_the_child_ends_when_the_server_is_killed(tmp_path: Path) -> None:
    """A server killed outright cannot stop its pool; its child must not wait for work for
    ever (each kill -9 of a server in the test suite left one behind)."""
    source = tmp_path / "photo.jpg"
    source.write_bytes(photo_jpeg((320, 240)))
    script = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from albumen_server.derivatives import THUMB\n"
        "from albumen_server.render_process import RenderProcess\n"
        "renderer = RenderProcess()\n"
        f"renderer.render(Path({str(source)!r}), THUMB)\n"
        "print(list(renderer._pool._processes)[0], flush=True)\n"
        "sys.stdin.read()\n"
    )
    server = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        child = int(server.stdout.readline())
        assert _alive(child)
        server.kill()
        server.wait(10)
        wait_until(lambda: not _alive(child), 15, "the render child to end after its server")
    finally:
        server.kill()


def _alive(pid: int) -> bool:
    """Whether the process runs (a zombie, dead but not yet reaped by init, does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_servers_main_module_leaves_the_database_layer_to_its_commands() -> None:
    """A `spawn` child imports the parent's main module again before it renders anything: the
    server runs as `python -m albumen_server.cli` or as the `albumen-server` script, which
    imports that module. Importing SQLAlchemy and Alembic there cost every rendering child 0.5 s
    of CPU, taken while the photos that wake it are still arriving, and their memory."""
    heavy = "('sqlalchemy', 'alembic', 'fastapi', 'uvicorn')"
    code = f"import sys, albumen_server.cli\nprint([m for m in {heavy} if m in sys.modules])"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout
