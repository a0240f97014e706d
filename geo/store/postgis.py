"""The shared store: PostgreSQL with PostGIS, behind the same :class:`~geo.store.base.Store` protocol.

``--store postgresql://USER@HOST:PORT/DB`` (or ``$CONFLICTMAP_STORE``) opens it through
:func:`geo.store.open_store`, which calls :func:`open_url`. Several dashboard servers and command-line runs share
one database: every write is one transaction holding an advisory lock (two imports at once land one after the
other, never interleaved; a failed one leaves nothing), and bumps a change token kept in the database, which
:meth:`PostGISStore.version` reads (one indexed one-row query, about 0.1 ms), so every server's caches see a write
on their next run.

Layout and migrations: :mod:`geo.store._pg_schema` (a ``conflictmap`` schema in the database, versioned in its
``schema_version`` table, migrated forward when opened or by ``python -m geo store migrate``). Rows go in and
out by ``COPY`` (:mod:`geo.store._pg_rows`), writes are diffed in SQL (:mod:`geo.store._pg_write`), assessed
areas of control are in :mod:`geo.store._pg_control`.

Connections come from one :class:`psycopg_pool.ConnectionPool` per URL and process.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import geopandas as gpd
import pandas as pd
import psycopg
import psycopg_pool
from psycopg import sql

from geo import schema
from geo.errors import GeoError, NotFoundError
from geo.store import _pg_control, _pg_schema
from geo.store._gpkg_read import _events_frame, _frame
from geo.store._gpkg_write import _conform, _with_dataset
from geo.store._ledger import POSTGRES, Ledger
from geo.store._pg_rows import copy_out
from geo.store._pg_schema import LOCK_WRITE, NS, PG_SCHEMA_VERSION, bump, table
from geo.store._pg_write import Entry, delete, utc_now, write_rows
from geo.store.base import (
    AssessmentWriteResult,
    DateLike,
    EventQuery,
    WriteResult,
)

__all__ = ["PG_SCHEMA_VERSION", "PostGISStore", "close_pools", "migrate", "open_url"]

_POOLS: dict[str, psycopg_pool.ConnectionPool] = {}
_POOLS_LOCK = threading.Lock()
_POOL_MAX = 8


def _configure(con: psycopg.Connection) -> None:
    """Session settings every pooled connection has: ISO dates (read back by Arrow), UTC."""
    con.execute("SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'")


def _pool(url: str) -> psycopg_pool.ConnectionPool:
    """The one pool of ``url`` in this process (opened on first use)."""
    with _POOLS_LOCK:
        pool = _POOLS.get(url)
        if pool is None:
            pool = _POOLS[url] = psycopg_pool.ConnectionPool(
                url,
                min_size=1,
                max_size=_POOL_MAX,
                kwargs={"autocommit": True, "connect_timeout": _pg_schema.CONNECT_TIMEOUT_S},
                configure=_configure,
                check=psycopg_pool.ConnectionPool.check_connection,
                timeout=10,  # a page waits this long for a database that went away, then says so
                name=f"geo-store-{len(_POOLS)}",
                open=True,
            )
        return pool


def close_pools(url: str | None = None) -> None:
    """Close the connection pool of ``url`` (every pool when None); a store used again opens a new one.

    Parameters
    ----------
    url : str or None
        The URL the store was opened with.
    """
    with _POOLS_LOCK:
        pools = [_POOLS.pop(url, None)] if url is not None else [_POOLS.pop(k) for k in list(_POOLS)]
    for pool in pools:
        if pool is not None:
            pool.close()


def open_url(url: str, *, create: bool = True, seed: bool = True) -> PostGISStore:
    """Open the store in the database at ``url``, creating (and seeding) it on first use.

    Parameters
    ----------
    url : str
        ``postgresql://USER[:PASSWORD]@HOST:PORT/DB`` (any libpq URL; ``?host=/socket/dir`` for a local socket).
    create : bool
        Create the store's tables (and the PostGIS extension, when the user may) when the database has none.
    seed : bool
        Write the bundled dataset into a store this call creates, in the same transaction.

    Returns
    -------
    PostGISStore
        The store, migrated to :data:`PG_SCHEMA_VERSION`.

    Raises
    ------
    GeoError
        The database cannot be reached, refuses the password, lacks PostGIS (and it cannot be created), or holds
        a store of a newer version: one line saying what to do.
    NotFoundError
        The database holds no store and ``create`` is false.
    """
    return PostGISStore(url, create=create, seed=seed)


def migrate(url: str, *, create: bool = True) -> tuple[str, int | None, int]:
    """Bring the store at ``url`` to :data:`PG_SCHEMA_VERSION` (``python -m geo store migrate``).

    Parameters
    ----------
    url : str
        The database URL.
    create : bool
        Create the store's tables, empty (not seeded), in a database that has none.

    Returns
    -------
    tuple
        The store's location, the version found (None: there was no store) and the version now.
    """
    with _pg_schema.connect(url) as con:
        location = _pg_schema.location_of(con)
        found, now = _pg_schema.migrate(con, location, create=create)
    return location, found, now


def _seed_into(con: psycopg.Connection) -> None:
    """Write the bundled dataset inside the creating transaction (nothing when ``geo.seed`` is missing)."""
    try:
        from geo import seed as bundled
    except ModuleNotFoundError as err:
        if err.name != "geo.seed":
            raise
        return
    events, claims = bundled.load_seed()
    name = getattr(bundled, "DATASET", "feb-2026")
    events, claims = _conform(_with_dataset(events, name), claims)
    entry = Entry(name, "bundled", "Bundled, sourced dataset: claims and events of February 2026.", "data/seed")
    write_rows(con, events, claims, entry)
    bump(con)


class PostGISStore(Ledger):
    """A store kept in a PostgreSQL database with PostGIS.

    Parameters
    ----------
    url : str
        The database URL (its password, if any, is never shown: see :attr:`location`).
    create : bool
        Create the store in the database when it has none.
    seed : bool
        Write the bundled dataset into a store this call creates.
    """

    _dialect = POSTGRES

    def __init__(self, url: str, *, create: bool = True, seed: bool = False) -> None:
        self._url = url = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "postgresql://", url)  # postgres://, +psycopg
        with _pg_schema.connect(url) as con:
            self._location = _pg_schema.location_of(con)
            _pg_schema.migrate(con, self._location, create=create, fill=_seed_into if seed else None)

    @property
    def _pool(self) -> psycopg_pool.ConnectionPool:
        return _pool(self._url)

    # -- properties ------------------------------------------------------------------------------------------

    @property
    def location(self) -> str:
        """``postgresql://user@host:port/dbname`` of the database (never a password)."""
        return self._location

    def __repr__(self) -> str:
        return f"PostGISStore({self._location!r})"

    def version(self) -> str:
        """The change token kept in the database: the store's id and a counter bumped by every changing write.

        One query of a one-row table on a pooled connection (about 0.1 ms on a local socket).

        Returns
        -------
        str
            The token.

        Raises
        ------
        NotFoundError
            The store's tables have gone (the schema was dropped).
        """
        try:
            with self._conn() as con:
                row = con.execute(sql.SQL("SELECT store_id, token FROM {}").format(table("state"))).fetchone()
        except psycopg.errors.UndefinedTable:
            raise NotFoundError(f"the store in {self._location} has gone (no {NS!r} schema)") from None
        return f"{row[0]}-{row[1]:x}"

    # -- reading ---------------------------------------------------------------------------------------------

    def read_events(
        self,
        *,
        layers: str | Iterable[str] | None = None,
        datasets: str | Iterable[str] | None = None,
        date_from: DateLike | None = None,
        date_to: DateLike | None = None,
        event_ids: str | Iterable[str] | None = None,
        bbox: Sequence[float] | None = None,
    ) -> gpd.GeoDataFrame:
        """Read events matching every filter given, the filters run in SQL (see :meth:`Store.read_events`).

        Parameters
        ----------
        layers, datasets, event_ids : str, iterable of str or None
            Keep only these (``None``: all; an empty list: none).
        date_from, date_to : date-like or None
            Keep events overlapping ``[date_from, date_to]``.
        bbox : sequence of 4 floats or None
            (min lon, min lat, max lon, max lat): keep events whose geometry meets the box (GiST index);
            events without a geometry are left out. Not part of the protocol: this store only.

        Returns
        -------
        GeoDataFrame
            EPSG:4326, :data:`geo.schema.EVENT_COLUMNS` then ``geometry``, in stored order, a RangeIndex.
        """
        query = EventQuery.build(
            layers=layers, datasets=datasets, date_from=date_from, date_to=date_to, event_ids=event_ids
        )
        where, params = _event_where(query)
        if bbox is not None:
            x0, y0, x1, y1 = (float(v) for v in bbox)
            where.append(sql.SQL("geometry && ST_MakeEnvelope(%s, %s, %s, %s, 4326)"))
            params.extend([x0, y0, x1, y1])
        if query.selects_nothing:
            where, params = [sql.SQL("false")], []
        columns = sql.SQL(", ").join(sql.Identifier(c.name) for c in schema.EVENT_COLUMNS)
        select = sql.SQL("SELECT {}, encode(ST_AsBinary(geometry), 'hex') AS geometry FROM {} WHERE {} ORDER BY fid")
        statement = select.format(columns, table("events"), _and(where))
        with self._conn() as con:
            arrow = copy_out(con, statement, params, schema.EVENT_COLUMNS, with_geometry=True)
        return _events_frame(arrow)

    def read_claims(
        self,
        *,
        event_ids: str | Iterable[str] | None = None,
        datasets: str | Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """Read the claims about some events, or all claims (see :meth:`Store.read_claims`).

        Returns
        -------
        DataFrame
            :data:`geo.schema.CLAIM_COLUMNS` in the dtypes :func:`geo.validate.validate` returns, stored order.
        """
        query = EventQuery.build(datasets=datasets, event_ids=event_ids)
        where: list[sql.Composable] = []
        params: list[object] = []
        if query.event_ids is not None:
            where.append(sql.SQL("event_id = ANY(%s)"))
            params.append(list(query.event_ids))
        if query.datasets is not None:
            of = sql.SQL("event_id IN (SELECT event_id FROM {} WHERE dataset = ANY(%s))")
            where.append(of.format(table("events")))
            params.append(list(query.datasets))
        if query.selects_nothing:
            where, params = [sql.SQL("false")], []
        columns = sql.SQL(", ").join(sql.Identifier(c.name) for c in schema.CLAIM_COLUMNS)
        statement = sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY fid").format(columns, table("claims"), _and(where))
        with self._conn() as con:
            arrow = copy_out(con, statement, params, schema.CLAIM_COLUMNS, with_geometry=False)
        return _frame(arrow, schema.CLAIM_COLUMNS)

    def datasets(self) -> pd.DataFrame:
        """The dataset registry with event and claim counts (:data:`geo.store.base.DATASET_COLUMNS`), by name.

        Returns
        -------
        DataFrame
            One row per dataset; times as UTC timestamps (ms), counts int64.
        """
        statement = sql.SQL(
            """SELECT d.name, d.kind, d.description, d.source, d.created_at, d.updated_at,
                      COALESCE(e.n, 0), COALESCE(c.n, 0)
               FROM {d} d
               LEFT JOIN (SELECT dataset, count(*) AS n FROM {e} GROUP BY dataset) e ON e.dataset = d.name
               LEFT JOIN (SELECT e2.dataset, count(*) AS n FROM {c} c2 JOIN {e} e2 ON e2.event_id = c2.event_id
                          GROUP BY e2.dataset) c ON c.dataset = d.name
               ORDER BY d.name COLLATE "C"
            """
        ).format(d=table("datasets"), e=table("events"), c=table("claims"))
        with self._conn() as con:
            rows = con.execute(statement).fetchall()
        from geo.store.base import DATASET_COLUMNS

        cols = list(zip(*rows, strict=True)) if rows else [()] * len(DATASET_COLUMNS)
        out = pd.DataFrame(index=pd.RangeIndex(len(rows)))
        for name, values in zip(DATASET_COLUMNS, cols, strict=True):
            if name in ("created_at", "updated_at"):
                out[name] = pd.to_datetime(pd.Series(values, dtype=object), utc=True).astype("datetime64[ms, UTC]")
            elif name in ("events", "claims"):
                out[name] = pd.Series(values, dtype="int64")
            else:
                out[name] = pd.Series(values, dtype=object)
        return out

    def count(self) -> int:
        """Number of events stored."""
        with self._conn() as con:
            return int(con.execute(sql.SQL("SELECT count(*) FROM {}").format(table("events"))).fetchone()[0])

    def is_empty(self) -> bool:
        """Whether no event is stored."""
        with self._conn() as con:
            return con.execute(sql.SQL("SELECT 1 FROM {} LIMIT 1").format(table("events"))).fetchone() is None

    # -- writing ---------------------------------------------------------------------------------------------

    def _write_rows(
        self,
        con: psycopg.Connection,
        events: pd.DataFrame,
        claims: pd.DataFrame,
        dataset: str,
        kind: str,
        description: str = "",
        source: str = "",
    ) -> WriteResult:
        """The rows of a write (checked frames) inside the caller's transaction; the token bumped when they changed."""
        result, changed = write_rows(con, events, claims, Entry(dataset, kind, description, source))
        if changed:
            bump(con)
        return result

    def _remove_rows(self, con: psycopg.Connection, name: str) -> int:
        """Delete a dataset's rows and registry entry inside the caller's transaction (the ledger trashed them)."""
        return delete(con, name, self._location)

    def _data_changed(self, con: psycopg.Connection, *, restored: bool = False) -> None:
        bump(con)

    def _ledger_read(self) -> contextlib.AbstractContextManager[psycopg.Connection]:
        return self._conn()

    # -- assessed areas of control ---------------------------------------------------------------------------

    def write_assessments(self, frame: pd.DataFrame, *, source: str = "") -> AssessmentWriteResult:
        """Insert or replace days of assessed control in one transaction (see :meth:`Store.write_assessments`)."""
        from geo.store._gpkg_control import _check_frame

        rows = _check_frame(frame.reset_index(drop=True))
        if source:
            rows["source"] = rows["source"].where(rows["source"].notna(), source)
        with self._transaction() as con:
            result = _pg_control.write(con, rows, utc_now())
            if result.changed:
                bump(con)
        return result

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
        """Days of assessed control matching every filter, by series and day (see :meth:`Store.read_assessments`)."""
        where, params = _pg_control.where_clause(assessors, sides, kinds, date_from, date_to)
        with self._conn() as con:
            return _pg_control.read(con, where, params, geometry=geometry)

    def delete_assessments(
        self, assessor: str, *, date_from: DateLike | None = None, date_to: DateLike | None = None
    ) -> int:
        """Remove an assessor's days (those within the dates, when given) in one transaction; return how many."""
        with self._transaction() as con:
            n = _pg_control.delete(con, assessor, date_from, date_to)
            if n:
                bump(con)
        return n

    # -- plumbing --------------------------------------------------------------------------------------------

    @contextmanager
    def _conn(self) -> Iterator[psycopg.Connection]:
        """A pooled connection (autocommit); a lost server is a :class:`GeoError`, not a traceback."""
        try:
            with self._pool.connection() as con:
                yield con
        except psycopg_pool.PoolTimeout as err:
            raise GeoError(f"{self._location}: no connection to the database ({err}); is PostgreSQL running?") from None
        except psycopg.OperationalError as err:
            if isinstance(err, psycopg.errors.QueryCanceled | psycopg.errors.LockNotAvailable):
                raise
            raise GeoError(f"{self._location}: the database connection failed: {str(err).splitlines()[0]}") from None

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection]:
        """One write transaction holding the store's write lock: committed when the block ends, else rolled back."""
        try:
            with self._conn() as con, con.transaction():
                con.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_WRITE,))
                yield con
        except psycopg.DataError as err:  # text PostgreSQL cannot hold (a NUL character), a number out of range
            raise GeoError(
                f"{self._location}: the database refused the rows ({str(err).splitlines()[0]}); nothing was written"
            ) from None


def _event_where(query: EventQuery) -> tuple[list[sql.Composable], list[object]]:
    """``WHERE`` parts and parameters of a query (layers, datasets, dates, ids)."""
    where: list[sql.Composable] = []
    params: list[object] = []
    for column, values in (("layer", query.layers), ("dataset", query.datasets), ("event_id", query.event_ids)):
        if values is not None:
            where.append(sql.SQL("{} = ANY(%s)").format(sql.Identifier(column)))
            params.append(list(values))
    if query.date_to is not None:
        where.append(sql.SQL("time_start <= %s"))
        params.append(query.date_to.date())
    if query.date_from is not None:
        where.append(sql.SQL("time_end >= %s"))
        params.append(query.date_from.date())
    return where, params


def _and(parts: list[sql.Composable]) -> sql.Composable:
    return sql.SQL(" AND ").join(parts) if parts else sql.SQL("true")
