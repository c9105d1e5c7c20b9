"""XMP packets: decoding, the rule of which properties are a place, parsing, filtering, and
blanking in place.

Why one module: the stripper (JPEG, PNG, WebP rewrite the packet; TIFF, RAW and HEIF overwrite
hidden properties with spaces so no offset moves) and the metadata reader must agree on what in
XMP is a location, so that what the owner is shown as location is what a link without
location removes.
"""

from __future__ import annotations

import re
from xml.dom import minidom
from xml.etree import ElementTree
from xml.parsers import expat
from xml.parsers.expat import ExpatError

from albumen_photo.errors import Malformed
from albumen_photo.policy import KeepPolicy

__all__ = [
    "Xmp",
    "blank_xmp",
    "filter_xmp_bytes",
    "is_location_property",
    "parse_xmp",
    "xmp_encoding",
    "xmp_text",
]

_MAX_XML_DEPTH = 100  # XMP nests a few levels; hostile nesting would exhaust the recursion limit

_NS_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_NS_XMLNS = "http://www.w3.org/2000/xmlns/"
_NS_XML = "http://www.w3.org/XML/1998/namespace"
_NS_DC = "http://purl.org/dc/elements/1.1/"
_NS_XMP_RIGHTS = "http://ns.adobe.com/xap/1.0/rights/"
_NS_PHOTOSHOP = "http://ns.adobe.com/photoshop/1.0/"
_NS_TIFF = "http://ns.adobe.com/tiff/1.0/"
_NS_CC = "http://creativecommons.org/ns#"
_NS_PLUS = "http://ns.useplus.org/ldf/xmp/1.0/"
_NS_XMP_NOTE = "http://ns.adobe.com/xmp/note/"
_NS_GCONTAINER = "http://ns.google.com/photos/1.0/container/"
_NS_GCAMERA = "http://ns.google.com/photos/1.0/camera/"
_NS_HDRGM = "http://ns.adobe.com/hdr-gain-map/1.0/"

_XMP_RIGHTS_PROPS = frozenset(
    {
        (_NS_DC, "creator"),
        (_NS_DC, "rights"),
        (_NS_PHOTOSHOP, "Credit"),
        (_NS_PHOTOSHOP, "Copyright"),
        (_NS_TIFF, "Orientation"),
        (_NS_TIFF, "Artist"),
        (_NS_TIFF, "Copyright"),
        (_NS_PLUS, "CopyrightOwner"),
        (_NS_PLUS, "ImageCreator"),
    }
)
_XMP_RIGHTS_NAMESPACES = frozenset({_NS_XMP_RIGHTS, _NS_CC})
# Local names that are a place in every schema that uses them (IPTC Core and Extension,
# Photoshop, PhotoMechanic, video schemas...).
_XMP_LOCATION_NAMES = frozenset(
    {
        "city",
        "state",
        "country",
        "countrycode",
        "countryname",
        "provincestate",
        "sublocation",
        "worldregion",
        "location",
        "locationcreated",
        "locationshown",
        "locationname",
        "shotlocation",
    }
)
# Substrings that mark coordinates wherever they hide: exif:GPS*, drone-dji:GpsLatitude,
# drone-dji:GpsLongtitude (sic), AbsoluteAltitude...
LOCATION_WORDS = ("gps", "latitude", "longitude", "longtitude", "altitude", "geotag")
# Properties that describe secondary images (gain maps, motion-photo videos) stored after the
# primary image; those images are removed, so the pointers to them must go too.
_XMP_SECONDARY_PROPS = frozenset(
    {
        (_NS_GCONTAINER, "Directory"),
        (_NS_GCAMERA, "MotionPhoto"),
        (_NS_GCAMERA, "MotionPhotoVersion"),
        (_NS_GCAMERA, "MotionPhotoPresentationTimestampUs"),
        (_NS_GCAMERA, "MicroVideo"),
        (_NS_GCAMERA, "MicroVideoVersion"),
        (_NS_GCAMERA, "MicroVideoOffset"),
        (_NS_GCAMERA, "MicroVideoPresentationTimestampUs"),
    }
)
_NON_PROPERTY_NAMESPACES = frozenset({None, _NS_RDF, _NS_XMLNS, _NS_XML})

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_XPACKET_HEADER = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
_XPACKET_TRAILER = '\n<?xpacket end="w"?>'


def is_location_property(ns: str | None, local: str) -> bool:
    """Whether an XMP property names a place: what stripping for a link without location
    removes, and what `metadata` reports as location."""
    low = local.lower()
    if low in _XMP_LOCATION_NAMES or any(word in low for word in LOCATION_WORDS):
        return True
    return (ns, local) == (_NS_DC, "coverage")


def _keep_property(ns: str | None, local: str, keep: KeepPolicy) -> bool:
    if ns in _NON_PROPERTY_NAMESPACES:
        return True
    if is_location_property(ns, local):
        return keep.location
    if (ns, local) in _XMP_SECONDARY_PROPS or ns == _NS_HDRGM:
        return False
    if keep.metadata:
        return True
    return ns in _XMP_RIGHTS_NAMESPACES or (ns, local) in _XMP_RIGHTS_PROPS


def _child_elements(node: minidom.Node) -> list[minidom.Element]:
    return [child for child in node.childNodes if isinstance(child, minidom.Element)]


def _remove_element(element: minidom.Element) -> None:
    """Remove an element with the indentation before it, so the packet stays readable."""
    parent = element.parentNode
    if not isinstance(parent, minidom.Element):
        return
    before = element.previousSibling
    if isinstance(before, minidom.Text) and not before.data.strip():
        parent.removeChild(before)
    parent.removeChild(element).unlink()


def _has_properties(desc: minidom.Element) -> bool:
    if _child_elements(desc):
        return True
    return any(a.namespaceURI not in _NON_PROPERTY_NAMESPACES for a in desc.attributes.values())


def xmp_encoding(data: bytes) -> str:
    """The Unicode encoding of an XMP packet, from its byte-order mark or its first '<'."""
    if data.startswith((b"\xfe\xff", b"\x00<")):
        return "utf-16-be"
    if data.startswith((b"\xff\xfe", b"<\x00")):
        return "utf-16-le"
    return "utf-8"


def xmp_text(data: bytes) -> str:
    """The packet as text, whatever its Unicode encoding, without padding or declaration."""
    try:
        text = data.decode(xmp_encoding(data))
    except UnicodeDecodeError as exc:
        raise Malformed("XMP is not valid Unicode") from exc
    text = text.lstrip("\ufeff")
    trailer = text.rfind("<?xpacket end")
    close = text.find("?>", trailer) if trailer >= 0 else -1
    text = text[: close + 2] if close >= 0 else text.rstrip("\x00 \t\r\n")
    return _XML_DECLARATION.sub("", text, count=1)


class Xmp:
    """A parsed XMP packet that can be filtered property by property and written back."""

    def __init__(self, data: bytes) -> None:
        text = xmp_text(data)
        # XMP forbids DTDs; refusing them up front rules out entity-expansion tricks.
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            raise Malformed("XMP with a DTD")
        try:
            # The input is untrusted, but with DTDs refused above nothing can expand.
            self.doc = minidom.parseString(text)  # noqa: S318 - DTDs refused above
        except (ExpatError, ValueError, LookupError) as exc:
            raise Malformed("XMP is not well-formed XML") from exc
        root = self.doc.documentElement
        if root is None:
            raise Malformed("XMP without a root element")
        self.root: minidom.Element = root
        # minidom walks and writes trees recursively: refuse depths that would overflow.
        stack = [(root, 1)]
        while stack:
            element, depth = stack.pop()
            if depth > _MAX_XML_DEPTH:
                raise Malformed("XMP nested too deeply")
            stack.extend((child, depth + 1) for child in _child_elements(element))

    def _descriptions(self) -> list[minidom.Element]:
        return [
            desc
            for rdf in self.doc.getElementsByTagNameNS(_NS_RDF, "RDF")
            for desc in _child_elements(rdf)
        ]

    def filter(self, keep: KeepPolicy) -> None:
        for desc in self._descriptions():
            for attr in list(desc.attributes.values()):
                if not _keep_property(attr.namespaceURI, attr.localName, keep):
                    desc.removeAttributeNode(attr)
            for child in _child_elements(desc):
                if not _keep_property(child.namespaceURI, child.localName, keep):
                    _remove_element(child)
        if not keep.location:
            self._remove_location(self.root)
        descriptions = self._descriptions()
        for desc in descriptions[1:] if descriptions else []:
            if not _has_properties(desc):
                _remove_element(desc)
        if descriptions and not _has_properties(descriptions[0]) and len(self._descriptions()) > 1:
            _remove_element(descriptions[0])

    def _remove_location(self, element: minidom.Element) -> None:
        """Location hides inside structures too (LocationShown/rdf:Bag/rdf:li/City...)."""
        for attr in list(element.attributes.values()):
            ns = attr.namespaceURI
            if ns not in _NON_PROPERTY_NAMESPACES and is_location_property(ns, attr.localName):
                element.removeAttributeNode(attr)
        for child in _child_elements(element):
            ns = child.namespaceURI
            if ns not in _NON_PROPERTY_NAMESPACES and is_location_property(ns, child.localName):
                _remove_element(child)
            else:
                self._remove_location(child)

    def is_empty(self) -> bool:
        for desc in self._descriptions():
            if _child_elements(desc):
                return False
            if any(
                a.namespaceURI not in _NON_PROPERTY_NAMESPACES for a in desc.attributes.values()
            ):
                return False
        return True

    def extended_guid(self) -> str | None:
        """The xmpNote:HasExtendedXMP value: which extended XMP belongs to this packet."""
        for desc in self._descriptions():
            if desc.hasAttributeNS(_NS_XMP_NOTE, "HasExtendedXMP"):
                return desc.getAttributeNS(_NS_XMP_NOTE, "HasExtendedXMP").strip()
            for child in desc.getElementsByTagNameNS(_NS_XMP_NOTE, "HasExtendedXMP"):
                return "".join(
                    n.data for n in child.childNodes if isinstance(n, minidom.Text)
                ).strip()
        return None

    def set_extended_guid(self, guid: str | None) -> None:
        descriptions = self._descriptions()
        for desc in descriptions:
            if desc.hasAttributeNS(_NS_XMP_NOTE, "HasExtendedXMP"):
                desc.removeAttributeNS(_NS_XMP_NOTE, "HasExtendedXMP")
            for child in list(desc.getElementsByTagNameNS(_NS_XMP_NOTE, "HasExtendedXMP")):
                _remove_element(child)
        if guid is not None and descriptions:
            desc = descriptions[0]
            desc.setAttributeNS(_NS_XMLNS, "xmlns:xmpNote", _NS_XMP_NOTE)
            desc.setAttributeNS(_NS_XMP_NOTE, "xmpNote:HasExtendedXMP", guid)

    def serialize(self, *, packet: bool = True) -> bytes:
        body = self.root.toxml()
        if packet:
            body = _XPACKET_HEADER + body + _XPACKET_TRAILER
        return body.encode("utf-8")


def filter_xmp_bytes(data: bytes, keep: KeepPolicy) -> bytes | None:
    """Filter a standalone XMP packet; None when it is malformed or nothing is left."""
    try:
        xmp = Xmp(data)
    except Malformed:
        return None
    xmp.filter(keep)
    xmp.set_extended_guid(None)  # only JPEG has extended XMP; elsewhere the note dangles
    return None if xmp.is_empty() else xmp.serialize()


def parse_xmp(data: bytes) -> ElementTree.Element:
    """The packet's root element (x:xmpmeta or rdf:RDF), for readers; raises :class:`Malformed`.

    Names are in ElementTree's "{namespace}local" form. DTDs are refused, as XMP forbids them.
    """
    text = xmp_text(data)
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise Malformed("XMP with a DTD")
    try:
        return ElementTree.fromstring(text)  # noqa: S314 - DTDs refused above
    except ElementTree.ParseError as exc:
        raise Malformed("XMP is not well-formed XML") from exc


def _packet_end(data: bytes, encoding: str) -> int:
    """Where the XML of a packet ends: after its xpacket trailer, or before trailing padding."""
    trailer = data.rfind("<?xpacket end".encode(encoding))
    if trailer >= 0:
        close = data.find("?>".encode(encoding), trailer)
        if close >= 0:
            return close + len("?>".encode(encoding))
    text_end = len(data.rstrip(b"\x00 \t\r\n"))
    return text_end + (text_end & 1 if encoding.startswith("utf-16") else 0)


class _BlankSpans:
    """Finds, with expat's byte positions, the spans of the properties a policy hides."""

    def __init__(self, data: bytes, encoding: str, keep: KeepPolicy) -> None:
        self.data = data
        self.encoding = encoding
        self.keep = keep
        self.spans: list[tuple[int, int]] = []
        self.stack: list[tuple[str | None, str, int, bool]] = []  # ns, local, start, blanked
        self.hidden = 0  # depth inside an element already being blanked

    def tag_end(self, start: int) -> tuple[int, bool]:
        """The byte offset after the start tag at ``start``, and whether it closes itself."""
        window = 4096
        while True:
            text = self.data[start : start + window].decode(self.encoding, "ignore")
            quote = None
            for i, char in enumerate(text):
                if quote:
                    quote = None if char == quote else quote
                elif char in "\"'":
                    quote = char
                elif char == ">":
                    return start + len(text[: i + 1].encode(self.encoding)), text[i - 1] == "/"
            if start + window >= len(self.data):
                raise Malformed("XMP start tag not closed")
            window *= 16  # a description with many attributes: look further

    def start(self, name: str, attrs: dict[str, str], at: int) -> None:
        ns, local, _ = _split(name)
        parent = self.stack[-1] if self.stack else None
        top = parent is not None and (parent[0], parent[1]) == (_NS_RDF, "Description")
        top = top and len(self.stack) >= 2 and self.stack[-2][:2] == (_NS_RDF, "RDF")
        blank = not self.hidden and self.hides(ns, local, top)
        description = (ns, local) == (_NS_RDF, "Description")
        on_top = description and parent is not None and parent[:2] == (_NS_RDF, "RDF")
        if not self.hidden:
            for key in attrs:
                a_ns, a_local, prefix = _split(key)
                if self.hides(a_ns, a_local, on_top):
                    self.blank_attribute(at, f"{prefix}:{a_local}" if prefix else a_local)
        if len(self.stack) >= _MAX_XML_DEPTH:
            raise Malformed("XMP nested too deeply")
        self.stack.append((ns, local, at, blank))
        self.hidden += bool(blank or self.hidden)

    def hides(self, ns: str | None, local: str, top: bool) -> bool:
        if ns in _NON_PROPERTY_NAMESPACES:
            return False
        if top and not _keep_property(ns, local, self.keep):
            return True
        return not self.keep.location and is_location_property(ns, local)

    def blank_attribute(self, at: int, qname: str) -> None:
        end, _ = self.tag_end(at)
        tag = self.data[at:end].decode(self.encoding)
        found = re.search(rf"\s({re.escape(qname)}\s*=\s*(\"[^\"]*\"|'[^']*'))", tag)
        if found is None:
            raise Malformed("XMP attribute not found where expat saw it")
        lo = at + len(tag[: found.start(1)].encode(self.encoding))
        hi = at + len(tag[: found.end(1)].encode(self.encoding))
        self.spans.append((lo, hi))

    def end(self, at: int) -> None:
        _, _, start, blank = self.stack.pop()
        if self.hidden:
            self.hidden -= 1
        if not blank:
            return
        tag_end, empty = self.tag_end(start)
        if not empty:
            close = self.data.find(">".encode(self.encoding), at)
            if close < 0:
                raise Malformed("XMP end tag not closed")
            tag_end = close + len(">".encode(self.encoding))
        self.spans.append((start, tag_end))


_NS_SEPARATOR = "\x01"


def _split(name: str) -> tuple[str | None, str, str | None]:
    parts = name.split(_NS_SEPARATOR)
    if len(parts) == 1:
        return None, parts[0], None
    return parts[0], parts[1], parts[2] if len(parts) > 2 else None


def blank_xmp(data: bytes, keep: KeepPolicy) -> bytes:
    """The packet with every property ``keep`` hides overwritten by spaces: same length, still
    well-formed XML, so it can be patched into a file whose offsets must not move.

    A packet that cannot be parsed (or has a DTD) is overwritten with spaces whole: what cannot
    be read cannot be vouched for.
    """
    if keep.keeps_everything:
        return data
    encoding = xmp_encoding(data)
    space = " ".encode(encoding)
    body = data[: _packet_end(data, encoding)]
    spans = _BlankSpans(body, encoding, keep)
    try:
        text = body.decode(encoding)
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            raise Malformed("XMP with a DTD")
        parser = expat.ParserCreate(namespace_separator=_NS_SEPARATOR)
        parser.namespace_prefixes = True
        parser.StartElementHandler = lambda n, a: spans.start(n, a, parser.CurrentByteIndex)
        parser.EndElementHandler = lambda n: spans.end(parser.CurrentByteIndex)
        parser.Parse(body, True)
    except (ExpatError, Malformed, UnicodeError, ValueError):
        return space * (len(data) // len(space)) + bytes(len(data) % len(space))
    out = bytearray(data)
    for lo, hi in spans.spans:
        out[lo:hi] = space * ((hi - lo) // len(space))
    return bytes(out)
