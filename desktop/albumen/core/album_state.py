"""An album's state in a few words, as the owner reads it in the album list, the album's
heading, the share dialog and `albumen albums`: one rule, so they never disagree."""

from __future__ import annotations

from albumen.core.model import Album


def album_state(album: Album, offline: bool, held: str = "Offline") -> str:
    """The one-line state an owner reads in the list; `offline`: the queue waits, for the
    reason `held` names ("Offline", or "No room" when the server has none)."""
    if album.photo_count == 0:
        return "Draft · no photos yet"
    if album.failed_count:
        return f"Error · {album.failed_count} not uploaded"
    waiting = album.photo_count - album.uploaded_count
    if waiting == 0:
        return "Shared" if album.link_count else "Uploaded · not shared yet"
    arriving = originals_arriving(album)
    if arriving is not None:
        return f"{held} · {arriving}" if offline else arriving.capitalize()
    if offline:
        return f"{held} · {waiting} waiting to upload"
    return f"Uploading {album.uploaded_count} of {album.photo_count}"


def originals_arriving(album: Album) -> str | None:
    """While every photo of the album can be seen through its links (their web sizes are on
    the server) and originals are still on their way: "viewable now, originals n of m"; None
    otherwise."""
    if not album.photo_count or album.viewable_count < album.photo_count:
        return None
    if album.uploaded_count >= album.photo_count:
        return None
    return f"viewable now, originals {album.uploaded_count} of {album.photo_count}"
