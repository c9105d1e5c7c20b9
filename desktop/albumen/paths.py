"""Where the client keeps its things: one data folder for store, caches and embedded server."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path


def data_dir(explicit: Path | None = None) -> Path:
    """Everything local (store, caches, the embedded server's data) lives under this folder."""
    if explicit is not None:
        return explicit.expanduser().resolve()
    from_env = os.environ.get("ALBUMEN_DATA_DIR")
    if from_env:
        return Path(from_env).expanduser().resolve()
    return user_data_path("Albumen", appauthor=False)
