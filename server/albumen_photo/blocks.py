"""Where the metadata blocks sit inside JPEG, PNG and TIFF files: the XMP segments of a JPEG,
the metadata chunks of a PNG, the IPTC tag of a TIFF, XMP packets loose in a RAW file.

Only finds and returns the raw blocks; :mod:`albumen_photo.exif_fields` and
:mod:`albumen_photo.xmp_facts` say what they mean. Every read is bounded, and image data is
skipped with seeks, so this costs a few reads whatever the image size.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

__all__ = ["jpeg_xmp", "png_metadata_chunks", "tiff_ifd0_bytes", "xmp_packets_in"]

_MAX_PNG_CHUNK = 16 << 20
_MAX_TEXT = 16 << 20
_XMP_ID = b"http://ns.adobe.com/xap/1.0/\x00"
_XMP_EXT_ID = b"http://ns.adobe.com/xmp/extension/\x00"
_TIFF_TYPE_SIZES = {
    1: 1,
    2: 1,
    3: 2,
    4: 4,
    5: 8,
    6: 1,
    7: 1,
    8: 2,
    9: 4,
    10: 8,
    11: 4,
    12: 8,
    13: 4,
}


def tiff_ifd0_bytes(path: Path, wanted: int) -> bytes | None:
    """The raw value bytes of one tag of a TIFF file's first directory (classic TIFF only)."""
    with path.open("rb") as handle:
        head = handle.read(8)
        if head[:4] not in (b"II*\x00", b"MM\x00*"):
            return None
        order = "<" if head[:2] == b"II" else ">"
        (offset,) = struct.unpack(order + "I", head[4:8])
        handle.seek(offset)
        (count,) = struct.unpack(order + "H", handle.read(2))
        entries = handle.read(12 * min(count, 4096))
        for pos in range(0, len(entries) - 11, 12):
            tag, kind, n, value = struct.unpack(order + "HHI4s", entries[pos : pos + 12])
            if tag != wanted:
                continue
            size = n * _TIFF_TYPE_SIZES.get(kind, 0)
            if size <= 4:
                return value[:size] or None
            if size > _MAX_TEXT:
                return None
            handle.seek(struct.unpack(order + "I", value)[0])
            return handle.read(size)
    return None


def jpeg_xmp(applist: list[tuple[str, bytes]]) -> list[bytes]:
    """The main XMP packet of a JPEG and its extension (which holds what did not fit in one
    segment), from the APP1 segments Pillow kept."""
    main: list[bytes] = []
    parts: dict[bytes, dict[int, bytes]] = {}
    for marker, payload in applist:
        if marker != "APP1" or not isinstance(payload, bytes):
            continue
        if payload.startswith(_XMP_ID):
            main.append(payload[len(_XMP_ID) :])
        elif payload.startswith(_XMP_EXT_ID):
            body = payload[len(_XMP_EXT_ID) :]
            if len(body) < 40:
                continue
            guid, offset = body[:32], int.from_bytes(body[36:40], "big")
            parts.setdefault(guid, {})[offset] = body[40:]
    for chunks in parts.values():
        main.append(b"".join(chunks[offset] for offset in sorted(chunks)))
    return main


def png_metadata_chunks(path: Path) -> Iterator[tuple[str, bytes]]:
    """("exif" | "xmp" | "iptc", data) for each metadata chunk of a PNG; image data is skipped
    with seeks, so this costs a few reads whatever the image size."""
    with path.open("rb") as handle:
        if handle.read(8) != b"\x89PNG\r\n\x1a\n":
            return
        while True:
            header = handle.read(8)
            if len(header) < 8:
                return
            length, kind = struct.unpack(">I4s", header)
            if kind in (b"IDAT", b"fdAT") or length > _MAX_PNG_CHUNK:
                handle.seek(length + 4, io.SEEK_CUR)
                continue
            data = handle.read(length)
            handle.seek(4, io.SEEK_CUR)  # CRC
            if kind == b"IEND":
                return
            if kind == b"eXIf":
                yield "exif", data
            elif kind in (b"iTXt", b"tEXt", b"zTXt"):
                keyword, text = _png_text(kind, data)
                if keyword == "XML:com.adobe.xmp":
                    yield "xmp", text
                elif keyword.startswith("Raw profile type "):
                    blob = _imagemagick_profile(text)
                    name = keyword.removeprefix("Raw profile type ").lower()
                    if blob and name in ("exif", "app1"):
                        yield "exif", blob
                    elif blob and name == "iptc":
                        yield "iptc", blob
                    elif blob and name == "xmp":
                        yield "xmp", blob


def _png_text(kind: bytes, data: bytes) -> tuple[str, bytes]:
    keyword, _, rest = data.partition(b"\x00")
    name = keyword.decode("latin-1")
    if kind == b"tEXt":
        return name, rest
    if kind == b"zTXt":
        return name, _inflate(rest[1:])
    if len(rest) < 2:
        return name, b""
    compressed, body = rest[0], rest[2:]
    _language, _, body = body.partition(b"\x00")
    _translated, _, body = body.partition(b"\x00")
    return name, _inflate(body) if compressed else body


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(data, _MAX_TEXT)
    if inflater.unconsumed_tail:
        raise ValueError("a compressed text chunk is larger than 16 MB")
    return out


def _imagemagick_profile(text: bytes) -> bytes | None:
    """ImageMagick's "Raw profile type ..." text: a name, a length, then hex digits."""
    lines = text.decode("latin-1").strip().split("\n", 2)
    if len(lines) < 3:
        return None
    try:
        blob = bytes.fromhex("".join(lines[2].split()))
    except ValueError:
        return None
    return blob


def xmp_packets_in(data: bytes) -> list[bytes]:
    """XMP packets found anywhere in ``data``: RAW formats keep them in boxes of their own."""
    packets = []
    start = data.find(b"<x:xmpmeta")
    while start >= 0:
        end = data.find(b"</x:xmpmeta>", start)
        if end < 0:
            break
        packets.append(data[start : end + len(b"</x:xmpmeta>")])
        start = data.find(b"<x:xmpmeta", end)
    return packets
