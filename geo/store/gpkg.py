"""The embedded store: one GeoPackage file (OGC), which QGIS and ``ogrinfo`` open.

Layout
------
``events``
    Feature table, geometry column ``geometry`` (any type, EPSG:4326, NULL for
    an event located only to a region), one column per
    :data:`geo.schema.EVENT_COLUMNS` (dates as ``DATE``, text as ``TEXT``).
``claims``
    Attribute table, one column per :data:`geo.schema.CLAIM_COLUMNS`
    (``stated_at`` as ``DATETIME`` — the local time as reported, so written
    without a ``Z`` — figures as ``REAL``).
``datasets``
    Registry: ``name``, ``kind``, ``description``, ``source``,
    ``created_at``, ``updated_at`` (UTC).
``meta``
    ``key``/``value`` pairs, among them ``schema_version``.

GDAL (through pyogrio) creates the file and its GeoPackage metadata once,
without a spatial index (whose triggers call ``ST_*`` functions plain SQLite
lacks). Every write after that is one SQLite transaction through
:mod:`sqlite3`: geometries are encoded as GeoPackage binary blobs here, rows
whose id is stored already are staged in a temporary table and compared by
SQLite, and ``gpkg_contents`` (extent, last change) is updated inside the
same transaction. An import lands whole or not at all; a crash leaves a
journal that the next reader rolls back. The file keeps SQLite's rollback
journal (no ``-wal`` file beside it): readers in other processes see the
last committed state while a write is prepared and wait while it commits.

Events and claims are read through GDAL's Arrow interface with the filters
pushed into the SQL ``WHERE``. GDAL has its own copy of SQLite, so within one
process GDAL reads and :mod:`sqlite3` connections to the same file take turns
(see :class:`_Switch`): a GDAL read waits for a write of the same process.

:meth:`GeoPackageStore.version` is the file's identity, size and modification
time plus SQLite's *file change counter* (bytes 24–27 of the database header,
bumped by every transaction that changes the file, whoever makes it), read
without taking a lock (see :func:`_change_counter`): a few microseconds.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Final, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio
import shapely
from pyogrio.errors import DataSourceError

from geo import schema
from geo.errors import GeoError, NotFoundError, Problem, ValidationError
from geo.store.base import (
    DATASET_COLUMNS,
    SCHEMA_VERSION,
    DateLike,
    EventQuery,
    WriteResult,
    check_dataset_name,
    check_kind,
)

__all__ = ["GeoPackageStore"]

EVENTS: Final = "events"
CLAIMS: Final = "claims"
DATASETS: Final = "datasets"
META: Final = "meta"
GEOMETRY: Final = "geometry"
SRS_ID: Final = 4326

_BUSY_TIMEOUT_S = 60.0
_WRITE_CACHE_KIB = 512 * 1024  # a writer's page cache: imports of ~500k events are written at COMMIT only
_IDS_PER_QUERY = 20_000  # event ids per WHERE … IN (…) when reading
_MAX_LISTED = 20

_ARROW_TYPES = {
    "str": pa.string(),
    "float": pa.float64(),
    "int": pa.int64(),
    "date": pa.date32(),
    "datetime": pa.timestamp("ms"),
}
_SQL_TYPES = {"str": "TEXT", "float": "REAL", "int": "INTEGER", "date": "DATE", "datetime": "DATETIME"}
_DATASET_TABLE = (
    schema.Column("name", "str", True),
    schema.Column("kind", "str", True),
    schema.Column("description", "str"),
    schema.Column("source", "str"),
    schema.Column("created_at", "datetime", True),
    schema.Column("updated_at", "datetime", True),
)
_META_TABLE = (schema.Column("key", "str", True), schema.Column("value", "str"))

# GeoPackage binary header: 'GP', version 0, flags, srs_id, envelope [minx, maxx, miny, maxy].
_GP_HEADER = np.dtype(
    [("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs_id", "<i4"), ("envelope", "<f8", (4,))]
)
_GP_FLAGS = 0b0000_0011  # standard GeoPackageBinary, not empty, envelope xy (1 << 1), little endian (1)
_NO_BLOB = bytearray()  # encoded missing geometry (never mutated)
_ENVELOPE_DOUBLES = {0: 0, 1: 4, 2: 6, 3: 6, 4: 8}


class _Switch:
    """Keeps GDAL and :mod:`sqlite3` off one file at the same time within this process.

    pyogrio's GDAL carries its own copy of SQLite. SQLite's file locks are
    POSIX advisory locks, which belong to the process, and closing *any*
    descriptor of a file drops all of them: a GDAL read finishing while a
    :mod:`sqlite3` connection of the same process holds a lock would
    silently release that lock (and the other way round), and the two
    copies do not see each other's locks at all. Several users of the same
    library may overlap (SQLite handles that); users of different libraries
    take turns. Between processes SQLite's locks work as usual.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = {"gdal": 0, "sqlite": 0}

    @contextmanager
    def hold(self, group: str) -> Iterator[None]:
        other = "sqlite" if group == "gdal" else "gdal"
        with self._cond:
            while self._active[other]:
                self._cond.wait()
            self._active[group] += 1
        try:
            yield
        finally:
            with self._cond:
                self._active[group] -= 1
                if not self._active[group]:
                    self._cond.notify_all()


_SWITCHES: dict[str, _Switch] = {}
_SWITCHES_LOCK = threading.Lock()


def _switch(path: Path) -> _Switch:
    key = os.path.realpath(path)
    with _SWITCHES_LOCK:
        return _SWITCHES.setdefault(key, _Switch())


_HEADERS: dict[str, tuple[int, int, int]] = {}  # file path -> (st_dev, st_ino, descriptor kept open)
_HEADERS_LOCK = threading.Lock()
_CHANGE_COUNTER_AT = 24  # SQLite database header: 4-byte big-endian file change counter


def _change_counter(path: Path) -> tuple[os.stat_result, int]:
    """The file's ``stat`` and SQLite's file change counter, read with no lock and no SQLite connection.

    The counter is read through a descriptor opened once per file and per
    process and *never closed* while the file is the store: SQLite's locks
    are POSIX locks, which belong to the process, and closing any descriptor
    of a file drops every lock the process holds on it (a write in another
    thread, a GDAL read) — see :class:`_Switch`. Reading takes no lock and so
    never waits for a writer; a value read while another process commits is
    the old or the new one, and the next call sees the new one. When the path
    names another file (the store was replaced), the old file's descriptor is
    closed: no connection of this store uses that file any more.
    """
    info = os.stat(path)
    key = str(path)
    with _HEADERS_LOCK:
        entry = _HEADERS.get(key)
        if entry is None or entry[:2] != (info.st_dev, info.st_ino):
            fd = os.open(path, os.O_RDONLY)
            info = os.fstat(fd)  # the file opened, should it have been replaced since the stat
            if entry is not None:
                os.close(entry[2])
            entry = _HEADERS[key] = (info.st_dev, info.st_ino, fd)
        header = os.pread(entry[2], 4, _CHANGE_COUNTER_AT)
    return info, int.from_bytes(header, "big")


def _forget_header(path: Path) -> None:
    """Close the descriptor :func:`_change_counter` kept for a file that has gone."""
    with _HEADERS_LOCK:
        entry = _HEADERS.pop(str(path), None)
        if entry is not None:
            os.close(entry[2])


class GeoPackageStore:
    """A store kept in one GeoPackage file.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.gpkg`` file.
    create : bool
        Create the file (and missing parent folders) when it does not exist.

    Raises
    ------
    NotFoundError
        The file does not exist and ``create`` is false.
    GeoError
        The path is a folder, or a file that is not a store of this library
        (not SQLite, not a GeoPackage, tables missing, a newer schema).

    Examples
    --------
    >>> store = GeoPackageStore("data/conflict.gpkg")  # doctest: +SKIP
    >>> store.write(events, claims, dataset="my-import")  # doctest: +SKIP
    WriteResult(inserted_events=120, ...)
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = True) -> None:
        given = str(Path(path).expanduser())
        self._path = Path(os.path.abspath(given))  # one location per file, however it was named
        if self._path.is_dir():
            raise GeoError(f"store path {given!r} is a folder; give the path of a .gpkg file")
        if not self._path.exists() or self._path.stat().st_size == 0:
            if not create:
                why = "the file is empty" if self._path.exists() else "the file does not exist"
                raise NotFoundError(f"no store at {given!r} ({why})")
            _create(self._path)
        self._check()

    # -- properties ------------------------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The GeoPackage file (an absolute path)."""
        return self._path

    @property
    def location(self) -> str:
        """The file's absolute path, as a string."""
        return str(self._path)

    def version(self) -> str:
        """A change token: differs after every write that changed the file.

        The file's inode, size and modification time, SQLite's file change
        counter (which a transaction that changes the file bumps even within
        one tick of the file-system clock, whichever process or program made
        it) and, when another program put the file in WAL mode, the ``-wal``
        file's size and time. Reads, and writes that change nothing, leave
        the file and so the token as they were. Costs a few microseconds: two
        ``stat`` calls and a 4-byte read, no SQLite connection.

        Returns
        -------
        str
            The token.

        Raises
        ------
        NotFoundError
            The file has gone.
        """
        try:
            info, counter = _change_counter(self._path)
        except FileNotFoundError:
            _forget_header(self._path)
            raise NotFoundError(f"the store file {self.location!r} has gone") from None
        except OSError as err:
            raise GeoError(f"cannot read the store file {self.location!r}: {err}") from err
        token = f"{info.st_ino:x}-{info.st_size:x}-{info.st_mtime_ns:x}-{counter:x}"
        try:
            wal = os.stat(f"{self._path}-wal")
        except OSError:
            return token
        return f"{token}-{wal.st_size:x}-{wal.st_mtime_ns:x}"

    def __repr__(self) -> str:
        return f"GeoPackageStore({self.location!r})"

    # -- reading ---------------------------------------------------------------------------------------------

    def read_events(
        self,
        *,
        layers: str | Iterable[str] | None = None,
        datasets: str | Iterable[str] | None = None,
        date_from: DateLike | None = None,
        date_to: DateLike | None = None,
        event_ids: str | Iterable[str] | None = None,
    ) -> gpd.GeoDataFrame:
        """Read events matching every filter given.

        Parameters
        ----------
        layers : str, iterable of str or None
            Layers to keep (:data:`geo.schema.LAYERS`).
        datasets : str, iterable of str or None
            Datasets to keep.
        date_from, date_to : str, date, datetime, Timestamp or None
            Keep events overlapping ``[date_from, date_to]``:
            ``time_start <= date_to`` and ``time_end >= date_from``.
        event_ids : str, iterable of str or None
            Events to keep.

        Returns
        -------
        GeoDataFrame
            EPSG:4326, columns of :data:`geo.schema.EVENT_COLUMNS` then
            ``geometry``, in the dtypes :func:`geo.validate.validate` returns
            (dates ``datetime64[ms]``, text ``object`` with ``None``), rows in
            the order they were first stored, a RangeIndex.

        Raises
        ------
        ValidationError
            Unknown layer, a bad date, ``date_from`` after ``date_to``.
        NotFoundError
            The file has gone.
        """
        query = EventQuery.build(
            layers=layers, datasets=datasets, date_from=date_from, date_to=date_to, event_ids=event_ids
        )
        columns = (*schema.EVENT_COLUMNS,)
        if query.selects_nothing:
            return _events_frame(_empty_table(columns, geometry=True))
        where = _event_where(query)
        if query.event_ids is None:
            tables = [self._read_arrow(EVENTS, columns, where, geometry=True)]
        else:
            tables = [
                self._read_arrow(EVENTS, columns, _and(where, _in("event_id", chunk)), geometry=True)
                for chunk in _chunks(query.event_ids, _IDS_PER_QUERY)
            ]
        return _events_frame(_in_stored_order(tables))

    def read_claims(
        self,
        *,
        event_ids: str | Iterable[str] | None = None,
        datasets: str | Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """Read the claims about some events, or all claims.

        Parameters
        ----------
        event_ids : str, iterable of str or None
            Keep claims about these events.
        datasets : str, iterable of str or None
            Keep claims about events of these datasets.

        Returns
        -------
        DataFrame
            Columns of :data:`geo.schema.CLAIM_COLUMNS` in the dtypes
            :func:`geo.validate.validate` returns (``stated_at``
            ``datetime64[ms]``, figures ``float64``, text ``object``), a
            RangeIndex.
        """
        query = EventQuery.build(datasets=datasets, event_ids=event_ids)
        columns = schema.CLAIM_COLUMNS
        if query.selects_nothing:
            return _frame(_empty_table(columns), columns)
        where = None
        if query.datasets is not None:
            where = f"event_id IN (SELECT event_id FROM {EVENTS} WHERE {_in('dataset', query.datasets)})"
        if query.event_ids is None:
            tables = [self._read_arrow(CLAIMS, columns, where)]
        else:
            tables = [
                self._read_arrow(CLAIMS, columns, _and(where, _in("event_id", chunk)))
                for chunk in _chunks(query.event_ids, _IDS_PER_QUERY)
            ]
        return _frame(_in_stored_order(tables), columns)

    def datasets(self) -> pd.DataFrame:
        """The dataset registry, with how many events and claims each dataset has.

        Returns
        -------
        DataFrame
            Columns :data:`geo.store.base.DATASET_COLUMNS`, one row per
            dataset, sorted by name; ``created_at``/``updated_at`` as UTC
            timestamps, counts as int64.
        """
        sql = f"""
            SELECT d.name, d.kind, d.description, d.source, d.created_at, d.updated_at,
                   COALESCE(e.n, 0), COALESCE(c.n, 0)
            FROM {DATASETS} d
            LEFT JOIN (SELECT dataset, COUNT(*) AS n FROM {EVENTS} GROUP BY dataset) e ON e.dataset = d.name
            LEFT JOIN (SELECT e2.dataset, COUNT(*) AS n FROM {CLAIMS} c2
                       JOIN {EVENTS} e2 ON e2.event_id = c2.event_id GROUP BY e2.dataset) c
                   ON c.dataset = d.name
            ORDER BY d.name"""
        with self._sqlite(readonly=True) as con:
            rows = con.execute(sql).fetchall()
        cols = list(zip(*rows, strict=True)) if rows else [()] * len(DATASET_COLUMNS)
        out = pd.DataFrame(index=pd.RangeIndex(len(rows)))
        for name, values in zip(DATASET_COLUMNS, cols, strict=True):
            if name in ("created_at", "updated_at"):
                out[name] = pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601").astype(
                    "datetime64[ms, UTC]"
                )
            elif name in ("events", "claims"):
                out[name] = np.asarray(values, dtype=np.int64)
            else:
                out[name] = pd.Series(values, dtype=object)
        return out

    def count(self) -> int:
        """Number of events stored.

        Returns
        -------
        int
            Events in every dataset.
        """
        with self._sqlite(readonly=True) as con:
            return int(con.execute(f"SELECT COUNT(*) FROM {EVENTS}").fetchone()[0])

    def is_empty(self) -> bool:
        """Whether no event is stored.

        Returns
        -------
        bool
            True for a new store or one whose datasets were all deleted.
        """
        with self._sqlite(readonly=True) as con:
            return con.execute(f"SELECT 1 FROM {EVENTS} LIMIT 1").fetchone() is None

    # -- writing ---------------------------------------------------------------------------------------------

    def write(
        self,
        events: pd.DataFrame,
        claims: pd.DataFrame,
        *,
        dataset: str,
        kind: str = "import",
        description: str = "",
        source: str = "",
        validated: bool = False,
    ) -> WriteResult:
        """Insert or update the events and claims of one dataset, in one transaction.

        Rows are matched by ``event_id`` / ``claim_id``: a new id is
        inserted, a known one updated when anything in it differs, and left
        alone when it is identical (writing the same data twice changes
        nothing, not even the file). Rows stored earlier and missing from this
        input are kept; use :meth:`delete_dataset` to replace a dataset.

        Parameters
        ----------
        events : GeoDataFrame or DataFrame
            Events (:data:`geo.schema.EVENT_COLUMNS`). Their ``dataset`` is
            set to ``dataset`` where missing and must equal it where given.
            Not modified.
        claims : DataFrame
            Claims about these events (:data:`geo.schema.CLAIM_COLUMNS`).
            Not modified.
        dataset : str
            Name of the dataset.
        kind : str
            ``"bundled"``, ``"synthetic"`` or ``"import"``; fixed when the
            dataset is first written.
        description, source : str
            Text for the registry; an empty string keeps what is there.
        validated : bool
            The frames come from :func:`geo.validate.validate` already: skip
            validating them again (ids are still checked for duplicates).

        Returns
        -------
        WriteResult
            Inserted, updated and unchanged events and claims.

        Raises
        ------
        ValidationError
            The input is invalid (every problem found, from
            :func:`geo.validate.validate`), an event names another dataset,
            an id already belongs to another dataset, or ``kind`` differs from
            the dataset's. Nothing is written.
        """
        name = check_dataset_name(dataset)
        kind = check_kind(kind)
        events = _with_dataset(events, name)
        if validated:
            events, claims = _conform(events, claims)
        else:
            from geo.validate import validate

            events, claims = validate(events, claims, context=f"dataset {name!r}")
        ev = _Rows(events, schema.EVENT_COLUMNS, "event_id")
        cl = _Rows(claims, schema.CLAIM_COLUMNS, "claim_id")
        now = _utc_now()
        with self._transaction() as con:
            _check_registry(con, name, kind)
            plan_e = _plan(con, EVENTS, ev, name)
            plan_c = _plan(con, CLAIMS, cl, name)
            ins_e, upd_e, same_e = _upsert_events(con, ev, plan_e)
            ins_c, upd_c, same_c = _upsert_claims(con, cl, plan_c)
            changed = bool(ins_e or upd_e or ins_c or upd_c)
            registry_changed = _register(con, name, kind, description, source, now, data_changed=changed)
            if ins_e or upd_e:
                _touch(con, EVENTS, now)
                _widen_extent(con, ev.extent)
            if ins_c or upd_c:
                _touch(con, CLAIMS, now)
            if registry_changed:
                _touch(con, DATASETS, now)
        return WriteResult(ins_e, upd_e, same_e, ins_c, upd_c, same_c)

    def delete_dataset(self, name: str) -> int:
        """Remove a dataset: its events, their claims and its registry entry.

        Parameters
        ----------
        name : str
            The dataset.

        Returns
        -------
        int
            Number of events removed.

        Raises
        ------
        NotFoundError
            No dataset of that name.
        """
        name = check_dataset_name(name)
        now = _utc_now()
        with self._transaction() as con:
            registered = con.execute(f"SELECT 1 FROM {DATASETS} WHERE name = ?", (name,)).fetchone()
            has_events = con.execute(f"SELECT 1 FROM {EVENTS} WHERE dataset = ? LIMIT 1", (name,)).fetchone()
            if registered is None and has_events is None:
                known = [r[0] for r in con.execute(f"SELECT name FROM {DATASETS} ORDER BY name")]
                raise NotFoundError(
                    f"no dataset {name!r} in {self.location!r}"
                    + (f"; datasets: {', '.join(known)}" if known else "; the store has no datasets")
                )
            with _count_triggers_off(con, CLAIMS):
                claims = con.execute(
                    f"DELETE FROM {CLAIMS} WHERE event_id IN (SELECT event_id FROM {EVENTS} WHERE dataset = ?)",
                    (name,),
                ).rowcount
            with _count_triggers_off(con, EVENTS):
                n = con.execute(f"DELETE FROM {EVENTS} WHERE dataset = ?", (name,)).rowcount
            con.execute(f"DELETE FROM {DATASETS} WHERE name = ?", (name,))
            if n:
                _touch(con, EVENTS, now)
                _set_extent(con, _stored_extent(con))
            if claims:
                _touch(con, CLAIMS, now)
            _touch(con, DATASETS, now)
        return int(n)

    # -- plumbing --------------------------------------------------------------------------------------------

    @contextmanager
    def _sqlite(self, *, readonly: bool = False) -> Iterator[sqlite3.Connection]:
        """A :mod:`sqlite3` connection, open only while no GDAL read of this file runs in this process.

        ``readonly`` opens the file read-only when it is not writable anyway
        (a writable connection is used otherwise, so that a journal left by a
        crashed writer is rolled back by the first reader).
        """
        if not self._path.exists():
            raise NotFoundError(f"the store file {self.location!r} has gone")
        mode = "ro" if readonly and not os.access(self._path, os.W_OK) else "rw"
        uri = self._path.absolute().as_uri() + f"?mode={mode}"
        with _switch(self._path).hold("sqlite"):
            con = sqlite3.connect(uri, uri=True, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
            try:
                yield con
            finally:
                con.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed when the block ends, rolled back on any exception."""
        with self._sqlite() as con:
            con.execute(f"PRAGMA cache_size = -{_WRITE_CACHE_KIB}")
            con.execute(f"PRAGMA temp.cache_size = -{_WRITE_CACHE_KIB // 2}")
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
            try:
                con.execute("COMMIT")
            except sqlite3.Error as err:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise GeoError(f"could not commit the write to {self.location!r}: {err}") from err

    def _check(self) -> None:
        """Refuse a file that is not a store of this library (or of a newer version)."""
        what = f"{self.location!r} is not a conflict-map store"
        try:
            with self._sqlite(readonly=True) as con:
                app = con.execute("PRAGMA application_id").fetchone()[0]
                tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                missing = [t for t in (EVENTS, CLAIMS, DATASETS, META) if t not in tables]
                version = None
                if META in tables:
                    row = con.execute(f"SELECT value FROM {META} WHERE key = 'schema_version'").fetchone()
                    version = row[0] if row else None
        except sqlite3.DatabaseError as err:
            raise GeoError(f"{what}: it is not a GeoPackage (SQLite says: {err})") from err
        if app != 0x47504B47:
            raise GeoError(f"{what}: it is not a GeoPackage")
        if missing:
            raise GeoError(f"{what}: tables {', '.join(missing)} are missing (open another file or a new path)")
        try:
            version_number = int(version)
        except (TypeError, ValueError):
            raise GeoError(f"{what}: its meta table has no schema_version") from None
        if version_number > SCHEMA_VERSION:
            raise GeoError(
                f"{self.location!r} was written by a newer version (schema {version_number}, this one reads "
                f"{SCHEMA_VERSION}); upgrade the software"
            )
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """Add columns the schema gained since the file was made (all optional, so NULL in old rows)."""
        with self._sqlite(readonly=True) as con:
            missing = [
                (table, col)
                for table, columns in ((EVENTS, schema.EVENT_COLUMNS), (CLAIMS, schema.CLAIM_COLUMNS))
                for have in [{r[1] for r in con.execute(f"PRAGMA table_info({table})")}]
                for col in columns
                if col.name not in have
            ]
        if not missing:
            return
        try:
            with self._transaction() as con:
                for table, col in missing:
                    con.execute(f'ALTER TABLE {table} ADD COLUMN "{col.name}" {_SQL_TYPES[col.dtype]}')
        except sqlite3.Error as err:
            names = ", ".join(f"{t}.{c.name}" for t, c in missing)
            raise GeoError(f"{self.location!r} lacks columns {names} and cannot be upgraded: {err}") from err

    def _read_arrow(
        self, layer: str, columns: Sequence[schema.Column], where: str | None, *, geometry: bool = False
    ) -> pa.Table:
        if not self._path.exists():
            raise NotFoundError(f"the store file {self.location!r} has gone")
        if Path(f"{self._path}-journal").exists():
            # A journal: a writer is busy, or crashed. A writable SQLite connection waits for the first and
            # rolls back what the second left; GDAL opens read-only and could do neither.
            with self._sqlite(readonly=True) as con:
                con.execute(f"SELECT 1 FROM {META} LIMIT 1").fetchall()
        _gdal_busy_timeout()
        with _switch(self._path).hold("gdal"):
            _, table = pyogrio.read_arrow(
                self._path,
                layer=layer,
                columns=[c.name for c in columns],
                where=where,
                read_geometry=geometry,
                return_fids=True,
            )
        return table


# -- creating --------------------------------------------------------------------------------------


def _arrow_schema(columns: Iterable[schema.Column], *, geometry: bool = False) -> pa.Schema:
    fields = [pa.field(c.name, _ARROW_TYPES[c.dtype]) for c in columns]
    if geometry:
        fields.append(pa.field(GEOMETRY, pa.binary()))
    return pa.schema(fields)


def _empty_table(columns: Sequence[schema.Column], *, geometry: bool = False) -> pa.Table:
    return _arrow_schema(columns, geometry=geometry).empty_table()


def _create(path: Path) -> None:
    """Create an empty store at ``path`` atomically (built beside it, then renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:12]}.tmp.gpkg")
    common = {"driver": "GPKG", "layer_options": {"FID": "fid"}}
    try:
        pyogrio.write_arrow(
            _empty_table(schema.EVENT_COLUMNS, geometry=True),
            tmp,
            layer=EVENTS,
            driver="GPKG",
            geometry_name=GEOMETRY,
            geometry_type="Unknown",
            crs=schema.CRS,
            layer_options={
                "FID": "fid",
                "GEOMETRY_NAME": GEOMETRY,
                "SPATIAL_INDEX": "NO",
                "DESCRIPTION": "Events: something on the ground (capture, strike, impact, talks)",
            },
        )
        for layer, columns, description in (
            (
                CLAIMS,
                schema.CLAIM_COLUMNS,
                "Claims: statements about an event, with their figures and sources",
            ),
            (DATASETS, _DATASET_TABLE, "Datasets stored here: bundled, synthetic and imports"),
            (META, _META_TABLE, "Store metadata (schema_version)"),
        ):
            pyogrio.write_arrow(
                _empty_table(columns),
                tmp,
                layer=layer,
                geometry_type=None,
                **{**common, "layer_options": {**common["layer_options"], "DESCRIPTION": description}},
            )
        with closing(sqlite3.connect(tmp, isolation_level=None)) as con:
            con.execute("BEGIN")
            for statement in (
                f"CREATE UNIQUE INDEX idx_events_event_id ON {EVENTS} (event_id)",
                f"CREATE INDEX idx_events_dataset ON {EVENTS} (dataset)",
                f"CREATE INDEX idx_events_time_start ON {EVENTS} (time_start)",
                f"CREATE UNIQUE INDEX idx_claims_claim_id ON {CLAIMS} (claim_id)",
                f"CREATE INDEX idx_claims_event_id ON {CLAIMS} (event_id)",
                f"CREATE UNIQUE INDEX idx_datasets_name ON {DATASETS} (name)",
                f"CREATE UNIQUE INDEX idx_meta_key ON {META} (key)",
            ):
                con.execute(statement)
            from geo import __version__

            con.executemany(
                f"INSERT INTO {META} (key, value) VALUES (?, ?)",
                [
                    ("schema_version", str(SCHEMA_VERSION)),
                    ("created_by", f"geo {__version__}"),
                    ("created_at", _utc_now()),
                ],
            )
            con.execute("COMMIT")
        os.replace(tmp, path)
    except (OSError, DataSourceError, sqlite3.Error) as err:
        raise GeoError(f"could not create the store {str(path)!r}: {err}") from err
    finally:
        tmp.unlink(missing_ok=True)


# -- encoding --------------------------------------------------------------------------------------


class _Rows:
    """Incoming rows of one table, encoded for SQLite a chunk at a time (only the rows written).

    Missing values are encoded so that :mod:`sqlite3` binds them on its fast
    paths (binding ``None`` or ``bytes`` costs several times more): text as
    ``''`` and blobs as ``bytearray()`` — both turned into NULL by ``NULLIF``
    in the statement — and numbers as NaN, which SQLite stores as NULL.
    """

    def __init__(self, frame: pd.DataFrame, columns: Sequence[schema.Column], key: str) -> None:
        self.frame = frame
        self.key = key
        self.columns = {c.name: c for c in columns}
        self.keys = frame[key].to_numpy(dtype=object)
        self.geometry: np.ndarray | None = None
        if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns:
            geom = frame.geometry
            if geom.crs is not None and geom.crs != schema.CRS:
                geom = geom.to_crs(schema.CRS)
            self.geometry = geom.to_numpy()

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def names(self) -> tuple[str, ...]:
        """Stored column names, the geometry first for events."""
        return (GEOMETRY, *self.columns) if self.key == "event_id" else tuple(self.columns)

    @property
    def extent(self) -> tuple[float, ...] | None:
        """(minx, miny, maxx, maxy) of every incoming geometry, or None."""
        if self.geometry is None:
            return None
        return _extent(shapely.bounds(self.geometry))

    def placeholder(self, name: str) -> str:
        """SQL for one bound value of a column (NULL for the encoded missing value)."""
        if name == GEOMETRY:
            return "NULLIF(?, x'')"
        return "?" if self.columns[name].dtype in ("float", "int") else "NULLIF(?, '')"

    def encode(self, name: str, index: np.ndarray) -> np.ndarray:
        """Bind-ready values of one column for the rows ``index``."""
        if name == GEOMETRY:
            return _no_blobs(len(index)) if self.geometry is None else _gpkg_blobs(self.geometry[index])
        col = self.columns[name]
        if col.name not in self.frame.columns:
            return np.full(len(index), np.nan if col.dtype in ("float", "int") else "", dtype=object)
        return _encode_column(col, self.frame[col.name].iloc[index])

    def rows(self, names: Sequence[str], index: np.ndarray, chunk: int = 100_000) -> Iterator[tuple]:
        """Rows ``index`` of the columns ``names``, as tuples, encoded a chunk at a time."""
        for i in range(0, len(index), chunk):
            part = index[i : i + chunk]
            yield from zip(*(self.encode(n, part).tolist() for n in names), strict=True)


def _text(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype=object, na_value="")


def _floats(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _datetimes(values: pd.Series, unit: str) -> np.ndarray:
    """ISO text: ``YYYY-MM-DD`` (unit D) or ``YYYY-MM-DDTHH:MM:SS.sss`` (ms, no zone); '' if missing."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        parsed = values
    else:
        parsed = pd.to_datetime(values, errors="coerce", format="mixed")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    raw = parsed.to_numpy(dtype=f"datetime64[{unit}]")
    out = np.datetime_as_string(raw, unit=unit).astype(object)
    out[np.isnat(raw)] = ""
    return out


def _encode_column(col: schema.Column, values: pd.Series) -> np.ndarray:
    if col.dtype == "date":
        return _datetimes(values, "D")
    if col.dtype == "datetime":
        return _datetimes(values, "ms")
    if col.dtype in ("float", "int"):
        return _floats(values)
    return _text(values)


def _no_blobs(n: int) -> np.ndarray:
    out = np.empty(n, dtype=object)
    out.fill(_NO_BLOB)
    return out


def _gpkg_blobs(geoms: np.ndarray) -> np.ndarray:
    """GeoPackage binary blobs (envelope xy) of shapely geometries, as bytearrays; missing/empty → empty."""
    out = _no_blobs(len(geoms))
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return out
    g = geoms[present]
    wkb = shapely.to_wkb(g, output_dimension=2, byte_order=1, flavor="iso")
    bounds = shapely.bounds(g)
    header = np.zeros(len(g), dtype=_GP_HEADER)
    header["magic"] = b"GP"
    header["flags"] = _GP_FLAGS
    header["srs_id"] = SRS_ID
    header["envelope"] = bounds[:, [0, 2, 1, 3]]
    raw = header.tobytes()
    size = _GP_HEADER.itemsize
    out[present] = np.fromiter(
        (bytearray(raw[i : i + size]) + w for i, w in zip(range(0, len(raw), size), wkb, strict=True)),
        dtype=object,
        count=len(g),
    )
    return out


def _gpkg_bounds(blobs: Sequence[bytes]) -> np.ndarray:
    """Bounds (minx, miny, maxx, maxy) of GeoPackage blobs, read from their envelope or WKB."""
    out = np.full((len(blobs), 4), np.nan)
    if not blobs:
        return out
    flags = np.frombuffer(bytes(b[3] for b in blobs), dtype=np.uint8)
    env = (flags >> 1) & 0b111
    has_env = (env >= 1) & (env <= 4) & ((flags & 1) == 1)
    if has_env.any():
        idx = np.flatnonzero(has_env)
        xy = np.frombuffer(b"".join(blobs[i][8:40] for i in idx), dtype="<f8").reshape(-1, 4)
        out[idx] = xy[:, [0, 2, 1, 3]]
    rest = np.flatnonzero(~has_env & ((flags >> 4) & 1 == 0))
    if len(rest):
        skip = [8 + 8 * _ENVELOPE_DOUBLES.get(int(e), 0) for e in env[rest]]
        geoms = shapely.from_wkb([blobs[i][k:] for i, k in zip(rest, skip, strict=True)], on_invalid="ignore")
        out[rest] = shapely.bounds(geoms)
    return out


def _with_dataset(events: pd.DataFrame, name: str) -> pd.DataFrame:
    """A shallow copy of ``events`` whose ``dataset`` is ``name`` (missing ones filled; others refused)."""
    out = events.copy(deep=False)
    if "dataset" not in out.columns:
        out["dataset"] = name
        return out
    given = out["dataset"].astype("string").str.strip()
    blank = given.isna() | given.eq("")
    other = (~blank & given.ne(name)).fillna(False).to_numpy(dtype=bool)
    if other.any():
        idx = np.flatnonzero(other)
        problems = [
            Problem(
                f"event belongs to dataset {given.iloc[i]!r}, not {name!r}",
                row=int(i) + 1,
                column="dataset",
                fix="write each dataset separately, or leave the column empty",
            )
            for i in idx[:_MAX_LISTED]
        ]
        if len(idx) > _MAX_LISTED:
            problems.append(Problem(f"… and {len(idx) - _MAX_LISTED} more rows of other datasets", column="dataset"))
        raise ValidationError(problems, context=f"dataset {name!r} events")
    out["dataset"] = np.where(blank.to_numpy(dtype=bool), name, given.to_numpy(dtype=object, na_value=None))
    return out


def _conform(events: pd.DataFrame, claims: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Frames said to be validated: check what the store itself relies on (ids present, unique)."""
    problems: list[Problem] = []
    for table, frame, key in (("events", events, "event_id"), ("claims", claims, "claim_id")):
        for col in (key, "event_id"):
            if col not in frame.columns:
                problems.append(Problem("required column is missing", column=f"{table}.{col}"))
        if key in frame.columns:
            ids = frame[key]
            blank = ids.isna().to_numpy(dtype=bool)
            dup = ids.duplicated(keep=False).to_numpy(dtype=bool) & ~blank
            for i in np.flatnonzero(blank)[:_MAX_LISTED]:
                problems.append(Problem("required value is empty", row=int(i) + 1, column=f"{table}.{key}"))
            for i in np.flatnonzero(dup)[:_MAX_LISTED]:
                problems.append(Problem(f"duplicate {key}: {ids.iloc[i]!r}", row=int(i) + 1, column=f"{table}.{key}"))
    if not problems:
        unknown = ~claims["event_id"].isin(events["event_id"]).to_numpy(dtype=bool)
        for i in np.flatnonzero(unknown)[:_MAX_LISTED]:
            problems.append(
                Problem(
                    f"claim names an event that is not in this write: {claims['event_id'].iloc[i]!r}",
                    row=int(i) + 1,
                    column="claims.event_id",
                )
            )
    if problems:
        raise ValidationError(problems, context="validated input")
    return events, claims


# -- upserting -------------------------------------------------------------------------------------


@contextmanager
def _count_triggers_off(con: sqlite3.Connection, table: str) -> Iterator[None]:
    """Drop GDAL's per-row feature-count triggers of ``table`` for a bulk change, then restore them.

    GDAL keeps ``gpkg_ogr_contents.feature_count`` with an ``UPDATE`` per
    inserted or deleted row; for a million rows that is a million updates.
    Inside the caller's transaction the triggers are dropped, the change is
    made, the triggers are recreated from their own SQL and the count is set
    once — as GDAL does for its own bulk loads.
    """
    names = (f"trigger_insert_feature_count_{table}", f"trigger_delete_feature_count_{table}")
    triggers = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (?, ?)", names
    ).fetchall()
    for name, _ in triggers:
        con.execute(f'DROP TRIGGER "{name}"')
    yield
    for _, sql in triggers:
        con.execute(sql)
    if triggers:
        con.execute(
            f"UPDATE gpkg_ogr_contents SET feature_count = (SELECT COUNT(*) FROM {table}) "
            "WHERE lower(table_name) = lower(?)",
            (table,),
        )


class _Plan(NamedTuple):
    """How a write goes to one table: straight inserts, or through a staging table when ids exist."""

    staged: bool
    existing: int


def _plan(con: sqlite3.Connection, table: str, rows: _Rows, dataset: str) -> _Plan:
    """Check the incoming ids and, when some are stored already, stage the rows for comparison.

    Raises :class:`ValidationError` when an incoming id belongs to another
    dataset. New ids only (a first import, a new dataset): the rows go
    straight in. Otherwise every incoming row is staged in a temporary table
    in its stored form, so SQLite compares it with the stored row.
    """
    n = len(rows)
    if n == 0 or con.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is None:
        return _Plan(staged=False, existing=0)
    key = rows.key
    owner = f"(SELECT e.dataset FROM {EVENTS} e WHERE e.event_id = t.event_id)"
    if table == EVENTS:
        owner = "t.dataset"
    con.execute("CREATE TEMP TABLE _keys (pos INTEGER PRIMARY KEY, k TEXT NOT NULL)")
    con.executemany("INSERT INTO temp._keys (k) VALUES (?)", zip(rows.keys.tolist(), strict=True))
    con.execute("CREATE INDEX temp._keys_k ON _keys (k)")
    foreign = con.execute(
        f"SELECT k.pos, k.k, {owner} AS owner FROM temp._keys k JOIN {table} t ON t.{key} = k.k "
        f"WHERE owner IS NOT ? ORDER BY k.pos LIMIT {_MAX_LISTED + 1}",
        (dataset,),
    ).fetchall()
    existing = con.execute(f"SELECT COUNT(*) FROM temp._keys k JOIN {table} t ON t.{key} = k.k").fetchone()[0]
    con.execute("DROP TABLE temp._keys")
    if foreign:
        problems = [
            Problem(
                f"{key} {k!r} already belongs to dataset {other!r}",
                row=int(pos),
                column=f"{table}.{key}",
                fix="ids are unique across datasets: rename it, or delete the other dataset first",
            )
            for pos, k, other in foreign[:_MAX_LISTED]
        ]
        if len(foreign) > _MAX_LISTED:
            problems.append(Problem("… and more", column=f"{table}.{key}"))
        raise ValidationError(problems, context=f"dataset {dataset!r}")
    if existing == 0:
        return _Plan(staged=False, existing=0)
    names = rows.names
    declared = ", ".join(f'"{c}"' for c in names)
    con.execute(f"CREATE TEMP TABLE _stage_{table} (pos INTEGER PRIMARY KEY, {declared})")
    values = ", ".join(rows.placeholder(c) for c in names)
    con.executemany(f"INSERT INTO temp._stage_{table} ({declared}) VALUES ({values})", rows.rows(names, np.arange(n)))
    con.execute(f"CREATE UNIQUE INDEX temp._stage_{table}_key ON _stage_{table} ({key})")
    return _Plan(staged=True, existing=int(existing))


def _upsert(con: sqlite3.Connection, table: str, rows: _Rows, plan: _Plan) -> tuple[int, int, int]:
    """Carry out a plan: update changed rows, insert new ones; returns (inserted, updated, unchanged)."""
    names = rows.names
    declared = ", ".join(f'"{c}"' for c in names)
    if not plan.staged:
        if len(rows):
            values = ", ".join(rows.placeholder(c) for c in names)
            everything = rows.rows(names, np.arange(len(rows)))
            with _count_triggers_off(con, table):
                con.executemany(f"INSERT INTO {table} ({declared}) VALUES ({values})", everything)
        return len(rows), 0, 0
    key = rows.key
    others = [c for c in names if c != key]
    sets = ", ".join(f'"{c}" = s."{c}"' for c in others)
    differs = " OR ".join(f't."{c}" IS NOT s."{c}"' for c in others)
    updated = con.execute(
        f"UPDATE {table} AS t SET {sets} FROM temp._stage_{table} s WHERE t.{key} = s.{key} AND ({differs})"
    ).rowcount
    inserted = 0
    if len(rows) > plan.existing:
        staged = ", ".join(f's."{c}"' for c in names)
        with _count_triggers_off(con, table):
            inserted = con.execute(
                f"INSERT INTO {table} ({declared}) SELECT {staged} FROM temp._stage_{table} s "
                f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{key} = s.{key}) ORDER BY s.pos"
            ).rowcount
    con.execute(f"DROP TABLE temp._stage_{table}")
    return inserted, updated, plan.existing - updated


def _upsert_events(con: sqlite3.Connection, rows: _Rows, plan: _Plan) -> tuple[int, int, int]:
    """Write the events of a plan; returns (inserted, updated, unchanged)."""
    return _upsert(con, EVENTS, rows, plan)


def _upsert_claims(con: sqlite3.Connection, rows: _Rows, plan: _Plan) -> tuple[int, int, int]:
    """Write the claims of a plan (after their events); returns (inserted, updated, unchanged)."""
    return _upsert(con, CLAIMS, rows, plan)


def _check_registry(con: sqlite3.Connection, name: str, kind: str) -> None:
    row = con.execute(f"SELECT kind FROM {DATASETS} WHERE name = ?", (name,)).fetchone()
    if row is not None and row[0] != kind:
        raise ValidationError(
            Problem(
                f"dataset {name!r} is stored as {row[0]!r}, not {kind!r}",
                column="kind",
                fix=f"write it as kind {row[0]!r}, choose another name, or delete the dataset first",
            )
        )


def _register(
    con: sqlite3.Connection,
    name: str,
    kind: str,
    description: str,
    source: str,
    now: str,
    *,
    data_changed: bool,
) -> bool:
    """Add or update the registry row; return whether anything in it changed."""
    row = con.execute(f"SELECT description, source FROM {DATASETS} WHERE name = ?", (name,)).fetchone()
    if row is None:
        con.execute(
            f"INSERT INTO {DATASETS} (name, kind, description, source, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (name, kind, description or None, source or None, now, now),
        )
        return True
    new_description = description or row[0]
    new_source = source or row[1]
    if not data_changed and (new_description, new_source) == tuple(row):
        return False
    con.execute(
        f"UPDATE {DATASETS} SET description = ?, source = ?, updated_at = ? WHERE name = ?",
        (new_description, new_source, now, name),
    )
    return True


def _stored_extent(con: sqlite3.Connection) -> tuple[float, ...] | None:
    blobs = [r[0] for r in con.execute(f"SELECT {GEOMETRY} FROM {EVENTS} WHERE {GEOMETRY} IS NOT NULL")]
    if not blobs:
        return None
    return _extent(_gpkg_bounds(blobs))


def _extent(bounds: np.ndarray) -> tuple[float, ...] | None:
    """(minx, miny, maxx, maxy) over rows of per-geometry bounds; None when all are missing."""
    if np.isnan(bounds).all():
        return None
    return (
        float(np.nanmin(bounds[:, 0])),
        float(np.nanmin(bounds[:, 1])),
        float(np.nanmax(bounds[:, 2])),
        float(np.nanmax(bounds[:, 3])),
    )


def _touch(con: sqlite3.Connection, table: str, now: str) -> None:
    """Set ``gpkg_contents.last_change`` of a table."""
    con.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?", (now, table))


def _widen_extent(con: sqlite3.Connection, extent: tuple[float, ...] | None) -> None:
    """Grow the events' extent in ``gpkg_contents`` to cover ``extent`` (minx, miny, maxx, maxy)."""
    if extent is None:
        return
    con.execute(
        """UPDATE gpkg_contents SET
               min_x = min(COALESCE(min_x, :x0), :x0), min_y = min(COALESCE(min_y, :y0), :y0),
               max_x = max(COALESCE(max_x, :x1), :x1), max_y = max(COALESCE(max_y, :y1), :y1)
           WHERE table_name = :t""",
        {"x0": extent[0], "y0": extent[1], "x1": extent[2], "y1": extent[3], "t": EVENTS},
    )


def _set_extent(con: sqlite3.Connection, extent: tuple[float, ...] | None) -> None:
    """Set the events' extent in ``gpkg_contents`` (NULL when there is no geometry left)."""
    values = (None,) * 4 if extent is None else extent
    con.execute(
        "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?",
        (*values, EVENTS),
    )


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# -- reading ---------------------------------------------------------------------------------------


def _gdal_busy_timeout() -> None:
    """Make GDAL wait for a writer's COMMIT instead of failing with 'database is locked'."""
    if pyogrio.get_gdal_config_option("OGR_SQLITE_PRAGMA") is None:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_PRAGMA": f"busy_timeout={int(_BUSY_TIMEOUT_S * 1000)}"})


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(_quote(v) for v in values)})"


def _and(*parts: str | None) -> str | None:
    kept = [p for p in parts if p]
    return " AND ".join(f"({p})" for p in kept) if kept else None


def _in_stored_order(tables: list[pa.Table]) -> pa.Table:
    """One table from the results of several queries, rows in the order they were stored (by fid)."""
    if len(tables) == 1:
        return tables[0]
    return pa.concat_tables(tables).sort_by("fid")


def _chunks(values: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _event_where(query: EventQuery) -> str | None:
    parts: list[str | None] = []
    if query.layers is not None:
        parts.append(_in("layer", query.layers))
    if query.datasets is not None:
        parts.append(_in("dataset", query.datasets))
    if query.date_to is not None:
        parts.append(f"time_start <= '{query.date_to:%Y-%m-%d}'")
    if query.date_from is not None:
        parts.append(f"time_end >= '{query.date_from:%Y-%m-%d}'")
    return _and(*parts)


def _column(arr: pa.ChunkedArray, col: schema.Column) -> np.ndarray | pd.Series:
    if col.dtype == "str":
        return pd.Series(_strings(arr), dtype=object)
    if col.dtype in ("date", "datetime"):
        if pa.types.is_timestamp(arr.type) and arr.type.tz is not None:
            arr = arr.cast(pa.timestamp("ms", tz=arr.type.tz)).cast(pa.timestamp("ms"))
        elif pa.types.is_string(arr.type):
            return pd.to_datetime(pd.Series(arr.to_numpy(zero_copy_only=False)), format="ISO8601").astype(
                "datetime64[ms]"
            )
        return arr.cast(pa.timestamp("ms")).to_numpy(zero_copy_only=False).astype("datetime64[ms]")
    return arr.cast(pa.float64()).to_numpy(zero_copy_only=False)


def _strings(arr: pa.ChunkedArray) -> np.ndarray:
    """Object array of str/None; repeated values share one str object (less memory, faster)."""
    if len(arr) == 0:
        return np.empty(0, dtype=object)
    encoded = pc.dictionary_encode(arr.combine_chunks())
    dictionary = encoded.dictionary.to_numpy(zero_copy_only=False)
    if len(dictionary) > len(arr) // 2:  # mostly distinct (ids): no sharing to gain
        return arr.to_numpy(zero_copy_only=False)
    lookup = np.empty(len(dictionary) + 1, dtype=object)
    lookup[:-1] = dictionary
    lookup[-1] = None
    return lookup[pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)]


def _frame(table: pa.Table, columns: Sequence[schema.Column]) -> pd.DataFrame:
    out = pd.DataFrame(index=pd.RangeIndex(table.num_rows))
    for col in columns:
        out[col.name] = _column(table.column(col.name), col)
    return out


def _events_frame(table: pa.Table) -> gpd.GeoDataFrame:
    out = _frame(table, schema.EVENT_COLUMNS)
    if GEOMETRY in table.column_names:
        wkb = table.column(GEOMETRY).to_numpy(zero_copy_only=False)
        geoms = shapely.from_wkb(wkb)
    else:
        geoms = np.full(table.num_rows, None, dtype=object)
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms, crs=schema.CRS).to_numpy(), crs=schema.CRS)
