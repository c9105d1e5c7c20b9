"""IPTC-IIM datasets and Photoshop image resources (IRB): parsing, filtering, blanking in place.

Why together: JPEG and TIFF keep IPTC inside Photoshop's image resources (resource 0x0404), and
the resources also carry EXIF and XMP copies, so the one that filters resources must filter
IPTC. Readers get the datasets and resources with their offsets; the stripper either rewrites
the block (JPEG, PNG) or overwrites unwanted values with spaces, keeping every length (TIFF,
RAW, HEIF).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from albumen_photo.errors import Malformed
from albumen_photo.exif import apply_patches, blank_patches, filter_exif
from albumen_photo.policy import KeepPolicy
from albumen_photo.tiff import TAG_IPTC, TAG_PHOTOSHOP, Tiff
from albumen_photo.xmp import blank_xmp, filter_xmp_bytes

__all__ = [
    "IIM_LOCATION",
    "IRB_SIGNATURES",
    "Dataset",
    "Resource",
    "blank_iim",
    "blank_irb",
    "blank_tiff_block",
    "filter_iim",
    "filter_irb",
    "iim_datasets",
    "irb_resources",
]

# (record, dataset) pairs that say where the photo was taken.
IIM_LOCATION = frozenset({(2, 26), (2, 27), (2, 90), (2, 92), (2, 95), (2, 100), (2, 101)})
# Pairs that always stay: character set, record version, by-line, credit, copyright notice.
_IIM_ALWAYS = frozenset({(1, 90), (2, 0), (2, 80), (2, 110), (2, 116)})
_IIM_STRUCTURAL = frozenset({(1, 90), (2, 0)})

IRB_SIGNATURES = frozenset({b"8BIM", b"PHUT", b"AgHg", b"DCSR", b"MeSa"})
IRB_IPTC = 0x0404
IRB_IPTC_DIGEST = 0x0425
IRB_EXIF = frozenset({0x0422, 0x0423})
IRB_XMP = 0x0424
_IRB_ALWAYS = frozenset({0x040A, 0x040B})  # copyright flag, copyright URL


@dataclass(frozen=True)
class Dataset:
    """One IIM dataset; ``start`` is where its header begins, ``value_start`` its value."""

    record: int
    dataset: int
    value: bytes
    start: int
    value_start: int

    @property
    def end(self) -> int:
        return self.value_start + len(self.value)


@dataclass(frozen=True)
class Resource:
    """One Photoshop image resource; ``start`` is where its payload begins in the block."""

    signature: bytes
    id: int
    name: bytes  # the padded Pascal name, as found
    payload: bytes
    start: int


def iim_datasets(data: bytes) -> list[Dataset]:
    """The IPTC-IIM datasets of a block, in order; raises :class:`Malformed`."""
    out: list[Dataset] = []
    pos = 0
    while pos < len(data):
        if data[pos] != 0x1C:
            if not data[pos:].strip(b"\x00"):
                break  # zero padding after the last dataset
            raise Malformed("IPTC dataset does not start with 0x1C")
        if pos + 5 > len(data):
            raise Malformed("IPTC dataset header truncated")
        record, dataset = data[pos + 1], data[pos + 2]
        length = int.from_bytes(data[pos + 3 : pos + 5], "big")
        header = 5
        if length & 0x8000:  # extended dataset: the length of the length follows
            n = length & 0x7FFF
            if n > 4 or pos + 5 + n > len(data):
                raise Malformed("IPTC extended length invalid")
            length = int.from_bytes(data[pos + 5 : pos + 5 + n], "big")
            header += n
        end = pos + header + length
        if end > len(data):
            raise Malformed("IPTC dataset runs past the end of the block")
        out.append(Dataset(record, dataset, data[pos + header : end], pos, pos + header))
        pos = end
    return out


def _wanted(key: tuple[int, int], keep: KeepPolicy) -> bool:
    return keep.location if key in IIM_LOCATION else keep.metadata or key in _IIM_ALWAYS


def filter_iim(data: bytes, keep: KeepPolicy) -> bytes:
    """Filter IPTC IIM datasets; returns b"" when nothing worth keeping is left."""
    out: list[bytes] = []
    meaningful = False
    for ds in iim_datasets(data):
        key = (ds.record, ds.dataset)
        if _wanted(key, keep):
            out.append(data[ds.start : ds.end])
            meaningful = meaningful or key not in _IIM_STRUCTURAL
    return b"".join(out) if meaningful else b""


def blank_iim(data: bytes, keep: KeepPolicy) -> bytes:
    """The block with every unwanted dataset's value overwritten with spaces (same length).

    Malformed IPTC is blanked whole: what cannot be read cannot be vouched for.
    """
    try:
        datasets = iim_datasets(data)
    except Malformed:
        return b" " * len(data)
    out = bytearray(data)
    for ds in datasets:
        if not _wanted((ds.record, ds.dataset), keep):
            out[ds.value_start : ds.end] = b" " * len(ds.value)
    return bytes(out)


def irb_resources(data: bytes) -> list[Resource]:
    """Photoshop image resource blocks, in order; raises :class:`Malformed`."""
    resources = []
    pos = 0
    while pos < len(data):
        if len(data) - pos < 12:
            if not data[pos:].strip(b"\x00"):
                break
            raise Malformed("image resource truncated")
        signature = data[pos : pos + 4]
        if signature not in IRB_SIGNATURES:
            raise Malformed("unknown image resource signature")
        rid = int.from_bytes(data[pos + 4 : pos + 6], "big")
        name_len = data[pos + 6]
        name_end = pos + 7 + name_len + ((1 + name_len) & 1)
        if name_end + 4 > len(data):
            raise Malformed("image resource name runs past the end of the block")
        size = int.from_bytes(data[name_end : name_end + 4], "big")
        start = name_end + 4
        if start + size > len(data):
            raise Malformed("image resource runs past the end of the block")
        resources.append(
            Resource(signature, rid, data[pos + 6 : name_end], data[start : start + size], start)
        )
        pos = start + size + (size & 1)
    return resources


def filter_irb(data: bytes, keep: KeepPolicy) -> bytes | None:
    """Filter Photoshop image resources (where JPEG keeps IPTC); None drops the whole block."""
    try:
        resources = irb_resources(data)
    except Malformed:
        return None
    out: list[tuple[bytes, int, bytes, bytes]] = []
    iptc: bytes | None = None
    had_digest = False
    for res in resources:
        new: bytes | None
        rid, payload = res.id, res.payload
        if rid == IRB_IPTC:
            try:
                new = filter_iim(payload, keep) or None
            except Malformed:
                new = None
            if new is not None:
                iptc = new
        elif rid == IRB_IPTC_DIGEST:
            had_digest = True
            continue  # recomputed below: it must match the filtered IPTC
        elif rid in _IRB_ALWAYS:
            new = payload
        elif not keep.metadata:
            new = None
        elif rid in IRB_EXIF:
            new = filter_exif(payload, keep)
        elif rid == IRB_XMP:
            new = filter_xmp_bytes(payload, keep)
        else:
            new = payload
        if new is not None:
            out.append((res.signature, rid, res.name, new))
    if iptc is not None and had_digest:  # MD5 is what Photoshop uses to spot stale IPTC
        digest = hashlib.md5(iptc, usedforsecurity=False).digest()
        out.append((b"8BIM", IRB_IPTC_DIGEST, b"\x00\x00", digest))
    if not out:
        return None
    return b"".join(
        signature
        + rid.to_bytes(2, "big")
        + name
        + len(payload).to_bytes(4, "big")
        + payload
        + bytes(len(payload) & 1)
        for signature, rid, name, payload in out
    )


def blank_irb(data: bytes, keep: KeepPolicy) -> bytes:
    """Photoshop resources blanked in place (same length): IPTC and XMP inside are blanked,
    other resources the policy hides (thumbnails, EXIF copies, maker data...) are zeroed, and an
    unreadable block is zeroed whole."""
    try:
        resources = irb_resources(data)
    except Malformed:
        return bytes(len(data))
    out = bytearray(data)
    for res in resources:
        end = res.start + len(res.payload)
        if res.id == IRB_IPTC:
            out[res.start : end] = blank_iim(res.payload, keep)
        elif res.id == IRB_XMP:
            out[res.start : end] = blank_xmp(res.payload, keep)
        elif res.id in IRB_EXIF and keep.metadata:
            try:
                patches = blank_patches(Tiff(res.payload), keep)
                out[res.start : end] = apply_patches(res.payload, patches)
            except Malformed:
                out[res.start : end] = bytes(len(res.payload))
        elif not keep.metadata and res.id not in _IRB_ALWAYS:
            out[res.start : end] = bytes(len(res.payload))
    return bytes(out)


def blank_tiff_block(tag: int, data: bytes, keep: KeepPolicy) -> bytes:
    """Blank in place the block a TIFF tag holds: IPTC (33723), Photoshop resources (34377) or
    XMP (700)."""
    if tag == TAG_IPTC:
        return blank_iim(data, keep)
    if tag == TAG_PHOTOSHOP:
        return blank_irb(data, keep)
    return blank_xmp(data, keep)
