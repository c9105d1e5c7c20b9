"""How soon do a link's viewers see every photo of an album shared over a slow uplink?

Makes N camera-like JPEGs (default 100 × 10 MB, `camera_photos.py`, in a child process), starts a
real `albumen_server` child process on 127.0.0.1 with a fresh data folder, and runs `albumen
share FOLDER --album … --limit-rate RATE` as an owner does (its own fresh data folder, the token
in ALBUMEN_TOKEN; by default 2.5M, about 20 Mbit/s). From the command's start it times:

- `link_seconds`: the link's URL on the command's stdout;
- `visible_seconds`: every photo shown by the link in headless Chromium (Debian's
  /usr/bin/chromium driven by Playwright): the gallery page opened again every half second,
  its lazy thumbnails asked for at once, until it lists all N photos and all N thumbnails have
  loaded;
- `originals_seconds`: the command's exit, every original landed (checked afterwards: the
  server holds every photo, complete, with the bytes and SHA-256 sent).

Then the baseline, in the same run: the same album sent originals first (the client's
`web_sizes_first` setting off, a fresh server and data folder), where the link is made after
the originals, so its viewers see every photo only then; its `visible_seconds` is measured the
same way (`--no-baseline` skips it: at the defaults it takes about 400 s). Prints one JSON
line; progress goes to stderr.

    .venv/bin/python bench/instant_gallery.py [--photos 100] [--size-mb 10] [--limit-rate 2.5M]
                                              [--no-baseline] [--tmp DIR]

A quick run: `--photos 20`. Needs /usr/bin/chromium and Playwright (the test extras).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.server_upload import (  # noqa: E402
    MIB,
    BenchError,
    Child,
    cpu_seconds,
    installed_env,
    start_server,
    warm_bytecode,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser

TARGET_VISIBLE_SECONDS = 45.0  # the target at the defaults
POLL = 0.5  # seconds between two looks at the gallery

# Asks for every lazy thumbnail at once and says how many photos the page lists and how many of
# their thumbnails have loaded.
COUNT_SCRIPT = """
() => {
  const thumbs = [...document.querySelectorAll('img[src*="/thumb"]')];
  thumbs.forEach((img) => { if (img.loading === "lazy") img.loading = "eager"; });
  return {
    listed: thumbs.length,
    loaded: thumbs.filter((img) => img.complete && img.naturalWidth > 0).length,
  };
}
"""


def log(message: str) -> None:
    print(f"instant_gallery: {message}", file=sys.stderr, flush=True)


def make_photos(folder: Path, count: int, size_mb: float) -> list[Path]:
    """In a child process, so this one stays small (making a 24 MP photo takes a few hundred MB)."""
    made = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "camera_photos.py"),
            str(folder),
            "--count",
            str(count),
            "--size",
            str(int(size_mb * MIB)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        raise BenchError(f"making the photos failed: {made.stderr.strip()[-2000:]}")
    return sorted(folder.iterdir())


def seen(browser: Browser, url: str, count: int, deadline: float) -> float:
    """Open `url` again and again until it shows all `count` photos; the monotonic time then."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        page = context.new_page()
        while True:
            page.goto(url, wait_until="domcontentloaded")
            for _ in range(50):  # this load's thumbnails, for up to 5 s
                state = page.evaluate(COUNT_SCRIPT)
                if state["listed"] >= count and state["loaded"] >= count:
                    return time.monotonic()
                if state["listed"] < count:
                    break  # photos the page does not list yet: load it again
                time.sleep(0.1)
            if time.monotonic() > deadline:
                raise BenchError(f"the link showed {state} of {count} photos at the deadline")
            time.sleep(POLL)
    finally:
        context.close()


def share_and_watch(
    browser: Browser,
    photos: Path,
    folder: Path,
    rate: str,
    web_sizes_first: bool,
    count: int,
    timeout: float,
) -> dict[str, Any]:
    """One `albumen share` against a fresh server, watched by a viewer; its figures."""
    children: list[Child] = []
    folder.mkdir()
    try:
        server, url, token = start_server(folder, children)
        client = folder / "client"
        client.mkdir()
        settings = {"server_url": url, "web_sizes_first": web_sizes_first}
        (client / "settings.json").write_text(json.dumps(settings))
        err = open(folder / "share.stderr", "w+b")  # noqa: SIM115  # closed below
        command = [sys.executable, "-m", "albumen.cli", "--data-dir", str(client), "share"]
        command += [str(photos), "--album", "Bench", "--download", "original"]
        command += ["--limit-rate", rate]
        server_cpu = cpu_seconds(server.process.pid)
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=installed_env(ALBUMEN_TOKEN=token),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        try:
            assert process.stdout is not None
            link = process.stdout.readline().strip()
            link_at = time.monotonic()
            if "/s/" not in link:
                process.wait(60)
                err.seek(0)
                raise BenchError(f"no link printed: {err.read().decode()[-2000:]}")
            log(f"link after {link_at - started:.1f} s")
            visible_at = seen(browser, link, count, started + timeout)
            log(f"every photo visible after {visible_at - started:.1f} s")
            code = process.wait(max(1.0, started + timeout - time.monotonic()))
            done_at = time.monotonic()
        except BaseException:
            process.kill()
            process.wait()
            raise
        finally:
            if process.stdout is not None:
                process.stdout.close()
        err.seek(0)
        errors = err.read().decode(errors="replace")
        err.close()
        if code != 0:
            raise BenchError(f"albumen share exited with {code}: {errors[-2000:]}")
        log(f"every original landed after {done_at - started:.1f} s")
        complete = _complete(url, token)
        if complete != count:
            raise BenchError(f"the server holds {complete} complete photos, not {count}")
        return {
            "link_seconds": round(link_at - started, 1),
            "visible_seconds": round(visible_at - started, 1),
            "originals_seconds": round(done_at - started, 1),
            "server_cpu_seconds": round(cpu_seconds(server.process.pid) - server_cpu, 1),
        }
    finally:
        for child in children:
            child.stop()


def _complete(url: str, token: str) -> int:
    """Photos of the album "Bench" that the server holds whole (their original landed)."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    try:
        albums = session.get(f"{url}/api/albums", timeout=60).json()["albums"]
        (album,) = [a for a in albums if a["title"] == "Bench"]
        listed = session.get(f"{url}/api/albums/{album['id']}/photos", timeout=60).json()
        return sum(1 for photo in listed["photos"] if photo.get("state") != "arriving")
    finally:
        session.close()


def run(options: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    log(f"making {options.photos} camera-like JPEGs of {options.size_mb} MB")
    files = make_photos(workdir / "photos", options.photos, options.size_mb)
    total = sum(path.stat().st_size for path in files)
    from albumen.core.throttle import parse_rate

    rate = parse_rate(options.limit_rate)
    timeout = 3 * total / rate + 300
    warm_bytecode()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            log(f"web sizes first, at {options.limit_rate}")
            instant = share_and_watch(
                browser,
                workdir / "photos",
                workdir / "instant",
                options.limit_rate,
                True,
                options.photos,
                timeout,
            )
            baseline = None
            if options.baseline:
                log(f"baseline: originals first, at {options.limit_rate}")
                baseline = share_and_watch(
                    browser,
                    workdir / "photos",
                    workdir / "baseline",
                    options.limit_rate,
                    False,
                    options.photos,
                    timeout,
                )
        finally:
            browser.close()
    result: dict[str, Any] = {
        "bench": "instant_gallery",
        "photos": options.photos,
        "photo_mb": round(total / MIB / options.photos, 2),
        "total_mb": round(total / MIB, 1),
        "limit_rate": options.limit_rate,
        "limit_bytes_per_second": round(rate),
        "instant": instant,
        "baseline": baseline,
        "visible_speedup": (
            round(baseline["visible_seconds"] / instant["visible_seconds"], 1) if baseline else None
        ),
        "target_visible_seconds": TARGET_VISIBLE_SECONDS,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    if options.photos == 100 and options.size_mb == 10 and options.limit_rate == "2.5M":
        result["target_met"] = instant["visible_seconds"] <= TARGET_VISIBLE_SECONDS
    return result


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100, help="how many photos (100)")
    parser.add_argument("--size-mb", type=float, default=10, help="each photo's size in MiB (10)")
    parser.add_argument(
        "--limit-rate", default="2.5M", help="the client's cap, as curl takes it (2.5M)"
    )
    parser.add_argument(
        "--no-baseline",
        dest="baseline",
        action="store_false",
        help="skip the originals-first run",
    )
    parser.add_argument("--tmp", type=Path, default=None, help="where the temporary folder goes")
    options = parser.parse_args(argv)
    if options.photos < 1 or options.size_mb <= 0:
        parser.error("--photos and --size-mb must be positive")
    # SIGTERM's default would skip the `finally`s that stop the children and remove the files.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    failure = {"bench": "instant_gallery", "photos": options.photos}
    try:
        with tempfile.TemporaryDirectory(prefix="albumen-instant-", dir=options.tmp) as folder:
            result = run(options, Path(folder))
    except (BenchError, requests.RequestException, OSError, ValueError) as error:
        print(json.dumps({**failure, "error": f"{type(error).__name__}: {error}"}))
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
