"""PNG: chunks read (text decompressed, ImageMagick's raw profiles decoded) and stripped.

Why: PNG keeps EXIF in eXIf, XMP in an iTXt keyword, and ImageMagick writes EXIF, IPTC and XMP
as hex "Raw profile type" texts; each must be read and filtered like its JPEG counterpart, while
the image chunks are copied through untouched.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from albumen_photo.byteio import ForwardReader, RandomAccess
from albumen_photo.errors import Malformed, StripError
from albumen_photo.exif import filter_exif
from albumen_photo.iim import IRB_SIGNATURES, filter_iim, filter_irb
from albumen_photo.jpeg import EXIF_ID, PHOTOSHOP_ID
from albumen_photo.policy import KeepPolicy
from albumen_photo.xmp import LOCATION_WORDS, filter_xmp_bytes

__all__ = ["Chunk", "png_chunks", "png_text", "raw_profile", "strip_png"]

_MAX_BLOCK = 64 << 20  # one metadata chunk
_MAX_TEXT = 16 << 20  # a decompressed text

# Chunks that make up or colour the image; everything is copied except what is named below.
_PNG_IMAGE_CHUNKS = frozenset(
    {
        b"IHDR",
        b"PLTE",
        b"IDAT",
        b"tRNS",
        b"cHRM",
        b"gAMA",
        b"iCCP",
        b"sBIT",
        b"sRGB",
        b"cICP",
        b"mDCV",
        b"mDCv",
        b"cLLI",
        b"cLLi",
        b"bKGD",
        b"hIST",
        b"pHYs",
        b"sPLT",
        b"acTL",
        b"fcTL",
        b"fdAT",
        b"sCAL",
        b"oFFs",
        b"pCAL",
        b"sTER",
    }
)
_PNG_METADATA_CHUNKS = frozenset({b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"})
_PNG_XMP_KEYWORD = "XML:com.adobe.xmp"
_PNG_RAW_PROFILE = "raw profile type "
_PNG_ALWAYS_KEYWORDS = frozenset({"author", "copyright"})
_RAW_PROFILE_TEXT = re.compile(rb"\s*(\S+)\s*\n\s*(\d+)\s*\n(.*)", re.DOTALL)


def _png_chunk(ctype: bytes, data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + ctype + data + zlib.crc32(ctype + data).to_bytes(4, "big")


def _inflate(data: bytes) -> bytes:
    """Decompress with a ceiling, so a tiny text chunk cannot unfold into gigabytes."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, _MAX_TEXT)
    except zlib.error as exc:
        raise Malformed("bad compressed text") from exc
    if inflater.unconsumed_tail:
        raise Malformed("compressed text too large")
    return out


def png_text(ctype: bytes, data: bytes) -> tuple[str, bytes]:
    """Keyword and (decompressed) text of a tEXt, zTXt or iTXt chunk; raises Malformed."""
    nul = data.find(b"\x00")
    if not 1 <= nul <= 79:
        raise Malformed("text chunk without a keyword")
    keyword = data[:nul].decode("latin-1")
    rest = data[nul + 1 :]
    if ctype == b"tEXt":
        return keyword, rest
    if ctype == b"zTXt":
        if not rest or rest[0] != 0:
            raise Malformed("unknown compression")
        return keyword, _inflate(rest[1:])
    if len(rest) < 2:
        raise Malformed("iTXt chunk truncated")
    compressed, method = rest[0], rest[1]
    lang_end = rest.find(b"\x00", 2)
    translated_end = rest.find(b"\x00", lang_end + 1) if lang_end >= 0 else -1
    if translated_end < 0:
        raise Malformed("iTXt chunk truncated")
    text = rest[translated_end + 1 :]
    if compressed:
        if method != 0:
            raise Malformed("unknown compression")
        text = _inflate(text)
    return keyword, text


def _filter_blob(data: bytes, keep: KeepPolicy) -> bytes | None:
    """Filter a metadata block recognised by its content (ImageMagick's raw profiles)."""
    if data.startswith(EXIF_ID) and len(data) > 6:
        tiff = filter_exif(data[6:], keep)
        return None if tiff is None else b"Exif\x00\x00" + tiff
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return filter_exif(data, keep)
    if data.startswith(PHOTOSHOP_ID):
        irb = filter_irb(data[len(PHOTOSHOP_ID) :], keep)
        return None if irb is None else PHOTOSHOP_ID + irb
    if data[:4] in IRB_SIGNATURES:
        return filter_irb(data, keep)
    if data[:1] == b"\x1c":
        try:
            return filter_iim(data, keep) or None
        except Malformed:
            return None
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return filter_xmp_bytes(data, keep)
    return None


def raw_profile(text: bytes) -> tuple[bytes, bytes] | None:
    """An ImageMagick "Raw profile type ..." text decoded: (profile name, the block's bytes);
    None when the text is not such a profile."""
    match = _RAW_PROFILE_TEXT.match(text)
    if match is None:
        return None
    length = int(match[2])
    try:
        data = bytes.fromhex(re.sub(rb"\s+", b"", match[3]).decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        return None
    if len(data) < length:
        return None
    return match[1], data[:length]


def _filter_raw_profile(text: bytes, keep: KeepPolicy) -> bytes | None:
    """Filter a raw profile text; the result is written back in the same hex form."""
    profile = raw_profile(text)
    if profile is None:
        return None
    name, data = profile
    new = _filter_blob(data, keep)
    if new is None:
        return None
    digits = new.hex()
    lines = "\n".join(digits[i : i + 72] for i in range(0, len(digits), 72))
    return b"\n" + name + b"\n" + f"{len(new):8d}\n{lines}\n".encode("ascii")


def _filter_png_text(ctype: bytes, data: bytes, keep: KeepPolicy) -> tuple[bytes, bytes] | None:
    try:
        keyword, text = png_text(ctype, data)
    except Malformed:
        return None
    if keyword == _PNG_XMP_KEYWORD:
        xmp = filter_xmp_bytes(text, keep)
        if xmp is None:
            return None
        return b"iTXt", keyword.encode("latin-1") + b"\x00\x00\x00\x00\x00" + xmp
    low = keyword.lower()
    if low.startswith(_PNG_RAW_PROFILE):
        if low[len(_PNG_RAW_PROFILE) :] in ("icc", "icm"):
            return ctype, data  # a colour profile, which always stays
        profile = _filter_raw_profile(text, keep)
        if profile is None:
            return None
        return b"zTXt", keyword.encode("latin-1") + b"\x00\x00" + zlib.compress(profile)
    if any(word in low for word in (*LOCATION_WORDS, "location")):
        return (ctype, data) if keep.location else None
    if low in _PNG_ALWAYS_KEYWORDS or keep.metadata:
        return ctype, data
    return None


def _filter_png_chunk(ctype: bytes, data: bytes, keep: KeepPolicy) -> tuple[bytes, bytes] | None:
    if ctype == b"tIME":
        return (ctype, data) if keep.metadata else None
    if ctype == b"eXIf":
        prefix = data[:6] if data.startswith(EXIF_ID) else b""
        tiff = filter_exif(data[len(prefix) :], keep)
        return None if tiff is None else (ctype, prefix + tiff)
    return _filter_png_text(ctype, data, keep)


def strip_png(r: ForwardReader, keep: KeepPolicy) -> Iterator[bytes]:
    """Copy image chunks through, rewrite metadata chunks, drop unknown ancillary chunks.

    Unknown critical chunks (upper-case first letter) are kept: a decoder cannot do without
    them. Anything after IEND is dropped.
    """
    yield r.take(8, "its signature")
    while True:
        if r.at_end():
            raise StripError("PNG ends before its IEND chunk (the file is truncated)")
        offset = r.offset
        head = r.take(8, "a chunk header")
        length = int.from_bytes(head[:4], "big")
        ctype = head[4:]
        if not ctype.isalpha() or not ctype.isascii():
            raise StripError(f"PNG is corrupt: invalid chunk type {ctype!r} at byte {offset}")
        if length > 0x7FFFFFFF:
            raise StripError(
                f"PNG is corrupt: the {ctype.decode()} chunk at byte {offset} is too long"
            )
        what = f"the {ctype.decode()} chunk"
        if ctype == b"IEND":
            yield head
            yield from r.copy(length + 4, what)
            return
        if ctype in _PNG_IMAGE_CHUNKS or ctype[:1].isupper():
            yield head
            yield from r.copy(length + 4, what)
        elif ctype in _PNG_METADATA_CHUNKS and length <= _MAX_BLOCK:
            data = r.take(length, what)
            r.take(4, what)
            new = _filter_png_chunk(ctype, data, keep)
            if new is not None:
                yield _png_chunk(*new)
        else:
            r.skip(length + 4, what)


@dataclass(frozen=True)
class Chunk:
    """One PNG chunk: its type, where its data starts in the file, and the data (None when
    it is not metadata and was not read)."""

    type: bytes
    offset: int
    length: int
    data: bytes | None


def png_chunks(source: bytes | RandomAccess, *, metadata_only: bool = True) -> Iterator[Chunk]:
    """The chunks of a PNG up to IEND. Metadata chunks (eXIf, tEXt, zTXt, iTXt, tIME) come
    with their data; others too unless ``metadata_only``. Decode texts with :func:`png_text`
    and raw profiles with :func:`raw_profile`. Raises :class:`Malformed` where it breaks."""
    ra = source if isinstance(source, RandomAccess) else RandomAccess(source)
    if ra.read(0, 8) != b"\x89PNG\r\n\x1a\n":
        raise Malformed("not a PNG")
    pos = 8
    while pos + 8 <= ra.size:
        head = ra.read(pos, 8)
        length, ctype = int.from_bytes(head[:4], "big"), head[4:]
        if not ctype.isalpha() or not ctype.isascii() or length > 0x7FFFFFFF:
            raise Malformed(f"invalid chunk at byte {pos}")
        wanted = ctype in _PNG_METADATA_CHUNKS and length <= _MAX_BLOCK
        data = ra.read(pos + 8, length) if wanted or not metadata_only else None
        yield Chunk(ctype, pos + 8, length, data)
        if ctype == b"IEND":
            return
        pos += 12 + length
