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
import json
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

    When the store changed only by claims recorded, edited, withdrawn or restored (its change log says which
    events), the last snapshot is brought up to date by folding those events again (:func:`_patched`): a second
    or so at a million events instead of a full rebuild. Imports, deletions and restorations rebuild.

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
        Every claim, in stored order (claims changed since the snapshot last).

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
            frames = _read_events(events_file), _read_table(claims_file).to_pandas(split_blocks=True)
            _remember(store, _read_position(folder / f"{token}.json"), frames)
            return frames
        except (OSError, pa.ArrowException, ValueError) as err:  # damaged: rebuild it
            _log.warning("snapshot %s unreadable (%s): rebuilding it", events_file, err)
    patched = _patched(store, version, folder)
    if patched is not None:
        return patched
    position = _position(store)
    events, claims = _fold(store)
    if store.version() != version:  # the store changed while it was read: do not label this state with the old name
        return events, claims
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_orphans(folder)
        _write_atomic(_table(events), events_file)
        _write_atomic(_table(claims), claims_file)
        if position is not None:
            _write_position(folder / f"{token}.json", position)
    except (OSError, pa.ArrowException) as err:
        _log.info("no snapshot for %s: %s", store.location, err)
        return events, claims
    for old in [*folder.glob("*.arrow"), *folder.glob("v*.json")]:
        if not old.name.startswith(token + "."):
            old.unlink(missing_ok=True)
    frames = _read_events(events_file), _read_table(claims_file).to_pandas(split_blocks=True)
    _remember(store, position, frames)
    return frames


# -- bringing a snapshot up to date from the store's change log ------------------------------------------------------

PATCH_LIMIT = 20_000
"""More changed events than this since the last snapshot: rebuild it rather than patch."""

_LAST: dict[str, tuple[tuple[str, int] | None, tuple[gpd.GeoDataFrame, pd.DataFrame]]] = {}
"""Per store location: the change-log position and frames this process read last."""


def _position(store: Store) -> tuple[str, int] | None:
    """The store's change-log identity and position now, or None for a store without a change log."""
    since = getattr(store, "changes_since", None)
    if since is None:
        return None
    changes = since(2**62)
    return changes.ledger, changes.seq


def _remember(store: Store, position: tuple[str, int] | None, frames: tuple[gpd.GeoDataFrame, pd.DataFrame]) -> None:
    with _LOCK:
        _LAST[store.location] = (position, frames)


_CODE = f"{FORMAT}\n{__version__}"
"""What wrote a snapshot: its position file says so, and only this code's files are patched (another version's
fold may differ; its file is rebuilt, as its name already made it)."""


def _read_position(path: Path) -> tuple[str, int] | None:
    """The change-log position a snapshot holds, or None when unreadable or written by other code."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("code") != _CODE:
            return None
        return str(data["ledger"]), int(data["seq"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_position(path: Path, position: tuple[str, int]) -> None:
    tmp = path.with_name(f".{path.name}.{_HOST}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(json.dumps({"ledger": position[0], "seq": position[1], "code": _CODE}), encoding="utf-8")
    os.replace(tmp, path)


def _base(store: Store, folder: Path) -> tuple[tuple[str, int], tuple[gpd.GeoDataFrame, pd.DataFrame]] | None:
    """The state to patch: what this process read last, else the newest snapshot file with a known position."""
    with _LOCK:
        last = _LAST.get(store.location)
    if last is not None and last[0] is not None:
        return last[0], last[1]
    metas = sorted(folder.glob(f"v{FORMAT}-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for meta in metas:
        token = meta.name[: -len(".json")]
        position = _read_position(meta)
        events_file, claims_file = folder / f"{token}.events.arrow", folder / f"{token}.claims.arrow"
        if position is None or not (events_file.exists() and claims_file.exists()):
            continue
        try:
            return position, (_read_events(events_file), _read_table(claims_file).to_pandas(split_blocks=True))
        except (OSError, pa.ArrowException, ValueError):
            continue
    return None


def _patched(store: Store, version: str, folder: Path) -> tuple[gpd.GeoDataFrame, pd.DataFrame] | None:
    """The last state read, brought up to ``version`` by folding again the events whose claims changed; or None.

    None (rebuild) when the store has no change log, the log is another store's, an import, deletion or
    restoration happened since, too many events changed, or the counts disagree with the store's afterwards
    (a change made by another program, which the log does not know).
    """
    if getattr(store, "changes_since", None) is None:
        return None
    try:
        base = _base(store, folder)
    except OSError:
        return None
    if base is None:
        return None
    (ledger, seq), (events, claims) = base
    changes = store.changes_since(seq)  # type: ignore[attr-defined]
    if changes.ledger != ledger or changes.bulk or len(changes.event_ids) > PATCH_LIMIT:
        return None
    if changes.event_ids:
        events, claims = _apply(store, events, claims, list(changes.event_ids))
    if len(events) != store.count() or store.version() != version:
        return None
    _remember(store, (changes.ledger, changes.seq), (events, claims))
    return events, claims


def _like(frame: pd.DataFrame, geometry: bool) -> pd.DataFrame:
    """A small frame converted as a snapshot file's frames are (Arrow-backed text), so concatenating copies little."""
    table = _table(frame)
    if not geometry:
        return table.to_pandas(split_blocks=True)
    out = table.drop_columns([_GEOMETRY]).to_pandas(split_blocks=True)
    for col in ("first_stated", "last_stated"):
        if col in out:
            out[col] = out[col].astype("datetime64[ms]")
    out["n_claims"] = out["n_claims"].astype(int)
    geoms = shapely.from_wkb(table.column(_GEOMETRY).to_numpy(zero_copy_only=False))
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms, crs=schema.CRS).to_numpy(), crs=schema.CRS)


def _apply(
    store: Store, events: gpd.GeoDataFrame, claims: pd.DataFrame, ids: list[str]
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Replace the claims of ``ids`` and their folded events, keeping the events' order (layer, start, id).

    Nothing of the million rows is copied: text columns are Arrow arrays, and the new frames are pieces (slices) of
    the old ones with the few new rows between them; number columns are copied (a few milliseconds each).
    """
    fresh_claims = store.read_claims(event_ids=ids)
    fresh_events = fold(store.read_events(event_ids=ids), fresh_claims)
    stale = np.flatnonzero(claims["event_id"].isin(ids).to_numpy(dtype=bool))
    added = _like(fresh_claims[list(claims.columns)], geometry=False)
    claims = _splice(claims, stale, [len(claims)] * len(added), added)
    old = np.flatnonzero(events["event_id"].isin(ids).to_numpy(dtype=bool))
    if fresh_events.empty:
        return _geo(_splice(events, old, [], events.iloc[:0])), claims
    new = _like(fresh_events[list(events.columns)], geometry=True)
    keys = (new[c].to_numpy(dtype=object) for c in ("event_id", "time_start", "layer"))
    new = new.iloc[np.lexsort(tuple(keys))].reset_index(drop=True)
    positions = [_insertion(events, row.layer, row.time_start, row.event_id) for row in new.itertuples()]
    return _geo(_splice(events, old, positions, new)), claims


def _geo(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=schema.CRS)


MAX_CHUNKS = 256
"""Text columns of more pieces than this after a patch are joined into one array again (once in a while)."""


def _splice(frame: pd.DataFrame, remove: np.ndarray, positions: list[int], new: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the rows at ``remove``, with the rows of ``new`` put before the old rows at ``positions``.

    ``positions`` (one per row of ``new``, ascending, in ``frame``'s numbering) may equal ``len(frame)`` (appended).
    """
    n = len(frame)
    pieces: list[tuple[str, int, int]] = []  # ("old", a, b) or ("new", i, i + 1)
    removed = set(remove.tolist())
    at: dict[int, list[int]] = {}
    for i, pos in enumerate(positions):
        at.setdefault(int(pos), []).append(i)
    cur = 0
    for p in sorted(removed | set(at)):
        if p > cur:
            pieces.append(("old", cur, p))
            cur = p
        pieces.extend(("new", i, i + 1) for i in at.get(p, []))
        if p in removed:
            cur = p + 1
    if cur < n:
        pieces.append(("old", cur, n))
    columns = {name: _pieces_of(frame[name], new.get(name), pieces) for name in frame.columns}
    return pd.DataFrame(columns, index=pd.RangeIndex(sum(b - a for _, a, b in pieces)))


def _pieces_of(old: pd.Series, new: pd.Series | None, pieces: list[tuple[str, int, int]]) -> pd.Series:
    """One column made of slices of ``old`` and rows of ``new`` (Arrow text: no copy; others: concatenated)."""
    values = old.array
    arrow = getattr(values, "_pa_array", None)
    extra_values = new.array if new is not None else values[:0]
    if arrow is not None:
        extra = getattr(extra_values, "_pa_array", None)
        if extra is None:  # the new rows came as another type: Arrow text of them
            extra = pa.chunked_array([pa.array(list(extra_values), type=arrow.type)])
        chunks = []
        for kind, a, b in pieces:
            source = arrow if kind == "old" else extra
            chunks.extend(source.slice(a, b - a).chunks)
        joined = pa.chunked_array(chunks, type=arrow.type)
        if joined.num_chunks > MAX_CHUNKS:
            joined = pa.chunked_array([joined.combine_chunks()], type=arrow.type)
        return pd.Series(type(values)(joined, dtype=values.dtype), copy=False)
    if isinstance(values, pd.api.extensions.ExtensionArray) and not isinstance(values, pd.arrays.NumpyExtensionArray):
        # geometries (GeometryArray) and other extension arrays: their own concatenation, no per-row checks again
        parts = [values[a:b] if kind == "old" else extra_values[a:b] for kind, a, b in pieces]
        joined_ea = type(values)._concat_same_type(parts) if parts else values[:0]
        return pd.Series(joined_ea, copy=False)
    base = old.to_numpy()
    extra_np = new.to_numpy(dtype=base.dtype) if new is not None else base[:0]
    parts_np = [base[a:b] if kind == "old" else extra_np[a:b] for kind, a, b in pieces]
    return pd.Series(np.concatenate(parts_np) if parts_np else base[:0], dtype=old.dtype, copy=False)


def _insertion(events: pd.DataFrame, layer: str, start: pd.Timestamp, event_id: str) -> int:
    """Where an event goes among events ordered by layer, then start, then id (the snapshot's order).

    The event's own row, when it is there already, is where it goes (an event whose claims changed keeps its place).
    Layers are runs in sorted order: two binary searches find the layer's run without reading the column whole.
    """
    column = events["layer"]
    first, last = _bound(column, layer, after=False), _bound(column, layer, after=True)
    starts = events["time_start"].to_numpy(dtype="datetime64[ms]")[first:last]
    day = np.datetime64(pd.Timestamp(start), "ms")
    a, b = first + np.searchsorted(starts, day, "left"), first + np.searchsorted(starts, day, "right")
    same_day = events["event_id"].iloc[a:b].to_numpy(dtype=object)
    return int(a + np.count_nonzero(same_day < event_id))


def _bound(column: pd.Series, name: str, *, after: bool) -> int:
    """The first row whose value sorts after ``name`` (``after``) or at or after it, in a sorted text column."""
    lo, hi = 0, len(column)
    while lo < hi:
        mid = (lo + hi) // 2
        value = column.iloc[mid]
        if value < name or (after and value == name):
            lo = mid + 1
        else:
            hi = mid
    return lo


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
