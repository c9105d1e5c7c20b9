"""The owner's preview cannot lie: what the desktop's "a viewer sees" column promises for a
photo under a link (`viewer_sees(read_metadata(file), policy)`) is what a real server serves
through that link, byte for byte, as exiftool (not our code) and our own reader read it.

Every file of the camera corpus is uploaded to one album and opened through twelve links, every
combination of show_location x show_metadata x download. Each check gathers every mismatch
(file, link setting, what differs) and fails with the whole list, so one run tells all.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path

import pytest

from albumen_photo import formats
from albumen_photo.formats import sniff_format
from albumen_photo.metadata import PhotoMetadata
from albumen_photo.strip import can_strip
from tests.photo.readers import camera_tags, image_data, pixels, place_tags
from tests.photo.serving import SETTINGS, Corpus, Seen, gather
from tests.support import ServerProcess, sha256

pytestmark = pytest.mark.slow  # the whole corpus through twelve links, once

# Corpus files of photo formats that the server cannot show, and why (the files the registry
# refuses, formats.refusal says why); every other file must be served.
UNDECODABLE = {
    "CanonRaw.cr2": "RAW data stripped from the test file",
    "CanonRaw.cr3": "RAW data stripped, no embedded preview",
    "CanonRaw.crw": "RAW data stripped, no embedded preview",
    "Minolta.mrw": "RAW data stripped, no embedded preview",
    "Nikon.nef": "RAW data stripped, no embedded preview",
    "Sigma.x3f": "RAW data stripped, no embedded preview",
    "QuickTime.heic": "truncated HEIC",
}

# The fields of the owner's preview that a served original must match: all but where the file
# is, its size (the viewer's copy is smaller), and the reader's own notes.
COMPARED = tuple(
    f.name for f in fields(PhotoMetadata) if f.name not in {"path", "file_size", "problems"}
)
CAMERA_FIELDS = (
    "camera_make",
    "camera_model",
    "lens",
    "exposure_seconds",
    "serial_number",
    "taken_at",
)
FACT_LABELS = {"Taken", "Camera", "Lens", "Exposure"}
# Formats whose one picture Pillow decodes whole; originals of the others (TIFF and RAW) are
# also compared by the image data exiftool locates in them.
DECODED_WHOLE = {"jpeg", "png", "webp", "heif"}


@pytest.fixture(scope="module")
def served(
    shared_server: ServerProcess, corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> Corpus:
    gathered = gather(shared_server, corpus, tmp_path_factory.mktemp("served"))
    print("\nFiles the server refuses (not shown, not checked further):")
    for name, reason in sorted(gathered.refused.items()):
        print(f"  {name}: {reason}")
    return gathered


def _report(problems: list[str]) -> str:
    return f"{len(problems)} mismatches:\n" + "\n".join(problems)


def _images(seen: Seen) -> Iterator[tuple[str, PhotoMetadata | None, dict[str, object]]]:
    for kind, answer in seen.images.items():
        if answer.status == 200:
            yield kind, answer.meta, answer.tags


def _where(seen: Seen, kind: str = "") -> str:
    return f"{seen.name} [{seen.setting}]" + (f" {kind}" if kind else "")


# -- which files are photos ------------------------------------------------------------------


def test_refused_files_are_exactly_the_not_photos_and_the_undecodable(served: Corpus) -> None:
    """What the registry refuses, the owner's reader and the server refuse in its words; what
    the registry takes, the server shows, but for the corpus files that cannot be decoded."""
    expected = {}
    for name, path in served.sources.items():
        refusal = formats.refusal(formats.identify(path))
        if refusal:
            expected[name] = "not_an_image"
            assert served.owner[name].error == refusal, name
            assert refusal in served.refused.get(name, ""), (name, served.refused.get(name))
        elif name in UNDECODABLE:
            expected[name] = "unreadable"
    codes = {name: reason.split(":")[0].split()[1] for name, reason in served.refused.items()}
    assert codes == expected
    for item in served.seen:  # refused alike through every link, and every picture
        if item.name in served.refused:
            pictures = ("small", "thumb", "preview")
            assert {item.images[k].status for k in pictures} == {422}, item.name
    assert len(served.sources) - len(served.refused) >= 50


# -- location ----------------------------------------------------------------------------------


def location_problems(served: Corpus) -> list[str]:
    problems = []
    for setting in SETTINGS:
        if not setting.location and "places" in served.listings[setting]:
            problems.append(f"photos.json [{setting}]: lists places")
    for seen in served.accepted():
        if seen.setting.location:
            continue
        for key in ("latitude", "longitude", "place"):
            if key in seen.listed or key in seen.detail:
                problems.append(f"{_where(seen)} JSON: has {key!r}")
        if any(fact["label"] == "Place" for fact in seen.detail.get("facts", [])):
            problems.append(f"{_where(seen)} JSON: a Place fact")
        for kind, meta, tags in _images(seen):
            assert meta is not None
            if meta.gps is not None or meta.location_elsewhere:
                problems.append(
                    f"{_where(seen, kind)}: read_metadata finds gps={meta.gps}"
                    f" location_elsewhere={meta.location_elsewhere}"
                )
            places = place_tags(tags)
            if places:
                problems.append(f"{_where(seen, kind)}: exiftool finds {places}")
    return problems


def test_hidden_location_is_in_no_byte_and_no_answer(served: Corpus) -> None:
    problems = location_problems(served)
    assert not problems, _report(problems)


def shown_position_problems(served: Corpus) -> list[str]:
    problems = []
    for seen in served.accepted():
        if not seen.setting.location:
            continue
        gps = served.preview(seen.name, seen.setting).gps
        for answer, where in ((seen.listed, "photos.json"), (seen.detail, "photo JSON")):
            got = (answer.get("latitude"), answer.get("longitude"))
            if gps is None:
                if got != (None, None):
                    problems.append(f"{_where(seen)} {where}: {got}, the owner sees no position")
            elif None in got or not all(
                math.isclose(a, b, abs_tol=1e-6)  # type: ignore[arg-type]
                for a, b in zip(got, (gps.lat, gps.lon), strict=True)
            ):
                problems.append(
                    f"{_where(seen)} {where}: {got}, the owner sees ({gps.lat}, {gps.lon})"
                )
    return problems


def test_shown_location_is_the_owners_position(served: Corpus) -> None:
    problems = shown_position_problems(served)
    assert not problems, _report(problems)


# -- camera metadata ---------------------------------------------------------------------------


def hidden_metadata_problems(served: Corpus) -> list[str]:
    problems = []
    for seen in served.accepted():
        if seen.setting.metadata:
            continue
        if "taken_at" in seen.listed:
            problems.append(f"{_where(seen)} photos.json: has taken_at")
        labels = {fact["label"] for fact in seen.detail.get("facts", [])} & FACT_LABELS
        if labels:
            problems.append(f"{_where(seen)} photo JSON: facts {sorted(labels)}")
        for kind, meta, tags in _images(seen):
            assert meta is not None
            found = {name: getattr(meta, name) for name in CAMERA_FIELDS if getattr(meta, name)}
            if found:
                problems.append(f"{_where(seen, kind)}: read_metadata finds {found}")
            camera = camera_tags(tags)
            if camera:
                problems.append(f"{_where(seen, kind)}: exiftool finds {camera}")
    return problems


def test_hidden_metadata_is_in_no_byte_and_no_answer(served: Corpus) -> None:
    problems = hidden_metadata_problems(served)
    assert not problems, _report(problems)


def _seconds(text: str) -> float:
    """ "1/250 s", "0.5 s", "2 s" -> seconds."""
    number = text.replace("\u00a0", " ").removesuffix(" s")
    top, _, bottom = number.partition("/")
    return float(top) / float(bottom or 1)


def _exposure_parts(owner: PhotoMetadata) -> dict[str, float]:
    parts = {}
    if owner.exposure_seconds:
        parts["time"] = owner.exposure_seconds
    if owner.f_number:
        parts["f"] = owner.f_number
    if owner.iso:
        parts["iso"] = owner.iso
    if owner.focal_length:
        parts["focal"] = owner.focal_length
    return parts


def _served_exposure(text: str) -> dict[str, float]:
    parts = {}
    for part in text.replace("\u00a0", " ").split(" · "):
        if part.startswith("f/"):
            parts["f"] = float(part[2:])
        elif part.startswith("ISO "):
            parts["iso"] = float(part[4:])
        elif part.endswith(" mm"):
            parts["focal"] = float(part[:-3])
        elif part.endswith(" s"):
            parts["time"] = _seconds(part)
    return parts


def _close(a: dict[str, float], b: dict[str, float]) -> bool:
    return a.keys() == b.keys() and all(
        math.isclose(a[k], b[k], rel_tol=0.02, abs_tol=0.051) for k in a
    )


def _instant(moment: datetime | None) -> datetime | None:
    """A capture time as one instant: with its offset when known; a time without one is
    compared as written (the server files it as UTC)."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def fact_problems(served: Corpus) -> list[str]:
    problems = []
    for seen in served.accepted():
        if not seen.setting.metadata:
            continue
        owner = served.preview(seen.name, seen.setting)
        facts = {fact["label"]: fact["value"] for fact in seen.detail.get("facts", [])}
        wanted_camera = owner.camera_model or owner.camera_make
        camera = facts.get("Camera")
        if (wanted_camera is None) != (camera is None) or (
            wanted_camera and camera and wanted_camera not in camera
        ):
            problems.append(
                f"{_where(seen)} Camera: served {camera!r}, owner sees make"
                f" {owner.camera_make!r} model {owner.camera_model!r}"
            )
        lens = facts.get("Lens")
        if (owner.lens is None) != (lens is None) or (
            owner.lens and lens and owner.lens not in lens
        ):
            problems.append(f"{_where(seen)} Lens: served {lens!r}, owner sees {owner.lens!r}")
        wanted, exposure = _exposure_parts(owner), facts.get("Exposure")
        if not _close(wanted, _served_exposure(exposure or "")):
            problems.append(
                f"{_where(seen)} Exposure: served {exposure!r}, owner sees time"
                f" {owner.exposure_seconds!r} f {owner.f_number} ISO {owner.iso}"
                f" focal {owner.focal_length}"
            )
        taken = seen.listed.get("taken_at")
        if _instant(owner.taken_at) != _instant(datetime.fromisoformat(taken) if taken else None):
            problems.append(
                f"{_where(seen)} taken_at: served {taken!r}, owner sees {owner.taken_at!r}"
                f" (offset {owner.taken_at_offset!r})"
            )
    return problems


def test_shown_metadata_is_what_the_owner_sees(served: Corpus) -> None:
    problems = fact_problems(served)
    assert not problems, _report(problems)


# -- originals ---------------------------------------------------------------------------------


def _pixel_changes(served: Corpus, originals: list[Seen]) -> dict[int, list[str]]:
    """For each served original that is not the upload byte for byte: which of its pictures
    changed (decoded by Pillow, or image data exiftool locates in a TIFF-based file)."""
    reshaped = [seen for seen in originals if seen.images["original"].path is not None]
    tiff_based = [
        path
        for seen in reshaped
        if sniff_format(served.sources[seen.name].read_bytes()[:64]) not in DECODED_WHOLE
        for path in (served.sources[seen.name], seen.images["original"].path)
    ]
    located = image_data(p for p in tiff_based if p is not None)  # one exiftool run
    changes = {}
    for seen in reshaped:
        source, path = served.sources[seen.name], seen.images["original"].path
        assert path is not None
        before = {**pixels(source.read_bytes()), **located.get(source, {})}
        after = {**pixels(path.read_bytes()), **located.get(path, {})}
        if not before:
            changes[id(seen)] = ["no picture any decoder reads"]
        else:
            changes[id(seen)] = sorted(
                k for k in before.keys() | after.keys() if before.get(k) != after.get(k)
            )
    return changes


def original_problems(served: Corpus) -> list[str]:
    problems = []
    originals = [seen for seen in served.accepted() if seen.setting.download == "original"]
    exact = {
        id(seen): seen.images["original"].content == served.sources[seen.name].read_bytes()
        for seen in originals
    }
    changes = _pixel_changes(
        served,
        [s for s in originals if not exact[id(s)] and s.images["original"].status == 200],
    )
    for seen in originals:
        answer = seen.images["original"]
        withheld = served.preview(seen.name, seen.setting).original_withheld
        if answer.status != 200:
            # A refusal is honest only where the owner's preview said beforehand that this
            # link cannot offer the original, and why.
            if answer.status == 409 and answer.code == "original_unavailable" and withheld:
                continue
            head = served.sources[seen.name].read_bytes()[:64]
            problems.append(
                f"{_where(seen, 'original')}: {answer.status} {answer.code}"
                f" (can_strip={can_strip(head, seen.setting.keep)}); the owner is not told"
            )
            continue
        if withheld:
            problems.append(
                f"{_where(seen, 'original')}: served, though the owner was told {withheld!r}"
            )
        if seen.setting.keep.keeps_everything and not exact[id(seen)]:
            problems.append(f"{_where(seen, 'original')}: not byte-exact though all is kept")
        if changes.get(id(seen)):
            problems.append(f"{_where(seen, 'original')}: pixels differ {changes[id(seen)]}")
        owner, meta = served.preview(seen.name, seen.setting), answer.meta
        assert meta is not None
        for name in COMPARED:
            if getattr(owner, name) != getattr(meta, name):
                problems.append(
                    f"{_where(seen, 'original')} {name}: served {getattr(meta, name)!r},"
                    f" owner sees {getattr(owner, name)!r}"
                )
    return problems


def test_originals_are_what_the_owner_sees_with_the_same_pixels(served: Corpus) -> None:
    problems = original_problems(served)
    assert not problems, _report(problems)


# -- the album download ------------------------------------------------------------------------


def zip_problems(served: Corpus) -> list[str]:
    """The album's zip serves nothing the checks above did not see: each entry is, byte for
    byte, a preview or original served to the same link."""
    problems = []
    for setting, answer in served.zips.items():
        checked = {
            sha256(image.content)
            for seen in served.seen
            if seen.setting == setting
            for image in seen.images.values()
            if image.status == 200
        }
        try:
            archive = zipfile.ZipFile(io.BytesIO(answer.content))
            entries = {name: archive.read(name) for name in archive.namelist()}
        except (zipfile.BadZipFile, OSError) as error:
            problems.append(
                f"zip [{setting}]: status {answer.status} {answer.code or ''},"
                f" not a whole zip ({error})"
            )
            continue
        for name, data in entries.items():
            if sha256(data) not in checked:
                problems.append(f"zip [{setting}] {name}: not a served preview or original")
        shown = len(served.sources) - len(served.refused)
        if len(entries) < shown:
            problems.append(f"zip [{setting}]: {len(entries)} entries for {shown} photos shown")
    return problems


def test_the_album_download_is_what_was_checked(served: Corpus) -> None:
    problems = zip_problems(served)
    assert not problems, _report(problems)


# -- nothing served that the preview leaves out -------------------------------------------------

# What exiftool may find in a served file, and the preview field that must then say so.
TOLD_BY = {
    "Composite:GPSLatitude": "gps",
    "EXIF:Model": "camera_model",
    "EXIF:LensModel": "lens",
    "EXIF:ExposureTime": "exposure_seconds",
    "EXIF:DateTimeOriginal": "taken_at",
    "EXIF:SerialNumber": "serial_number",
    "EXIF:Artist": "artist",
    "EXIF:Copyright": "copyright",
}


def untold_problems(served: Corpus) -> list[str]:
    problems = []
    for seen in served.accepted():
        owner = served.preview(seen.name, seen.setting)
        for kind, _meta, tags in _images(seen):
            for tag, name in TOLD_BY.items():
                value = tags.get(tag)
                if value not in (None, "") and getattr(owner, name) is None:
                    problems.append(
                        f"{_where(seen, kind)}: exiftool finds {tag}={value!r},"
                        f" the owner's preview shows no {name}"
                    )
    return problems


def test_nothing_served_that_the_preview_leaves_out(served: Corpus) -> None:
    problems = untold_problems(served)
    assert not problems, _report(problems)


CHECKS: dict[str, Callable[[Corpus], list[str]]] = {
    "location": location_problems,
    "shown position": shown_position_problems,
    "hidden metadata": hidden_metadata_problems,
    "facts": fact_problems,
    "originals": original_problems,
    "untold": untold_problems,
    "zip": zip_problems,
}
