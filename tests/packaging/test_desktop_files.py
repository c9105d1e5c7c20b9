"""The .desktop entry and the AppStream metainfo pass their validators, and the metainfo's newest
release is the app's version. The validators come from Debian's desktop-file-utils and appstream
(.ci/run installs them); where they are missing the checks are skipped, except in CI."""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from albumen import __version__
from tests.support import ROOT

DESKTOP = ROOT / "resources" / "org.albumen.Albumen.desktop"
METAINFO = ROOT / "resources" / "org.albumen.Albumen.metainfo.xml"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed, and CI is set (.ci/run installs it)")
        pytest.skip(f"{name} is not installed")
    return path


def test_desktop_entry_is_valid() -> None:
    result = subprocess.run(
        [_tool("desktop-file-validate"), str(DESKTOP)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower(), result.stdout


def test_metainfo_is_valid() -> None:
    result = subprocess.run(
        [_tool("appstreamcli"), "validate", "--no-net", str(METAINFO)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_metainfo_matches_the_app() -> None:
    root = ET.parse(METAINFO).getroot()  # noqa: S314  # our own file
    assert root.findtext("id") == "org.albumen.Albumen"
    assert root.findtext("launchable") == DESKTOP.name
    assert [b.text for b in root.iter("binary")] == ["albumen"]
    newest = root.find("releases/release")
    assert newest is not None and newest.get("version") == __version__
    assert root.find("content_rating") is not None
    images = [image.text or "" for image in root.iter("image")]
    assert images, "software centres want screenshots"
    for url in images:  # published copies of docs/screenshots (see packaging/README.md)
        assert (ROOT / "docs" / "screenshots" / url.rsplit("/", 1)[-1]).is_file(), url
    icons = ROOT / "resources" / "icons"
    assert (icons / "org.albumen.Albumen.svg").is_file()
    assert "Icon=org.albumen.Albumen\n" in DESKTOP.read_text()
