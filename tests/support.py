"""Shared test helpers: a real server process on 127.0.0.1 and photos with known metadata."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import piexif
import requests
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "exiftool-images"


def save_heic(
    image: Image.Image, path: Path, *, exif: bytes | None = None, quality: int = 50
) -> Path:
    """Encode `image` as HEIC at `path`. The app decodes with pi-heif, libheif's decode-only
    build; only tests encode, with pillow-heif, whose opener is never registered here so that
    every read in a test goes through the same decoder as the app's."""
    import pillow_heif

    heif = pillow_heif.from_pillow(image)
    heif.save(path, quality=quality, exif=exif)
    return path


def run_albumen(
    data: Path,
    *args: str,
    token: str = "",
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """The `albumen` command as an owner runs it: its own data folder, the owner token (if any)
    in ALBUMEN_TOKEN, no stdin; output captured as text."""
    return subprocess.run(
        _albumen_command(data, args),
        capture_output=True,
        text=True,
        env={**os.environ, "ALBUMEN_TOKEN": token, **(env or {})},
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def start_albumen(
    data: Path,
    *args: str,
    token: str,
    stdout: int = subprocess.PIPE,
    stderr: int = subprocess.PIPE,
    text: bool = False,
) -> subprocess.Popen[Any]:
    """The `albumen` command started as `run_albumen` runs it, and left running: for a test
    that reads what it prints while it works, interrupts it or kills it."""
    return subprocess.Popen(
        _albumen_command(data, args),
        env={**os.environ, "ALBUMEN_TOKEN": token},
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        text=text,
    )


def _albumen_command(data: Path, args: tuple[str, ...]) -> list[str]:
    return [sys.executable, "-m", "albumen.cli", "--data-dir", str(data), *args]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def create_token(
    data: Path, name: str = "owner", *, python: str = sys.executable, database: str | None = None
) -> str:
    """A new owner token, as `albumen-server token create` makes it. With this interpreter, the
    command's own function is called here: a process of its own cost 2.4 s of Python's start on
    a slow machine, before every server the suite starts (the command itself is tested in
    tests/server/test_cli_and_storage.py). Under the command's umask, so that the files it makes
    first (the SQLite database) are its user's alone, as they are in use."""
    if python == sys.executable:
        from albumen_server.cli import create_token as issue
        from albumen_server.config import ServerConfig

        before = os.umask(0o077)
        try:
            return issue(ServerConfig(data_dir=data, database_url=database), name)
        finally:
            os.umask(before)
    result = subprocess.run(
        [
            python,
            "-m",
            "albumen_server.cli",
            "token",
            "create",
            "--data",
            str(data),
            "--name",
            name,
            *(["--database", database] if database else []),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1].split()[-1]


def revoke_owner(data: Path, name: str, *, database: str | None = None) -> None:
    """`albumen-server token revoke`, as an administrator runs it after a laptop was lost."""
    command = [sys.executable, "-m", "albumen_server.cli", "token", "revoke", "--name", name]
    command += ["--data", str(data), *(["--database", database] if database else [])]
    subprocess.run(command, capture_output=True, text=True, check=True)


def server_admin(
    server: ServerProcess, *args: str, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """An `albumen-server` command on the server's data folder (and database), run by hand."""
    command = [sys.executable, "-m", "albumen_server.cli", *args, "--data", str(server.data)]
    if server.database:
        command += ["--database", server.database]
    return subprocess.run(command, capture_output=True, text=True, check=check, timeout=60)


def invite(server: ServerProcess, name: str) -> str:
    """A pairing address from `albumen-server invite`, as an administrator makes one."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "albumen_server.cli",
            "invite",
            "--data",
            str(server.data),
            "--name",
            name,
            "--public-url",
            server.url,
            *(["--database", server.database] if server.database else []),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


@dataclass
class ServerProcess:
    """`albumen-server` running for real in a child process, as a deployment would."""

    data: Path
    port: int
    token: str
    process: subprocess.Popen[bytes]
    database: str | None = None
    http: requests.Session = field(default_factory=requests.Session)

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL of the server's database (SQLite in its data folder by default)."""
        return self.database or f"sqlite:///{self.data / 'albumen.sqlite3'}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**self.auth, **kwargs.pop("headers", {})}
        return self.http.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.http.close()


def start_server(
    data: Path,
    *extra: str,
    python: str = sys.executable,
    env: dict[str, str] | None = None,
    port: int | None = None,
    token: str | None = None,
    background: bool = False,
) -> ServerProcess:
    """Start `albumen-server` on 127.0.0.1 with its data in `data`; `python` is the interpreter
    to run it with (another virtual environment's, to test an installation). On a free port
    with a new owner token, or on the `port` a client was already told of, with the `token` it
    already holds (a server that comes up after the client went offline). `background`: at the
    priority the app gives its embedded server, from its first instant (albumen.priority)."""
    database = extra[extra.index("--database") + 1] if "--database" in extra else None
    if token is None:
        token = create_token(data, python=python, database=database)
    if port is None:
        port = free_port()
    log = open(data / "server.log", "ab")  # noqa: SIM115  # the child process holds it
    process = subprocess.Popen(
        [
            python,
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
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    if background:
        from albumen.priority import lower_process

        lower_process(process.pid)
    server = ServerProcess(data=data, port=port, token=token, process=process, database=database)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {(data / 'server.log').read_text()}")
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(server.url + "/api/health", timeout=2).ok:
                return server
        time.sleep(0.05)  # waiting for a child process to listen: there is no signal to wait on
    server.stop()
    raise RuntimeError("server did not start within 30 s")


def new_id() -> str:
    return str(uuid.uuid4())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tus_metadata(**values: str) -> str:
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in values.items())


GPS_LAT = (48, 51, 30)  # Paris, 48°51'30"N 2°17'40"E
GPS_LON = (2, 17, 40)


def photo_jpeg(
    size: tuple[int, int] = (640, 480),
    *,
    gps: bool = True,
    orientation: int = 1,
    colour: tuple[int, int, int] = (200, 120, 40),
    seed: int = 0,
) -> bytes:
    """A JPEG with camera, date, artist, copyright and (optionally) GPS in its EXIF."""
    image = Image.new("RGB", size, colour)
    # A gradient and a marker so derivatives can be checked for orientation and content.
    for x in range(0, size[0], 8):
        for y in range(0, size[1], 8):
            image.putpixel((x, y), ((x + seed) % 256, (y * 3) % 256, (x + y) % 256))
    image.paste((255, 0, 0), (0, 0, size[0] // 4, size[1] // 4))
    zeroth = {
        piexif.ImageIFD.Make: b"Canon",
        piexif.ImageIFD.Model: b"Canon EOS R5",
        piexif.ImageIFD.Artist: b"Ansel Adams",
        piexif.ImageIFD.Copyright: b"(c) 2026 Ansel Adams",
        piexif.ImageIFD.Orientation: orientation,
        piexif.ImageIFD.Software: b"Darktable 5.0",
    }
    exif_ifd = {
        piexif.ExifIFD.DateTimeOriginal: b"2026:06:01 10:20:30",
        piexif.ExifIFD.BodySerialNumber: b"SN0123456789",
        piexif.ExifIFD.ExposureTime: (1, 250),
    }
    gps_ifd: dict[int, Any] = {}
    if gps:
        gps_ifd = {
            piexif.GPSIFD.GPSLatitudeRef: b"N",
            piexif.GPSIFD.GPSLatitude: tuple((v, 1) for v in GPS_LAT),
            piexif.GPSIFD.GPSLongitudeRef: b"E",
            piexif.GPSIFD.GPSLongitude: tuple((v, 1) for v in GPS_LON),
        }
    exif = piexif.dump({"0th": zeroth, "Exif": exif_ifd, "GPS": gps_ifd, "1st": {}})
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def with_large_thumbnail(
    primary: bytes, preview: bytes, *, byte_order: str = ">", mp_type: int = 0x010002
) -> bytes:
    """`primary` as a Fujifilm or Sony camera writes it: an APP2 "MPF" segment after its APPn
    segments lists `preview` (a large thumbnail of full-HD size by default), appended after the
    primary's end (CIPA DC-007: a TIFF structure whose MP entries count offsets from itself)."""
    import struct

    def mp_header(primary_size: int, preview_offset: int) -> bytes:
        o = byte_order
        entries = struct.pack(o + "IIIHH", 0x20030000, primary_size, 0, 0, 0)
        entries += struct.pack(o + "IIIHH", mp_type, len(preview), preview_offset, 0, 0)
        ifd = struct.pack(o + "H", 3)
        ifd += struct.pack(o + "HHI", 0xB000, 7, 4) + b"0100"
        ifd += struct.pack(o + "HHII", 0xB001, 4, 1, 2)
        ifd += struct.pack(o + "HHII", 0xB002, 7, len(entries), 8 + len(ifd) + 12 + 4)
        ifd += struct.pack(o + "I", 0)
        head = (b"II*\x00" if o == "<" else b"MM\x00*") + struct.pack(o + "I", 8)
        return head + ifd + entries

    at = 2  # after SOI and every APPn segment, as cameras place it
    while primary[at] == 0xFF and 0xE0 <= primary[at + 1] <= 0xEF:
        at += 2 + int.from_bytes(primary[at + 2 : at + 4], "big")
    payload_size = 4 + len(mp_header(0, 0))
    header_at = at + 4 + 4  # past the segment's marker and length, and "MPF\0"
    total = len(primary) + 4 + payload_size
    payload = b"MPF\x00" + mp_header(total, total - header_at)
    segment = b"\xff\xe2" + (len(payload) + 2).to_bytes(2, "big") + payload
    return primary[:at] + segment + primary[at:] + preview


def noise_photo(megapixels: float, image_format: str = "PNG", seed: int | None = None) -> bytes:
    """An image of random pixels, which does not compress: its size is known in advance
    (an uncompressed PNG is 3 bytes a pixel, a JPEG at quality 92 about 1). `seed` repeats it."""
    import random

    width = int((megapixels * 1e6 * 4 / 3) ** 0.5)
    height = int(megapixels * 1e6) // width
    count = width * height * 3
    noise = random.Random(seed).randbytes(count) if seed is not None else os.urandom(count)
    out = io.BytesIO()
    image = Image.frombytes("RGB", (width, height), noise)
    if image_format == "PNG":
        image.save(out, "PNG", compress_level=0)
    else:
        image.save(out, image_format, quality=92)
    return out.getvalue()


def new_token() -> str:
    """A link token as the client makes it."""
    import secrets

    return secrets.token_urlsafe(24)


def wait_until(predicate: Any, timeout: float = 10.0, what: str = "condition") -> None:
    """Wait for another process to reach a state it announces no other way than by its answers."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def remote_link(server: ServerProcess, url: str) -> dict[str, object]:
    """The server's account of the link at `url` (`GET /api/links`): what the app sent it."""
    links = server.api("GET", "/api/links").json()["links"]
    [link] = [link for link in links if link["url"] == url]
    return dict(link)
