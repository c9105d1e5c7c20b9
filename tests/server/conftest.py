"""The server's tests run twice: on SQLite (the default deployment) and on PostgreSQL.

These fixtures override the session-wide ones of tests/conftest.py for this folder only, so
every route, the migrations and the rate limit are exercised on both databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres import PostgresCluster
from tests.support import ServerProcess, start_server

DATABASES = ["sqlite", "postgresql"]


def _database_args(kind: str, request: pytest.FixtureRequest) -> tuple[str, ...]:
    if kind == "sqlite":
        return ()
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    return ("--database", cluster.create_database())


@pytest.fixture(scope="session", params=DATABASES)
def shared_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    server = start_server(
        tmp_path_factory.mktemp(f"server-{request.param}"), *_database_args(request.param, request)
    )
    yield server
    server.stop()


@pytest.fixture(params=DATABASES)
def fresh_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    data = tmp_path / "server-data"
    data.mkdir()
    server = start_server(data, *_database_args(request.param, request))
    yield server
    server.stop()
