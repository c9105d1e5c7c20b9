"""How much of the server's room the owner uses, from `GET /api/me`: what they keep and are
uploading (each file once, as the server's quotas count it) and the quota their administrator
set, if any. The app shows it beside the connection and `albumen status` prints it, so a full
quota is seen coming rather than met at an upload.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from albumen.core.wording import human_bytes

NEARLY_FULL = 0.9  # of the quota: from here on the app says so


@dataclass(frozen=True)
class StorageUse:
    used: int
    quota: int | None  # None: the server sets no limit for this owner

    @classmethod
    def of(cls, me: Mapping[str, Any]) -> StorageUse | None:
        """From `/api/me`'s answer; None from a server that does not say (an older one)."""
        used, quota = me.get("stored_bytes"), me.get("quota_bytes")
        if not isinstance(used, int) or (quota is not None and not isinstance(quota, int)):
            return None
        return cls(used, quota)

    @property
    def nearly_full(self) -> bool:
        return self.quota is not None and self.used >= NEARLY_FULL * self.quota

    def words(self) -> str:
        """ "18.3 GB of 50.0 GB used", or "18.3 GB used" without a quota."""
        if self.quota is None:
            return f"{human_bytes(self.used)} used"
        return f"{human_bytes(self.used)} of {human_bytes(self.quota)} used"
