"""Photos for the derivative tests: JPEGs with camera EXIF, PNG bombs, transparent images and a
tiny DNG written by hand (the corpus RAWs have their sensor data stripped)."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import piexif
from PIL import Image, ImageCms

RED = (255, 0, 0)
BLUE = (0, 0, 255)
MARKER = b"AlbumenMarkerCam"
SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def quadrant_image(width: int, height: int) -> Image.Image:
    """Blue with a red top-left quadrant: where the red lands shows how the picture turned."""
    image = Image.new("RGB", (width, height), BLUE)
    image.paste(RED, (0, 0, width // 2, height // 2))
    return image


def camera_exif(orientation: int = 1, **exif_ifd: bytes) -> bytes:
    """EXIF as a camera writes it: make, orientation, GPS position and capture time."""
    return piexif.dump(
        {
            "0th": {
                piexif.ImageIFD.Make: MARKER,
                piexif.ImageIFD.Model: b"Model X",
                piexif.ImageIFD.Orientation: orientation,
            },
            "Exif": {
                piexif.ExifIFD.DateTimeOriginal: b"2024:05:06 14:30:00",
                piexif.ExifIFD.BodySerialNumber: b"SERIAL-123456",
                **{getattr(piexif.ExifIFD, key): value for key, value in exif_ifd.items()},
            },
            "GPS": {
                piexif.GPSIFD.GPSLatitudeRef: b"N",
                piexif.GPSIFD.GPSLatitude: ((52, 1), (31, 1), (1234, 100)),
                piexif.GPSIFD.GPSLongitudeRef: b"E",
                piexif.GPSIFD.GPSLongitude: ((13, 1), (24, 1), (5678, 100)),
            },
        }
    )


def save_jpeg(path: Path, image: Image.Image, **options: Any) -> Path:
    image.save(path, format="JPEG", quality=90, **options)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    image.load()
    return image


def near(pixel: Any, colour: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(int(a) - int(b)) <= tolerance for a, b in zip(pixel, colour, strict=True))


def png_bytes(width: int, height: int) -> bytes:
    """A complete, valid 1-bit PNG of zeros: tiny on disk, `width*height` pixels when decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(1)
    block = row * 1000
    body = b"".join(compressor.compress(block) for _ in range(height // 1000))
    body += compressor.compress(row * (height % 1000)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


# --- a tiny DNG, written by hand: the corpus RAWs have their sensor data stripped -------------


def tiff_bytes(ifds: list[tuple[list[tuple[int, int, Any]], bytes]]) -> bytes:
    """A little-endian TIFF of chained sub-IFDs: IFD n+1 is IFD n's SubIFD when it asks ("SUB").

    Entries are (tag, type, value); the value "DATA" points at that IFD's pixel bytes.
    """
    formats = {1: "B", 3: "H", 4: "I", 10: "ii"}
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    starts: list[int] = []
    sub_pointers: list[int] = []
    for entries, data in ifds:
        start = len(out)
        starts.append(start)
        extra = bytearray()
        extra_base = start + 2 + 12 * len(entries) + 4
        table = bytearray(struct.pack("<H", len(entries)))
        data_pointers: list[int] = []
        for tag, kind, value in sorted(entries, key=lambda entry: entry[0]):
            if value in ("DATA", "SUB"):
                (data_pointers if value == "DATA" else sub_pointers).append(start + len(table) + 8)
                raw, count = b"\x00" * 4, 1
            elif isinstance(value, str):
                raw = value.encode() + b"\x00"
                count = len(raw)
            else:
                values = value if isinstance(value, list) else [value]
                flat = [part for item in values for part in (item if kind == 10 else (item,))]
                raw = struct.pack(f"<{len(flat)}{formats[kind][0]}", *flat)
                count = len(values)
            if len(raw) <= 4:
                table += struct.pack("<HHI", tag, kind, count) + raw.ljust(4, b"\x00")
            else:
                table += struct.pack("<HHII", tag, kind, count, extra_base + len(extra))
                extra += raw + b"\x00" * (len(raw) % 2)
        out += table + b"\x00\x00\x00\x00" + extra
        for pointer in data_pointers:
            struct.pack_into("<I", out, pointer, len(out))
        out += data
        out += b"\x00" * (len(out) % 2)
    for pointer, target in zip(sub_pointers, starts[1:], strict=True):
        struct.pack_into("<I", out, pointer, target)
    struct.pack_into("<I", out, 4, starts[0])
    return bytes(out)


def dng_bytes(sensor: np.ndarray, orientation: int, preview: Image.Image | None) -> bytes:
    """A Bayer DNG with an optional uncompressed RGB preview as its first IFD, as cameras do."""
    height, width = sensor.shape
    cfa = sensor.astype("<u2").tobytes()
    raw_ifd = [
        (254, 4, 0),
        (256, 4, width),
        (257, 4, height),
        (258, 3, 16),
        (259, 3, 1),
        (262, 3, 32803),  # colour filter array
        (273, 4, "DATA"),
        (277, 3, 1),
        (278, 4, height),
        (279, 4, len(cfa)),
        (33421, 3, [2, 2]),
        (33422, 1, [0, 1, 1, 2]),  # RGGB
        (50717, 4, 4095),
    ]
    identity = [(1, 1), (0, 1), (0, 1), (0, 1), (1, 1), (0, 1), (0, 1), (0, 1), (1, 1)]
    camera = [
        (271, 2, "Albumen"),
        (272, 2, "Test Camera"),
        (274, 3, orientation),
        (50706, 1, [1, 4, 0, 0]),  # DNGVersion
        (50708, 2, "Albumen Test Camera"),
        (50721, 10, identity),  # ColorMatrix1
        (50778, 3, 21),
    ]
    if preview is None:
        return tiff_bytes([(raw_ifd + camera, cfa)])
    pixels = preview.convert("RGB").tobytes()
    first = [
        (254, 4, 1),  # a reduced-resolution copy
        (256, 4, preview.width),
        (257, 4, preview.height),
        (258, 3, [8, 8, 8]),
        (259, 3, 1),
        (262, 3, 2),
        (273, 4, "DATA"),
        (277, 3, 3),
        (278, 4, preview.height),
        (279, 4, len(pixels)),
        (330, 4, "SUB"),
    ]
    return tiff_bytes([(first + camera, pixels), (raw_ifd, cfa)])


def bright_top_left_sensor(width: int, height: int) -> np.ndarray:
    sensor = np.full((height, width), 150, dtype=np.uint16)
    sensor[: height // 2, : width // 2] = 4000
    return sensor


def rgba_png(path: Path) -> Path:
    image = Image.new("RGBA", (400, 200), (0, 255, 0, 0))  # transparent, but green underneath
    image.paste((255, 0, 0, 255), (0, 0, 200, 200))
    image.save(path, format="PNG")
    return path


def palette_gif(path: Path) -> Path:
    image = Image.new("P", (400, 200), 1)
    image.putpalette([255, 0, 0, 0, 255, 0] + [0] * 762)
    image.paste(0, (0, 0, 200, 200))
    image.save(path, format="GIF", transparency=1)
    return path


def grey_alpha_png(path: Path) -> Path:
    image = Image.new("LA", (400, 200), (0, 0))  # transparent black
    image.paste((0, 255), (0, 0, 200, 200))  # opaque black on the left
    image.save(path, format="PNG")
    return path
