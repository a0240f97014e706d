"""Settings, read from the environment once, in one place.

Tests point them elsewhere with ``monkeypatch.setenv`` followed by
:func:`reload`, or by passing paths explicitly to the functions that take them.

Environment variables
---------------------
CONFLICTMAP_STORE
    Where the store is: the path of a GeoPackage file, or a connection URL
    (default ``data/conflict.gpkg`` in the project). :func:`geo.store.open_store`
    decides which it is.
CONFLICTMAP_DATA_DIR
    Folder holding ``reference/`` and ``seed/`` (default the project's
    ``data/``).
CONFLICTMAP_CACHE_DIR
    Folder of caches derived from a store, such as the dashboard's snapshot
    (:mod:`geo.store.snapshot`), one sub-folder per store (default the
    project's ``data/.cache/``). Deleting it loses nothing: what is in it is
    rebuilt from the store when next needed.
CONFLICTMAP_LANG
    Language of the interface, a code such as ``en`` or ``uk`` (default
    ``en``; see :mod:`geo.i18n`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = ["DEFAULT_CACHE_DIR", "DEFAULT_LANGUAGE", "PROJECT_DIR", "Settings", "get", "reload"]

PROJECT_DIR: Final = Path(__file__).resolve().parent.parent

DEFAULT_CACHE_DIR: Final = PROJECT_DIR / "data" / ".cache"
"""Where derived caches go unless ``CONFLICTMAP_CACHE_DIR`` says otherwise."""

DEFAULT_LANGUAGE: Final = "en"
"""The interface's language unless ``CONFLICTMAP_LANG`` says otherwise."""


@dataclass(frozen=True)
class Settings:
    """Resolved settings.

    Parameters
    ----------
    data_dir : Path
        Folder with the bundled data (``reference/``, ``seed/``).
    store : str
        Store location: a GeoPackage path or a connection URL.
    cache_dir : Path
        Folder of derived caches (the dashboard's snapshots), one sub-folder
        per store.
    language : str
        Language code of the interface (``"en"``).
    """

    data_dir: Path
    store: str
    cache_dir: Path = DEFAULT_CACHE_DIR
    language: str = DEFAULT_LANGUAGE

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
    cache_dir = Path(os.environ.get("CONFLICTMAP_CACHE_DIR") or DEFAULT_CACHE_DIR).expanduser()
    language = (os.environ.get("CONFLICTMAP_LANG") or "").strip() or DEFAULT_LANGUAGE
    return Settings(data_dir=data_dir, store=store, cache_dir=cache_dir, language=language)


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
