"""Stripping the camera corpus: real files from many makers, each stripped or refused by name."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image, IptcImagePlugin

from albumen_photo.formats import sniff_format
from albumen_photo.policy import KeepPolicy
from albumen_photo.strip import (
    StripError,
    UnsupportedFormat,
    can_strip,
    strip_bytes,
    strip_file,
)
from tests.photo.strip_helpers import (
    EVERYTHING,
    PRIVATE,
    WITH_METADATA,
    assert_absent,
    exif_of,
    exiftool,
    jpeg_segments,
    pixels,
    places,
    scan_data,
)

# Corpus -------------------------------------------------------------------------------------


def test_corpus_gps_in_exif(corpus: Path) -> None:
    src = (corpus / "GPS.jpg").read_bytes()
    assert dict(exif_of(src).get_ifd(0x8825))  # the test would prove nothing otherwise
    assert b"WGS84" in src and b"United Kingdom" in src

    for keep in (PRIVATE, WITH_METADATA):
        out = strip_bytes(src, keep)
        exif = exif_of(out)
        assert dict(exif.get_ifd(0x8825)) == {}
        assert exif.get(0x013B) == "Ian Britton"
        assert exif.get(0x8298) == "ian Britton - FreeFoto.com"
        assert exif.get(0x0112) == 1
        assert (exif.get(0x010F) == "FUJIFILM") is keep.metadata
        assert b"WGS84" not in out  # GPSMapDatum, stored out of line
        assert b"United Kingdom" not in out  # IPTC 2:101 country name
        assert scan_data(out) == scan_data(src)
        assert pixels(out) == pixels(src)


def test_corpus_location_in_xmp(corpus: Path) -> None:
    src = (corpus / "XMP.jpg").read_bytes()  # a UTF-16 XMP packet with City, State, Country
    assert "Kingston".encode("utf-16-be") in src

    for keep in (PRIVATE, WITH_METADATA):
        out = strip_bytes(src, keep)
        assert_absent(out, ["Kingston", "Canada", "<photoshop:State>"])
        with Image.open(io.BytesIO(out)) as im:
            xmp = im.info["xmp"]
        assert b"Copyright 2004 Phil Harvey" in xmp
        assert b"Phil Harvey" in xmp
        assert (b"A witty caption" in out) is keep.metadata  # EXIF ImageDescription
        assert scan_data(out) == scan_data(src)
        assert pixels(out) == pixels(src)


def test_corpus_extended_xmp(corpus: Path) -> None:
    src = (corpus / "ExtendedXMP.jpg").read_bytes()
    kept = strip_bytes(src, WITH_METADATA)
    # The extension is rejoined, filtered and re-split under the digest of its new content.
    ext_id = b"http://ns.adobe.com/xmp/extension/\x00"
    parts = [p[len(ext_id) :] for m, p in jpeg_segments(kept) if p.startswith(ext_id)]
    assert parts
    guid = parts[0][:32]
    extension = b"".join(p[40:] for p in parts)
    assert hashlib.md5(extension).hexdigest().upper().encode() == guid
    assert b"PhilToo" in extension
    with Image.open(io.BytesIO(kept)) as im:
        assert guid in im.info["xmp"]

    private = strip_bytes(src, PRIVATE)
    assert ext_id not in private and b"HasExtendedXMP" not in private and b"PhilToo" not in private
    assert scan_data(private) == scan_data(kept) == scan_data(src)


def test_corpus_secondary_image_pointers_go_with_the_images(corpus: Path) -> None:
    """An Ultra HDR photo: its XMP points at a gain map after the EOI, which is dropped."""
    src = (corpus / "Google.jpg").read_bytes()
    assert b"GainMap" in src
    out = strip_bytes(src, WITH_METADATA)
    assert b"GainMap" not in out and b"hdrgm:Version" not in out
    assert b"HdrPlusMakernote" in out  # the rest of the (extended) XMP stays
    assert exif_of(out).get(0x010F) == "Google"
    assert scan_data(out) == scan_data(src)


def test_corpus_iptc(corpus: Path) -> None:
    src = (corpus / "IPTC.jpg").read_bytes()
    for keep in (PRIVATE, WITH_METADATA):
        out = strip_bytes(src, keep)
        with Image.open(io.BytesIO(out)) as im:
            iptc = IptcImagePlugin.getiptcinfo(im)
            assert im.info["adobe"]  # APP14, which CMYK and YCCK files need
        assert iptc is not None
        assert iptc[(2, 80)] == b"Phil Harvey"
        assert iptc[(2, 116)] == b"Copyright 2004 Phil Harvey"
        for location in ((2, 90), (2, 95), (2, 101)):
            assert location not in iptc
        assert ((2, 120) in iptc) is keep.metadata  # caption
        assert_absent(out, ["Kingston", "Canada"])
        assert pixels(out) == pixels(src)


@pytest.mark.parametrize("keep", [PRIVATE, WITH_METADATA], ids=["private", "metadata"])
def test_every_corpus_file_strips_or_says_why(corpus: Path, keep: KeepPolicy) -> None:
    stripped = 0
    for path in sorted(corpus.iterdir()):
        src = path.read_bytes()
        try:
            out = strip_bytes(src, keep)
        except UnsupportedFormat as exc:
            assert not can_strip(src[:64], keep), path.name
            assert str(exc), path.name
            continue
        except StripError as exc:
            assert str(exc), path.name
            continue
        stripped += 1
        assert can_strip(src[:64], keep), path.name
        if sniff_format(src) in ("jpeg", "png", "webp"):
            assert pixels(out) == pixels(src), path.name
            assert dict(exif_of(out).get_ifd(0x8825)) == {}, path.name
        else:  # blanked in place: see test_strip_in_place.py for what exiftool finds
            assert len(out) == len(src), path.name
        if sniff_format(src) == "jpeg":
            assert scan_data(out) == scan_data(src), path.name
    assert stripped >= 50  # the corpus's JPEGs, PNG, WebP, TIFFs, RAWs and HEIC


def test_corpus_trailers_after_the_image_are_dropped(corpus: Path) -> None:
    src = (corpus / "FotoStation.jpg").read_bytes()  # a FotoStation trailer after the EOI
    out = strip_bytes(src, WITH_METADATA)
    assert len(out) < len(src) and out.endswith(b"\xff\xd9")
    assert scan_data(out) == scan_data(src)


def test_other_formats_are_refused_by_name(corpus: Path) -> None:
    crw = (corpus / "CanonRaw.crw").read_bytes()
    with pytest.raises(UnsupportedFormat, match="Canon CRW raw"):
        strip_bytes(crw, PRIVATE)
    with pytest.raises(UnsupportedFormat, match="Sigma X3F raw"):
        strip_bytes((corpus / "Sigma.x3f").read_bytes(), WITH_METADATA)
    with pytest.raises(UnsupportedFormat, match="Unrecognised"):
        strip_bytes(b"hello, world" * 10, PRIVATE)
    assert strip_bytes(crw, EVERYTHING) == crw


def test_sniffing() -> None:
    assert sniff_format(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "jpeg"
    assert sniff_format(b"\x89PNG\r\n\x1a\n\x00\x00") == "png"
    assert sniff_format(b"RIFF\x00\x00\x00\x00WEBPVP8X") == "webp"
    assert sniff_format(b"II*\x00\x08\x00\x00\x00") == "tiff"
    assert sniff_format(b"\x00\x00\x00\x18ftypheic") == "heif"
    assert sniff_format(b"\x00\x00\x00\x18ftypcrx ") == "cr3"
    assert sniff_format(b"") is None
    assert can_strip(b"\xff\xd8\xff\xe1") and not can_strip(b"GIF89a\x01\x00\x01\x00")
    assert can_strip(b"II*\x00\x08\x00\x00\x00") and can_strip(b"\x00\x00\x00\x18ftypheic")


def test_exiftool_finds_no_place_in_any_stripped_corpus_photo(corpus: Path, tmp_path: Path) -> None:
    """Read back by exiftool, an independent reader: no GPS, XMP, IPTC or maker-note place is
    left in any JPEG, PNG or WebP of the corpus once location is removed (in-place formats:
    see test_strip_in_place.py)."""
    keep = KeepPolicy(location=False, metadata=True)
    checked = 0
    for src in sorted(corpus.iterdir()):
        if sniff_format(src.read_bytes()[:64]) not in ("jpeg", "png", "webp"):
            continue
        dst = tmp_path / src.name
        strip_file(src, dst, keep)
        assert places(exiftool(dst)) == {}, src.name
        checked += 1
    assert checked >= 40  # 42 JPEGs, a PNG and a WebP
