"""Which photo formats Albumen knows: the one registry, for the app and the server.

Every part that must know formats (the desktop's scan, thumbnails and uploads, the file dialog,
the metadata reader, the server's probe and derivatives) asks here, so that a format added or
refused is added or refused everywhere at once. A file is told apart by its content, never by
its name alone; only the RAW formats that are plain TIFF inside (DNG, NEF, ARW...) need the
name, or for a blob without one, a look at the TIFF's first directory.

Also here: the pixel limit above which a file is treated as a decompression bomb, and the
reasons given for files that are not photos or not supported.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, Literal

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "MAX_PIXELS",
    "PILLOW_FORMATS",
    "RAW_TIFF_SUFFIXES",
    "Kind",
    "PhotoFormat",
    "by_key",
    "by_suffix",
    "content_type",
    "file_dialog_patterns",
    "identify",
    "is_raw",
    "photo_names",
    "refusal",
    "sniff_format",
]

MAX_PIXELS = 250_000_000  # above any camera made (150 MP); beyond it a file is a bomb

Kind = Literal["image", "heif", "raw-tiff", "raw-other", "not-a-photo", "unsupported"]
"""image: Pillow decodes it; heif: Pillow with the pi-heif plugin; raw-tiff: a camera RAW that
is TIFF inside (Pillow reads its directories and first image); raw-other: a RAW of its own
structure (LibRaw only); not-a-photo and unsupported: refused, with :attr:`PhotoFormat.reason`."""


@dataclass(frozen=True)
class PhotoFormat:
    """One file format: what it is called, how files of it are named and served, and who reads
    it."""

    key: str
    """Short name, as :func:`sniff_format` returns it ("jpeg", "cr3"...)."""
    name: str
    """For people: "Canon CR3 raw"."""
    suffixes: tuple[str, ...]
    """File name endings, lower case with the dot; the first is the usual one."""
    mime: str
    kind: Kind
    pillow: str | None = None
    """The Pillow plugin that opens it, None when Pillow must not (or cannot)."""
    makers: tuple[str, ...] = ()
    """For TIFF-based RAW: how the first directory's Make tag starts (upper case)."""
    reason: str | None = None
    """For refused formats: why, as it follows "not a photo: the file is" or stands alone."""

    @property
    def is_photo(self) -> bool:
        return self.kind in ("image", "heif", "raw-tiff", "raw-other")

    @property
    def is_raw(self) -> bool:
        return self.kind in ("raw-tiff", "raw-other")


def _raw(key: str, name: str, suffixes: tuple[str, ...], mime: str, *makers: str) -> PhotoFormat:
    return PhotoFormat(key, name, suffixes, mime, "raw-tiff", makers=makers)


FORMATS: tuple[PhotoFormat, ...] = (
    PhotoFormat("jpeg", "JPEG", (".jpg", ".jpeg", ".jpe"), "image/jpeg", "image", "JPEG"),
    PhotoFormat("png", "PNG", (".png",), "image/png", "image", "PNG"),
    PhotoFormat("webp", "WebP", (".webp",), "image/webp", "image", "WEBP"),
    PhotoFormat("tiff", "TIFF", (".tif", ".tiff"), "image/tiff", "image", "TIFF"),
    PhotoFormat("heic", "HEIC", (".heic",), "image/heic", "heif", "HEIF"),
    PhotoFormat("heif", "HEIF", (".heif", ".hif"), "image/heif", "heif", "HEIF"),
    PhotoFormat("avif", "AVIF", (".avif",), "image/avif", "image", "AVIF"),
    PhotoFormat("gif", "GIF", (".gif",), "image/gif", "image", "GIF"),
    PhotoFormat("bmp", "BMP", (".bmp",), "image/bmp", "image", "BMP"),
    PhotoFormat("psd", "Photoshop PSD", (".psd",), "image/vnd.adobe.photoshop", "image", "PSD"),
    # RAW formats that are TIFF inside: CR2 has a mark of its own, the others only their name
    # (or, for a blob without one, the maker and the shape of the first directory).
    PhotoFormat("cr2", "Canon CR2 raw", (".cr2",), "image/x-canon-cr2", "raw-tiff"),
    _raw("dng", "Adobe DNG raw", (".dng",), "image/x-adobe-dng"),
    _raw("nef", "Nikon NEF raw", (".nef", ".nrw"), "image/x-nikon-nef", "NIKON"),
    _raw("arw", "Sony ARW raw", (".arw", ".srf", ".sr2"), "image/x-sony-arw", "SONY"),
    _raw("pef", "Pentax PEF raw", (".pef",), "image/x-pentax-pef", "PENTAX", "RICOH"),
    _raw("srw", "Samsung SRW raw", (".srw",), "image/x-samsung-srw", "SAMSUNG"),
    _raw("3fr", "Hasselblad 3FR raw", (".3fr", ".fff"), "image/x-hasselblad-3fr", "HASSELBLAD"),
    _raw("dcr", "Kodak raw", (".dcr", ".kdc", ".k25"), "image/x-kodak-dcr", "KODAK", "EASTMAN"),
    _raw("erf", "Epson ERF raw", (".erf",), "image/x-epson-erf", "EPSON"),
    _raw("mef", "Mamiya MEF raw", (".mef",), "image/x-mamiya-mef", "MAMIYA"),
    _raw("iiq", "Phase One raw", (".iiq", ".mos"), "image/x-phaseone-iiq", "PHASE ONE", "LEAF"),
    _raw("raw", "camera raw", (".raw", ".rwl"), "image/x-dcraw"),
    # RAW formats of their own structure, each with a mark of its own.
    PhotoFormat("cr3", "Canon CR3 raw", (".cr3",), "image/x-canon-cr3", "raw-other"),
    PhotoFormat("crw", "Canon CRW raw", (".crw",), "image/x-canon-crw", "raw-other"),
    PhotoFormat("raf", "Fujifilm RAF raw", (".raf",), "image/x-fuji-raf", "raw-other"),
    PhotoFormat("rw2", "Panasonic RW2 raw", (".rw2",), "image/x-panasonic-rw2", "raw-other"),
    PhotoFormat("orf", "Olympus ORF raw", (".orf",), "image/x-olympus-orf", "raw-other"),
    PhotoFormat("mrw", "Minolta MRW raw", (".mrw",), "image/x-minolta-mrw", "raw-other"),
    PhotoFormat("x3f", "Sigma X3F raw", (".x3f",), "image/x-sigma-x3f", "raw-other"),
    # Files that turn up among photos but are none.
    PhotoFormat(
        "xmp",
        "XMP sidecar",
        (".xmp",),
        "application/rdf+xml",
        "not-a-photo",
        reason="an XMP sidecar (metadata only, no image)",
    ),
    PhotoFormat("pdf", "PDF", (".pdf",), "application/pdf", "not-a-photo", reason="a PDF document"),
    PhotoFormat(
        "mp4", "MP4 video", (".mp4", ".m4v"), "video/mp4", "not-a-photo", reason="a video (MP4)"
    ),
    PhotoFormat(
        "quicktime",
        "QuickTime video",
        (".mov",),
        "video/quicktime",
        "not-a-photo",
        reason="a video (QuickTime)",
    ),
    PhotoFormat(
        "avi", "AVI video", (".avi",), "video/x-msvideo", "not-a-photo", reason="a video (AVI)"
    ),
    PhotoFormat(
        "wav", "WAV audio", (".wav",), "audio/wav", "not-a-photo", reason="a sound file (WAV)"
    ),
    PhotoFormat(
        "jxl",
        "JPEG XL",
        (".jxl",),
        "image/jxl",
        "unsupported",
        reason="JPEG XL files are not supported",
    ),
    PhotoFormat(
        "jp2",
        "JPEG 2000",
        (".jp2", ".j2k"),
        "image/jp2",
        "unsupported",
        reason="JPEG 2000 files are not supported",
    ),
)

_BY_KEY = {fmt.key: fmt for fmt in FORMATS}
_BY_SUFFIX = {suffix: fmt for fmt in FORMATS for suffix in fmt.suffixes}

FORMAT_NAMES = {fmt.key: fmt.name for fmt in FORMATS} | {"heif": "HEIF/HEIC"}
"""Names fit for messages, by :func:`sniff_format`'s keys (its "heif" is HEIC too)."""

PILLOW_FORMATS: tuple[str, ...] = tuple(
    dict.fromkeys(fmt.pillow for fmt in FORMATS if fmt.pillow is not None)
)
"""The only Pillow plugins allowed to open a file: the photo formats, not every format Pillow
knows (some, like EPS, would hand the file to other programs when decoded)."""

RAW_TIFF_SUFFIXES = frozenset(
    suffix
    for fmt in FORMATS
    if fmt.kind == "raw-tiff" and fmt.key != "cr2"
    for suffix in fmt.suffixes
)
"""RAW formats that are plain TIFF inside, told apart only by their name."""

_GENERIC_RAW = _BY_KEY["raw"]
_HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs"})
_HEIF_BRANDS = _HEIC_BRANDS | {b"mif1", b"msf1", b"mif2"}


# Files editors keep beside a photo (Lightroom/darktable XMP, RawTherapee, DxO, Apple's edits):
# part of a photo, not photos; an import passes over them without calling them failures.
SIDECAR_SUFFIXES = frozenset({".xmp", ".pp3", ".dop", ".aae", ".on1"})


def is_sidecar(path: PurePath) -> bool:
    return _suffix(path) in SIDECAR_SUFFIXES


def by_key(key: str) -> PhotoFormat:
    """The format of a :func:`sniff_format` key; KeyError for a key not in the registry."""
    return _BY_KEY[key]


def by_suffix(path_or_suffix: str | PurePath) -> PhotoFormat | None:
    """The format a file's name claims (".JPG", "photo.jpg" or a path), or None."""
    return _BY_SUFFIX.get(_suffix(path_or_suffix))


def content_type(path_or_suffix: str | PurePath) -> str | None:
    """The MIME type a file's name claims; None for a name of no known format.

    For a file whose name may lie, or a blob without one, use ``identify(path).mime``.
    """
    fmt = by_suffix(path_or_suffix)
    return fmt.mime if fmt is not None else None


def is_raw(what: PhotoFormat | str | PurePath | None) -> bool:
    """Whether a format (or a key, or a file's name) is a camera RAW."""
    if isinstance(what, PhotoFormat):
        return what.is_raw
    if isinstance(what, str) and what in _BY_KEY:
        return _BY_KEY[what].is_raw
    if what is None:
        return False
    fmt = by_suffix(what)
    return fmt is not None and fmt.is_raw


def refusal(fmt: PhotoFormat | None) -> str | None:
    """Why a file of this format is refused, as a sentence part ("not a photo: the file is a
    PDF document", "JPEG XL files are not supported"); None for a photo format."""
    if fmt is None or fmt.is_photo:
        return None
    if fmt.kind == "not-a-photo":
        return f"not a photo: the file is {fmt.reason}"
    return fmt.reason


def photo_names() -> str:
    """The photo formats that are not RAW, named for a message: "JPEG, PNG, WebP, ..."."""
    return ", ".join(fmt.name for fmt in FORMATS if fmt.kind in ("image", "heif"))


def file_dialog_patterns() -> list[str]:
    """Glob patterns of every photo format, for a file dialog's filter: ["*.jpg", ...]."""
    return [f"*{suffix}" for fmt in FORMATS if fmt.is_photo for suffix in fmt.suffixes]


def identify(path: Path, head: bytes | None = None) -> PhotoFormat | None:
    """The format of the file at ``path``, by its content; None when the content is unknown.

    ``head`` (at least its first 64 bytes) saves a read when the caller has it. A TIFF is a
    TIFF-based RAW when its name says so or, for a file named otherwise (a blob stored under its
    hash), when its first directory looks like a camera's: see :func:`_raw_tiff_by_content`.
    Raises OSError when the file cannot be read.
    """
    if head is None:
        with Path(path).open("rb") as handle:
            head = handle.read(64)
    key = sniff_format(head)
    if key is None:
        return None
    if key == "heif":
        brands = {head[8:12]} | {head[i : i + 4] for i in range(16, min(len(head), 64), 4)}
        return _BY_KEY["heic" if brands & _HEIC_BRANDS else "heif"]
    if key == "tiff":
        claimed = by_suffix(path)
        if claimed is not None and claimed.kind == "raw-tiff":
            return claimed
        if head[8:12] == b"IIII":  # Phase One's mark after the TIFF header
            return _BY_KEY["iiq"]
        return _raw_tiff_by_content(Path(path)) or _BY_KEY["tiff"]
    return _BY_KEY[key]


# The first directory's tags that tell a camera's TIFF-based RAW from an ordinary TIFF.
_MAKE, _NEW_SUBFILE_TYPE, _SUB_IFDS, _COMPRESSION, _PHOTOMETRIC = 0x010F, 0xFE, 0x14A, 0x103, 0x106
_DNG_VERSION = 0xC612
# Sony, Nikon/Epson packed, Samsung, Nikon compressed, lossy DNG, Kodak, Pentax.
_RAW_COMPRESSIONS = frozenset({32767, 32769, 32770, 34713, 34892, 65000, 65535})
_RAW_PHOTOMETRICS = frozenset({32803, 34892})  # CFA, LinearRaw


def _raw_tiff_by_content(path: Path) -> PhotoFormat | None:
    """A TIFF-based RAW told by its first directory: DNG names its version; a camera's RAW has a
    first image that is a reduced preview, points to sub-images, or is itself sensor data, which
    an ordinary TIFF (even one naming the camera) does not."""
    ifd0 = _first_directory(path)
    if _DNG_VERSION in ifd0:
        return _BY_KEY["dng"]
    make = ifd0.get(_MAKE)
    if not isinstance(make, str) or not make.strip():
        return None
    if not (
        ifd0.get(_NEW_SUBFILE_TYPE) == 1
        or _SUB_IFDS in ifd0
        or ifd0.get(_COMPRESSION) in _RAW_COMPRESSIONS
        or ifd0.get(_PHOTOMETRIC) in _RAW_PHOTOMETRICS
    ):
        return None
    upper = make.strip().upper()
    for fmt in FORMATS:
        if any(upper.startswith(maker) for maker in fmt.makers):
            return fmt
    return _GENERIC_RAW


def _first_directory(path: Path) -> dict[int, Any]:
    """The first directory of a TIFF file as tag -> value, read with the one TIFF reader."""
    from albumen_photo.byteio import RandomAccess
    from albumen_photo.errors import Malformed
    from albumen_photo.tiff import Tiff

    with contextlib.suppress(Malformed), Path(path).open("rb") as handle:
        tiff = Tiff(RandomAccess(handle))
        return tiff.tags(tiff.read_ifd(tiff.ifd0))
    return {}


def _suffix(path_or_suffix: str | PurePath) -> str:
    text = str(path_or_suffix)
    if isinstance(path_or_suffix, str) and text.startswith(".") and "/" not in text:
        return text.lower()
    return PurePath(text).suffix.lower()


def sniff_format(head: bytes) -> str | None:
    """Name the file format from its first bytes (32 are enough), or None when unknown.

    Decides by content, never by file name, so a renamed file is still handled as what it is.
    Returns a key of the registry ("jpeg", "png", "webp", "tiff", "heif", "cr3", ...), so that
    callers can dispatch on it and errors can say what the file is (HEIC and TIFF-based RAW are
    told apart by :func:`identify`).
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
