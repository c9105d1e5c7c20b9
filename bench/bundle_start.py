"""How big is the app bundle, and how long does it take from launch to a shown window?

Launches the PyInstaller bundle (packaging/build.sh makes it) under QT_QPA_PLATFORM=offscreen
with ALBUMEN_EXIT_AFTER_SHOWN=1, which makes the app print "albumen: window shown" and quit once
its main window is shown (albumen.app.main). Each run gets a fresh HOME and data folder, as on a
first start. The app is pointed at a server address where nothing listens (with ALBUMEN_TOKEN
set): the window never waits for the server, and no embedded server is left behind. The first
run is reported apart from the rest; the page cache is not dropped (that needs root), so after
the first run the bundle's files are read from memory. Prints one JSON line.

    .venv/bin/python bench/bundle_start.py [--bundle dist/Albumen] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHOWN = "albumen: window shown"


def bundle_size(folder: Path) -> int:
    """Bytes on disk, as `du` counts them."""
    return sum(path.lstat().st_blocks * 512 for path in folder.rglob("*")) + (
        folder.lstat().st_blocks * 512
    )


def hermetic_env(home: Path) -> dict[str, str]:
    """The environment of a user with nothing set up yet: own HOME and XDG folders, offscreen."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("XDG_", "ALBUMEN_", "QT_", "PYTHON"))
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        QT_QPA_PLATFORM="offscreen",
    )
    return env


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_once(executable: Path, home: Path, timeout: float = 120.0) -> float:
    """Seconds from launch to the shown window, on a fresh data folder under `home`."""
    data = home / "data"
    data.mkdir(parents=True)
    (data / "settings.json").write_text(
        json.dumps({"server_url": f"http://127.0.0.1:{_closed_port()}"})
    )
    env = {**hermetic_env(home), "ALBUMEN_EXIT_AFTER_SHOWN": "1", "ALBUMEN_TOKEN": "unused"}
    shown: list[float] = []
    log = home / "app.log"
    with log.open("wb") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(executable), "--data-dir", str(data)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
            text=True,
        )

        def watch() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                if line.strip() == SHOWN and not shown:
                    shown.append(time.perf_counter() - started)

        reader = threading.Thread(target=watch, daemon=True)
        reader.start()
        try:
            code = process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise RuntimeError(f"the app did not quit within {timeout:.0f} s; see {log}") from None
        reader.join(10)
    if code != 0 or not shown:
        raise RuntimeError(f"the app exited with {code} before showing its window: {log}")
    return shown[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bundle", type=Path, default=ROOT / "dist" / "Albumen")
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    executable = options.bundle / "albumen"
    result: dict[str, object] = {"bench": "bundle_start", "bundle": str(options.bundle)}
    if not executable.is_file():
        result["error"] = f"no bundle at {options.bundle}: run packaging/build.sh first"
        print(json.dumps(result))
        return 1
    result["bundle_mb"] = round(bundle_size(options.bundle) / 2**20, 1)
    times = []
    for run in range(options.runs):
        with tempfile.TemporaryDirectory(prefix="albumen-start-") as home:
            seconds = start_once(executable, Path(home))
        print(f"run {run + 1}: window shown after {seconds:.2f} s", file=sys.stderr)
        times.append(seconds)
    result.update(
        runs=len(times),
        first_start_s=round(times[0], 3),
        median_later_start_s=round(statistics.median(times[1:]), 3) if len(times) > 1 else None,
        cpus=os.cpu_count(),
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
