"""Where events and claims are kept: one GeoPackage file now, PostGIS later.

:func:`open_store` picks the implementation from the location: a file path
gives a :class:`~geo.store.gpkg.GeoPackageStore`; a ``postgresql://`` URL
will give a PostGIS store (not available yet). Every store implements the
:class:`~geo.store.base.Store` protocol.
"""

from __future__ import annotations

import logging
import os
import uuid
from pathlib import Path

from geo.errors import GeoError
from geo.store.base import KINDS, SCHEMA_VERSION, EventQuery, Store, WriteResult
from geo.store.gpkg import GeoPackageStore

__all__ = ["KINDS", "SCHEMA_VERSION", "EventQuery", "GeoPackageStore", "Store", "WriteResult", "open_store"]

_log = logging.getLogger(__name__)
_POSTGRES_SCHEMES = ("postgresql://", "postgres://", "postgresql+")


def open_store(location: str | os.PathLike[str] | None = None, *, create: bool = True, seed: bool = True) -> Store:
    """Open the store at ``location``, creating and seeding it on first use.

    Parameters
    ----------
    location : str, os.PathLike or None
        A GeoPackage path (``data/conflict.gpkg``) or, later, a
        ``postgresql://`` URL. ``None`` uses ``geo.settings.get().store``
        (``$CONFLICTMAP_STORE``, default ``data/conflict.gpkg``).
    create : bool
        Create the store when it does not exist.
    seed : bool
        When the store is created by this call, load the bundled dataset
        (``feb-2026``, kind ``bundled``) into it before it appears at
        ``location``. An existing store is never seeded, even an empty one
        (its datasets may have been deleted on purpose).

    Returns
    -------
    Store
        The opened store.

    Raises
    ------
    NotFoundError
        The store does not exist and ``create`` is false.
    GeoError
        A PostGIS URL (not supported yet), a folder, or a file that is not a
        store.
    ValidationError
        The bundled dataset does not validate (a bug in ``data/seed``).
    """
    if location is None:
        from geo import settings

        location = settings.get().store
    text = os.fspath(location)
    if text.lower().startswith(_POSTGRES_SCHEMES):
        raise GeoError(
            "PostGIS support is not available yet; give the path of a GeoPackage file "
            "(e.g. data/conflict.gpkg) instead of a postgresql:// URL"
        )
    path = Path(text).expanduser()
    if create and seed and not path.is_dir() and (not path.exists() or path.stat().st_size == 0):
        _create_seeded(path)
    return GeoPackageStore(path, create=create)


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
    )
