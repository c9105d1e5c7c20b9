"""Sections: an album in parts (docs/DESIGN.md, "Sections: an album in parts").

A wedding's gallery comes in parts (getting ready, the ceremony, the portraits, the party). Each
photo here knows the title of its section (`Photo.section`, None for none); the sections are
what those titles make, in the album's order. The server's gallery shows the photos in no
section first, then each section under its title, so the album's order here is kept the same
(`arranged`): what the owner sees in the grid in album order is what viewers see.

The rules the server checks are checked here first (`section_title`, `MAX_SECTIONS`), so the
owner hears of a title that cannot be kept when typing it, not from a refused sync.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from albumen.core.model import Photo
from albumen.core.store_schema import StoreError

MAX_SECTIONS = 100
MAX_TITLE = 100
"""The server's limits: sections in an album, characters in a title (after trimming)."""

_LINE_BREAKING = ("Cc", "Cs", "Zl", "Zp")  # control characters, line and paragraph separators


class SectionError(StoreError):
    """A section the album cannot have, worded for the owner and naming what is wrong."""


@dataclass(frozen=True)
class Section:
    """One part of an album: its title and its photos' ids, in the album's order."""

    title: str
    photo_ids: tuple[str, ...]


def section_title(text: str | None) -> str | None:
    """The title as kept: without the spaces around it; None for a blank one (no section).
    Refused: longer than `MAX_TITLE` characters, or more than one line (control characters,
    tabs, line breaks), as the server refuses them."""
    if text is None or not text.strip():
        return None
    title = text.strip()
    if any(unicodedata.category(char) in _LINE_BREAKING for char in title):
        raise SectionError("section title: must be one line, without tabs or control characters")
    if len(title) > MAX_TITLE:
        raise SectionError(
            f"section title: {len(title)} characters is too long; at most {MAX_TITLE}"
        )
    return title


def album_sections(photos: Iterable[Photo]) -> list[Section]:
    """The sections `photos` (in the album's order) make: in the order of each one's first
    photo, each with its photos in the album's order. What the album's PUT sends."""
    members: dict[str, list[str]] = {}
    for photo in photos:
        if photo.section is not None:
            members.setdefault(photo.section, []).append(photo.id)
    return [Section(title, tuple(ids)) for title, ids in members.items()]


def section_titles(photos: Iterable[Photo]) -> list[str]:
    """The album's section titles, in the order viewers see them."""
    return [section.title for section in album_sections(photos)]


def spelled_as_kept(title: str, titles: Iterable[str]) -> str:
    """`title` as the album already spells it (titles are compared without regard to case:
    "ceremony" typed joins "Ceremony"), else as typed."""
    wanted = title.casefold()
    return next((kept for kept in titles if kept.casefold() == wanted), title)


@dataclass(frozen=True)
class Arrangement:
    """What putting photos in a section makes of the album: its new order, and the section of
    the photos that change section (the others keep theirs)."""

    title: str | None  # as kept: trimmed, spelled as the album already spells it
    order: list[str]  # every photo of the album
    moved: list[str]  # the photos whose section changes


def arranged(photos: Sequence[Photo], photo_ids: Iterable[str], title: str | None) -> Arrangement:
    """Put `photo_ids` (of the album whose photos are `photos`, in its order) in section
    `title`; a blank or None title takes them out of any section.

    The rule, so that the album's order stays the gallery's order:
    - the photos that change section move to the end of that section's photos, in the order
      they had; a new section starts at the end of the album, after the sections there are
      (a photographer names the parts of a day one after the other: getting ready, then the
      ceremony, then the party, and they follow in that order, whatever the photos' places
      were); taken out of any section, they go to the end of the photos in none, which the
      gallery shows first;
    - photos already in that section stay where they are (nothing changes for them);
    - the rest of the album keeps its order, grouped as the gallery groups it: the photos in
      no section first, then each section in the order of its first photo.
    Refused with `SectionError`: a title that cannot be kept, or a section past the
    album's `MAX_SECTIONS`."""
    kept_title = section_title(title)
    existing = section_titles(photos)
    if kept_title is not None:
        kept_title = spelled_as_kept(kept_title, existing)
    chosen = set(photo_ids)
    moved = [p.id for p in photos if p.id in chosen and p.section != kept_title]
    moving = set(moved)
    after = {p.id: kept_title if p.id in moving else p.section for p in photos}
    sections_after = {section for section in after.values() if section is not None}
    if len(sections_after) > MAX_SECTIONS:
        raise SectionError(
            f"sections: an album has at most {MAX_SECTIONS}; “{kept_title}” would be one more"
        )
    groups: dict[str | None, list[str]] = {None: []}
    for section in existing:
        groups[section] = []
    groups.setdefault(kept_title, [])  # a new section: after the others
    for photo in photos:
        if photo.id not in moving:
            groups[after[photo.id]].append(photo.id)
    groups[kept_title].extend(moved)
    order = [photo_id for members in groups.values() for photo_id in members]
    return Arrangement(kept_title, order, moved)


def grouped_order(photos: Sequence[Photo], wanted: Sequence[str] = ()) -> list[str]:
    """The album's photo ids in `wanted`'s order (its ids first, the album's others after as
    they were), grouped as the gallery groups them: the photos in no section first, then each
    section in the order of its first photo. Every change of the album's order goes through
    this (a drag, a sort, photos added), so a photo dragged among another section's photos
    stays in its own section, placed there as it was placed among the photos, and photos added
    join those in no section, as viewers will see them."""
    return [photo_id for members in _groups(photos, wanted).values() for photo_id in members]


def _groups(photos: Sequence[Photo], wanted: Sequence[str] = ()) -> dict[str | None, list[str]]:
    """The album's photo ids in `wanted`'s order (then the others), by section: None (no
    section) first, then each section in the order of its first photo."""
    section_of = {photo.id: photo.section for photo in photos}
    ordered = [i for i in dict.fromkeys([*wanted, *section_of]) if i in section_of]
    groups: dict[str | None, list[str]] = {None: []}
    for photo_id in ordered:
        groups.setdefault(section_of[photo_id], []).append(photo_id)
    return groups


def section_moved(photos: Sequence[Photo], title: str, step: int) -> list[str] | None:
    """The album's order with section `title`, all its photos together, `step` places among the
    sections (-1: before the one before it); None when it is not a section of the album, or
    is first or last already. A section's place is otherwise its first photo's: without this
    the owner moved a whole part of a wedding before another photo by photo."""
    groups = _groups(photos)
    titles = [section for section in groups if section is not None]
    if title not in titles or not 0 <= titles.index(title) + step < len(titles):
        return None
    place = titles.index(title)
    titles.insert(place + step, titles.pop(place))
    return [*groups[None], *(photo_id for section in titles for photo_id in groups[section])]
