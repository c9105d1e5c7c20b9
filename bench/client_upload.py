"""How fast does `albumen share` send a folder of camera photos, against `curl -T` of the same?

Makes N unique camera-like JPEGs (default 100 × 10 MB: 1 GB), then, per run, starts a real
`albumen_server` child process on 127.0.0.1 with a fresh data folder, and runs `albumen share
FOLDER --album …` as an owner does (its own fresh data folder, the token in ALBUMEN_TOKEN): the
whole command is timed, from its start to its exit with the link printed, so checking the
photos, the store, every request and the server's own work are in it. Meanwhile the bench
watches the server's uploads folder for the first byte of a photo to land. Then `curl -T` sends
the same files, in one process over one connection, to `bench/baseline_receiver.py`, which only
writes them to disk. Runs alternate between the two sides. Prints one JSON line: best and median
of each, their ratio (share / curl throughput: 1.0 is as fast as curl), the time to the first
byte on the server, and the peak RSS of the `albumen` process (from wait4: the child's own
`ru_maxrss`, which is its VmHWM). MB = MiB. The `albumen` process runs with its bytecode
cached, as an installed app does (compiled once before the first run).

Loopback is a wire of unbounded speed: both sides are then limited by the CPU alone. `--wire
RATE` (as `tc` writes rates: 1gbit, 2500mbit) makes it a wire of that speed for the run, with a
token bucket on the loopback device (`tc qdisc replace dev lo root tbf`, removed after; needs
root and iproute2), so the ratio says how near the share comes to a real link's speed.
`--server-workers N` starts the server with `--workers N` (its processes on the port); the
server's CPU figure is then its workers', its rendering children (at a lower priority) left out
as they are with one process.

    .venv/bin/python bench/client_upload.py [--photos 100] [--size-mb 10] [--repeat 3]
                                            [--baseline-fsync] [--wire RATE]
                                            [--server-workers N] [--uploads N]
                                            [--tmp DIR]

`--uploads N` sets the owner's "uploads at a time" (Settings ▸ Uploads) for the run; by default
the app's own default, which is what the figures are of.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.server_upload import (  # noqa: E402
    MIB,
    BenchError,
    Child,
    installed_env,
    memory_mb,
    run_against_curl,
    serving_cpu_seconds,
    start_receiver,
    start_server,
    warm_bytecode,
)

from albumen.core.settings import Settings  # noqa: E402

POLL = 0.002  # seconds between two looks at the server's uploads folder
WIRE_BURST = "256kb"  # the token bucket's depth: above loopback's 64 KiB packets


def log(message: str) -> None:
    """Progress goes to stderr: stdout carries the one JSON line and nothing else."""
    print(f"client_upload: {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def wire(rate: str | None) -> Iterator[None]:
    """Loopback shaped to `rate` while the block runs (nothing when None); the shaping goes
    even when the block fails."""
    if rate is None:
        yield
        return
    tc = shutil.which("tc")
    if tc is None:
        raise BenchError("--wire needs tc (iproute2) on PATH")
    shape = [tc, "qdisc", "replace", "dev", "lo", "root", "tbf", "rate", rate]
    shape += ["burst", WIRE_BURST, "latency", "50ms"]
    done = subprocess.run(shape, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"tc could not shape loopback to {rate}: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run([tc, "qdisc", "del", "dev", "lo", "root"], capture_output=True, check=False)


def _first_byte_landed(uploads: Path) -> bool:
    """Whether any upload's part file holds a byte yet (the folder appears with the first one)."""
    try:
        with os.scandir(uploads) as entries:
            for entry in entries:
                if entry.name.endswith(".part") and entry.stat().st_size > 0:
                    return True
    except FileNotFoundError:
        return False
    # A whole photo may land between two looks and leave the uploads folder already: then the
    # blob store holds it.
    blobs = uploads.parent / "blobs"
    return blobs.is_dir() and any(path.is_file() for path in blobs.rglob("*"))


def share(
    photos: Path, client: Path, server_url: str, token: str, server_data: Path, uploads: int
) -> dict[str, Any]:
    """One `albumen share` run: wall seconds, seconds to the first byte on the server, peak RSS."""
    client.mkdir()
    settings = {"server_url": server_url, "concurrent_uploads": uploads}
    (client / "settings.json").write_text(json.dumps(settings))
    err = open(client.parent / f"{client.name}.stderr", "w+b")  # noqa: SIM115  # closed below
    command = [sys.executable, "-m", "albumen.cli", "--data-dir", str(client)]
    command += ["share", str(photos), "--album", "Bench", "--download", "original"]
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=installed_env(ALBUMEN_TOKEN=token),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=err,
    )
    uploads = server_data / "uploads"
    first_byte: float | None = None
    try:
        while True:
            # wait4, not Popen.wait: it hands back this child's own resource usage (peak RSS).
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if first_byte is None:
                if _first_byte_landed(uploads):
                    first_byte = time.perf_counter() - started
                time.sleep(POLL)
            else:
                time.sleep(0.02)
    except BaseException:
        process.kill()
        raise
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.stdout is not None
    output = process.stdout.read().decode()
    process.stdout.close()
    err.seek(0)
    errors = err.read().decode(errors="replace")
    err.close()
    if process.returncode != 0:
        raise BenchError(f"albumen share exited with {process.returncode}: {errors[-2000:]}")
    link = output.strip().splitlines()[-1] if output.strip() else ""
    if "/s/" not in link:
        raise BenchError(f"albumen share printed no link: {output[-500:]!r}")
    return {
        "seconds": seconds,
        "first_byte_seconds": first_byte,
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # kB on Linux
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
    }


def settle_disk() -> None:
    """Every timed run starts with nothing waiting to be written to disk. Otherwise the kernel
    writes back the photos just made, or an earlier run's files, 30 s later (Linux's dirty
    expiry), in the middle of whichever run is going then: the server's fsync of each photo
    waited behind a gigabyte of it, and the second share was 0.6 s slower in every series."""
    os.sync()


def check_album(server_url: str, token: str, expected: dict[str, int]) -> None:
    """The server holds every photo once, with the bytes sent (its SHA-256 and size)."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    albums = session.get(f"{server_url}/api/albums", timeout=60).json()["albums"]
    (album,) = [a for a in albums if a["title"] == "Bench"]
    listed = session.get(f"{server_url}/api/albums/{album['id']}/photos", timeout=60).json()
    got = {photo["sha256"]: photo["size"] for photo in listed["photos"]}
    session.close()
    if got != expected or len(listed["photos"]) != len(expected):
        raise BenchError(f"the server holds {len(listed['photos'])} photos, not {len(expected)}")


def curl_upload(curl: str, port: int, received: Path, files: list[Path]) -> float:
    """Seconds one `curl -T` process takes to PUT every file over one connection."""
    command = [curl, "-sS", "--fail"]
    for path in files:
        command += ["-o", os.devnull, "-T", str(path), f"http://127.0.0.1:{port}/{path.name}"]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchError(f"curl exited with {done.returncode}: {done.stderr.strip()[-2000:]}")
    for path in files:
        copy = received / path.name
        if not copy.exists() or copy.stat().st_size != path.stat().st_size:
            raise BenchError(f"the baseline receiver did not get all of {path.name}")
        copy.unlink()  # spare the disk a second copy per repeat
    return elapsed


def _sha256_sizes(files: list[Path]) -> dict[str, int]:
    from albumen_photo.digest import file_sha256

    return {file_sha256(path): path.stat().st_size for path in files}


def run(options: argparse.Namespace, curl: str, workdir: Path) -> dict[str, Any]:
    log(f"making {options.photos} camera-like JPEGs of {options.size_mb} MB")
    photos = workdir / "photos"
    # In a child process: this one stays small, so the peak RSS wait4 reports for the albumen
    # child (which Linux counts from the fork, so from this process's size) is the child's own.
    made = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "camera_photos.py"),
            str(photos),
            "--count",
            str(options.photos),
            "--size",
            str(int(options.size_mb * MIB)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if made.returncode != 0:
        raise BenchError(f"making the photos failed: {made.stderr.strip()[-2000:]}")
    total = int(made.stdout.split()[-1])
    files = sorted(photos.iterdir())
    expected = _sha256_sizes(files)
    total_mb = total / MIB
    warm_bytecode()
    children: list[Child] = []
    shares: list[dict[str, Any]] = []
    curls: list[float] = []
    try:
        received = workdir / "received"
        received.mkdir()
        _receiver, port = start_receiver(received, children, options.baseline_fsync)
        with wire(options.wire):
            for attempt in range(1, options.repeat + 1):
                folder = workdir / f"run-{attempt}"
                folder.mkdir()
                workers = ["--workers", str(options.server_workers)]
                server, url, token = start_server(folder, children, *workers)
                try:
                    server_cpu = serving_cpu_seconds(server.process.pid)
                    settle_disk()
                    result = share(
                        photos,
                        folder / "client",
                        url,
                        token,
                        folder / "server-data",
                        options.uploads,
                    )
                    server_cpu = serving_cpu_seconds(server.process.pid) - server_cpu
                    result["server_cpu_seconds"] = server_cpu
                    check_album(url, token, expected)
                finally:
                    server.stop()
                    children.remove(server)
                shutil.rmtree(folder / "server-data", ignore_errors=True)
                shares.append(result)
                log(
                    f"run {attempt}: albumen share {result['seconds']:.2f} s, first byte at"
                    f" {result['first_byte_seconds']} s, peak RSS {result['peak_rss_mb']} MB,"
                    f" CPU: albumen {result['cpu_seconds']:.2f} s,"
                    f" server {result['server_cpu_seconds']:.2f} s"
                )
                settle_disk()
                curls.append(curl_upload(curl, port, received, files))
                log(f"run {attempt}: curl -T {curls[-1]:.2f} s")
    finally:
        for child in children:
            child.stop()

    times = [r["seconds"] for r in shares]
    first = [r["first_byte_seconds"] for r in shares if r["first_byte_seconds"] is not None]
    best, median = min(times), statistics.median(times)
    curl_best, curl_median = min(curls), statistics.median(curls)
    return {
        "bench": "client_upload",
        "photos": options.photos,
        "photo_mb": round(total_mb / options.photos, 2),
        "total_mb": round(total_mb, 1),
        "repeat": options.repeat,
        "baseline_fsync": options.baseline_fsync,
        "wire": options.wire or "loopback",
        "server_workers": options.server_workers,
        "uploads": options.uploads,
        "share_seconds_best": round(best, 3),
        "share_seconds_median": round(median, 3),
        "share_mb_per_s_best": round(total_mb / best, 1),
        "share_mb_per_s_median": round(total_mb / median, 1),
        "first_byte_seconds_best": round(min(first), 3) if first else None,
        "first_byte_seconds_median": round(statistics.median(first), 3) if first else None,
        "curl_seconds_best": round(curl_best, 3),
        "curl_seconds_median": round(curl_median, 3),
        "curl_mb_per_s_best": round(total_mb / curl_best, 1),
        "ratio_best": round(curl_best / best, 3),
        "ratio_median": round(curl_median / median, 3),
        "client_peak_rss_mb": max(r["peak_rss_mb"] for r in shares),
        # wait4 counts the child's peak from the fork: it cannot be below the bench's own
        "bench_peak_rss_mb": memory_mb(os.getpid(), "VmHWM"),
        "client_cpu_seconds_median": round(statistics.median(r["cpu_seconds"] for r in shares), 2),
        "server_cpu_seconds_median": round(
            statistics.median(r["server_cpu_seconds"] for r in shares), 2
        ),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=100, help="how many photos (100)")
    parser.add_argument("--size-mb", type=float, default=10, help="each photo's size in MiB (10)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side (3)")
    parser.add_argument(
        "--baseline-fsync",
        action="store_true",
        help="the baseline fsyncs each file before answering, as the server does",
    )
    parser.add_argument(
        "--wire",
        default=None,
        metavar="RATE",
        help="shape loopback to this rate for the run (tc's units: 1gbit, 2500mbit; needs root)",
    )
    parser.add_argument(
        "--server-workers",
        type=int,
        default=1,
        metavar="N",
        help="the server's --workers: its processes on the port (1)",
    )
    parser.add_argument(
        "--uploads",
        type=int,
        default=Settings().concurrent_uploads,
        metavar="N",
        help="uploads at a time, the app's Settings ▸ Uploads (its default: %(default)s)",
    )
    parser.add_argument("--tmp", type=Path, default=None, help="where the temporary folder goes")
    options = parser.parse_args(argv)
    if options.photos < 1 or options.repeat < 1 or options.size_mb <= 0:
        parser.error("--photos, --size-mb and --repeat must be positive")
    if options.server_workers < 1:
        parser.error("--server-workers must be 1 or more")
    if not 1 <= options.uploads <= 8:
        parser.error("--uploads must be from 1 to 8, as the app's setting")

    failure = {"bench": "client_upload", "photos": options.photos}
    return run_against_curl(run, options, failure)


if __name__ == "__main__":
    sys.exit(main())
