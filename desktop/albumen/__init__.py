"""Albumen: share photo albums privately, at full resolution, behind revocable password links."""

__version__ = "0.1.0"
