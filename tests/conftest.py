"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres import PostgresCluster
from tests.s3 import S3Server
from tests.support import CORPUS, ServerProcess, start_server

if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    # A suite started in the background by a shell without job control (`cmd &` in a script)
    # inherits Ctrl-C ignored, and so would every `albumen` it starts: the tests that interrupt
    # a share would see it run to its end. Python's own handler is reset to the default in
    # the children it starts, so they take SIGINT as a terminal's Ctrl-C again.
    signal.signal(signal.SIGINT, signal.default_int_handler)


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


# -- slow files first ----------------------------------------------------------------------------


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files with a slow test run first, each file's tests in their own order. The test command
    hands out whole files to its processes in collection order (dev.py: `--dist loadfile
    --no-loadscope-reorder`); xdist's own order, most tests first, left the long files of few
    tests (the bundle, the OpenAPI fuzzing, kill -9) for the end, with one process running them
    while the other had nothing left to do."""
    slow_files = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_files)  # stable: files stay whole


# -- no skips in CI ------------------------------------------------------------------------------


class NoSkips:
    """A skipped test proves nothing, and in CI everything a test needs is installed (.ci/run):
    a skip there means a check silently stopped running. So with CI set (CI services set it) or
    ALBUMEN_NO_SKIPS=1, any skip fails the run, and the skips are listed with their reasons."""

    def __init__(self) -> None:
        self.skips: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped and not hasattr(report, "wasxfail"):
            longrepr = report.longrepr
            reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
            self.skips.append(f"{report.nodeid} ({report.when}): {reason}")

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.skips and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.skips:
            terminalreporter.section("skipped tests fail this run (CI or ALBUMEN_NO_SKIPS=1)")
            for line in self.skips:
                terminalreporter.write_line(line)


def pytest_configure(config: pytest.Config) -> None:
    in_ci = os.environ.get("CI", "").lower() not in ("", "0", "false")
    if in_ci or os.environ.get("ALBUMEN_NO_SKIPS") == "1":
        config.pluginmanager.register(NoSkips(), "albumen-no-skips")
