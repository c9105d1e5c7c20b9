"""Lossless metadata removal (albumen_photo.strip): location and camera details go, the picture
and the photographer's credit stay, byte for byte where it matters."""

from __future__ import annotations

import hashlib
import io
import random
import shutil
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, cast

import piexif
import pytest
from PIL import Image, ImageCms, IptcImagePlugin

from albumen_photo.formats import sniff_format
from albumen_photo.policy import KeepPolicy
from albumen_photo.strip import (
    StripError,
    UnsupportedFormat,
    can_strip,
    strip_bytes,
    strip_file,
    strip_stream,
)
from tests.support import CORPUS

PRIVATE = KeepPolicy()
WITH_METADATA = KeepPolicy(metadata=True)
WITH_LOCATION = KeepPolicy(location=True)
EVERYTHING = KeepPolicy(location=True, metadata=True)

# Values planted in the generated photos. Location values must never survive a strip without
# location; camera values must go without metadata; credit values must always stay.
ARTIST = "Ada Photographer"
COPYRIGHT = "(c) 2024 Ada Lovelace Studio"
CITY = "Lyonesse-on-Sea"
LOCATION_TEXTS = [
    CITY,
    "Secret Cove",
    "Lyonesse Kingdom",
    "51,30.4159N",
    "51.5073019",
    "-0.1275017",
    "98765/100",
    "-0.1275018",
    "SECONDARY-IMAGE-GPS",
]
CAMERA_TEXTS = ["AcmeCam", "Model X1", "SN-998877", "Acme 50mm f/1.4", "shot at the beach bar"]
GPS_LATITUDE = ((51, 1), (30, 1), (123457, 1000))
GPS_LONGITUDE = ((0, 1), (7, 1), (654321, 1000))


# Helpers ------------------------------------------------------------------------------------


def jpeg_segments(data: bytes) -> list[tuple[int, bytes]]:
    """(marker, payload) of every segment before the first scan, parsed independently."""
    assert data[:2] == b"\xff\xd8"
    pos, out = 2, []
    while True:
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        out.append((marker, data[pos + 4 : pos + 2 + length]))
        if marker == 0xDA:
            return out
        pos += 2 + length


def sos_offset(data: bytes) -> int:
    """Where the first SOS marker is, found by walking the segments (not by searching)."""
    pos = 2
    while data[pos + 1] != 0xDA:
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return pos


def scan_data(data: bytes) -> bytes:
    """The entropy-coded data of the primary image: from its first SOS to its EOI."""
    pos = sos_offset(data)
    end = data.index(b"\xff\xd9", pos)
    return data[pos : end + 2]


def pixels(data: bytes) -> tuple[str, tuple[int, int], bytes]:
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        return im.mode, im.size, im.tobytes()


def all_encodings(text: str) -> list[bytes]:
    return [text.encode(e) for e in ("utf-8", "utf-16-be", "utf-16-le")]


def assert_absent(data: bytes, texts: list[str]) -> None:
    for text in texts:
        for encoded in all_encodings(text):
            assert encoded not in data, f"{text!r} survived the strip"


def assert_present(data: bytes, texts: list[str]) -> None:
    for text in texts:
        assert text.encode() in data, f"{text!r} was removed"


def gps_leftovers() -> list[bytes]:
    """Planted GPS bytes as they sit in an EXIF block (both byte orders): the latitude seconds,
    stored out of line, and the GPSLatitudeRef directory entry with its inline "N"."""
    num, den = GPS_LATITUDE[2]
    rationals = [struct.pack(order + "II", num, den) for order in "<>"]
    entries = [struct.pack(order + "HHI", 1, 2, 2) + b"N\x00\x00\x00" for order in "<>"]
    return rationals + entries


def exif_of(data: bytes) -> Image.Exif:
    with Image.open(io.BytesIO(data)) as im:
        return im.getexif()


def photoshop_resources(jpeg: bytes) -> dict[int, bytes]:
    """Image resources of the Photoshop APP13 segment, by id."""
    payload = next(p for m, p in jpeg_segments(jpeg) if m == 0xED)
    assert payload.startswith(b"Photoshop 3.0\x00")
    data, pos, out = payload[14:], 0, {}
    while pos < len(data):
        rid = int.from_bytes(data[pos + 4 : pos + 6], "big")
        name_len = data[pos + 6]
        start = pos + 7 + name_len + ((1 + name_len) & 1)
        size = int.from_bytes(data[start : start + 4], "big")
        out[rid] = data[start + 4 : start + 4 + size]
        pos = start + 4 + size + (size & 1)
    return out


def segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


def insert_before_tables(jpeg: bytes, extra: bytes) -> bytes:
    """Put extra segments after the application segments Pillow wrote, before the tables."""
    pos = 2
    while 0xE0 <= jpeg[pos + 1] <= 0xEF or jpeg[pos + 1] == 0xFE:
        pos += 2 + int.from_bytes(jpeg[pos + 2 : pos + 4], "big")
    return jpeg[:pos] + extra + jpeg[pos:]


def iim(record: int, dataset: int, value: bytes) -> bytes:
    return bytes((0x1C, record, dataset)) + len(value).to_bytes(2, "big") + value


def iptc_block() -> bytes:
    return b"".join(
        [
            iim(1, 90, b"\x1b%G"),
            iim(2, 0, b"\x00\x04"),
            iim(2, 80, ARTIST.encode()),
            iim(2, 116, COPYRIGHT.encode()),
            iim(2, 90, CITY.encode()),
            iim(2, 101, b"Lyonesse Kingdom"),
            iim(2, 92, b"Secret Cove"),
            iim(2, 25, b"shot at the beach bar"),
        ]
    )


def photoshop_app13(iptc: bytes) -> bytes:
    def resource(rid: int, data: bytes) -> bytes:
        return b"8BIM" + rid.to_bytes(2, "big") + b"\x00\x00" + len(data).to_bytes(4, "big") + data

    digest = hashlib.md5(iptc).digest()
    return segment(0xED, b"Photoshop 3.0\x00" + resource(0x0404, iptc) + resource(0x0425, digest))


XMP_WITH_LOCATION = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:tiff="http://ns.adobe.com/tiff/1.0/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:drone-dji="http://www.dji.com/drone-dji/1.0/"
    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
    exif:GPSLatitude="51,30.4159N"
    drone-dji:GpsLatitude="51.5073019"
    drone-dji:GpsLongtitude="-0.1275017"
    photoshop:City="{CITY}"
    tiff:Model="Model X1"
    xmp:CreatorTool="AcmeCam firmware">
   <dc:creator><rdf:Seq><rdf:li>{ARTIST}</rdf:li></rdf:Seq></dc:creator>
   <dc:rights><rdf:Alt><rdf:li xml:lang="x-default">{COPYRIGHT}</rdf:li></rdf:Alt></dc:rights>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">shot at the beach bar</rdf:li></rdf:Alt>
   </dc:description>
   <exif:GPSAltitude>98765/100</exif:GPSAltitude>
   <drone-dji:FlightInfo rdf:parseType="Resource">
    <drone-dji:FlightMode>hover</drone-dji:FlightMode>
    <drone-dji:HomeLongitude>-0.1275018</drone-dji:HomeLongitude>
   </drone-dji:FlightInfo>
   <Iptc4xmpExt:LocationShown>
    <rdf:Bag>
     <rdf:li rdf:parseType="Resource">
      <Iptc4xmpExt:City>{CITY}</Iptc4xmpExt:City>
      <Iptc4xmpExt:Sublocation>Secret Cove</Iptc4xmpExt:Sublocation>
     </rdf:li>
    </rdf:Bag>
   </Iptc4xmpExt:LocationShown>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def camera_exif() -> bytes:
    return piexif.dump(
        {
            "0th": {
                piexif.ImageIFD.Make: b"AcmeCam",
                piexif.ImageIFD.Model: b"Model X1",
                piexif.ImageIFD.Orientation: 6,
                piexif.ImageIFD.Artist: ARTIST.encode(),
                piexif.ImageIFD.Copyright: COPYRIGHT.encode(),
                piexif.ImageIFD.Software: b"AcmeCam firmware",
                piexif.ImageIFD.XResolution: (72, 1),
                piexif.ImageIFD.YResolution: (72, 1),
                piexif.ImageIFD.ResolutionUnit: 2,
            },
            "Exif": {
                piexif.ExifIFD.DateTimeOriginal: b"2024:05:01 10:00:00",
                piexif.ExifIFD.LensModel: b"Acme 50mm f/1.4",
                piexif.ExifIFD.BodySerialNumber: b"SN-998877",
                piexif.ExifIFD.MakerNote: b"ACME\x00maker note SN-998877",
            },
            "GPS": {
                piexif.GPSIFD.GPSLatitudeRef: b"N",
                piexif.GPSIFD.GPSLatitude: GPS_LATITUDE,
                piexif.GPSIFD.GPSLongitudeRef: b"W",
                piexif.GPSIFD.GPSLongitude: GPS_LONGITUDE,
            },
        }
    )


def sample_image(size: tuple[int, int] = (64, 48)) -> Image.Image:
    img = Image.new("RGB", size)
    w, h = size
    img.putdata([(x * 4 % 256, y * 5 % 256, (x + y) * 2 % 256) for y in range(h) for x in range(w)])
    return img


ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def secondary_image() -> bytes:
    """A second JPEG with GPS of its own, as MPF and motion photos append after the EOI."""
    buf = io.BytesIO()
    sample_image((8, 8)).save(buf, "JPEG", exif=camera_exif(), comment=b"SECONDARY-IMAGE-GPS")
    return buf.getvalue()


def camera_jpeg() -> bytes:
    """A 64x48 JPEG carrying every kind of metadata the stripper has to deal with."""
    buf = io.BytesIO()
    sample_image().save(
        buf,
        "JPEG",
        quality=90,
        exif=camera_exif(),
        icc_profile=ICC,
        comment=b"shot at the beach bar",
        xmp=XMP_WITH_LOCATION,
    )
    mpf = segment(0xE2, b"MPF\x00MM\x00*\x00\x00\x00\x08" + bytes(16))
    flir = segment(0xE1, b"FLIR\x00\x01" + b"SN-998877")
    jpeg = insert_before_tables(buf.getvalue(), photoshop_app13(iptc_block()) + mpf + flir)
    return jpeg + secondary_image()


@pytest.fixture(scope="module")
def camera() -> bytes:
    return camera_jpeg()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A private copy of the camera corpus, so that no test can touch the shared files."""
    if not CORPUS.is_dir():
        pytest.skip(f"the camera corpus folder {CORPUS} is missing")
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy)
    return copy


class Choppy(io.RawIOBase):
    """A source whose reads stop right after every 0xFF byte (and every 7th byte): the worst
    case for a parser that must not lose a marker split across two reads."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        end = min(self.data.find(b"\xff", self.pos) + 1 or len(self.data), self.pos + 7)
        n = min(len(b), max(end, self.pos + 1) - self.pos, len(self.data) - self.pos)
        b[:n] = self.data[self.pos : self.pos + n]
        self.pos += n
        return n


# Generated JPEG -----------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Image appears to be a malformed MPO file")
def test_private_jpeg_keeps_credit_orientation_colour_and_the_scan(camera: bytes) -> None:
    out = strip_bytes(camera, PRIVATE)

    exif = exif_of(out)
    assert dict(exif.get_ifd(0x8825)) == {}
    assert exif.get(0x0112) == 6
    assert exif.get(0x013B) == ARTIST
    assert exif.get(0x8298) == COPYRIGHT
    assert 0x010F not in exif  # Make
    assert 0x0110 not in exif  # Model
    assert dict(exif.get_ifd(0x8769)) == {}  # the Exif sub-IFD: lens, serial, dates...
    assert_absent(out, LOCATION_TEXTS + CAMERA_TEXTS)
    for raw in gps_leftovers():
        assert raw not in out

    segments = jpeg_segments(out)
    assert segments[0][0] == 0xE0 and segments[0][1].startswith(b"JFIF\x00")
    assert not any(marker == 0xFE for marker, _ in segments)  # COM
    assert not any(payload.startswith(b"MPF\x00") for _, payload in segments)
    with Image.open(io.BytesIO(out)) as im:
        assert im.info["icc_profile"] == ICC
        xmp = im.info["xmp"]
        iptc = IptcImagePlugin.getiptcinfo(im)
    assert ARTIST.encode() in xmp and COPYRIGHT.encode() in xmp
    assert iptc is not None
    assert iptc[(2, 80)] == ARTIST.encode()
    assert iptc[(2, 116)] == COPYRIGHT.encode()
    assert (2, 90) not in iptc and (2, 101) not in iptc and (2, 25) not in iptc
    resources = photoshop_resources(out)
    assert resources[0x0425] == hashlib.md5(resources[0x0404]).digest()  # digest kept in step

    assert scan_data(out) == scan_data(camera)
    assert out.endswith(b"\xff\xd9")  # the secondary image after the EOI is gone
    assert pixels(out) == pixels(camera)


@pytest.mark.filterwarnings("ignore:Image appears to be a malformed MPO file")
def test_metadata_kept_but_location_removed_everywhere(camera: bytes) -> None:
    out = strip_bytes(camera, WITH_METADATA)

    exif = exif_of(out)
    assert dict(exif.get_ifd(0x8825)) == {}
    assert 0x8825 not in exif
    assert exif.get(0x010F) == "AcmeCam"
    assert exif.get(0x0110) == "Model X1"
    assert exif.get(0x0112) == 6
    assert exif.get_ifd(0x8769).get(piexif.ExifIFD.LensModel) == "Acme 50mm f/1.4"
    assert_absent(out, LOCATION_TEXTS)
    for raw in gps_leftovers():  # the orphaned GPS values are overwritten, not just unlinked
        assert raw not in out
    assert_present(out, [*CAMERA_TEXTS, "hover"])
    with Image.open(io.BytesIO(out)) as im:
        iptc = IptcImagePlugin.getiptcinfo(im)
    assert iptc is not None and (2, 90) not in iptc and iptc[(2, 25)] == b"shot at the beach bar"
    segments = jpeg_segments(out)
    assert any(marker == 0xFE for marker, _ in segments)
    assert not any(payload.startswith((b"MPF\x00", b"FLIR\x00")) for _, payload in segments)
    assert scan_data(out) == scan_data(camera)
    assert pixels(out) == pixels(camera)


def test_location_kept_without_camera_details(camera: bytes) -> None:
    out = strip_bytes(camera, WITH_LOCATION)

    gps = exif_of(out).get_ifd(0x8825)
    assert gps[piexif.GPSIFD.GPSLatitudeRef] == "N"
    assert gps[piexif.GPSIFD.GPSLatitude] == (51.0, 30.0, 123.457)
    assert 0x010F not in exif_of(out)
    assert_present(out, [CITY, "51,30.4159N", "51.5073019"])
    assert_absent(out, ["AcmeCam", "SN-998877", "SECONDARY-IMAGE-GPS"])
    assert scan_data(out) == scan_data(camera)


@pytest.mark.parametrize(
    "options",
    [
        {"progressive": True},
        {"restart_marker_blocks": 2},
        {"progressive": True, "restart_marker_rows": 1},
    ],
    ids=["progressive", "restart-markers", "progressive-restart-markers"],
)
def test_multi_scan_and_restart_marker_jpegs_at_any_chunk_size(options: dict[str, object]) -> None:
    """Tables between progressive scans and RSTn markers are copied as they are, even when a
    read boundary falls between a 0xFF and the byte after it."""
    buf = io.BytesIO()
    sample_image((300, 200)).save(buf, "JPEG", exif=camera_exif(), **options)
    src = buf.getvalue()
    expected = strip_bytes(src, PRIVATE)
    assert expected[sos_offset(expected) :] == src[sos_offset(src) :]
    assert pixels(expected) == pixels(src)
    for chunk_size in (64, 101, 4096):
        pieces = strip_stream(io.BytesIO(src), PRIVATE, chunk_size=chunk_size)
        assert b"".join(pieces) == expected
    assert b"".join(strip_stream(cast(BinaryIO, Choppy(src)), PRIVATE, chunk_size=64)) == expected


def test_png_and_webp_survive_short_reads() -> None:
    webp = io.BytesIO()
    sample_image().save(webp, "WEBP", exif=camera_exif(), xmp=XMP_WITH_LOCATION)
    for src in (camera_png(), webp.getvalue()):
        for keep in (PRIVATE, WITH_METADATA):
            choppy = strip_stream(cast(BinaryIO, Choppy(src)), keep, chunk_size=64)
            assert b"".join(choppy) == strip_bytes(src, keep)


def test_keeping_everything_passes_the_file_through(camera: bytes) -> None:
    assert strip_bytes(camera, EVERYTHING) == camera


def test_exif_that_piexif_cannot_rewrite_is_still_filtered() -> None:
    """A wrongly typed tag (which makes piexif.dump refuse what piexif.load read) is no problem."""
    tiff = bytearray(camera_exif()[6:])
    make = tiff.index(b"\x01\x0f\x00\x02")  # Make, ASCII: turn it into a SHORT of value 5
    tiff[make : make + 12] = b"\x01\x0f\x00\x03\x00\x00\x00\x01\x00\x05\x00\x00"
    buf = io.BytesIO()
    sample_image().save(buf, "JPEG", exif=b"Exif\x00\x00" + bytes(tiff))
    src = buf.getvalue()
    with pytest.raises(ValueError):  # the trap this module must not fall into
        piexif.dump(piexif.load(src))

    for keep in (PRIVATE, WITH_METADATA):
        out = strip_bytes(src, keep)
        exif_out = exif_of(out)
        assert dict(exif_out.get_ifd(0x8825)) == {}
        assert exif_out.get(0x013B) == ARTIST
        assert exif_out.get(0x0112) == 6
        assert (exif_out.get(0x0110) == "Model X1") is keep.metadata
        assert scan_data(out) == scan_data(src)


def test_malformed_exif_is_dropped_cleanly() -> None:
    buf = io.BytesIO()
    sample_image().save(buf, "JPEG")
    good = buf.getvalue()
    for garbage in (b"MM\x00*\xff\xff\xff\xff", b"II*\x00\x08\x00\x00\x00\xff\xff", b"nonsense"):
        src = insert_before_tables(good, segment(0xE1, b"Exif\x00\x00" + garbage + bytes(20)))
        for keep in (PRIVATE, WITH_METADATA, WITH_LOCATION):
            out = strip_bytes(src, keep)
            assert not any(p.startswith(b"Exif") for _, p in jpeg_segments(out))
            assert scan_data(out) == scan_data(good)


def test_malformed_xmp_and_iptc_are_dropped() -> None:
    buf = io.BytesIO()
    sample_image().save(buf, "JPEG")
    good = buf.getvalue()
    bad_xmp = segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><oops " + CITY.encode())
    bomb = segment(
        0xE1,
        b'http://ns.adobe.com/xap/1.0/\x00<!DOCTYPE x [<!ENTITY a "'
        + CITY.encode()
        + b'">]><x>&a;</x>',
    )
    # The City dataset claims more bytes than the block holds.
    bad_iptc = photoshop_app13(
        iim(2, 80, ARTIST.encode()) + b"\x1c\x02\x5a\x7f\xff" + CITY.encode()
    )
    src = insert_before_tables(good, bad_xmp + bomb + bad_iptc)
    for keep in (PRIVATE, WITH_METADATA):
        out = strip_bytes(src, keep)
        assert_absent(out, [CITY])
        assert not any(m in (0xE1, 0xED) for m, _ in jpeg_segments(out))
        assert scan_data(out) == scan_data(good)


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
            assert not can_strip(src[:64]), path.name
            assert str(exc), path.name
            continue
        except StripError as exc:
            assert str(exc), path.name
            continue
        stripped += 1
        assert can_strip(src[:64]), path.name
        assert pixels(out) == pixels(src), path.name
        assert dict(exif_of(out).get_ifd(0x8825)) == {}, path.name
        if sniff_format(src) == "jpeg":
            assert scan_data(out) == scan_data(src), path.name
    assert stripped >= 40  # the corpus's JPEGs, PNG and WebP


def test_corpus_trailers_after_the_image_are_dropped(corpus: Path) -> None:
    src = (corpus / "FotoStation.jpg").read_bytes()  # a FotoStation trailer after the EOI
    out = strip_bytes(src, WITH_METADATA)
    assert len(out) < len(src) and out.endswith(b"\xff\xd9")
    assert scan_data(out) == scan_data(src)


def test_other_formats_are_refused_by_name(corpus: Path) -> None:
    heic = (corpus / "QuickTime.heic").read_bytes()
    with pytest.raises(UnsupportedFormat, match="HEIF"):
        strip_bytes(heic, PRIVATE)
    with pytest.raises(UnsupportedFormat, match="TIFF"):
        strip_bytes((corpus / "ExifTool.tif").read_bytes(), WITH_METADATA)
    with pytest.raises(UnsupportedFormat, match="Unrecognised"):
        strip_bytes(b"hello, world" * 10, PRIVATE)
    assert strip_bytes(heic, EVERYTHING) == heic


def test_sniffing() -> None:
    assert sniff_format(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "jpeg"
    assert sniff_format(b"\x89PNG\r\n\x1a\n\x00\x00") == "png"
    assert sniff_format(b"RIFF\x00\x00\x00\x00WEBPVP8X") == "webp"
    assert sniff_format(b"II*\x00\x08\x00\x00\x00") == "tiff"
    assert sniff_format(b"\x00\x00\x00\x18ftypheic") == "heif"
    assert sniff_format(b"\x00\x00\x00\x18ftypcrx ") == "cr3"
    assert sniff_format(b"") is None
    assert can_strip(b"\xff\xd8\xff\xe1") and not can_strip(b"II*\x00\x08\x00\x00\x00")


# PNG and WebP -------------------------------------------------------------------------------


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, checking each CRC on the way."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, out = 8, []
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        ctype, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        crc = int.from_bytes(data[pos + 8 + length : pos + 12 + length], "big")
        assert crc == zlib.crc32(ctype + body), ctype
        out.append((ctype, body))
        pos += 12 + length
    return out


def camera_png() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP_WITH_LOCATION.decode(), zip=True)
    info.add_text("Copyright", COPYRIGHT)
    info.add_text("Comment", "shot at the beach bar")
    raw = iptc_block().hex()
    info.add_text("Raw profile type iptc", f"\niptc\n{len(iptc_block()):8d}\n{raw}\n", zip=True)
    buf = io.BytesIO()
    sample_image().save(buf, "PNG", exif=camera_exif(), pnginfo=info, icc_profile=ICC)
    return buf.getvalue()


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


def webp_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    assert int.from_bytes(data[4:8], "little") == len(data) - 8
    pos, out = 12, []
    while pos < len(data):
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        out.append((data[pos : pos + 4], data[pos + 8 : pos + 8 + size]))
        pos += 8 + size + (size & 1)
    return out


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


# Corrupt input ------------------------------------------------------------------------------


def test_truncated_and_corrupt_files_raise_strip_error(camera: bytes) -> None:
    end_of_image = camera.index(b"\xff\xd9") + 2
    cases = {
        "inside a segment header": camera[:3],
        "inside the APP1 segment": camera[:40],
        "inside the image data": camera[: end_of_image - 20],
        "no image data": b"\xff\xd8\xff\xd9",
        "expected a segment marker": camera[:20] + b"\x00garbage" + camera[20:],
    }
    for message, data in cases.items():
        with pytest.raises(StripError) as info:
            strip_bytes(data, PRIVATE)
        assert not isinstance(info.value, UnsupportedFormat)
        assert message in str(info.value)

    png = camera_png()
    with pytest.raises(StripError, match="PNG ends"):
        strip_bytes(png[: len(png) // 2], PRIVATE)
    with pytest.raises(StripError, match="IEND"):
        strip_bytes(png[:-12], PRIVATE)
    buf = io.BytesIO()
    sample_image().save(buf, "WEBP", exif=camera_exif())
    with pytest.raises(StripError, match="WebP ends"):
        strip_bytes(buf.getvalue()[:-30], PRIVATE)
    with pytest.raises(StripError, match="empty"):
        strip_bytes(b"", PRIVATE)


def test_damaged_files_strip_or_raise_strip_error(camera: bytes) -> None:
    """Random damage anywhere (headers, EXIF, XMP, IPTC, chunks) never escapes as a crash."""
    webp = io.BytesIO()
    sample_image().save(webp, "WEBP", exif=camera_exif(), xmp=XMP_WITH_LOCATION)
    seeds = [camera, camera_png(), webp.getvalue()]
    rng = random.Random(20240501)
    outcomes = {"stripped": 0, "refused": 0}
    for _ in range(600):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 6)):
            pos = rng.randrange(len(data))
            if rng.random() < 0.6:
                data[pos] = rng.choice([0x00, 0xFF, 0xD9, 0xDA, rng.randrange(256)])
            else:
                del data[pos : pos + rng.randint(1, 40)]
        keep = rng.choice([PRIVATE, WITH_METADATA, WITH_LOCATION])
        try:
            strip_bytes(bytes(data), keep)
            outcomes["stripped"] += 1
        except StripError:
            outcomes["refused"] += 1
    assert min(outcomes.values()) > 50  # both paths were exercised


def test_every_truncation_of_a_jpeg_is_a_strip_error(camera: bytes) -> None:
    primary = camera[: camera.index(b"\xff\xd9") + 2]
    for cut in range(2, len(primary) - 1, 7):
        with pytest.raises(StripError):
            strip_bytes(primary[:cut], PRIVATE)


# Files --------------------------------------------------------------------------------------


def test_strip_file_never_touches_the_original(tmp_path: Path, corpus: Path) -> None:
    src = corpus / "GPS.jpg"
    before = hashlib.sha256(src.read_bytes()).hexdigest()
    dst = tmp_path / "out" / "GPS.jpg"
    dst.parent.mkdir()

    strip_file(src, dst, PRIVATE)

    assert hashlib.sha256(src.read_bytes()).hexdigest() == before
    assert dict(exif_of(dst.read_bytes()).get_ifd(0x8825)) == {}
    assert [p.name for p in dst.parent.iterdir()] == ["GPS.jpg"]  # no temporary file left

    with pytest.raises(StripError, match="original"):
        strip_file(src, src, PRIVATE)
    with pytest.raises(StripError, match="original"):
        strip_file(src, corpus / ".." / "corpus" / "GPS.jpg", PRIVATE)
    link = tmp_path / "hardlink.jpg"
    link.hardlink_to(src)
    with pytest.raises(StripError, match="original"):
        strip_file(src, link, PRIVATE)
    assert hashlib.sha256(src.read_bytes()).hexdigest() == before


def test_strip_file_leaves_nothing_behind_on_error(tmp_path: Path, camera: bytes) -> None:
    src = tmp_path / "broken.jpg"
    src.write_bytes(camera[:500])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(StripError):
        strip_file(src, out / "stripped.jpg", PRIVATE)
    assert list(out.iterdir()) == []


# Streaming ----------------------------------------------------------------------------------


class SyntheticJpeg(io.RawIOBase):
    """A JPEG of a real header and ``size`` bytes of scan data, generated as it is read."""

    BLOCK = bytes(range(255)) + b"\xff\x00" + bytes(range(1, 200)) + b"\xff\xd3"

    def __init__(self, header: bytes, size: int, trailer: bytes) -> None:
        self.header, self.size, self.trailer = header, size, trailer
        self.block = self.BLOCK * ((1 << 20) // len(self.BLOCK))
        self.read_so_far = 0
        self.total = len(header) + size + 2 + len(trailer)

    def readable(self) -> bool:
        return True

    def scan_pieces(self) -> Iterator[bytes]:
        left = self.size
        while left > 0:
            piece = self.block[:left]
            yield piece
            left -= len(piece)

    def _bytes_at(self, start: int, n: int) -> bytes:
        out = bytearray()
        tail = b"\xff\xd9" + self.trailer
        pos = start
        while len(out) < n and pos < self.total:
            if pos < len(self.header):
                piece = self.header[pos : pos + n - len(out)]
            elif pos < len(self.header) + self.size:
                offset = (pos - len(self.header)) % len(self.block)
                left = len(self.header) + self.size - pos
                piece = self.block[offset : offset + min(n - len(out), left)]
            else:
                at = pos - len(self.header) - self.size
                piece = tail[at : at + n - len(out)]
            out += piece
            pos += len(piece)
        return bytes(out)

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        data = self._bytes_at(self.read_so_far, len(b))
        b[: len(data)] = data
        self.read_so_far += len(data)
        return len(data)


def test_strip_stream_is_streaming_over_a_large_jpeg(camera: bytes) -> None:
    sos = sos_offset(camera)
    header = camera[: sos + 2 + int.from_bytes(camera[sos + 2 : sos + 4], "big")]
    size = 50 << 20
    chunk = 1 << 20
    src = SyntheticJpeg(header, size, trailer=b"SECONDARY-IMAGE-GPS" * 10)
    small_out = strip_bytes(camera, PRIVATE)
    stripped_header = small_out[: sos_offset(small_out)]

    expected = hashlib.sha256(stripped_header + header[sos:])
    for piece in src.scan_pieces():
        expected.update(piece)
    expected.update(b"\xff\xd9")

    got = hashlib.sha256()
    largest = 0
    read_at_first_scan_piece = None
    total = 0
    for piece in strip_stream(cast(BinaryIO, src), PRIVATE, chunk_size=chunk):
        largest = max(largest, len(piece))
        total += len(piece)
        if read_at_first_scan_piece is None and total > len(header):
            read_at_first_scan_piece = src.read_so_far
        got.update(piece)

    assert got.hexdigest() == expected.hexdigest()
    assert largest <= 2 * chunk
    assert read_at_first_scan_piece is not None and read_at_first_scan_piece <= 3 * chunk
