"""Words for people: counts read "1 photo" and "3 photos", never "1 photo(s)"."""

from __future__ import annotations


def count(number: int, thing: str, things: str | None = None) -> str:
    """`number` and the noun it takes: count(1, "photo") is "1 photo", count(2, "photo") is
    "2 photos"; irregular plurals are given: count(2, "copy", "copies")."""
    return f"{number} {thing if number == 1 else (things or thing + 's')}"


def human_bytes(count: float) -> str:
    """A size in the units file managers show (1000s): "950 B", "18.3 GB"."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if count < 1000 or unit == "TB":
            return f"{count:,.1f} {unit}" if unit != "B" else f"{int(count)} B"
        count /= 1000
    return f"{count:,.1f} TB"
