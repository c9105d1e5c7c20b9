"""Owner tokens, link passwords and unlock cookies.

Owner tokens are long random strings, so a plain SHA-256 is enough to store them. Link
passwords are chosen by people, so they get Argon2id (argon2-cffi's RFC 9106 low-memory
profile: 64 MiB, about 0.1 s), verified on worker threads with a cap on how many run at once so
a burst of guesses cannot eat the machine's memory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
_verify_slots = threading.BoundedSemaphore(4)

TOKEN_ALPHABET = re.compile(r"^[A-Za-z0-9_-]+$")
MIN_TOKEN_BITS = 128


def new_api_token() -> str:
    return "alb_" + secrets.token_urlsafe(32)


def hash_api_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_entropy_problem(token: str) -> str | None:
    """Why a client-made link token is too weak, or None.

    A token is URL-safe base64 (what `secrets.token_urlsafe` makes): 6 bits a character at
    best, so 128 bits take 22 characters. A long string of few distinct characters is refused
    as well, since it was plainly not drawn at random.
    """
    if not TOKEN_ALPHABET.match(token):
        return "token may hold only the URL-safe characters A-Z a-z 0-9 _ -"
    if len(token) * 6 < MIN_TOKEN_BITS:
        return f"token is too short: it needs at least {MIN_TOKEN_BITS} bits (22 characters)"
    if len(set(token)) < min(16, len(token) // 2):
        return "token is not random enough: too few distinct characters"
    return None


def hash_password(password: str) -> str:
    with _verify_slots:
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    with _verify_slots:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def _cookie_mac(key: bytes, link_id: str, password_hash: str, issued: int) -> str:
    message = f"{link_id}|{password_hash}|{issued}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_unlock_cookie(key: bytes, link_id: str, password_hash: str) -> str:
    """A cookie for one link that dies when the link's password changes."""
    issued = int(time.time())
    return f"{issued}.{_cookie_mac(key, link_id, password_hash, issued)}"


def check_unlock_cookie(
    key: bytes, link_id: str, password_hash: str, value: str | None, max_age: int
) -> bool:
    if not value or "." not in value:
        return False
    issued_text, mac = value.split(".", 1)
    if not issued_text.isdigit():
        return False
    issued = int(issued_text)
    if time.time() - issued > max_age:
        return False
    return hmac.compare_digest(mac, _cookie_mac(key, link_id, password_hash, issued))
