"""What the server's answers mean to the client: an error to show, one to retry, or "offline"
(the queue waits). Apart from `backend` so the tus client, which the backend is made of, can
raise and catch them too."""

from __future__ import annotations


class BackendError(Exception):
    """The server answered, and not with what was asked for."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    @property
    def retryable(self) -> bool:
        return (self.status >= 500 and not self.postponed) or self.status in (408, 423, 429)

    @property
    def postponed(self) -> bool:
        """The server kept nothing because its storage is full: all else waits, queued, until
        there is room (retrying at once would only fill its log)."""
        return self.status == 507


class OfflineError(BackendError):
    """The server cannot take anything now (unreachable, or its storage is full): the queue
    waits and is sent later; nothing is lost."""

    def __init__(self, message: str) -> None:
        super().__init__(0, "offline", message)

    @property
    def retryable(self) -> bool:
        return True
