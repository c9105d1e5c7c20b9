#!/usr/bin/env python3
"""One entry point for developers on a fresh machine with only Python 3.11+.

`python3 dev.py app` makes `.venv`, installs Albumen into it and opens the app;
`python3 dev.py test` does the same with the test extra and runs every check and test.
Kept in plain standard-library Python so it needs nothing but the interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def _run(*args: str | Path) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True)


def _setup(extra: str | None) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036  # dev.py runs before the venv exists
        sys.exit(f"Albumen needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    target = f".[{extra}]" if extra else "."
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    # The server is its own distribution (server/pyproject.toml) that the app depends on:
    # both are installed from this tree in one resolution, so neither comes from an index.
    _run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", "./server", "-e", target)


def app(args: list[str]) -> int:
    _setup(None)
    return subprocess.call([str(BIN / "albumen"), *args], cwd=ROOT)


def test(args: list[str]) -> int:
    _setup("test")
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    for check in (
        [BIN / "lint-imports"],
        [BIN / "ruff", "check", "."],
        [BIN / "ruff", "format", "--check", "."],
        [BIN / "mypy"],
    ):
        print("+", " ".join(str(a) for a in check), flush=True)
        if subprocess.call([str(a) for a in check], cwd=ROOT, env=env) != 0:
            return 1
    return subprocess.call(
        [str(BIN / "python"), "-m", "pytest", *_parallel(args), *args], cwd=ROOT, env=env
    )


def _parallel(args: list[str]) -> list[str]:
    """Run the tests on several processes (pytest-xdist), a test file to a process: a file's
    tests share its fixtures (a server, a cluster, a built bundle), which it sets up once.
    Most tests wait on servers, browsers and subprocesses, so even 2 cores run two at once;
    more than 4 would start more PostgreSQL clusters and servers than they save. Arguments
    that choose the processes themselves (`-n`, `-p no:xdist`) are left alone."""
    if any(a.startswith(("-n", "--numprocesses", "--dist")) or "xdist" in a for a in args):
        return []
    workers = min(4, max(2, os.cpu_count() or 1))
    # Files are handed out in collection order, slow files first (tests/conftest.py).
    return ["-n", str(workers), "--dist", "loadfile", "--no-loadscope-reorder"]


def main() -> int:
    commands = {"app": app, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
