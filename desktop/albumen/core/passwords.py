"""Link passwords a person can read out, type and send to a client without a wince.

Words come from the EFF's short word list (1,296 common, easy words, shipped with xkcdpass), less
the ones nobody wants in a message to a client (illness, violence, crime, bodies, brands,
religion, insults). Six words of what is left give over 60 bits: ample behind Argon2 and the
server's per-link rate limit. The EFF long list gave "empathy-epilepsy-untaken-lunar-slimy".
"""

from __future__ import annotations

import math
import secrets
from functools import lru_cache
from pathlib import Path

from xkcdpass import xkcd_password

WORDS = 6
MIN_BITS = 60

_UNFRIENDLY_WORDS = """
    acid agony aids alien anger argue armed army arson ashen ashes bash bleak bloat blob blunt
    blurt boned boney bony boss botch bribe broke bully bust chaos chump coke coma cough crook
    crush cult curse deaf debt decay dingy ditzy drown dwarf ebay evict evil fetal filth flirt
    fool gag gore grave grief grope grub grunt gut hate hump hunk hurt islam jab kung lurk
    mardi moan moist mummy nag nerd pagan panic panty petri polio prude punk rabid rage raid
    rant rash riot ruin scam scare scary scold scorn scowl sect sham shock shove shun slain
    slam slimy slob slug slum smirk sneer snort stain stank swear sweat taunt theft thigh thong
    throb thud trash trump vice viral virus vixen void widow womb wound wrath wreck xerox yahoo
"""
UNFRIENDLY = frozenset(_UNFRIENDLY_WORDS.split())


@lru_cache(maxsize=1)
def wordlist() -> tuple[str, ...]:
    path = xkcd_password.locate_wordfile("eff-short")
    # xkcdpass falls back to another list when this one is missing (a bundle that left it out):
    # longer, unvetted words, so refuse rather than hand those to a client.
    if Path(path).name != "eff-short":
        raise RuntimeError(f"xkcdpass's eff-short word list is missing (found {path})")
    words = xkcd_password.generate_wordlist(wordfile=path, min_length=3, max_length=8)
    # Letters only: a hyphen inside a word ("yo-yo") would blur where words part.
    return tuple(sorted({w for w in words if w.isalpha() and w not in UNFRIENDLY}))


def strength_bits(words: int = WORDS) -> float:
    return words * math.log2(len(wordlist()))


def generate_password(words: int = WORDS) -> str:
    chosen = wordlist()
    return "-".join(secrets.choice(chosen) for _ in range(words))
