"""Decoded pictures kept within a budget of bytes, the least recently used dropped first.

A count of pictures is no bound on memory: a thumbnail on a Retina screen holds four times the
pixels of one on an ordinary screen, so the grid's caches count bytes. GUI thread only, like the
pixmaps themselves.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

from PySide6.QtGui import QPixmap

Key = TypeVar("Key", bound=Hashable)


def pixmap_bytes(pixmap: QPixmap) -> int:
    """What a decoded picture holds in memory."""
    return pixmap.width() * pixmap.height() * max(1, pixmap.depth() // 8)


class PixmapBudget(Generic[Key]):
    """Pixmaps by key, within `budget` bytes (one is always kept, however large)."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._pixmaps: OrderedDict[Key, QPixmap] = OrderedDict()
        self._bytes = 0

    def __contains__(self, key: Key) -> bool:
        return key in self._pixmaps

    def get(self, key: Key) -> QPixmap | None:
        """The pixmap, now the most recently used; None if it is not kept."""
        pixmap = self._pixmaps.get(key)
        if pixmap is not None:
            self._pixmaps.move_to_end(key)
        return pixmap

    def keep(self, key: Key, pixmap: QPixmap) -> list[Key]:
        """Keep the pixmap (in place of one kept under its key); the keys dropped for it."""
        replaced = self._pixmaps.pop(key, None)
        if replaced is not None:
            self._bytes -= pixmap_bytes(replaced)
        self._pixmaps[key] = pixmap
        self._bytes += pixmap_bytes(pixmap)
        dropped = []
        while self._bytes > self.budget and len(self._pixmaps) > 1:
            evicted, pixmap = self._pixmaps.popitem(last=False)
            self._bytes -= pixmap_bytes(pixmap)
            dropped.append(evicted)
        return dropped

    def keys(self) -> list[Key]:
        """The keys of the pixmaps kept, the least recently used first."""
        return list(self._pixmaps)
