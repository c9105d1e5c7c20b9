"""Fixtures of the photo-file tests."""

from __future__ import annotations

import pytest

from tests.photo.strip_helpers import camera_jpeg


@pytest.fixture(scope="module")
def camera() -> bytes:
    """A 64x48 JPEG carrying every kind of metadata the stripper has to deal with."""
    return camera_jpeg()
