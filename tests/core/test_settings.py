"""A broken settings file never stops the app or the CLI, and nothing in it is lost.

Before: `{"concurrent_uploads": "3"}` raised a TypeError that nobody caught.
"""

from __future__ import annotations

import json
from pathlib import Path

from albumen.core.settings import Settings
from tests.support import run_albumen


def test_wrong_values_fall_back_to_defaults_with_the_field_named(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    written = {
        "concurrent_uploads": "3",
        "bandwidth_limit_kbps": 500,
        "server_url": "ftp://example.org",
        "link_defaults": {"download": "all", "show_location": True},
    }
    path.write_text(json.dumps(written))
    settings = Settings.load(path)
    assert settings.concurrent_uploads == 3 and settings.server_url is None
    assert settings.bandwidth_limit_kbps == 500  # what was right is kept
    assert settings.link_defaults.show_location is True
    assert settings.link_defaults.download == "none"
    text = "\n".join(settings.problems)
    assert f"{path}: concurrent_uploads must be a whole number from 1 to 8, not '3'" in text
    assert "server_url must be an http(s) address" in text
    assert "link_defaults.download must be one of none, web, original, not 'all'" in text
    (copy,) = tmp_path.glob("settings.json.broken-*")
    assert json.loads(copy.read_text()) == written
    assert copy.name in text
    settings.save(path)  # saving the fixed settings keeps the copy, and no "problems" key
    assert copy.exists() and "problems" not in json.loads(path.read_text())
    assert Settings.load(path).problems == ()


def test_a_file_that_is_not_json_keeps_a_copy(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"server_url": "https://photos.example.org",')
    settings = Settings.load(path)
    assert settings == Settings()
    assert "the settings file cannot be read" in settings.problems[0]
    assert Settings.load(path).problems  # loading again makes no second copy
    assert len(list(tmp_path.glob("settings.json.broken-*"))) == 1


def test_the_cli_says_what_is_wrong_and_goes_on(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text('{"concurrent_uploads": "3"}')
    result = run_albumen(data, "albums", timeout=60)
    assert result.returncode == 0, result.stderr
    assert "albumen: warning:" in result.stderr and "concurrent_uploads" in result.stderr
