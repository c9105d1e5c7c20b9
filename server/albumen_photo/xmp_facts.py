"""What XMP packets and IPTC-IIM blocks say that the owner must know: whether they name a
place, the photographer's credit, and a GPS position or capture date when EXIF has none.

XMP is XML from editors and phones, IPTC-IIM the press agencies' older binary records; both are
untrusted input. A packet that cannot be parsed is still searched for place names (better to warn
of a location that is not there than to miss one), and its problems are reported through the
``problem`` callback, never raised.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from xml.etree import ElementTree

from albumen_photo.errors import Malformed
from albumen_photo.exif_fields import clean, decode_bytes
from albumen_photo.iim import IIM_LOCATION, iim_datasets
from albumen_photo.records import GpsPosition
from albumen_photo.xmp import is_location_property, parse_xmp, xmp_text

__all__ = ["IimFacts", "XmpFacts", "read_iim", "read_xmp"]

_IIM_BYLINE, _IIM_COPYRIGHT = (2, 80), (2, 116)

# Said to be about GPS, but they place nothing by themselves.
_XMP_NOT_PLACING = frozenset({"gpsversionid", "gpsmapdatum"})
_NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_NS_X = "adobe:ns:meta/"
_NS_XML = "http://www.w3.org/XML/1998/namespace"
_NS_DC = "http://purl.org/dc/elements/1.1/"
_NS_EXIF = "http://ns.adobe.com/exif/1.0/"
_NS_XMP = "http://ns.adobe.com/xap/1.0/"
_NS_PHOTOSHOP = "http://ns.adobe.com/photoshop/1.0/"
_NS_STRUCTURE = frozenset({_NS_RDF, _NS_X, _NS_XML})
# Capture dates in XMP, the most exact first: what the camera said, then what editors keep.
_XMP_DATES = (
    (_NS_EXIF, "DateTimeOriginal"),
    (_NS_PHOTOSHOP, "DateCreated"),
    (_NS_XMP, "CreateDate"),
    (_NS_EXIF, "DateTimeDigitized"),
)
_XMP_COORDINATE = re.compile(
    r"^\s*(\d+(?:\.\d+)?)(?:,(\d+(?:\.\d+)?))?(?:,(\d+(?:\.\d+)?))?\s*([NSEWnsew])\s*$"
)


@dataclass
class XmpFacts:
    location: bool = False
    gps: GpsPosition | None = None
    creator: str | None = None
    rights: str | None = None
    taken_at: tuple[datetime, str | None] | None = None

    def merge(self, other: XmpFacts) -> None:
        self.location = self.location or other.location
        self.gps = self.gps or other.gps
        self.creator = self.creator or other.creator
        self.rights = self.rights or other.rights
        self.taken_at = self.taken_at or other.taken_at


@dataclass
class IimFacts:
    location: bool = False
    byline: str | None = None
    copyright: str | None = None

    def merge(self, other: IimFacts) -> None:
        self.location = self.location or other.location
        self.byline = self.byline or other.byline
        self.copyright = self.copyright or other.copyright


class _Parser:
    """Reads packets and blocks, reporting broken parts through ``problem``."""

    def __init__(self, problem: Callable[[str], None]) -> None:
        self.problem = problem

    def read(self, packet: bytes) -> XmpFacts:
        facts = XmpFacts()
        try:
            root = parse_xmp(packet)
        except Malformed as error:
            # Still searched for place names: better to warn of a location that is not there.
            self.problem(f"an XMP block cannot be parsed ({error}); checked for place names only")
            try:
                text = xmp_text(packet)
            except Malformed:
                text = packet.decode("latin-1")
            facts.location = _looks_located(text)
            return facts
        for element in root.iter():
            ns, local = _split_name(element.tag)
            if ns not in _NS_STRUCTURE and _places(ns, local) and _has_content(element):
                facts.location = True
            for name, value in element.attrib.items():
                ans, alocal = _split_name(name)
                if ans and ans not in _NS_STRUCTURE and _places(ans, alocal) and value.strip():
                    facts.location = True
        facts.creator = _xmp_property(root, _NS_DC, "creator")
        facts.rights = _xmp_property(root, _NS_DC, "rights")
        lat = _xmp_property(root, _NS_EXIF, "GPSLatitude")
        lon = _xmp_property(root, _NS_EXIF, "GPSLongitude")
        if lat and lon:
            facts.gps = self._xmp_gps(lat, lon, root)
        for date_ns, date_name in _XMP_DATES:
            stamp = _xmp_property(root, date_ns, date_name)
            taken = self._xmp_date(stamp, f"XMP {date_name}") if stamp else None
            if taken is not None:
                facts.taken_at = taken
                break
        return facts

    def _xmp_gps(
        self, lat_text: str, lon_text: str, root: ElementTree.Element
    ) -> GpsPosition | None:
        lat = self._xmp_coordinate(lat_text, "XMP GPS latitude", 90.0)
        lon = self._xmp_coordinate(lon_text, "XMP GPS longitude", 180.0)
        if lat is None or lon is None:
            return None
        alt: float | None = None
        alt_text = _xmp_property(root, _NS_EXIF, "GPSAltitude")
        if alt_text:
            try:
                num, _, den = alt_text.partition("/")
                alt = float(num) / float(den or 1)
            except (ValueError, ZeroDivisionError):
                self.problem(f"XMP GPS altitude {alt_text!r} is not a number")
            if alt is not None and (_xmp_property(root, _NS_EXIF, "GPSAltitudeRef") or "0") == "1":
                alt = -abs(alt)
        return GpsPosition(lat, lon, alt)

    def _xmp_coordinate(self, text: str, what: str, limit: float) -> float | None:
        match = _XMP_COORDINATE.match(text)
        value: float | None = None
        if match:
            deg, minutes, seconds, ref = match.groups()
            value = float(deg) + float(minutes or 0) / 60 + float(seconds or 0) / 3600
            if ref.upper() in "SW":
                value = -value
        else:
            try:
                value = float(text)
            except ValueError:
                self.problem(f"{what} {text!r} is not a coordinate")
                return None
        if not math.isfinite(value) or abs(value) > limit:
            self.problem(f"{what} {text!r} is out of range")
            return None
        return value

    def _xmp_date(self, text: str, what: str) -> tuple[datetime, str | None] | None:
        if "T" not in text:
            return None  # a day without a time is not when a photo was taken
        try:
            taken = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        except ValueError:
            self.problem(f"{what} {text!r} is not a date")
            return None
        offset = None
        if taken.utcoffset() is not None:
            match = re.search(r"([+-]\d{2}:\d{2}|Z)$", text.strip())
            offset = (
                "+00:00" if match and match.group(1) == "Z" else (match.group(1) if match else None)
            )
        return taken, offset

    def iim(self, data: bytes) -> IimFacts:
        facts = IimFacts()
        try:
            datasets = iim_datasets(data)
        except Malformed as error:
            self.problem(f"the IPTC block is damaged ({error})")
            return facts
        for item in datasets:
            text = clean(decode_bytes(item.value)) if item.value else None
            if not text:
                continue
            key = (item.record, item.dataset)
            if key in IIM_LOCATION:
                facts.location = True
            elif key == _IIM_BYLINE:
                facts.byline = facts.byline or text
            elif key == _IIM_COPYRIGHT:
                facts.copyright = facts.copyright or text
        return facts


def read_xmp(packets: list[bytes], problem: Callable[[str], None]) -> XmpFacts:
    """What all the XMP packets of one file say, the first packet to say a thing winning."""
    facts = XmpFacts()
    parser = _Parser(problem)
    for packet in packets:
        facts.merge(parser.read(packet))
    return facts


def read_iim(blocks: list[bytes], problem: Callable[[str], None]) -> IimFacts:
    """What all the IPTC-IIM blocks of one file say."""
    facts = IimFacts()
    parser = _Parser(problem)
    for block in blocks:
        facts.merge(parser.iim(block))
    return facts


def _split_name(name: str) -> tuple[str | None, str]:
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return None, name


def _places(ns: str | None, local: str) -> bool:
    # The rule strip applies, so that "the XMP carries a location" here means exactly
    # "stripping for a link without location changes the XMP"; minus two GPS fields that
    # place nothing by themselves.
    return local.lower() not in _XMP_NOT_PLACING and is_location_property(ns, local)


def _has_content(element: ElementTree.Element) -> bool:
    if element.text and element.text.strip():
        return True
    for child in element.iter():
        if child is element:
            continue
        if child.text and child.text.strip():
            return True
        if any(
            value.strip()
            for name, value in child.attrib.items()
            if _split_name(name)[0] not in _NS_STRUCTURE
        ):
            return True
    return False


_LOCATED = re.compile(
    r"(?i)[\w.-]+:(?:city|state|country\w*|provincestate|sublocation|worldregion|location\w*"
    r"|shotlocation|\w*gps(?!versionid|mapdatum)\w*|\w*latitude|\w*longi?t?tude|\w*altitude"
    r"|\w*geotag\w*)\s*(?:=\s*[\"'][^\"'\s]|>\s*[^<\s])"
)


def _looks_located(text: str) -> bool:
    """For XMP that cannot be parsed: whether any place property seems to hold a value."""
    return _LOCATED.search(text) is not None


def _xmp_property(root: ElementTree.Element, ns: str, local: str) -> str | None:
    """A simple XMP property's text (element or attribute form); for lists (rdf:Seq, rdf:Alt,
    rdf:Bag), the items joined with "; ", the x-default language first."""
    tag = f"{{{ns}}}{local}"
    for description in root.iter(f"{{{_NS_RDF}}}Description"):
        attribute = description.attrib.get(tag)
        if attribute and attribute.strip():
            return clean(attribute)
        for element in description.iter(tag):
            items = list(element.iter(f"{{{_NS_RDF}}}li"))
            if items:
                default = [li for li in items if li.attrib.get(f"{{{_NS_XML}}}lang") == "x-default"]
                texts = [clean(li.text or "") for li in (default or items)]
                joined = "; ".join(t for t in texts if t)
                if joined:
                    return joined
            elif element.text and element.text.strip():
                return clean(element.text)
    return None
