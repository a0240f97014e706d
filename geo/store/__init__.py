"""Where events and claims are kept: a GeoPackage file (embedded, the default) or PostgreSQL with PostGIS.

:func:`open_store` is the one place that reads a *location*: a file path
(or a ``file://`` URL) gives a :class:`~geo.store.gpkg.GeoPackageStore`; a
``postgresql://`` URL a :class:`~geo.store.postgis.PostGISStore` (shared by a team and several servers). Every
store implements the :class:`~geo.store.base.Store` protocol, and callers
know it by :attr:`~geo.store.base.Store.location` and
:meth:`~geo.store.base.Store.version` only.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from geo.errors import GeoError, NotFoundError
from geo.store._urls import shown as _without_password
from geo.store.base import KINDS, SCHEMA_VERSION, EventQuery, Store, WriteResult
from geo.store.gpkg import GeoPackageStore

__all__ = [
    "KINDS",
    "SCHEMA_VERSION",
    "EventQuery",
    "GeoPackageStore",
    "Store",
    "WriteResult",
    "open_store",
    "seed_bundled",
]

_log = logging.getLogger(__name__)
_URL = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://")
_BACKENDS = {"postgresql": "geo.store.postgis", "postgres": "geo.store.postgis"}
"""URL scheme → the module of the store that serves it. A backend module defines
``open_url(url: str, *, create: bool, seed: bool) -> Store`` (and may call
:func:`seed_bundled` on a store it creates); adding a backend is adding its module."""


def open_store(
    location: str | os.PathLike[str] | None = None,
    *,
    create: bool = True,
    seed: bool = True,
    parents: bool = True,
) -> Store:
    """Open the store at ``location``, creating and seeding it on first use.

    Parameters
    ----------
    location : str, os.PathLike or None
        A GeoPackage path (``data/conflict.gpkg``, or a ``file://`` URL) or,
        a ``postgresql://USER@HOST:PORT/DB`` URL. ``None`` uses
        ``geo.settings.get().store`` (``$CONFLICTMAP_STORE``, default
        ``data/conflict.gpkg``).
    create : bool
        Create the store when it does not exist.
    seed : bool
        When the store is created by this call, load the bundled dataset
        (``feb-2026``, kind ``bundled``) into it before it appears at
        ``location``. An existing store is never seeded, even an empty one
        (its datasets may have been deleted on purpose).
    parents : bool
        Create the missing folders above a new GeoPackage file (false: a
        missing folder is an error, as a typo on the command line should be).

    Returns
    -------
    Store
        The opened store.

    Raises
    ------
    NotFoundError
        The store does not exist and ``create`` is false, or its folder does
        not exist and ``parents`` is false.
    GeoError
        An unreachable database, a refused password, a database without PostGIS, a schema from a newer
        version (one line each, the password never shown), another URL, a folder, or a file that is not a store.
    ValidationError
        The bundled dataset does not validate (a bug in ``data/seed``).
    """
    if location is None:
        from geo import settings

        location = settings.get().store
    text = os.fspath(location)
    url = _URL.match(text)
    if url is not None:
        scheme = url["scheme"].lower()
        if scheme.split("+")[0] in _BACKENDS:
            return _open_backend(_BACKENDS[scheme.split("+")[0]], text, create=create, seed=seed)
        if scheme != "file":
            raise GeoError(
                f"{_without_password(text)}: not a store location; "
                "give the path of a GeoPackage file (e.g. data/conflict.gpkg)"
            )
        text = urllib.request.url2pathname(urllib.parse.urlsplit(text).path)
    path = Path(text).expanduser()
    new = not path.is_dir() and (not path.exists() or path.stat().st_size == 0)
    if new and create and not parents and not path.parent.is_dir():
        raise NotFoundError(f"folder {str(path.parent)!r} does not exist; create it first")
    if new and create and seed:
        _create_seeded(path)
    return GeoPackageStore(path, create=create)


def _open_backend(module: str, url: str, *, create: bool, seed: bool) -> Store:
    """Open a store served by another backend module (see :data:`_BACKENDS`)."""
    try:
        backend = importlib.import_module(module)
    except ModuleNotFoundError as err:
        if err.name in ("psycopg", "psycopg_pool"):
            raise GeoError(
                f"{_without_password(url)}: PostGIS stores need psycopg: pip install 'psycopg[binary,pool]>=3.2,<4'"
            ) from None
        if err.name != module:
            raise
        raise GeoError(
            f"{_without_password(url)}: this installation has no {module} backend; "
            "give the path of a GeoPackage file (e.g. data/conflict.gpkg)"
        ) from None
    return backend.open_url(url, create=create, seed=seed)


def _create_seeded(path: Path) -> None:
    """Create a store with the bundled dataset in it, atomically: built beside ``path``, then renamed.

    Either the seeded store appears or nothing does: a seed that fails to
    load leaves no half-filled file for the next start to keep.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:12]}.seeding.gpkg")
    try:
        _seed(GeoPackageStore(tmp))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}-journal").unlink(missing_ok=True)


def seed_bundled(store: Store) -> None:
    """Write the bundled dataset (``feb-2026``) into a new, empty store.

    Parameters
    ----------
    store : Store
        The store a backend has just created.
    """
    _seed(store)


def _seed(store: Store) -> None:
    """Write the bundled dataset into a new store (skipped while ``geo.seed`` does not exist)."""
    try:
        from geo import seed as bundled
    except ModuleNotFoundError as err:
        if err.name != "geo.seed":
            raise
        _log.info("geo.seed is not available: %s left empty", store.location)
        return
    events, claims = bundled.load_seed()
    store.write(
        events,
        claims,
        dataset=getattr(bundled, "DATASET", "feb-2026"),
        kind="bundled",
        description="Bundled, sourced dataset: claims and events of February 2026.",
        source="data/seed",
        validated=True,
        actor="system",
    )
