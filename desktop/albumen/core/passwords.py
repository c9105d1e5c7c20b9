"""Link passwords a person can read out or type: words from the EFF long list (via xkcdpass)."""

from __future__ import annotations

import secrets
from functools import lru_cache

from xkcdpass import xkcd_password

WORDS = 5  # 5 words of a 6,000-word list: about 63 bits, ample behind Argon2 and rate limits


@lru_cache(maxsize=1)
def _wordlist() -> tuple[str, ...]:
    words = xkcd_password.generate_wordlist(
        wordfile=xkcd_password.locate_wordfile("eff-long"), min_length=4, max_length=8
    )
    return tuple(words)


def generate_password(words: int = WORDS) -> str:
    wordlist = _wordlist()
    return "-".join(secrets.choice(wordlist) for _ in range(words))
