"""Fixtures shared by every test folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres import PostgresCluster
from tests.s3 import S3Server
from tests.support import CORPUS, ServerProcess, start_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL cluster for the session; each server gets its own database."""
    cluster = PostgresCluster.start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Server]:
    """One S3-compatible server (moto) on loopback for the session; tests make their buckets."""
    server = S3Server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real server for the tests that only add their own albums and links."""
    server = start_server(tmp_path_factory.mktemp("server"))
    yield server
    server.stop()


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real server of the test's own, for tests that look at its data folder."""
    server = start_server(tmp_path / "server-data")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private, writable copy of the corpus: no test can touch the shared originals, and
    tests may hash these copies before and after."""
    assert CORPUS.is_dir(), f"the camera corpus belongs in the repository, at {CORPUS}"
    copy = tmp_path_factory.mktemp("corpus") / CORPUS.name
    shutil.copytree(CORPUS, copy)
    for file in copy.iterdir():
        file.chmod(0o644)
    return copy
