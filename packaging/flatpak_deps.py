"""Write packaging/python3-deps.json: the Flatpak module that installs Albumen's Python
dependencies from pinned wheels (flatpak-builder builds without network, so every file is listed
with its URL and SHA-256).

    .venv/bin/python packaging/flatpak_deps.py

Resolves pyproject.toml's dependencies with pip (no download, `--dry-run --report`) for the
Python of the Flatpak runtime, once per architecture; wheels built for one architecture get
`only-arches`. PySide6 is left out: io.qt.PySide.BaseApp provides it, built against the
runtime's own Qt. hatchling is added: the app module builds Albumen's wheel offline with it.
Run it again after changing dependencies or the runtime version.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "packaging" / "python3-deps.json"
PYTHON_VERSION = "3.13"  # the Python of org.kde.Platform 6.11 (freedesktop SDK 25.08)
ARCHES = ("x86_64", "aarch64")
PROVIDED = {"pyside6-essentials", "pyside6", "shiboken6"}  # by io.qt.PySide.BaseApp
BUILD = ["hatchling>=1.21"]  # Albumen's build backend, for the offline build of its own wheel


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def requirements() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [r for r in project["dependencies"] if _name(r) not in PROVIDED]
    return [*wanted, *BUILD]


def resolve(arch: str, wanted: list[str]) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--dry-run",
                "--quiet",
                "--index-url=https://pypi.org/simple",
                "--ignore-installed",
                "--only-binary=:all:",
                f"--python-version={PYTHON_VERSION}",
                "--implementation=cp",
                f"--platform=manylinux_2_28_{arch}",
                f"--platform=manylinux_2_17_{arch}",
                f"--platform=manylinux2014_{arch}",
                f"--target={Path(folder) / 'target'}",
                f"--report={report}",
                *wanted,
            ],
            check=True,
            # PyPI alone, so every file has its PyPI address: no local mirrors or wheel folders
            env={
                **{k: v for k, v in os.environ.items() if not k.startswith("PIP_")},
                "PIP_CONFIG_FILE": os.devnull,
            },
        )
        installs: list[dict[str, Any]] = json.loads(report.read_text())["install"]
        return installs


def main() -> int:
    wanted = requirements()
    sources: dict[str, dict[str, Any]] = {}
    arches_of: dict[str, list[str]] = {}
    names: set[str] = set()
    for arch in ARCHES:
        for item in resolve(arch, wanted):
            name = item["metadata"]["name"]
            names.add(name)
            url = item["download_info"]["url"]
            if not url.startswith("https://files.pythonhosted.org/"):
                raise SystemExit(f"{name} does not come from PyPI: {url}")
            sources[url] = {
                "type": "file",
                "url": url,
                "sha256": item["download_info"]["archive_info"]["hashes"]["sha256"],
            }
            arches_of.setdefault(url, []).append(arch)
    for url, source in sources.items():
        if sorted(arches_of[url]) != sorted(ARCHES):
            source["only-arches"] = arches_of[url]
    module = {
        "name": "python3-deps",
        "buildsystem": "simple",
        "build-commands": [
            'pip3 install --verbose --exists-action=i --no-index --find-links="file://${PWD}" '
            "--prefix=${FLATPAK_DEST} --no-build-isolation " + " ".join(sorted(names))
        ],
        "sources": sorted(sources.values(), key=lambda source: str(source["url"])),
    }
    OUT.write_text(json.dumps(module, indent=2) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}: {len(names)} packages, {len(sources)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
