"""What the dashboard reads at start-up: folded events and their claims, kept in the cache folder.

Reading a million events and 1.7 million claims out of a GeoPackage and
folding them (:func:`geo.claims.fold`) takes around fifteen seconds here.
A *snapshot* keeps the result in two uncompressed Arrow IPC files in a
folder of their own under the cache folder (``geo.settings.get().cache_dir``,
``data/.cache/`` unless ``$CONFLICTMAP_CACHE_DIR`` says otherwise):
``snapshots/<name>-<digest>/``, where the digest is that of the store's
:attr:`~geo.store.base.Store.location` (so any store, a file or a database,
gets one folder) and the name its last part, for people. The files are named
after the store's :meth:`~geo.store.base.Store.version`, this code's version
and :data:`FORMAT`. Opening them is a memory map: text columns come back as
Arrow-backed ``str`` columns without being copied, so a million events are
ready in well under a second and the operating system shares and evicts
their pages.

A snapshot is a cache, never the record: any write to the store changes its
version, the next read misses, rebuilds from the store and deletes the stale
files, and the temporary files of builds killed half-way (see
:func:`_remove_orphans`). A folder that cannot be written just means no
snapshot.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import mmap
import os
import re
import socket
import threading
import time
import uuid
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from geo import __version__, schema, settings
from geo._text import sort_ranks
from geo.claims import fold
from geo.store.base import Store

__all__ = ["FORMAT", "read_display", "release_pages", "snapshot_dir"]

_log = logging.getLogger(__name__)

FORMAT = 2
"""Bumped whenever what a snapshot holds changes, so old ones are rebuilt."""

_GEOMETRY = "geometry_wkb"

STALE_SECONDS = 15 * 60
"""A snapshot's temporary file untouched this long is an orphan of a killed build, whoever wrote it."""
_HOST = re.sub(r"[^A-Za-z0-9-]+", "-", socket.gethostname())[:40] or "host"
_TMP = re.compile(r"^\..+\.arrow\.(?:(?P<host>[A-Za-z0-9-]+)\.(?P<pid>\d+)\.)?[0-9a-f]{8}\.tmp$")

_MAPPED: dict[str, mmap.mmap] = {}  # the memory maps behind the frames handed out, by file
_LOCK = threading.Lock()


def snapshot_dir(location: str | os.PathLike[str], cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder that holds the snapshots of the store at ``location``.

    Parameters
    ----------
    location : str or os.PathLike
        The store's :attr:`~geo.store.base.Store.location` (a path or a URL).
    cache_dir : str, os.PathLike or None
        The cache folder (default ``geo.settings.get().cache_dir``).

    Returns
    -------
    Path
        ``<cache_dir>/snapshots/<name>-<digest>``: the digest is a stable
        hash of the location, the name its last part (``conflict.gpkg``)
        made safe for any file system.
    """
    text = os.fspath(location)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    tail = re.split(r"[/\\]", text.rstrip("/\\"))[-1]
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", tail).strip("._-")[:40]
    folder = f"{name}-{digest}" if name else digest
    return Path(settings.get().cache_dir if cache_dir is None else cache_dir) / "snapshots" / folder


def _token(version: str) -> str:
    """The file name of a snapshot of the store at ``version``, by this code (its version and FORMAT)."""
    stamp = f"{FORMAT}\n{__version__}\n{version}".encode("utf-8", "surrogatepass")
    return f"v{FORMAT}-{hashlib.sha256(stamp).hexdigest()[:24]}"


def read_display(store: Store) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Folded events and all claims of a store, from its snapshot when it is current.

    Parameters
    ----------
    store : Store
        The store: any implementation, known by its location and version.

    Returns
    -------
    events : GeoDataFrame
        :func:`geo.claims.fold` of every event, EPSG:4326, ordered by layer,
        start time and id (a RangeIndex). Text columns may be
        Arrow-backed ``str`` rather than ``object``; missing text is missing
        either way (``pd.isna``).
    claims : DataFrame
        Every claim, in stored order.

    Notes
    -----
    The frames may be backed by a read-only memory map: treat them as
    read-only (copy before changing a column).

    Raises
    ------
    NotFoundError
        The store has gone.
    """
    version = store.version()
    token = _token(version)
    folder = snapshot_dir(store.location)
    events_file, claims_file = folder / f"{token}.events.arrow", folder / f"{token}.claims.arrow"
    if events_file.exists() and claims_file.exists():
        try:
            return _read_events(events_file), _read_table(claims_file).to_pandas(split_blocks=True)
        except (OSError, pa.ArrowException, ValueError) as err:  # damaged: rebuild it
            _log.warning("snapshot %s unreadable (%s): rebuilding it", events_file, err)
    events, claims = _fold(store)
    if store.version() != version:  # the store changed while it was read: do not label this state with the old name
        return events, claims
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_orphans(folder)
        _write_atomic(_table(events), events_file)
        _write_atomic(_table(claims), claims_file)
    except (OSError, pa.ArrowException) as err:
        _log.info("no snapshot for %s: %s", store.location, err)
        return events, claims
    for old in folder.glob("*.arrow"):
        if not old.name.startswith(token + "."):
            old.unlink(missing_ok=True)
    return _read_events(events_file), _read_table(claims_file).to_pandas(split_blocks=True)


def _fold(store: Store) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Folded events ordered by layer, then start, then id (a layer, or a layer's dates, is one run of rows)."""
    claims = store.read_claims()
    events = fold(store.read_events(), claims)
    layer = pd.factorize(events["layer"], sort=True)[0]  # equal layers share a code (layer is never missing)
    order = np.lexsort((sort_ranks(events["event_id"]), events["time_start"].to_numpy(dtype="datetime64[ms]"), layer))
    return events.iloc[order].reset_index(drop=True), claims


def _table(frame: pd.DataFrame) -> pa.Table:
    """Arrow columns of a frame (geometry as WKB); numbers keep NaN (no validity mask), so reading copies nothing."""
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    arrays, names = [], []
    for name in frame.columns:
        if name == geometry:
            continue
        column = frame[name]
        if pd.api.types.is_float_dtype(column.dtype):
            arrays.append(pa.array(column.to_numpy(dtype=float), type=pa.float64(), from_pandas=False))
        elif pd.api.types.is_integer_dtype(column.dtype) or pd.api.types.is_datetime64_any_dtype(column.dtype):
            arrays.append(pa.array(column, from_pandas=True))
        else:
            arrays.append(pa.array(column.astype(object).where(column.notna(), None), type=pa.large_string()))
        names.append(name)
    if geometry is not None:
        arrays.append(pa.array(shapely.to_wkb(frame.geometry.to_numpy()), type=pa.binary()))
        names.append(_GEOMETRY)
    return pa.Table.from_arrays(arrays, names=names)


def _read_table(path: Path) -> pa.Table:
    """The Arrow table of a snapshot file, over a memory map of it (nothing copied)."""
    with open(path, "rb") as f:
        mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    with _LOCK:
        for name in [n for n in _MAPPED if not Path(n).exists()]:
            del _MAPPED[name]  # replaced by a newer snapshot; the map lives on while its frames do
        _MAPPED[str(path)] = mapped
    return pa.ipc.open_file(pa.py_buffer(mapped)).read_all()


def release_pages() -> None:
    """Give the pages of snapshots read so far back to the operating system.

    The frames stay valid: a page read again comes back from the file cache
    (no disk read, a fraction of a millisecond per megabyte). Between two
    runs of the dashboard this keeps its resident memory to what it holds
    itself, not the parts of a gigabyte of snapshot the last run looked at.
    """
    with _LOCK:
        maps = list(_MAPPED.values())
    for mapped in maps:
        with contextlib.suppress(AttributeError, OSError, ValueError):  # no madvise here, or a closed map
            mapped.madvise(mmap.MADV_DONTNEED)


def _read_events(path: Path) -> gpd.GeoDataFrame:
    table = _read_table(path)
    frame = table.drop_columns([_GEOMETRY]).to_pandas(split_blocks=True)
    geoms = shapely.from_wkb(table.column(_GEOMETRY).to_numpy(zero_copy_only=False))
    for col in ("first_stated", "last_stated"):
        if col in frame:
            frame[col] = frame[col].astype("datetime64[ms]")
    frame["n_claims"] = frame["n_claims"].astype(int)
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=schema.CRS).to_numpy(), crs=schema.CRS)


def _alive(pid: int) -> bool:
    """Whether a process of this id runs on this machine (one of another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists
        return True
    return True


def _remove_orphans(folder: Path, now: float | None = None) -> list[Path]:
    """Delete the temporary files of builds that were killed half-way; return those deleted.

    A temporary file (``.<name>.arrow.<host>.<pid>.<random>.tmp``) is an
    orphan when the process that wrote it on this machine is gone, or, for
    any writer (another machine sharing the folder, or a name from before
    the host and pid were in it), when it has not changed for
    :data:`STALE_SECONDS`. A build running now in another server is left
    alone.
    """
    now = time.time() if now is None else now
    removed = []
    for path in folder.glob(".*.arrow.*.tmp"):
        match = _TMP.match(path.name)
        if match is None:
            continue
        pid = match.group("pid")
        gone = pid is not None and match.group("host") == _HOST and int(pid) != os.getpid() and not _alive(int(pid))
        try:
            stale = now - path.stat().st_mtime > STALE_SECONDS
        except OSError:  # removed meanwhile
            continue
        if gone or stale:
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
    if removed:
        _log.info("removed %d orphaned snapshot file(s) in %s", len(removed), folder)
    return removed


def _write_atomic(table: pa.Table, path: Path) -> None:
    """Write an Arrow IPC file beside its final name (named after this host and process), then rename it into place."""
    tmp = path.with_name(f".{path.name}.{_HOST}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table, max_chunksize=max(1, table.num_rows))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
