"""An album's sections: its parts, each a title and its photos (docs/DESIGN.md, "Sections").

A wedding's gallery comes in parts (getting ready, the ceremony, the party). The owner sends
them with the album (`PUT /api/albums/{id}`, `sections`); they are kept as sent, in the
album's row, ids of photos not (or no longer) in the album included, as `photo_order` keeps
them: a photo still on its way may be named before it lands. What viewers see is worked out
here, once, for every page and answer of a link: photos in no section first, then each
section in the owner's order, each one's photos in the album's order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

MAX_SECTIONS = 100
MAX_TITLE = 100


@dataclass(frozen=True)
class Section:
    title: str
    photo_ids: tuple[str, ...]


class HasId(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=HasId)


def loads(text: str | None) -> list[Section]:
    """The sections an album's row keeps (None: none)."""
    if not text:
        return []
    return [Section(item["title"], tuple(item["photo_ids"])) for item in json.loads(text)]


def dumps(sections: Sequence[Section]) -> str | None:
    """What the album's row keeps of `sections`: None for none."""
    if not sections:
        return None
    return json.dumps(
        [{"title": s.title, "photo_ids": list(s.photo_ids)} for s in sections],
        ensure_ascii=False,
    )


def titles_by_photo(sections: Sequence[Section]) -> dict[str, str]:
    """Each sectioned photo's section title, by photo id."""
    return {photo_id: section.title for section in sections for photo_id in section.photo_ids}


def grouped(photos: Sequence[T], sections: Sequence[Section]) -> list[tuple[str | None, list[T]]]:
    """`photos` (in the album's order) as viewers see them: those in no section first (title
    None), then each section that has any, in the owner's order; empty groups left out."""
    titles = titles_by_photo(sections)
    unsectioned = [photo for photo in photos if photo.id not in titles]
    by_title: dict[str, list[T]] = {section.title: [] for section in sections}
    for photo in photos:
        title = titles.get(photo.id)
        if title is not None:
            by_title[title].append(photo)
    groups: list[tuple[str | None, list[T]]] = [(None, unsectioned)] if unsectioned else []
    groups += [(title, members) for title, members in by_title.items() if members]
    return groups


def in_gallery_order(photos: Sequence[T], sections: Sequence[Section]) -> list[T]:
    """`photos` (in the album's order) in the order the gallery shows them (see `grouped`):
    the order of the lightbox, the photo pages, photos.json and the zip."""
    if not sections:
        return list(photos)
    return [photo for _title, members in grouped(photos, sections) for photo in members]


def as_present(photos: Sequence[T], sections: Sequence[Section]) -> list[Section]:
    """The sections as the owner API answers them: each one's photos that are in the album,
    in the album's order (`photos` is in it)."""
    position = {photo.id: index for index, photo in enumerate(photos)}
    present = []
    for section in sections:
        ids = [photo_id for photo_id in section.photo_ids if photo_id in position]
        ids.sort(key=lambda photo_id: position[photo_id])
        present.append(Section(section.title, tuple(ids)))
    return present
