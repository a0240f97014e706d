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
``assessments``
    Feature table of assessed areas of control (MultiPolygon, EPSG:4326), one
    row per assessor, day, side holding and kind, with the area in km²; made
    by the first write of assessments (see ``_gpkg_control``).

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
(see :class:`~geo.store._gpkg_lock._Switch`): a GDAL read waits for a write of
the same process.

:meth:`GeoPackageStore.version` is the file's identity, size and modification
time plus SQLite's *file change counter* (bytes 24–27 of the database header,
bumped by every transaction that changes the file, whoever makes it), read
without taking a lock (see :func:`~geo.store._gpkg_lock._change_counter`): a
few microseconds.

Modules
-------
This module holds :class:`GeoPackageStore` and its connections; the pieces
are private modules beside it: ``_gpkg_schema`` (table names, creating and
checking the file), ``_gpkg_lock`` (GDAL and :mod:`sqlite3` taking turns, the
change counter), ``_gpkg_blob`` (GeoPackage geometry blobs), ``_gpkg_rows``
(rows encoded for SQLite), ``_gpkg_write`` (the statements of a write
transaction) and ``_gpkg_read`` (``WHERE`` clauses, Arrow tables to frames).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyogrio

from geo import schema
from geo._gdal import gdal_name
from geo.errors import GeoError, NotFoundError
from geo.store import _gpkg_control
from geo.store._gpkg_lock import _BUSY_TIMEOUT_S, _change_counter, _forget_header, _switch
from geo.store._gpkg_read import (
    _DATASETS_SQL,
    _datasets_frame,
    _event_where,
    _events_frame,
    _frame,
    _gdal_busy_timeout,
    _id_wheres,
    _in,
    _in_stored_order,
)
from geo.store._gpkg_rows import _Rows
from geo.store._gpkg_schema import (
    CLAIMS,
    EVENTS,
    META,
    _add_columns,
    _check_layout,
    _create,
    _empty_table,
    _missing_columns,
    _not_a_store,
    _read_layout,
    _utc_now,
)
from geo.store._gpkg_write import (
    _check_registry,
    _count_triggers_off,
    _delete,
    _Entry,
    _plan,
    _record_write,
    _set_extent,
    _stored_extent,
    _touch,
    _upsert_claims,
    _upsert_events,
)
from geo.store._ledger import SQLITE, Ledger, ddl
from geo.store.base import (
    AssessmentWriteResult,
    DateLike,
    EventQuery,
    WriteResult,
)

__all__ = ["GeoPackageStore"]

# Tests replace ``_upsert_claims``, ``_WRITE_CACHE_KIB`` and ``_IDS_PER_QUERY`` of this module: the store's
# methods use them through this module's names (keep them here).
_WRITE_CACHE_KIB = 512 * 1024  # a writer's page cache: imports of ~500k events are written at COMMIT only
_IDS_PER_QUERY = 20_000  # event ids per WHERE … IN (…) when reading


class GeoPackageStore(Ledger):
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

    _dialect = SQLITE

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
        return _events_frame(self._read_arrows(EVENTS, columns, _event_where(query), query, geometry=True))

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
        return _frame(self._read_arrows(CLAIMS, columns, where, query), columns)

    def datasets(self) -> pd.DataFrame:
        """The dataset registry, with how many events and claims each dataset has.

        Returns
        -------
        DataFrame
            Columns :data:`geo.store.base.DATASET_COLUMNS`, one row per
            dataset, sorted by name; ``created_at``/``updated_at`` as UTC
            timestamps, counts as int64.
        """
        with self._sqlite(readonly=True) as con:
            rows = con.execute(_DATASETS_SQL).fetchall()
        return _datasets_frame(rows)

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

    def _write_rows(
        self,
        con: sqlite3.Connection,
        events: pd.DataFrame,
        claims: pd.DataFrame,
        dataset: str,
        kind: str,
        description: str = "",
        source: str = "",
    ) -> WriteResult:
        """The rows of a write (checked frames) inside the caller's transaction, with the registry and extent."""
        ev = _Rows(events, schema.EVENT_COLUMNS, "event_id")
        cl = _Rows(claims, schema.CLAIM_COLUMNS, "claim_id")
        entry = _Entry(dataset, kind, description, source)
        _check_registry(con, entry)
        plan_e = _plan(con, EVENTS, ev, dataset)
        plan_c = _plan(con, CLAIMS, cl, dataset)
        result = WriteResult(*_upsert_events(con, ev, plan_e), *_upsert_claims(con, cl, plan_c))
        _record_write(con, entry, result, ev, _utc_now())
        return result

    def _remove_rows(self, con: sqlite3.Connection, name: str) -> int:
        """Delete a dataset's rows and registry entry inside the caller's transaction (the ledger trashed them)."""
        return _delete(con, name, self.location, _utc_now())

    def _bulk(self, con: sqlite3.Connection, table: str) -> contextlib.AbstractContextManager[None]:
        return _count_triggers_off(con, table)

    def _data_changed(self, con: sqlite3.Connection, *, restored: bool = False) -> None:
        now = _utc_now()
        _touch(con, CLAIMS, now)
        if restored:
            _touch(con, EVENTS, now)
            _set_extent(con, _stored_extent(con))

    @contextmanager
    def _ledger_read(self) -> Iterator[sqlite3.Connection]:
        with self._sqlite(readonly=True) as con:
            yield con

    # -- assessed areas of control ---------------------------------------------------------------------------

    def write_assessments(self, frame: pd.DataFrame, *, source: str = "") -> AssessmentWriteResult:
        """Insert or replace days of assessed control in one transaction (see :meth:`Store.write_assessments`).

        A day is keyed by assessor, ``as_of``, side and kind: written again, it is replaced when its geometry or
        source differs and left alone (the file untouched) when identical. ``area_km2`` is computed in the
        equal-area projection of :mod:`geo.control.model` where missing. Every problem of the input is raised
        together (:class:`ValidationError`) and nothing is written.
        """
        rows = _gpkg_control._check_frame(frame.reset_index(drop=True))
        if source:
            rows["source"] = rows["source"].where(rows["source"].notna(), source)
        now = _utc_now()
        with self._transaction() as con:
            return _gpkg_control._write(con, rows, now)

    def read_assessments(
        self,
        *,
        assessors: str | Iterable[str] | None = None,
        sides: str | Iterable[str] | None = None,
        kinds: str | Iterable[str] | None = None,
        date_from: DateLike | None = None,
        date_to: DateLike | None = None,
        geometry: bool = True,
    ) -> pd.DataFrame:
        """Days of assessed control matching every filter, by series and day (see :meth:`Store.read_assessments`).

        ``geometry=False`` reads the catalogue only (no blob decoded). Empty when nothing was ever imported.
        """
        where, params = _gpkg_control._where(assessors, sides, kinds, date_from, date_to)
        with self._sqlite(readonly=True) as con:
            return _gpkg_control._read(con, where, params, geometry=geometry)

    def delete_assessments(
        self, assessor: str, *, date_from: DateLike | None = None, date_to: DateLike | None = None
    ) -> int:
        """Remove an assessor's days (those within the dates, when given) in one transaction; return how many."""
        now = _utc_now()
        with self._transaction() as con:
            return _gpkg_control._delete(con, assessor, date_from, date_to, now)

    # -- plumbing --------------------------------------------------------------------------------------------

    @contextmanager
    def _sqlite(self, *, readonly: bool = False) -> Iterator[sqlite3.Connection]:
        """A :mod:`sqlite3` connection, open only while no GDAL read of this file runs in this process.

        ``readonly`` opens the file read-only when it is not writable anyway
        (a writable connection is used otherwise, so that a journal left by a
        crashed writer is rolled back by the first reader).
        """
        self._must_exist()
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
        try:
            with self._sqlite(readonly=True) as con:
                layout = _read_layout(con)
        except sqlite3.DatabaseError as err:
            raise _not_a_store(self.location, err) from err
        _check_layout(layout, self.location)
        self._add_missing_columns()
        self._ensure_ledger()

    def _ensure_ledger(self) -> None:
        """Create the ledger's tables (users, audit trail, versions, trash, change log) in a file made without them."""
        with self._sqlite(readonly=True) as con:
            have = con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger'").fetchone()
        if have is not None or not os.access(self._path, os.W_OK):
            return
        with self._transaction() as con:
            if con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'ledger'").fetchone() is None:
                for statement in ddl(SQLITE):
                    con.execute(statement)

    def _add_missing_columns(self) -> None:
        """Add columns the schema gained since the file was made (all optional, so NULL in old rows)."""
        with self._sqlite(readonly=True) as con:
            missing = _missing_columns(con)
        if not missing:
            return
        try:
            with self._transaction() as con:
                _add_columns(con, missing)
        except sqlite3.Error as err:
            names = ", ".join(f"{t}.{c.name}" for t, c in missing)
            raise GeoError(f"{self.location!r} lacks columns {names} and cannot be upgraded: {err}") from err

    def _must_exist(self) -> None:
        """Raise :class:`NotFoundError` when the file has gone."""
        if not self._path.exists():
            raise NotFoundError(f"the store file {self.location!r} has gone")

    def _read_arrows(
        self,
        layer: str,
        columns: Sequence[schema.Column],
        where: str | None,
        query: EventQuery,
        *,
        geometry: bool = False,
    ) -> pa.Table:
        """Rows of ``layer`` matching ``where`` and the query's event ids (a read per slice of ids), in stored order."""
        wheres = _id_wheres(where, query.event_ids, _IDS_PER_QUERY)
        tables = [self._read_arrow(layer, columns, w, geometry=geometry) for w in wheres]
        return _in_stored_order(tables)

    def _read_arrow(
        self, layer: str, columns: Sequence[schema.Column], where: str | None, *, geometry: bool = False
    ) -> pa.Table:
        """One GDAL read of ``layer`` (with the fids), after any journal left by a writer is dealt with."""
        self._must_exist()
        if Path(f"{self._path}-journal").exists():
            # A journal: a writer is busy, or crashed. A writable SQLite connection waits for the first and
            # rolls back what the second left; GDAL opens read-only and could do neither.
            with self._sqlite(readonly=True) as con:
                con.execute(f"SELECT 1 FROM {META} LIMIT 1").fetchall()
        _gdal_busy_timeout()
        with _switch(self._path).hold("gdal"):
            _, table = pyogrio.read_arrow(
                gdal_name(self._path, "GeoPackage"),  # GDAL's GeoPackage driver and no other
                layer=layer,
                columns=[c.name for c in columns],
                where=where,
                read_geometry=geometry,
                return_fids=True,
            )
        return table
