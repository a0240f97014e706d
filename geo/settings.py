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
CONFLICTMAP_ANONYMOUS
    What a visitor who has not signed in may do: ``viewer`` (read and export,
    the default) or ``none`` (sign in to see anything).
CONFLICTMAP_SESSION_MINUTES
    A local sign-in ends after this many minutes without a page run (default
    60).
CONFLICTMAP_SESSION_HOURS_MAX
    A local sign-in ends this many hours after signing in, used or not
    (default 12).
CONFLICTMAP_OIDC_ROLE
    The role of someone signed in with the organisation's provider (OpenID
    Connect) whose e-mail address is not among the users (default
    ``viewer``).

A value that is not one of these is refused when the settings are read
(:class:`~geo.errors.GeoError`, naming the variable and what it takes).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from geo.errors import GeoError

__all__ = ["ANONYMOUS_CHOICES", "DEFAULT_CACHE_DIR", "DEFAULT_LANGUAGE", "PROJECT_DIR", "Settings", "get", "reload"]

PROJECT_DIR: Final = Path(__file__).resolve().parent.parent

DEFAULT_CACHE_DIR: Final = PROJECT_DIR / "data" / ".cache"
"""Where derived caches go unless ``CONFLICTMAP_CACHE_DIR`` says otherwise."""

DEFAULT_LANGUAGE: Final = "en"
"""The interface's language unless ``CONFLICTMAP_LANG`` says otherwise."""

ANONYMOUS_CHOICES: Final = ("viewer", "none")
"""What ``CONFLICTMAP_ANONYMOUS`` may say: visitors read without signing in, or must sign in first."""
_OIDC_ROLES: Final = ("viewer", "editor", "admin")  # geo.auth.ROLES (geo.auth imports geo.errors only; kept apart)


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
    anonymous : str
        ``"viewer"`` (visitors read and export without signing in) or ``"none"`` (sign in to see anything).
    session_minutes : int
        Idle timeout of a local sign-in, in minutes.
    session_hours_max : int
        Absolute lifetime of a local sign-in, in hours.
    oidc_role : str
        Role of an OpenID Connect sign-in whose e-mail address is not among the users.
    """

    data_dir: Path
    store: str
    cache_dir: Path = DEFAULT_CACHE_DIR
    language: str = DEFAULT_LANGUAGE
    anonymous: str = "viewer"
    session_minutes: int = 60
    session_hours_max: int = 12
    oidc_role: str = "viewer"

    @property
    def reference_dir(self) -> Path:
        """Folder of the bundled boundaries and gazetteer."""
        return self.data_dir / "reference"

    @property
    def seed_dir(self) -> Path:
        """Folder of the bundled, sourced dataset."""
        return self.data_dir / "seed"


def _choice(variable: str, default: str, choices: tuple[str, ...]) -> str:
    """The value of ``variable`` (lower case, trimmed) if it is one of ``choices``; ``default`` when unset."""
    value = (os.environ.get(variable) or "").strip().lower() or default
    if value not in choices:
        raise GeoError(f"{variable}={value!r} is not a choice; use one of: {', '.join(choices)}")
    return value


def _whole(variable: str, default: int, *, most: int) -> int:
    """The value of ``variable`` as a whole number from 1 to ``most``; ``default`` when unset."""
    text = (os.environ.get(variable) or "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise GeoError(f"{variable}={text!r} is not a whole number (e.g. {default})") from None
    if not 1 <= value <= most:
        raise GeoError(f"{variable}={value} is out of range; use 1 to {most}")
    return value


def _from_env() -> Settings:
    data_dir = Path(os.environ.get("CONFLICTMAP_DATA_DIR") or PROJECT_DIR / "data")
    store = os.environ.get("CONFLICTMAP_STORE") or str(PROJECT_DIR / "data" / "conflict.gpkg")
    cache_dir = Path(os.environ.get("CONFLICTMAP_CACHE_DIR") or DEFAULT_CACHE_DIR).expanduser()
    language = (os.environ.get("CONFLICTMAP_LANG") or "").strip() or DEFAULT_LANGUAGE
    return Settings(
        data_dir=data_dir,
        store=store,
        cache_dir=cache_dir,
        language=language,
        anonymous=_choice("CONFLICTMAP_ANONYMOUS", "viewer", ANONYMOUS_CHOICES),
        session_minutes=_whole("CONFLICTMAP_SESSION_MINUTES", 60, most=7 * 24 * 60),
        session_hours_max=_whole("CONFLICTMAP_SESSION_HOURS_MAX", 12, most=24 * 31),
        oidc_role=_choice("CONFLICTMAP_OIDC_ROLE", "viewer", _OIDC_ROLES),
    )


def _read() -> tuple[Settings | None, GeoError | None]:
    """The settings, or the error of a value that is refused (raised by :func:`get`, not at import)."""
    try:
        return _from_env(), None
    except GeoError as err:
        return None, err


_current, _problem = _read()


def get() -> Settings:
    """Return the current settings.

    Returns
    -------
    Settings
        Settings as read from the environment at import (or last :func:`reload`).

    Raises
    ------
    GeoError
        A variable has a value that is refused (``CONFLICTMAP_ANONYMOUS=everyone``), naming it and what it takes;
        the command line prints it as one line, the dashboard as its start-up error.
    """
    if _current is None:
        raise GeoError(str(_problem))
    return _current


def reload() -> Settings:
    """Read the environment again (for tests).

    Returns
    -------
    Settings
        The new settings.

    Raises
    ------
    GeoError
        A refused value (as :func:`get`).
    """
    global _current, _problem
    _current, _problem = _read()
    return get()
