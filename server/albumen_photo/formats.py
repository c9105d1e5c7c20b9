"""Which photo formats Albumen knows: told apart by content, never by file name alone.

The one registry of formats for the app and the server: sniffing, names fit for messages, RAW
kinds, what is not a photo at all, and the pixel limit above which a file is treated as a
decompression bomb.
"""

from __future__ import annotations

__all__ = ["FORMAT_NAMES", "MAX_PIXELS", "sniff_format"]

MAX_PIXELS = 250_000_000  # above any camera made (150 MP); beyond it a file is a bomb

FORMAT_NAMES = {
    "avi": "AVI video",
    "avif": "AVIF",
    "bmp": "BMP",
    "cr2": "Canon CR2 raw",
    "cr3": "Canon CR3 raw",
    "crw": "Canon CRW raw",
    "gif": "GIF",
    "heif": "HEIF/HEIC",
    "jp2": "JPEG 2000",
    "jxl": "JPEG XL",
    "mp4": "MP4 video",
    "mrw": "Minolta MRW raw",
    "orf": "Olympus ORF raw",
    "pdf": "PDF",
    "psd": "Photoshop PSD",
    "quicktime": "QuickTime",
    "raf": "Fujifilm RAF raw",
    "rw2": "Panasonic RW2 raw",
    "tiff": "TIFF (or TIFF-based raw)",
    "wav": "WAV audio",
    "x3f": "Sigma X3F raw",
    "xmp": "XMP sidecar",
}

_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"mif2"}
)


def sniff_format(head: bytes) -> str | None:
    """Name the file format from its first bytes (32 are enough), or None when unknown.

    Decides by content, never by file name, so a renamed file is still handled as what it is.
    Returns "jpeg", "png" or "webp" for the formats :func:`strip_stream` can strip, and a short
    name ("tiff", "heif", "cr3", ...) for others, so that errors can say what the file is.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF":
        kind = head[8:12]
        return {b"WEBP": "webp", b"AVI ": "avi", b"WAVE": "wav"}.get(kind)
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "cr2" if head[8:10] == b"CR" else "tiff"
    if head[:4] in (b"II+\x00", b"MM\x00+"):
        return "tiff"
    if head[:4] in (b"IIRO", b"IIRS", b"MMOR"):
        return "orf"
    if head[:4] == b"IIU\x00":
        return "rw2"
    if head.startswith(b"FUJIFILMCCD-RAW"):
        return "raf"
    if head.startswith(b"\x00MRM"):
        return "mrw"
    if head[:2] == b"II" and head[6:14] == b"HEAPCCDR":
        return "crw"
    if head.startswith(b"FOVb"):
        return "x3f"
    if head.startswith(b"8BPS"):
        return "psd"
    if head.startswith((b"\xff\x0a", b"\x00\x00\x00\x0cJXL \r\n\x87\n")):
        return "jxl"
    if head.startswith(b"\x00\x00\x00\x0cjP  \r\n\x87\n"):
        return "jp2"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return "heif"
        if brand in (b"avif", b"avis"):
            return "avif"
        if brand == b"crx ":
            return "cr3"
        return "quicktime" if brand == b"qt  " else "mp4"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"BM") and len(head) >= 14:
        return "bmp"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith((b"<?xpacket", b"<x:xmpmeta")):
        return "xmp"
    return None
