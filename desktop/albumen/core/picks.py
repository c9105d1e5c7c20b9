"""Proofing from the owner's side: which photos the viewers picked, how many picked each, what
is news, and the forms the owner takes the picks away in.

`format_picks` is the one maker of those forms (the line Lightroom Classic's Library filter
takes, a CSV, JSON): the app's "Copy filenames for Lightroom" and "Export CSV…" and the
`albumen picks` command all call it, so they cannot disagree. Picks name photos by id; a photo
removed from the album here since it was picked has no file name any more and is left out.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import PurePath

from albumen.core.model import Album, Photo, Pick
from albumen.core.wording import count


class PickFormat(StrEnum):
    LIGHTROOM = "lightroom"  # file names without extension, joined by ", "
    CSV = "csv"  # one row per photo per sender, with a header row
    JSON = "json"  # the picks with their photos' ids and file names


# `note` is the sender's note on their whole list, `photo_note` theirs on that photo (last, so
# that a script reading the columns of an older export by position still reads them right).
CSV_COLUMNS = ("filename", "sender", "note", "submitted_at", "photo_id", "photo_note")
LIGHTROOM_SEPARATOR = ", "
# A spreadsheet reads a cell starting with one of these as a formula: what a viewer typed must
# stay text (their name and note reach the owner's spreadsheet).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NAME_LENGTH = 80  # a name as notifications and lists show it


def picked_counts(picks: Sequence[Pick]) -> dict[str, int]:
    """How many of these lists hold each photo (once per list, however often a list names it)."""
    counts: dict[str, int] = {}
    for pick in picks:
        for photo_id in set(pick.photo_ids):
            counts[photo_id] = counts.get(photo_id, 0) + 1
    return counts


def picked_photos(photos: Sequence[Photo], picks: Sequence[Pick]) -> list[Photo]:
    """The photos someone in `picks` picked, in the order of `photos` (the album's, as shown)."""
    wanted = {photo_id for pick in picks for photo_id in pick.photo_ids}
    return [photo for photo in photos if photo.id in wanted]


def one_line(note: str) -> str:
    """A viewer's note on one line, as a list or a tooltip shows it (its line breaks folded)."""
    return " ".join(note.split())


def said(name: str, note: str) -> str:
    """Who wrote what on a photo, in one line: 'Anna: “Warmer, please”'."""
    return f"{name}: “{one_line(note)}”"


def notes_on(photo_id: str, picks: Sequence[Pick]) -> list[tuple[str, str]]:
    """What the senders of `picks` wrote on one photo: (their name as shown, the note), in the
    order of `picks` (the first sent first)."""
    return [
        (display_name(pick), pick.photo_notes[photo_id])
        for pick in picks
        if photo_id in pick.photo_notes and photo_id in pick.photo_ids
    ]


@dataclass(frozen=True)
class PhotoPicks:
    """What the viewers' lists say of one photo: how many picked it, and what they wrote on it
    (sender, note)."""

    count: int
    notes: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        """For a tooltip: "Picked by 2 viewers", then each note on a line of its own."""
        lines = [f"Picked by {count(self.count, 'viewer')}"]
        lines += [said(name, note) for name, note in self.notes]
        return "\n".join(lines)


def photo_picks(picks: Sequence[Pick]) -> dict[str, PhotoPicks]:
    """Each picked photo's `PhotoPicks`, by photo id."""
    noted = {photo_id for pick in picks for photo_id in pick.photo_notes}
    return {
        photo_id: PhotoPicks(picked, tuple(notes_on(photo_id, picks)) if photo_id in noted else ())
        for photo_id, picked in picked_counts(picks).items()
    }


def lightroom_name(filename: str) -> str:
    """A file name as Lightroom's Library filter matches it: without its extension."""
    return PurePath(filename).stem or filename


def display_name(pick: Pick) -> str:
    """The sender's name as the owner reads it: control characters out, whitespace folded,
    a long name shortened (it is what a stranger typed)."""
    printable = "".join(
        " " if unicodedata.category(char).startswith(("C", "Z")) else char for char in pick.name
    )
    name = " ".join(printable.split()) or "Someone"
    return name if len(name) <= NAME_LENGTH else name[: NAME_LENGTH - 1] + "…"


def format_picks(
    album: Album, photos: Sequence[Photo], picks: Sequence[Pick], form: PickFormat
) -> str:
    """The picks in `picks` (all the album's, or one sender's) in the form asked for; `photos`
    are the album's, in the order the output follows. No trailing newline."""
    if form is PickFormat.LIGHTROOM:
        names = dict.fromkeys(lightroom_name(p.filename) for p in picked_photos(photos, picks))
        return LIGHTROOM_SEPARATOR.join(names)
    if form is PickFormat.CSV:
        return _csv(photos, picks)
    by_id = {photo.id: photo for photo in photos}
    document = {
        "album": {"id": album.id, "title": album.title},
        "picks": [
            {
                "id": pick.id,
                "link_id": pick.link_id,
                "name": pick.name,
                "note": pick.note,
                "submitted_at": _time(pick.submitted_at),
                "photo_ids": list(pick.photo_ids),
                "filenames": [by_id[i].filename for i in pick.photo_ids if i in by_id],
                "photo_notes": dict(pick.photo_notes),
            }
            for pick in picks
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def _csv(photos: Sequence[Photo], picks: Sequence[Pick]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for pick in picks:
        for photo in picked_photos(photos, [pick]):
            writer.writerow(
                (
                    photo.filename,
                    _as_text(pick.name),
                    _as_text(pick.note or ""),
                    _time(pick.submitted_at),
                    photo.id,
                    _as_text(pick.photo_notes.get(photo.id, "")),
                )
            )
    return out.getvalue().removesuffix("\n")


def _as_text(value: str) -> str:
    """A viewer's words as a spreadsheet cell that is never run as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _time(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class PickNews:
    """A list of favourites the owner has not heard of yet (see `Store.receive_picks`)."""

    pick: Pick
    album_title: str

    def text(self) -> str:
        """The news in words: "Anna picked 23 photos from Lofoten", and ", with 2 notes" when
        she wrote on some of them."""
        picked = set(self.pick.photo_ids)
        photos = count(len(picked), "photo")
        notes = sum(1 for photo_id in self.pick.photo_notes if photo_id in picked)
        noted = f", with {count(notes, 'note')}" if notes else ""
        return f"{display_name(self.pick)} picked {photos} from {self.album_title}{noted}"


def announcement(news: Sequence[PickNews], most: int = 3) -> tuple[str, str] | None:
    """A notification's title and text for the news of one sync, or None when there is none:
    one list says itself; several take a line each, up to `most`, then how many more."""
    if not news:
        return None
    if len(news) == 1:
        return "New picks", news[0].text()
    lines = [item.text() for item in news[:most]]
    if len(news) > most:
        lines.append(f"and {count(len(news) - most, 'more list', 'more lists')}")
    return f"{len(news)} new lists of picks", "\n".join(lines)
