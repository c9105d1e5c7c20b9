"""How fast does `albumen_server` take a big tus upload, against a plain write-to-disk receiver?

Starts the real server as a child process on 127.0.0.1, uploads one file of random bytes with tus
(POST, then PATCHes streamed from disk with requests, timed from the POST to the last 204, so the
server's SHA-256 check of the whole file is included), then sends the same file with `curl -T` to
`bench/baseline_receiver.py`, which only writes the body to disk. Prints one JSON line: both
throughputs (MB = MiB), their ratio (tus / baseline) and both processes' peak RSS (VmHWM).

    .venv/bin/python bench/server_upload.py [--size-mb 1024] [--chunk-mb 64] [--repeat 3]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urljoin

import requests

ROOT = Path(__file__).resolve().parents[1]
MIB = 1 << 20
TUS = {"Tus-Resumable": "1.0.0"}


class BenchError(Exception):
    """A failure worth one JSON `error` line rather than a traceback."""


def log(message: str) -> None:
    """Progress goes to stderr: stdout carries the one JSON line and nothing else."""
    print(f"server_upload: {message}", file=sys.stderr, flush=True)


@dataclass
class Source:
    path: Path
    size: int
    sha256: str


def make_source(folder: Path, size_mb: int) -> Source:
    """Random bytes, so no layer can compress them; hashed while written, not read back."""
    path = folder / "source.bin"
    digest = hashlib.sha256()
    with open(path, "wb") as target:
        for _ in range(size_mb):
            piece = os.urandom(MIB)
            digest.update(piece)
            target.write(piece)
    return Source(path, size_mb * MIB, digest.hexdigest())


def free_port() -> int:
    """A port nobody listens on now; the server takes `--port`, not 0."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def memory_mb(pid: int, field: str) -> float | None:
    """`VmHWM` (peak) or `VmRSS` (now) of a process in MiB; None where /proc is not Linux's."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)  # reported in kB
    return None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far: tells a CPU-bound server from a waiting one."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return float("nan")
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def serving_cpu_seconds(pid: int) -> float:
    """CPU time so far of a server and of the processes it started at its own priority: with
    `--workers N` the requests are served by its children. Its rendering child, at a lower
    priority (`nice`), is left out: it uses what CPU the requests leave."""
    tree = {pid}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
    grew = True
    while grew:
        found = {p for p, fields in stats.items() if int(fields[1]) in tree} - tree
        grew = bool(found)
        tree |= found
    own_nice = int(stats[pid][16]) if pid in stats else 0
    return sum(
        (int(stats[p][11]) + int(stats[p][12])) / os.sysconf("SC_CLK_TCK")
        for p in tree
        if p in stats and int(stats[p][16]) == own_nice
    )


def installed_env(**extra: str) -> dict[str, str]:
    """The environment `albumen` and the server run in, as an installation runs them: with
    their bytecode cached (pip compiles an installed package; a development shell that sets
    PYTHONDONTWRITEBYTECODE would have every run compile the app's modules again, 0.1 s here,
    and every rendering child the server starts compile its own)."""
    env = {**os.environ, **extra}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def warm_bytecode() -> None:
    """Compile what `albumen share` imports once, before any run is timed (as installing does)."""
    modules = "albumen.cli, albumen.cli_share, albumen.client, albumen.core.sync"
    subprocess.run([sys.executable, "-c", f"import {modules}"], env=installed_env(), check=True)


class Child:
    """A child process whose output goes to a log file (a full pipe would stall it)."""

    def __init__(self, name: str, args: list[str], log_path: Path) -> None:
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115  # closed in stop()
        self.process = subprocess.Popen(
            args, cwd=ROOT, stdout=subprocess.PIPE, stderr=self._log, env=installed_env()
        )

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise BenchError(
                f"{self.name} exited with {self.process.returncode}: {self.log_tail()}"
            )

    def log_tail(self) -> str:
        self._log.flush()
        text = self.log_path.read_text(errors="replace").strip()
        return text[-2000:] or "(no output)"

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers: never leave a child behind."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()


def _rss(child: Child) -> float | None:
    return memory_mb(child.process.pid, "VmRSS")


def create_token(data: Path) -> str:
    """The CLI prints the token as the last word of its last line."""
    done = subprocess.run(
        [sys.executable, "-m", "albumen_server.cli", "token", "create", "--data", str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise BenchError(f"token create failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
    return lines[-1].split()[-1]


def start_server(folder: Path, children: list[Child], *extra: str) -> tuple[Child, str, str]:
    """The server as users run it, on a fresh data folder (`extra`: more of its options);
    returns it, its URL and a token.

    It joins `children` before it is waited for, so the caller stops it even if it never answers.
    """
    data = folder / "server-data"
    token = create_token(data)
    port = free_port()
    server = Child(
        "albumen_server",
        [
            sys.executable,
            "-m",
            "albumen_server.cli",
            "--data",
            str(data),
            "--port",
            str(port),
            "--log-level",
            "warning",
            *extra,
        ],
        folder / "server.log",
    )
    children.append(server)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        server.check_alive()
        try:
            if requests.get(f"{base}/api/health", timeout=2).status_code == 200:
                return server, base, token
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise BenchError(f"the server did not answer /api/health in 60 s: {server.log_tail()}")
        time.sleep(0.1)


def start_receiver(folder: Path, children: list[Child], fsync: bool) -> tuple[Child, int]:
    """The baseline receiver on a port it picks itself and announces on its first line."""
    args = [sys.executable, str(ROOT / "bench" / "baseline_receiver.py"), "--dir", str(folder)]
    receiver = Child(
        "baseline_receiver",
        [*args, "--fsync"] if fsync else args,
        folder.parent / "receiver.log",
    )
    children.append(receiver)
    assert receiver.process.stdout is not None
    line = receiver.process.stdout.readline().decode().split()
    if len(line) != 2 or line[0] != "listening":
        receiver.check_alive()
        raise BenchError(f"baseline_receiver said {line!r}, not 'listening PORT'")
    return receiver, int(line[1])


class Window:
    """`length` bytes of an open file from where it stands, read on demand.

    requests streams any object with `read` and takes Content-Length from `len()`, so a PATCH
    of a 1 GB chunk never holds more than urllib3's block in memory, as a real client would.
    """

    def __init__(self, source: IO[bytes], length: int) -> None:
        self.source = source
        self.remaining = length
        self.length = length

    def __len__(self) -> int:
        return self.length

    def read(self, size: int = -1) -> bytes:
        if size < 0 or size > self.remaining:
            size = self.remaining
        data = self.source.read(size)
        self.remaining -= len(data)
        return data


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _expect(response: requests.Response, status: int | tuple[int, ...], what: str) -> None:
    if response.status_code not in (status if isinstance(status, tuple) else (status,)):
        raise BenchError(f"{what}: HTTP {response.status_code} {response.text[:500]}")


def tus_upload(
    session: requests.Session, base: str, album_id: str, source: Source, chunk: int | None
) -> float:
    """Seconds from the creation POST to the 204 of the last PATCH; checks the photo exists."""
    photo_id = str(uuid.uuid4())
    metadata = {
        "album_id": album_id,
        "photo_id": photo_id,
        "filename": source.path.name,
        "sha256": source.sha256,
    }
    started = time.perf_counter()
    created = session.post(
        f"{base}/api/uploads/",
        headers={
            **TUS,
            "Upload-Length": str(source.size),
            "Upload-Metadata": ",".join(f"{key} {_b64(value)}" for key, value in metadata.items()),
        },
        timeout=60,
    )
    _expect(created, 201, "tus creation")
    location = urljoin(f"{base}/", created.headers["Location"])
    offset = 0
    with open(source.path, "rb") as handle:
        while offset < source.size:
            length = min(chunk or source.size, source.size - offset)
            handle.seek(offset)
            patched = session.patch(
                location,
                data=Window(handle, length),
                headers={
                    **TUS,
                    "Upload-Offset": str(offset),
                    "Content-Type": "application/offset+octet-stream",
                    "Content-Length": str(length),
                },
                timeout=600,
            )
            _expect(patched, 204, f"tus PATCH at {offset}")
            reached = int(patched.headers["Upload-Offset"])
            if reached != offset + length:
                raise BenchError(f"PATCH at {offset} of {length} bytes ended at {reached}")
            offset = reached
    elapsed = time.perf_counter() - started

    listed = session.get(f"{base}/api/albums/{album_id}/photos", timeout=60)
    _expect(listed, 200, "photo list")
    photos = {photo["id"]: photo for photo in listed.json()["photos"]}
    photo = photos.get(photo_id)
    if photo is None or photo["size"] != source.size or photo["sha256"] != source.sha256:
        raise BenchError(f"after the upload the album lists {photo!r} for {photo_id}")
    return elapsed


def curl_upload(curl: str, port: int, folder: Path, source: Source) -> float:
    """Seconds the whole `curl -T` process takes; checks the receiver got every byte."""
    received = folder / "upload"
    received.unlink(missing_ok=True)
    command = [curl, "-sS", "--fail", "-o", os.devnull, "-T", str(source.path)]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, f"http://127.0.0.1:{port}/upload"], capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise BenchError(f"curl exited with {done.returncode}: {done.stderr.strip()[-2000:]}")
    size = received.stat().st_size if received.exists() else None
    if size != source.size:
        raise BenchError(f"the baseline receiver wrote {size} bytes, not {source.size}")
    received.unlink()  # spare the disk a second copy per repeat
    return elapsed


def run(options: argparse.Namespace, curl: str, workdir: Path) -> dict[str, Any]:
    """Both sides, `--repeat` times each, alternating so neither gets a warmer machine."""
    chunk = options.chunk_mb * MIB if options.chunk_mb else None
    log(f"writing {options.size_mb} MiB of random bytes")
    source = make_source(workdir, options.size_mb)
    children: list[Child] = []
    try:
        server, base, token = start_server(workdir, children)
        start_rss = _rss(server)
        received = workdir / "received"
        received.mkdir()
        receiver, port = start_receiver(received, children, options.baseline_fsync)

        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        album_id = str(uuid.uuid4())
        _expect(
            session.put(f"{base}/api/albums/{album_id}", json={"title": "bench"}, timeout=60),
            (200, 201),
            "album creation",
        )
        tus_times: list[float] = []
        curl_times: list[float] = []
        for attempt in range(1, options.repeat + 1):
            server_cpu, own_cpu = cpu_seconds(server.process.pid), time.process_time()
            tus_times.append(tus_upload(session, base, album_id, source, chunk))
            server_cpu = cpu_seconds(server.process.pid) - server_cpu
            log(
                f"run {attempt}: tus {tus_times[-1]:.2f} s (CPU: server {server_cpu:.2f} s,"
                f" client {time.process_time() - own_cpu:.2f} s),"
                f" server RSS now {_rss(server)} MiB"
            )
            curl_times.append(curl_upload(curl, port, received, source))
            log(f"run {attempt}: curl -T {curl_times[-1]:.2f} s")
        session.close()
        server_peak = memory_mb(server.process.pid, "VmHWM")
        receiver_peak = memory_mb(receiver.process.pid, "VmHWM")
    finally:
        for child in children:
            child.stop()

    tus_seconds, curl_seconds = min(tus_times), min(curl_times)
    tus_rate = options.size_mb / tus_seconds
    curl_rate = options.size_mb / curl_seconds
    return {
        "bench": "server_upload",
        "size_mb": options.size_mb,
        "chunk_mb": options.chunk_mb,
        "baseline_fsync": options.baseline_fsync,
        "repeat": options.repeat,
        "tus_seconds": round(tus_seconds, 3),
        "tus_mb_per_s": round(tus_rate, 1),
        "baseline_seconds": round(curl_seconds, 3),
        "baseline_mb_per_s": round(curl_rate, 1),
        "ratio": round(tus_rate / curl_rate, 3),
        "server_start_rss_mb": start_rss,
        "server_peak_rss_mb": server_peak,
        "baseline_peak_rss_mb": receiver_peak,
        "python": platform.python_version(),
    }


def _exit_on_sigterm(signum: int, frame: object) -> None:
    sys.exit(128 + signum)


def run_against_curl(
    run: Callable[[argparse.Namespace, str, Path], dict[str, Any]],
    options: argparse.Namespace,
    failure: dict[str, Any],
) -> int:
    """Run a bench that compares with `curl -T` in a temporary folder; print its JSON line
    (or `failure` with the error) and return the exit code. Shared by the upload benches."""
    # SIGTERM's default would skip the `finally`s that stop the children and remove the files.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    curl = shutil.which("curl")
    if curl is None:
        print(json.dumps({**failure, "error": "curl is not on PATH (the baseline needs it)"}))
        return 1
    try:
        with tempfile.TemporaryDirectory(prefix="albumen-bench-", dir=options.tmp) as folder:
            result = run(options, curl, Path(folder))
    except (BenchError, requests.RequestException, OSError) as error:
        print(json.dumps({**failure, "error": f"{type(error).__name__}: {error}"}))
        return 1
    print(json.dumps(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="file size in MiB (1024)")
    parser.add_argument(
        "--chunk-mb", type=int, default=None, help="tus PATCH size in MiB (default: one PATCH)"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per side; the best counts")
    parser.add_argument(
        "--baseline-fsync",
        action="store_true",
        help="the baseline fsyncs the file before answering, as the server does (off by default)",
    )
    parser.add_argument("--tmp", type=Path, default=None, help="where the temporary folder goes")
    options = parser.parse_args(argv)
    if options.size_mb < 1 or options.repeat < 1 or (options.chunk_mb or 1) < 1:
        parser.error("--size-mb, --chunk-mb and --repeat must be at least 1")

    failure = {"bench": "server_upload", "size_mb": options.size_mb}
    return run_against_curl(run, options, failure)


if __name__ == "__main__":
    sys.exit(main())
