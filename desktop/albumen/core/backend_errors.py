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


class ServerFull(OfflineError):
    """The server keeps nothing more for now: its disk is full, or the owner's storage quota is
    (`albumen-server owners quota`). As when offline, the queue waits whole and nothing is
    failed or lost; unlike offline, the owner is told why, in the server's words (what is used,
    what to do: delete albums no longer shared, or ask the administrator for room)."""

    _SAYS = "the server has no room for more photos"

    def __init__(self, reason: str) -> None:
        super().__init__(f"{self._SAYS}: {reason}")
        self.status, self.code = 507, "no_room"

    @classmethod
    def said(cls, message: str | None) -> bool:
        """Whether a report's reason for stopping is a full server (see `AccessRefused.said`)."""
        return message is not None and message.startswith(cls._SAYS)

    @staticmethod
    def reason(message: str) -> str:
        """The server's own words in a report's message."""
        return message.split(": ", 1)[1] if ": " in message else message


class AccessRefused(OfflineError):
    """The server does not know this computer's owner token: its administrator took the access
    away (`albumen-server token revoke`, after a laptop was lost) or the server was set up anew.
    Nothing can be sent until the owner pairs again, so, as when offline, the queue waits and
    nothing of it is failed or lost (a link revoked here meanwhile goes out with the rest)."""

    _SAYS = "does not accept this computer's owner token"

    def __init__(self, server: str) -> None:
        super().__init__(
            f"{server} {self._SAYS} (revoked, or the server was set up anew): pair again with"
            " an invitation from its administrator (Settings, or `albumen login`); everything"
            " waits until then"
        )
        self.status, self.code = 401, "unauthorized"

    @classmethod
    def said(cls, message: str | None) -> bool:
        """Whether a report's reason for stopping is this refusal (reports keep the message,
        which the upload threads hand over as text)."""
        return message is not None and cls._SAYS in message

    @property
    def retryable(self) -> bool:
        return False  # the same token is refused however often it is tried
