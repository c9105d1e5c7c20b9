"""Shared helpers of the stripping tests: photos with known metadata planted in them, and
readers that look at the result independently of the stripper (Pillow, piexif, exiftool)."""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import subprocess
import zlib
from pathlib import Path

import piexif
from PIL import Image, ImageCms

from albumen_photo.policy import KeepPolicy

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


def webp_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    assert int.from_bytes(data[4:8], "little") == len(data) - 8
    pos, out = 12, []
    while pos < len(data):
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        out.append((data[pos : pos + 4], data[pos + 8 : pos + 8 + size]))
        pos += 8 + size + (size & 1)
    return out


# exiftool, the independent reader -------------------------------------------------------------

# Tag names that say where a photo was taken, in any group (EXIF GPS, XMP, IPTC, maker notes,
# GeoTIFF): GPS*, Location*, City, State, Country*, Sublocation, Landmark, TimeZoneCity...
PLACE_TAG = re.compile(
    r"gps|latitude|longitude|location|city|province|state$|country|sublocation|worldregion"
    r"|landmark|geotiff|tiepoint|pixelscale|modeltransform|geokey|geodouble|geoascii",
    re.IGNORECASE,
)


def exiftool(path: Path) -> dict[str, object]:
    """Every tag exiftool finds (embedded documents too), keyed "Group:Tag" (family 1)."""
    result = subprocess.run(
        ["exiftool", "-j", "-G1", "-a", "-ee", "-n", str(path)],
        capture_output=True,
        check=True,
    )
    tags: dict[str, object] = json.loads(result.stdout)[0]
    return tags


def places(tags: dict[str, object]) -> dict[str, object]:
    """The tags that name a place and still say something: any GPS-group tag, and any place
    tag whose value is not blank (IPTC place datasets are blanked with spaces, in place)."""
    return {
        key: value
        for key, value in tags.items()
        if key.split(":")[0].upper().startswith("GPS")
        or (PLACE_TAG.search(key.split(":")[-1]) and str(value).strip(" ,0"))
    }


def warnings(tags: dict[str, object]) -> list[object]:
    return [value for key, value in tags.items() if key.endswith(":Warning")]
