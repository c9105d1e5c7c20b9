"""Several server processes started at once on one fresh database all come up.

Before migrations took a lock, two processes on a fresh PostgreSQL database crashed in 5 of 6
tries (`DuplicateTable: relation "owners"`, `UniqueViolation … alembic_version`).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from tests.postgres import PostgresCluster
from tests.support import free_port

pytestmark = pytest.mark.slow


def _start_together(data: Path, database: str | None, count: int) -> list[str]:
    """Start `count` servers at the same moment; return the URLs of those that answer."""
    extra = ["--log-level", "warning", *(["--database", database] if database else [])]
    ports = [free_port() for _ in range(count)]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "albumen_server.cli",
                "--data",
                str(data),
                "--port",
                str(port),
                *extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for port in ports
    ]
    healthy: list[str] = []
    try:
        for port, process in zip(ports, processes, strict=True):
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and process.poll() is None:
                with contextlib.suppress(requests.ConnectionError):
                    if requests.get(url + "/api/health", timeout=2).ok:
                        healthy.append(url)
                        break
                time.sleep(0.05)  # waiting for a child process to listen: no signal to wait on
            if process.poll() is not None:
                error = process.stderr.read().decode() if process.stderr else ""
                pytest.fail(f"a server started with the others exited:\n{error[-2000:]}")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(10)
    return healthy


@pytest.mark.parametrize("trial", range(3))
def test_processes_started_at_once_on_fresh_postgresql_all_come_up(
    postgres: PostgresCluster, tmp_path: Path, trial: int
) -> None:
    url = postgres.create_database()
    assert len(_start_together(tmp_path, url, 3)) == 3
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        versions = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
    engine.dispose()
    assert len(versions) == 1


def _migrate_at_the_barrier(url: str, barrier: Any) -> None:
    """In a child process: everything imported, wait for the others, then migrate at once."""
    from albumen_server.database import make_engine, migrate

    engine = make_engine(url)
    barrier.wait()
    migrate(engine)
    engine.dispose()


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_migrations_run_at_the_same_instant_by_several_processes(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The tight version of the race: six processes released together into `migrate`."""
    if kind == "postgresql":
        url = request.getfixturevalue("postgres").create_database()
    else:
        url = f"sqlite:///{tmp_path / 'albumen.sqlite3'}"
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(6)
    children = [
        context.Process(target=_migrate_at_the_barrier, args=(url, barrier)) for _ in range(6)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(60)
    assert [child.exitcode for child in children] == [0] * 6


def test_processes_started_at_once_on_fresh_sqlite_all_come_up(tmp_path: Path) -> None:
    assert len(_start_together(tmp_path, None, 3)) == 3
