"""Settings, read from the environment once, in one place.

Tests point them elsewhere with ``monkeypatch.setenv`` followed by
:func:`reload`, or by passing paths explicitly to the functions that take them.

Environment variables
---------------------
CONFLICTMAP_STORE
    Path of the GeoPackage store (default ``data/conflict.gpkg`` in the
    project).
CONFLICTMAP_DATA_DIR
    Folder holding ``reference/`` and ``seed/`` (default the project's
    ``data/``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PROJECT_DIR", "Settings", "get", "reload"]

PROJECT_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Resolved settings.

    Parameters
    ----------
    data_dir : Path
        Folder with the bundled data (``reference/``, ``seed/``).
    store : str
        Store location: a GeoPackage path.
    """

    data_dir: Path
    store: str

    @property
    def reference_dir(self) -> Path:
        """Folder of the bundled boundaries and gazetteer."""
        return self.data_dir / "reference"

    @property
    def seed_dir(self) -> Path:
        """Folder of the bundled, sourced dataset."""
        return self.data_dir / "seed"


def _from_env() -> Settings:
    data_dir = Path(os.environ.get("CONFLICTMAP_DATA_DIR") or PROJECT_DIR / "data")
    store = os.environ.get("CONFLICTMAP_STORE") or str(PROJECT_DIR / "data" / "conflict.gpkg")
    return Settings(data_dir=data_dir, store=store)


_current = _from_env()


def get() -> Settings:
    """Return the current settings.

    Returns
    -------
    Settings
        Settings as read from the environment at import (or last :func:`reload`).
    """
    return _current


def reload() -> Settings:
    """Read the environment again (for tests).

    Returns
    -------
    Settings
        The new settings.
    """
    global _current
    _current = _from_env()
    return _current
