"""A file proved whole, or cut short, or damaged, by its structure alone
(albumen_photo.integrity): every camera file of the corpus is whole; the same files and photos of
every covered format cut at several points are truncated; lengths and sizes made wrong are
damage, each named with its reason; and no damage makes the check raise."""

from __future__ import annotations

import io
import random
import struct
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from albumen_photo import formats
from albumen_photo.byteio import RandomAccess
from albumen_photo.integrity import TRUNCATED, check_structure, covers
from albumen_photo.isobmff import boxes
from albumen_photo.jpeg import jpeg_segments
from albumen_photo.tiff import Tiff
from tests.photo.exif_samples import corpus_files
from tests.support import photo_jpeg, save_heic

# Corpus files whose structure the check does not look into: a decode (or LibRaw) decides.
NOT_COVERED = {
    "BMP.bmp",
    "Photoshop.psd",
    "CanonRaw.crw",
    "FujiFilm.raf",
    "Minolta.mrw",
    "Panasonic.rw2",
    "Sigma.x3f",
    "SigmaDP2.x3f",
}
# Corpus JPEGs with data after the primary image's end (a cut there leaves the image whole).
TRAILERS = {
    "AFCP.jpg": "an AFCP (Asset Format for Content Providers) trailer",
    "FotoStation.jpg": "a FotoStation trailer",
    "PhotoMechanic.jpg": "a PhotoMechanic trailer",
    "ExifTool.jpg": "trailing data after the image",
}
CUTS = (1 / 8, 1 / 3, 1 / 2, 2 / 3, 7 / 8)


def check(path: Path) -> str | None:
    return check_structure(path, formats.identify(path))


def image_end(data: bytes) -> int:
    """Where a JPEG's primary image ends: the end-of-image marker after its first scan (the
    scan data never holds one), before any trailer, MPF image or motion photo."""
    scan = next(s for s in jpeg_segments(data) if s.marker == 0xDA)
    return data.index(b"\xff\xd9", scan.offset + len(scan.payload)) + 2


def cut_points(path: Path) -> list[int]:
    """Cuts inside the structure: up to the primary image's end for a JPEG (its last byte
    included), within the first 7/8 of a TIFF (whose last strip may leave bytes unused after it),
    and anywhere up to the last byte for the others."""
    fmt = formats.identify(path)
    assert fmt is not None
    data = path.read_bytes()
    extent = image_end(data) if fmt.key == "jpeg" else len(data)
    points = {max(1, int(extent * fraction)) for fraction in CUTS}
    if fmt.kind != "raw-tiff" and fmt.key != "tiff":
        points.add(extent - 1)
    return sorted(points)


# The corpus ------------------------------------------------------------------------------------


def test_every_corpus_file_is_whole(corpus: Path) -> None:
    seen_covered = set()
    for path in corpus_files(corpus):
        fmt = formats.identify(path)
        assert check_structure(path, fmt) is None, path.name
        if fmt is not None and fmt.is_photo:
            assert covers(fmt) == (path.name not in NOT_COVERED), path.name
            if covers(fmt):
                seen_covered.add(fmt.key)
    # Every kind of container the check walks is met in the corpus.
    assert {"jpeg", "png", "gif", "webp", "tiff", "heic", "cr2", "cr3", "dng", "nef"} <= (
        seen_covered
    )


def test_corpus_files_cut_short_are_truncated(corpus: Path, tmp_path: Path) -> None:
    checked = 0
    for path in corpus_files(corpus):
        fmt = formats.identify(path)
        if not covers(fmt):
            continue
        data = path.read_bytes()
        for point in cut_points(path):
            cut = tmp_path / f"cut-{point}-{path.name}"
            cut.write_bytes(data[:point])
            assert check(cut) == TRUNCATED, f"{path.name} cut at byte {point} of {len(data)}"
            checked += 1
    assert checked > 250


@pytest.mark.parametrize("name", sorted(TRAILERS))
def test_data_after_the_image_is_not_the_image(corpus: Path, tmp_path: Path, name: str) -> None:
    """Cameras and editors append data after the primary image; cutting there leaves the image
    whole, and cutting before its end does not."""
    data = (corpus / name).read_bytes()
    end = image_end(data)
    assert end < len(data), TRAILERS[name]
    whole, cut = tmp_path / f"whole-{name}", tmp_path / f"cut-{name}"
    whole.write_bytes(data[: (end + len(data)) // 2])
    cut.write_bytes(data[: end - 1])
    assert check(whole) is None
    assert check(cut) == TRUNCATED


def test_a_phone_jpeg_with_a_second_image_and_a_trailer(tmp_path: Path) -> None:
    """An MPF-style second JPEG and a Samsung-style trailer after the primary image: whole; the
    end marker is found behind them, and a cut inside the primary image is still seen."""
    primary = photo_jpeg((640, 480))
    data = primary + photo_jpeg((160, 120), seed=3) + b"SEFH" + bytes(300) + b"SEFT"
    path = tmp_path / "phone.jpg"
    path.write_bytes(data)
    assert check(path) is None
    path.write_bytes(data[: len(primary) - 100])
    assert check(path) == TRUNCATED


def test_a_copy_whose_end_is_zeros_is_truncated(tmp_path: Path) -> None:
    """A failing card or an interrupted copy can leave a file of the right length whose end is
    zeros: the image data stops where the zeros start, and no end-of-image marker follows."""
    data = photo_jpeg((640, 480))
    path = tmp_path / "zeros.jpg"
    path.write_bytes(data[: len(data) // 2] + bytes(len(data) - len(data) // 2))
    assert check(path) == TRUNCATED


# Every covered format, made here ---------------------------------------------------------------


def _sample() -> Image.Image:
    return Image.open(io.BytesIO(photo_jpeg((160, 120)))).convert("RGB")


def _saved(fmt: str, **options: object) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        _sample().save(path, fmt, **options)

    return make


def _animated_gif(path: Path) -> None:
    frames = [_sample().quantize(), _sample().rotate(90).quantize()]
    frames[0].save(path, "GIF", save_all=True, append_images=frames[1:])


def _heic(path: Path) -> None:
    save_heic(_sample(), path)


MADE: dict[str, Callable[[Path], None]] = {
    "progressive.jpg": _saved("JPEG", progressive=True, quality=90),
    "photo.png": _saved("PNG"),
    "lossy.webp": _saved("WEBP", quality=80),
    "lossless.webp": _saved("WEBP", lossless=True),
    "extended.webp": _saved("WEBP", exif=Image.Exif().tobytes() + b"\x00" * 8),
    "animated.gif": _animated_gif,
    "lzw.tif": _saved("TIFF", compression="tiff_lzw"),
    "big.tif": _saved("TIFF", big_tiff=True),
    "photo.heic": _heic,
    "photo.avif": _saved("AVIF"),
}


@pytest.mark.parametrize("name", sorted(MADE))
def test_each_covered_format_whole_and_cut(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    MADE[name](path)
    assert covers(formats.identify(path)), name
    assert check(path) is None
    data = path.read_bytes()
    for point in (*cut_points(path), len(data) - 1):
        cut = tmp_path / f"cut-{point}-{name}"
        cut.write_bytes(data[:point])
        assert check(cut) == TRUNCATED, f"{name} cut at byte {point} of {len(data)}"


def test_a_truncated_heic_is_truncated_not_an_error(tmp_path: Path) -> None:
    """A decoder fails on a cut HEIC in its own ways (EOFError, ValueError, "cannot identify"),
    depending on where the cut falls; the structure says the one reason without decoding."""
    whole = _heic_file(tmp_path)
    data = whole.read_bytes()
    for point in (40, len(data) // 2, len(data) - 10):
        cut = tmp_path / f"cut-{point}.heic"
        cut.write_bytes(data[:point])
        assert check(cut) == TRUNCATED, point


def _heic_file(folder: Path) -> Path:
    path = folder / "photo.heic"
    _heic(path)
    return path


# Damage, each named with its reason ------------------------------------------------------------


def _patch(data: bytes, at: int, new: bytes) -> bytes:
    return data[:at] + new + data[at + len(new) :]


def _box(data: bytes, kind: bytes) -> int:
    return next(box.offset for box in boxes(RandomAccess(data)) if box.type == kind)


def _strip_counts(data: bytes) -> int:
    """Where the first directory's StripByteCounts value lies (inline: one strip)."""
    tiff = Tiff(data)
    entry = tiff.read_ifd(tiff.ifd0).get(0x0117)
    assert entry is not None and entry.inline
    return entry.value_offset


def _jpeg_damage(corpus: Path, new_length: bytes) -> bytes:
    # Canon.jpg: APP1 (EXIF) at byte 2, its length at bytes 4-5.
    return _patch((corpus / "Canon.jpg").read_bytes(), 4, new_length)


DAMAGE: dict[str, tuple[str, Callable[[Path, Path], bytes], str]] = {
    # name: (file name, make the damaged bytes from (corpus, tmp), what the reason must say)
    "jpeg: a segment length landing inside the EXIF": (
        "Canon.jpg",
        lambda corpus, _: _jpeg_damage(corpus, b"\x01\x8c"),
        "is damaged (its JPEG structure is broken: no segment marker at byte 400)",
    ),
    "jpeg: a segment length past the end of a file that ends whole": (
        "Canon.jpg",
        lambda corpus, _: _jpeg_damage(corpus, b"\xff\x8c"),
        "is damaged (its JPEG structure is broken: the segment at byte 2 runs past the end",
    ),
    "jpeg: no frame header before the scan": (
        "Writer.jpg",  # its SOF0 marker (bytes 136-137) turned into an APP5
        lambda corpus, _: _patch((corpus / "Writer.jpg").read_bytes(), 137, b"\xe5"),
        "is damaged (its JPEG structure is broken: no frame header (SOF) before the image",
    ),
    "png: the IHDR length flipped": (
        "PNG.png",
        lambda corpus, _: _patch((corpus / "PNG.png").read_bytes(), 8, b"\x00\x00\x01\x0d"),
        "is damaged (its PNG structure is broken: ",
    ),
    "png: one bit of the image data flipped": (
        "photo.png",
        lambda _, tmp: _flip(_made(tmp, "photo.png"), 200),
        "is damaged (its PNG structure is broken: the IDAT chunk at byte ",
    ),
    "webp: a RIFF size past the end of the file": (
        "lossy.webp",
        lambda _, tmp: _patch(_made(tmp, "lossy.webp"), 4, struct.pack("<I", 1 << 20)),
        TRUNCATED,
    ),
    "webp: an image chunk size past the RIFF container": (
        "lossy.webp",
        lambda _, tmp: _patch(_made(tmp, "lossy.webp"), 16, struct.pack("<I", 1 << 20)),
        "is damaged (its WebP structure is broken: the VP8 chunk at byte 12 runs past",
    ),
    "heic: an mdat size past the end of the file": (
        "photo.heic",
        lambda _, tmp: _grow_box(_made(tmp, "photo.heic"), b"mdat", 1 << 20),
        TRUNCATED,
    ),
    "heic: a meta box too small for its header": (
        "photo.heic",
        lambda _, tmp: _set_box_size(_made(tmp, "photo.heic"), b"meta", 4),
        "is damaged (its HEIC structure is broken: 'meta' box at byte ",
    ),
    "tiff: a strip byte count past the end of the file": (
        "lzw.tif",
        lambda _, tmp: _patch(
            data := _made(tmp, "lzw.tif"), _strip_counts(data), struct.pack("<I", 1 << 24)
        ),
        TRUNCATED,
    ),
    "gif: an unknown block": (
        "GIF.gif",
        lambda corpus, _: _patch((corpus / "GIF.gif").read_bytes(), -1, b"\x99"),
        "is damaged (its GIF structure is broken: an unknown block (0x99) at byte ",
    ),
}


def _made(folder: Path, name: str) -> bytes:
    path = folder / f"made-{name}"
    MADE[name](path)
    return path.read_bytes()


def _flip(data: bytes, at: int) -> bytes:
    return _patch(data, at, bytes((data[at] ^ 0x01,)))


def _set_box_size(data: bytes, kind: bytes, size: int) -> bytes:
    return _patch(data, _box(data, kind), struct.pack(">I", size))


def _grow_box(data: bytes, kind: bytes, by: int) -> bytes:
    at = _box(data, kind)
    return _set_box_size(data, kind, int.from_bytes(data[at : at + 4], "big") + by)


@pytest.mark.parametrize("what", sorted(DAMAGE))
def test_damage_is_named_with_its_reason(corpus: Path, tmp_path: Path, what: str) -> None:
    name, make, reason = DAMAGE[what]
    path = tmp_path / name
    path.write_bytes(make(corpus, tmp_path))
    found = check(path)
    assert found is not None and found.startswith(reason), f"{what}: {found}"


def test_formats_not_covered_are_left_to_a_decode(corpus: Path, tmp_path: Path) -> None:
    for name in sorted(NOT_COVERED):
        cut = tmp_path / name
        cut.write_bytes((corpus / name).read_bytes()[:100])
        fmt = formats.identify(cut)
        assert not covers(fmt)
        assert check_structure(cut, fmt) is None
    assert check_structure(corpus / "Canon.jpg", None) is None  # content unknown to the caller


def test_no_damage_makes_the_check_raise(corpus: Path, tmp_path: Path) -> None:
    """Bytes changed at random in the headers of every covered corpus file: a reason or None,
    never an exception."""
    rng = random.Random(20260601)
    target = tmp_path / "damaged"
    answers: set[str | None] = set()
    for path in corpus_files(corpus):
        fmt = formats.identify(path)
        if not covers(fmt):
            continue
        data = bytearray(path.read_bytes())
        for _ in range(40):
            damaged = bytearray(data)
            for _ in range(rng.choice((1, 2, 4))):
                damaged[rng.randrange(min(len(data), 600))] = rng.randrange(256)
            target.write_bytes(damaged)
            answer = check_structure(target, fmt)
            assert answer is None or answer.startswith(("is damaged (", TRUNCATED))
            answers.add(answer if answer is None else answer.split(" (")[0])
    assert answers == {None, "is damaged", "is truncated"}
