"""The owner's room on the server in words, from what `GET /api/me` answers (and nothing from
a server that does not say)."""

from __future__ import annotations

from albumen.core.storage_use import StorageUse


def test_room_in_words_and_nearly_full_from_nine_tenths() -> None:
    assert StorageUse.of({"id": 1, "name": "anna"}) is None, "an older server says nothing"
    assert StorageUse.of({"stored_bytes": "5", "quota_bytes": None}) is None
    free = StorageUse.of({"stored_bytes": 18_300_000_000, "quota_bytes": None})
    assert free is not None and free.words() == "18.3 GB used" and not free.nearly_full
    quota = 50 * 10**9
    below = StorageUse.of({"stored_bytes": 44_999_999_999, "quota_bytes": quota})
    assert below is not None and not below.nearly_full
    assert below.words() == "45.0 GB of 50.0 GB used"
    assert StorageUse(45 * 10**9, quota).nearly_full
    assert StorageUse(2 * 10**12, 5 * 10**12).words() == "2.0 TB of 5.0 TB used"
