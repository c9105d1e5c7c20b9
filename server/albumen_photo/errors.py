"""The errors of the photo-file layer, in a module of their own so every container imports them.

:class:`StripError` and :class:`UnsupportedFormat` reach callers of :mod:`albumen_photo.strip`;
:class:`Malformed` stays inside the layer: a reader raises it for a metadata block it cannot
parse, and the stripper then drops (or refuses) that block instead of passing it on.
:class:`Truncated`, a kind of :class:`Malformed`, says the structure runs past the end of the
data, which :mod:`albumen_photo.integrity` reports as a file cut short.
"""

from __future__ import annotations

__all__ = ["Malformed", "StripError", "Truncated", "UnsupportedFormat"]


class StripError(Exception):
    """The file cannot be stripped; the message is fit for a person and names what is wrong."""


class UnsupportedFormat(StripError):
    """A format (or a policy for a format) whose metadata cannot be removed without re-encoding."""


class Malformed(Exception):
    """A metadata block that could not be parsed; callers drop the block instead of failing."""


class Truncated(Malformed):
    """A structure that runs past the end of the bytes or file being read: the file was cut
    short (or a length in it is wrong). Callers that only care that a block is unreadable catch
    :class:`Malformed` and never see the difference."""
