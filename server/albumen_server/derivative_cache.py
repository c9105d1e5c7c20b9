"""Viewer images made once per photo and kept on disk, with the link's metadata rules applied.

The pixels (`small`, `thumb`, `preview`, `large`) are rendered once from the blob and stored
without any metadata. What a link may show is added per request variant: the source's EXIF is
spliced in with its orientation reset (the pixels are already upright) and passed through the
one shared stripping code, so the derivative shows exactly what the original download would.

Each file is made by one renderer at a time, across the threads and the processes sharing the
cache (a thread lock, then a `flock` beside the file), so a viewer asking for a thumbnail that
the background renderer (:mod:`~albumen_server.prerender`) is making waits for it instead of
making it again; files appear whole or not at all (written aside, then renamed).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Literal

from albumen_photo import decode, watermark
from albumen_photo.errors import Malformed
from albumen_photo.policy import KeepPolicy
from albumen_photo.strip import StripError, strip_bytes
from albumen_photo.tiff import TAG_ORIENTATION, Tiff
from albumen_server.context import ServerContext
from albumen_server.derivatives import (
    LARGE,
    PREVIEW,
    SMALL,
    THUMB,
    DerivativeError,
    Rendition,
    render,
    render_many,
)
from albumen_server.locks import file_lock

Kind = Literal["small", "thumb", "preview", "large"]
RENDITIONS: dict[str, Rendition] = {
    "small": SMALL,
    "thumb": THUMB,
    "preview": PREVIEW,
    "large": LARGE,
}
RenderMany = Callable[[Path, Sequence[Rendition]], list[bytes]]
EXIF_HEADER = b"Exif\x00\x00"

_locks_guard = threading.Lock()
_locks: dict[Path, threading.Lock] = {}

_rendering = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))
"""Pictures a viewer's requests render at once in this process: one per core. Rendering is
CPU-bound, so more at a time only adds memory (a large picture of a 24 MP photo decodes its
72 MB whole, in 1.1 s), and viewers paging through a lightbox each ask for three."""


def _render_now(source: Path, rendition: Rendition) -> bytes:
    with _rendering:
        return render(source, rendition)


def _lock_for(path: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(path, threading.Lock())


def _folder(cache_dir: Path, sha256: str) -> Path:
    """The pictures made from one blob, together: a deleted photo's go in one removal."""
    return cache_dir / sha256[:2] / sha256


def pixels_file_name(kind: Kind) -> str:
    """`thumb.1440x480q80.jpg`: named by its rendition, so pictures of an earlier one (a server
    before an upgrade) are made again instead of served."""
    return f"{kind}.{RENDITIONS[kind].name}.jpg"


def pixels_file(cache_dir: Path, sha256: str, kind: Kind) -> Path:
    """Where the metadata-free pixels of `kind` made from the blob `sha256` are kept."""
    return _folder(cache_dir, sha256) / pixels_file_name(kind)


def _drop_other_renditions(folder: Path, kind: Kind) -> None:
    """Remove this kind's pictures of an earlier rendition (`thumb.jpg`, `thumb-m-.jpg` of a
    server before renditions were named, or another box): they would never be served again."""
    current = pixels_file_name(kind).removesuffix(".jpg")
    for path in [*folder.glob(f"{kind}[.-]*jpg"), *folder.glob(f".{kind}[.-]*jpg.lock")]:
        if not path.name.lstrip(".").startswith(current):
            path.unlink(missing_ok=True)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _made_together(
    paths: Sequence[Path], make: Callable[[list[Path]], list[bytes]]
) -> dict[Path, bytes]:
    """Make those of the files that do not exist, in one call of `make` (given the missing
    ones, answering their bytes in order), each file's makers one at a time; what was made now.

    The locks are taken in one order (the paths sorted), so two makers of overlapping sets (a
    viewer's request for one, the background renderer's for two) cannot each hold a lock the
    other waits for."""
    with contextlib.ExitStack() as held:
        for path in sorted(paths):
            held.enter_context(_lock_for(path))
            held.enter_context(file_lock(path.with_name(f".{path.name}.lock")))
        missing = [path for path in paths if not path.exists()]
        if not missing:
            return {}
        made = dict(zip(missing, make(missing), strict=True))
        for path, data in made.items():
            _write_atomically(path, data)
        return made


def _made(path: Path, make: Callable[[], bytes]) -> bytes | None:
    """Make the file unless it exists, one maker at a time; its bytes, or None if it was there."""
    return _made_together([path], lambda _missing: [make()]).get(path)


def _cached(path: Path, make: Callable[[], bytes]) -> tuple[bytes, bool]:
    """The file's bytes, made unless it exists, and whether they were made now."""
    with contextlib.suppress(FileNotFoundError):  # or swept away (watermark_sweep) meanwhile
        return path.read_bytes(), False
    made = _made(path, make)
    return (path.read_bytes(), False) if made is None else (made, True)


def reset_orientation(tiff: bytes) -> bytes:
    """Set IFD0's Orientation to 1 in place: the derivative's pixels are already turned.

    Patching the one value (read with the one TIFF reader, :class:`albumen_photo.tiff.Tiff`)
    avoids a decode/encode round trip of the whole EXIF, which cannot always be written back.
    """
    try:
        reader = Tiff(tiff)
        entry = reader.read_ifd(reader.ifd0).get(TAG_ORIENTATION)
    except Malformed:
        return tiff
    if entry is None or entry.type != 3 or not entry.inline:
        return tiff
    patched = bytearray(tiff)
    patched[entry.value_offset : entry.value_offset + 2] = (1).to_bytes(
        2, "little" if reader.order == "<" else "big"
    )
    return bytes(patched)


def source_exif(path: Path) -> bytes | None:
    """The source's raw EXIF (TIFF structure), whatever its container, or None."""
    try:
        with decode.open_image(path) as image:
            raw = image.info.get("exif")
    except Exception:  # any undecodable source simply has no EXIF to show
        return None
    if not isinstance(raw, bytes) or not raw:
        return None
    return raw.removeprefix(EXIF_HEADER)


def splice_exif(jpeg: bytes, tiff: bytes) -> bytes:
    """Insert an APP1 EXIF segment after SOI (and JFIF APP0, which must come first)."""
    payload = EXIF_HEADER + tiff
    if len(payload) + 2 > 0xFFFF or jpeg[:2] != b"\xff\xd8":
        return jpeg
    position = 2
    if jpeg[2:4] == b"\xff\xe0":
        position = 4 + int.from_bytes(jpeg[4:6], "big")
    segment = b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload
    return jpeg[:position] + segment + jpeg[position:]


def _without_hash(error: DerivativeError, sha256: str) -> DerivativeError:
    # Blobs are named by their hash: the caller names the photo, so drop the hash here.
    return DerivativeError(error.code, str(error).removeprefix(sha256).strip())


def prepare(
    context: ServerContext,
    sha256: str,
    kinds: Sequence[Kind],
    render_with: RenderMany = render_many,
) -> list[Kind]:
    """Render the pixels of those `kinds` that are not in the cache, from one decode of the
    original (a thumbnail and its small one cost one); the kinds made now.

    `render_with` is :func:`~albumen_server.derivatives.render_many` or a stand-in that runs it
    elsewhere (the background renderer's child process). Raises DerivativeError, like the
    viewer's request for them would.
    """
    paths = {pixels_file(context.config.cache_dir, sha256, kind): kind for kind in kinds}
    if all(path.exists() for path in paths):
        return []
    source = context.blobs.local_path(sha256)

    def make(missing: list[Path]) -> list[bytes]:
        return render_with(source, [RENDITIONS[paths[path]] for path in missing])

    try:
        made = [paths[path] for path in _made_together(list(paths), make)]
    except DerivativeError as error:
        raise _without_hash(error, sha256) from None
    for kind in made:
        _drop_other_renditions(_folder(context.config.cache_dir, sha256), kind)
    return made


def watermark_key(text: str | None) -> str:
    """The part of a cached picture's name that says which watermark it carries ('' for none):
    a hash, so any text makes a safe file name and a changed text new pictures."""
    if text is None:
        return ""
    return "-w" + hashlib.sha256(text.encode()).hexdigest()[:16]


_WATERMARKED = re.compile(r"-w[0-9a-f]{16}(?=[-.])")


def watermarked_pictures(cache_dir: Path, sha256: str) -> dict[str, list[Path]]:
    """The watermarked pictures made from one blob (their lock files too), by `watermark_key`."""
    found: dict[str, list[Path]] = {}
    with contextlib.suppress(OSError):  # no folder: nothing made of this blob here
        for entry in os.scandir(_folder(cache_dir, sha256)):
            key = _WATERMARKED.search(entry.name)
            if key:
                found.setdefault(key.group(), []).append(Path(entry.path))
    return found


def cached_blobs(cache_dir: Path) -> Iterator[str]:
    """The SHA-256 of every blob this cache holds pictures of."""
    for parent in sorted(cache_dir.glob("[0-9a-f][0-9a-f]")):
        for folder in parent.iterdir():
            if folder.name.startswith(parent.name) and len(folder.name) == 64:
                yield folder.name


def derivative(
    context: ServerContext,
    sha256: str,
    kind: Kind,
    keep: KeepPolicy,
    watermark_text: str | None = None,
) -> bytes:
    """The JPEG a viewer of a link with these rules gets; raises DerivativeError.

    A watermarked link's picture is drawn on the shared pixels and kept beside them, once per
    text: the metadata variants are then made from it, as from the plain pixels."""
    path = pixels_file(context.config.cache_dir, sha256, kind)
    folder = path.parent
    source = context.blobs.local_path(sha256)
    try:
        pixels, made = _cached(path, lambda: _render_now(source, RENDITIONS[kind]))
    except DerivativeError as error:
        raise _without_hash(error, sha256) from None
    if made:
        _drop_other_renditions(folder, kind)
    marked = watermark_key(watermark_text)
    if watermark_text is not None:
        plain = pixels
        pixels = _cached(
            folder / f"{path.stem}{marked}.jpg",
            lambda: watermark.apply(plain, watermark_text, RENDITIONS[kind].quality),
        )[0]
    keeps = f"{'m' if keep.metadata else '-'}{'l' if keep.location else '-'}"
    variant = f"{path.stem}{marked}-{keeps}.jpg"

    def with_metadata() -> bytes:
        tiff = source_exif(source)
        if tiff is None:
            return pixels
        try:
            # Copyright and artist always stay; the rest only as the link allows.
            return strip_bytes(splice_exif(pixels, reset_orientation(tiff)), keep)
        except StripError:
            return pixels

    return _cached(folder / variant, with_metadata)[0]


def forget(context: ServerContext, sha256: str) -> None:
    """Drop a deleted photo's derivatives."""
    with contextlib.suppress(OSError):
        shutil.rmtree(_folder(context.config.cache_dir, sha256))
