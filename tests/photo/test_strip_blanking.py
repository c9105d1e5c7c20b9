"""Blanking in place, piece by piece: XMP and IPTC keep their length and stay readable, and an
in-place strip streams (and spools an unseekable source) like the rewriting ones."""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO, cast
from xml.etree import ElementTree

import pytest

from albumen_photo.byteio import RandomAccess, copy_with_patches
from albumen_photo.exif import apply_patches
from albumen_photo.iim import blank_iim, iim_datasets
from albumen_photo.jpeg import jpeg_patches
from albumen_photo.policy import KeepPolicy
from albumen_photo.strip import strip_bytes, strip_stream
from albumen_photo.xmp import blank_xmp, parse_xmp
from tests.photo.strip_helpers import (
    ARTIST,
    CITY,
    COPYRIGHT,
    LOCATION_TEXTS,
    PRIVATE,
    XMP_WITH_LOCATION,
    Choppy,
    assert_absent,
    gps_leftovers,
    iptc_block,
    pixels,
    scan_data,
)
from tests.photo.test_strip_in_place import (
    WITHOUT_LOCATION,
    decoded,
    exiftool,
    heic,
    places,
    tiff,
)

PLACE_TEXTS = [CITY, "Secret Cove", "51,30.4159N", "51.5073019", "-0.1275017", "98765/100"]


def texts(root: ElementTree.Element) -> str:
    return " ".join(t for t in root.itertext() if t.strip()) + " ".join(
        v for e in root.iter() for v in e.attrib.values()
    )


def test_xmp_blanked_in_place_keeps_its_length_and_stays_well_formed() -> None:
    for keep in (WITHOUT_LOCATION, PRIVATE):
        for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
            packet = XMP_WITH_LOCATION.decode().encode(encoding) + " ".encode(encoding) * 40
            out = blank_xmp(packet, keep)
            assert len(out) == len(packet), encoding
            kept = texts(parse_xmp(out))
            for text in PLACE_TEXTS:
                assert text not in kept, (encoding, text)
            assert ARTIST in kept and COPYRIGHT in kept
            assert ("Model X1" in kept) is keep.metadata
            assert ("hover" in kept) is keep.metadata  # FlightMode stays beside HomeLongitude


def test_unreadable_xmp_is_blanked_whole_and_everything_kept_is_untouched() -> None:
    broken = XMP_WITH_LOCATION.replace(b"</dc:creator>", b"</dc:creatr>")
    assert blank_xmp(broken, WITHOUT_LOCATION) == b" " * len(broken)
    dtd = b'<!DOCTYPE x [<!ENTITY a "Secret Cove">]>' + XMP_WITH_LOCATION
    assert blank_xmp(dtd, WITHOUT_LOCATION) == b" " * len(dtd)
    keep_all = KeepPolicy(location=True, metadata=True)
    assert blank_xmp(XMP_WITH_LOCATION, keep_all) == XMP_WITH_LOCATION


def test_iptc_blanked_in_place_keeps_every_dataset_and_its_length() -> None:
    block = iptc_block()
    out = blank_iim(block, WITHOUT_LOCATION)
    assert len(out) == len(block)
    before, after = iim_datasets(block), iim_datasets(out)
    assert [(d.record, d.dataset) for d in after] == [(d.record, d.dataset) for d in before]
    assert_absent(out, [CITY])
    by_key = {(d.record, d.dataset): d.value for d in after}
    assert by_key[(2, 80)] == ARTIST.encode() and by_key[(2, 90)].strip() == b""
    garbage = b"\x1c\x02garbage"
    assert blank_iim(garbage, WITHOUT_LOCATION) == b" " * len(garbage)


def test_patches_apply_across_piece_boundaries() -> None:
    data = bytes(range(256)) * 4
    patches = [(0, b"AB"), (63, b"xyz"), (500, b"\x00" * 100), (1022, b"!!")]
    for chunk in (1, 7, 64, 4096):
        out = b"".join(copy_with_patches(io.BytesIO(data), patches, chunk))
        expected = bytearray(data)
        for at, new in patches:
            expected[at : at + len(new)] = new
        assert out == bytes(expected), chunk


def test_in_place_strip_streams_from_an_unseekable_source(tmp_path: Path) -> None:
    src = tiff(tmp_path / "scan.tif").read_bytes()
    expected = strip_bytes(src, WITHOUT_LOCATION)
    assert len(expected) == len(src) and expected != src
    pieces = list(strip_stream(cast(BinaryIO, Choppy(src)), WITHOUT_LOCATION, chunk_size=64))
    assert b"".join(pieces) == expected
    assert max(len(p) for p in pieces) <= 2 * 64
    # A source that starts further in (as a caller that read the head itself would pass).
    offset_source = io.BytesIO(b"junk" + src)
    offset_source.seek(4)
    assert b"".join(strip_stream(offset_source, WITHOUT_LOCATION)) == expected


def test_bigtiff_loses_its_location_in_place(tmp_path: Path) -> None:
    src = tiff(tmp_path / "big.tif", big=True)
    assert src.read_bytes()[:4] == b"II+\x00"
    assert places(exiftool(src))
    out = tmp_path / "out.tif"
    out.write_bytes(strip_bytes(src.read_bytes(), WITHOUT_LOCATION))
    assert places(exiftool(out)) == {}
    assert decoded(out.read_bytes()) == decoded(src.read_bytes())
    assert out.stat().st_size == src.stat().st_size


def test_overlapping_patches_apply_in_order_and_never_change_the_length() -> None:
    data = bytes(300)
    patches = [(10, b"\x01" * 200), (20, b"\x02" * 5), (15, b"\x03" * 2), (290, b"\x04" * 10)]
    for chunk in (1, 16, 64, 1000):
        out = b"".join(copy_with_patches(io.BytesIO(data), patches, chunk))
        assert len(out) == len(data)
        assert out[10:15] == b"\x01" * 5 and out[15:17] == b"\x03" * 2
        assert out[20:25] == b"\x02" * 5 and out[25:210] == b"\x01" * 185
        assert out[290:] == b"\x04" * 10


@pytest.mark.filterwarnings("ignore:Image appears to be a malformed MPO file")
def test_an_embedded_jpeg_and_the_images_after_it_are_blanked_in_place(camera: bytes) -> None:
    """What a RAF preview or an RW2 JpgFromRaw gets: the same JPEG, blanked without moving."""
    for keep in (WITHOUT_LOCATION, PRIVATE):
        out = apply_patches(camera, jpeg_patches(RandomAccess(camera), keep))
        assert len(out) == len(camera)
        assert_absent(out, [t for t in LOCATION_TEXTS if t != "SECONDARY-IMAGE-GPS"])
        for raw in gps_leftovers():  # in the primary image and in the one after it
            assert raw not in out
        assert (b"AcmeCam" in out) is keep.metadata
        assert ARTIST.encode() in out and COPYRIGHT.encode() in out
        assert scan_data(out) == scan_data(camera)
        assert pixels(out) == pixels(camera)


def test_a_description_with_many_attributes_is_blanked_attribute_by_attribute() -> None:
    """Lightroom writes descriptions of hundreds of attributes: longer than any fixed window."""
    many = " ".join(f'crs:Setting{i}="{i}"' for i in range(600))
    packet = XMP_WITH_LOCATION.replace(
        b'xmlns:dc="http://purl.org/dc/elements/1.1/"',
        b'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        + b'xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/" '
        + many.encode(),
    )
    out = blank_xmp(packet, WITHOUT_LOCATION)
    assert len(out) == len(packet) and b"Setting599" in out
    kept = texts(parse_xmp(out))
    assert CITY not in kept and "51,30.4159N" not in kept and ARTIST in kept


def test_heif_exif_found_whatever_its_header_offset_says(tmp_path: Path) -> None:
    """The Exif item starts with the offset of the TIFF header; some writers say 0 and still
    put "Exif\\0\\0" before it."""
    data = bytearray(heic(tmp_path / "a.heic").read_bytes())
    at = data.index(b"\x00\x00\x00\x06Exif\x00\x00")
    data[at : at + 4] = bytes(4)
    out = strip_bytes(bytes(data), WITHOUT_LOCATION)
    assert len(out) == len(data)
    assert any(raw in data for raw in gps_leftovers())
    assert not any(raw in out for raw in gps_leftovers())
