"""Stripping PNG (eXIf, XMP, ImageMagick raw profiles) and WebP (EXIF and XMP chunks)."""

from __future__ import annotations

import io
import zlib
from typing import BinaryIO, cast

import piexif

from albumen_photo.strip import (
    strip_bytes,
    strip_stream,
)
from tests.photo.strip_helpers import (
    ARTIST,
    CITY,
    COPYRIGHT,
    PRIVATE,
    WITH_METADATA,
    XMP_WITH_LOCATION,
    assert_absent,
    camera_exif,
    camera_png,
    exif_of,
    pixels,
    png_chunks,
    sample_image,
    webp_chunks,
)

# PNG and WebP -------------------------------------------------------------------------------


def test_png_exif_xmp_and_raw_profiles() -> None:
    src = camera_png()
    assert b"eXIf" in src and b"XML:com.adobe.xmp" in src

    for keep in (PRIVATE, WITH_METADATA):
        out = strip_bytes(src, keep)
        chunks = png_chunks(out)  # every CRC is right, the rewritten ones included
        types = [t for t, _ in chunks]
        assert types[0] == b"IHDR" and types[-1] == b"IEND" and b"iCCP" in types
        idat = [d for t, d in chunks if t == b"IDAT"]
        assert idat == [d for t, d in png_chunks(src) if t == b"IDAT"]
        exif = exif_of(out)
        assert dict(exif.get_ifd(0x8825)) == {}
        assert exif.get(0x013B) == ARTIST and exif.get(0x0112) == 6
        assert (exif.get(0x010F) == "AcmeCam") is keep.metadata
        texts = b"".join(
            zlib.decompress(d.split(b"\x00", 1)[1][1:]) if t == b"zTXt" else d
            for t, d in chunks
            if t in (b"tEXt", b"zTXt", b"iTXt")
        )
        assert_absent(texts, [CITY, "Secret Cove", "51,30.4159N", "51.5073019"])
        assert ARTIST.encode() in texts and COPYRIGHT.encode() in texts
        assert (b"shot at the beach bar" in texts) is keep.metadata
        profile = next(d for t, d in chunks if d.startswith(b"Raw profile type iptc\x00"))
        lines = zlib.decompress(profile.split(b"\x00", 1)[1][1:]).split()
        iptc = bytes.fromhex(b"".join(lines[2:]).decode())
        assert len(iptc) == int(lines[1])
        assert ARTIST.encode() in iptc and CITY.encode() not in iptc
        assert (b"shot at the beach bar" in iptc) is keep.metadata
        assert pixels(out) == pixels(src)


def test_webp_exif_and_xmp() -> None:
    buf = io.BytesIO()
    sample_image().save(buf, "WEBP", lossless=True, exif=camera_exif(), xmp=XMP_WITH_LOCATION)
    src = buf.getvalue()
    assert b"EXIF" in src and b"XMP " in src

    for keep in (PRIVATE, WITH_METADATA):
        out = strip_bytes(src, keep)
        chunks = dict(webp_chunks(out))  # checks the RIFF size too
        flags = chunks[b"VP8X"][0]
        assert flags & 0x08 and flags & 0x04  # EXIF and XMP still there, for the credit
        assert chunks[b"VP8L"] == dict(webp_chunks(src))[b"VP8L"]
        exif = exif_of(out)
        assert dict(exif.get_ifd(0x8825)) == {}
        assert exif.get(0x013B) == ARTIST
        assert (exif.get(0x010F) == "AcmeCam") is keep.metadata
        assert_absent(out, [CITY, "51,30.4159N", "51.5073019", "98765/100"])
        assert ARTIST.encode() in chunks[b"XMP "]
        assert pixels(out) == pixels(src)

    # Without anything worth keeping, the chunks go and the flags say so.
    exif_only_camera = piexif.dump({"0th": {piexif.ImageIFD.Make: b"AcmeCam"}})
    bare = io.BytesIO()
    sample_image().save(bare, "WEBP", lossless=True, exif=exif_only_camera, xmp=b"<a/>")
    out = strip_bytes(bare.getvalue(), PRIVATE)
    chunks = dict(webp_chunks(out))
    assert b"EXIF" not in chunks and b"XMP " not in chunks
    assert chunks[b"VP8X"][0] & 0x0C == 0


def test_unseekable_webp_source_is_spooled() -> None:
    buf = io.BytesIO()
    sample_image().save(buf, "WEBP", lossless=True, exif=camera_exif())
    src = buf.getvalue()

    class Pipe(io.RawIOBase):
        def __init__(self) -> None:
            self.data = io.BytesIO(src)

        def readable(self) -> bool:
            return True

        def readinto(self, b: bytearray) -> int:  # type: ignore[override]
            chunk = self.data.read(min(len(b), 100))
            b[: len(chunk)] = chunk
            return len(chunk)

    out = b"".join(strip_stream(cast(BinaryIO, Pipe()), PRIVATE, chunk_size=256))
    assert out == strip_bytes(src, PRIVATE)
