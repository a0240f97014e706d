"""The store's layout in PostgreSQL/PostGIS: tables, migrations, connecting, and errors in one line.

Everything lives in one PostgreSQL schema, :data:`NS` (``conflictmap``), of the database the URL names:

``schema_version``
    One row per migration applied (``version``, ``applied_at``, ``applied_by``); the highest is the layout's
    version. A database whose highest version is above :data:`PG_SCHEMA_VERSION` was written by newer software
    and is refused; a lower one is migrated forward, in one transaction, when it is opened.
``state``
    One row: ``store_id`` (random, made with the schema) and ``token`` (bumped by every write transaction that
    changed something): :meth:`~geo.store.postgis.PostGISStore.version` reads the two.
``datasets``, ``events``, ``claims``
    The registry and the two tables of :mod:`geo.schema` (one column each; ``geometry`` is a PostGIS
    ``geometry(Geometry, 4326)`` with a GiST index; ``fid`` keeps the order rows were first stored in).
``assessments``
    Assessed areas of control (schema version 2).

Creating and migrating run under an advisory lock (two servers opening a new database at once make one schema),
in one transaction: an error (PostGIS missing, no right to create it) leaves nothing behind. Private to
:mod:`geo.store.postgis`.
"""

from __future__ import annotations

import re
import urllib.parse
import uuid
from collections.abc import Callable
from typing import Any, Final

import psycopg
from psycopg import errors, sql

from geo import schema
from geo.errors import GeoError, NotFoundError
from geo.store._urls import shown

NS: Final = "conflictmap"
"""The PostgreSQL schema (namespace) holding the store's tables."""
PG_SCHEMA_VERSION: Final = 3
"""Version of the PostGIS layout this code writes; migrations below take older ones to it."""
LOCK_MIGRATE: Final = 0x636D_6D69  # pg_advisory_xact_lock keys ('cmmi', 'cmwr'): creating/migrating, writing
LOCK_WRITE: Final = 0x636D_7772
CONNECT_TIMEOUT_S: Final = 10

_SQL_TYPES: Final = {
    "str": "text",
    "float": "double precision",
    "int": "double precision",  # no integer column today; numbers are read back as float64 either way
    "date": "date",
    "datetime": "timestamp(3)",
}


def q(name: str) -> sql.Identifier:
    """A quoted identifier."""
    return sql.Identifier(name)


def table(name: str) -> sql.Composed:
    """``conflictmap.<name>``, quoted."""
    return sql.SQL("{}.{}").format(sql.Identifier(NS), sql.Identifier(name))


def _columns(columns: tuple[schema.Column, ...], skip: str) -> sql.Composed:
    return sql.SQL("").join(
        sql.SQL(", {} {}").format(q(c.name), sql.SQL(_SQL_TYPES[c.dtype])) for c in columns if c.name != skip
    )


def _v1() -> list[sql.Composable]:
    """Schema version 1: the registry, events and claims, the change token."""
    return [
        sql.SQL("CREATE SCHEMA {}").format(q(NS)),
        sql.SQL(
            "CREATE TABLE {} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now(), "
            "applied_by text)"
        ).format(table("schema_version")),
        sql.SQL(
            "CREATE TABLE {} (one boolean PRIMARY KEY DEFAULT true CHECK (one), store_id text NOT NULL, "
            "token bigint NOT NULL DEFAULT 0)"
        ).format(table("state")),
        sql.SQL(
            "CREATE TABLE {} (name text PRIMARY KEY, kind text NOT NULL, description text, source text, "
            "created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)"
        ).format(table("datasets")),
        sql.SQL(
            "CREATE TABLE {} (fid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, event_id text NOT NULL UNIQUE, "
            "geometry geometry(Geometry, 4326){})"
        ).format(table("events"), _columns(schema.EVENT_COLUMNS, "event_id")),
        sql.SQL("CREATE INDEX events_geometry ON {} USING gist (geometry)").format(table("events")),
        sql.SQL("CREATE INDEX events_dataset ON {} (dataset)").format(table("events")),
        sql.SQL("CREATE INDEX events_layer_start ON {} (layer, time_start)").format(table("events")),
        sql.SQL("CREATE INDEX events_start ON {} (time_start)").format(table("events")),
        sql.SQL("CREATE INDEX events_end ON {} (time_end)").format(table("events")),
        sql.SQL(
            "CREATE TABLE {} (fid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, claim_id text NOT NULL UNIQUE{})"
        ).format(table("claims"), _columns(schema.CLAIM_COLUMNS, "claim_id")),
        sql.SQL("CREATE INDEX claims_event_id ON {} (event_id)").format(table("claims")),
    ]


def _v2() -> list[sql.Composable]:
    """Schema version 2: assessed areas of control (``geo.control``), one row per assessor, day, side and kind."""
    return [
        sql.SQL(
            "CREATE TABLE {} (fid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            "geometry geometry(MultiPolygon, 4326) NOT NULL, assessment_id text NOT NULL UNIQUE, "
            "assessor text NOT NULL, as_of date NOT NULL, side text NOT NULL, kind text NOT NULL, source text, "
            "area_km2 double precision NOT NULL, vertices integer NOT NULL, digest text NOT NULL, "
            "imported_at timestamptz NOT NULL)"
        ).format(table("assessments")),
        sql.SQL("CREATE INDEX assessments_geometry ON {} USING gist (geometry)").format(table("assessments")),
        sql.SQL("CREATE INDEX assessments_series ON {} (assessor, side, kind, as_of)").format(table("assessments")),
        sql.SQL("CREATE INDEX assessments_as_of ON {} (as_of)").format(table("assessments")),
    ]


def _v3() -> list[sql.Composable]:
    """Schema version 3: the ledger (users, the append-only audit trail, claim versions, the trash, the change log)."""
    from geo.store._ledger import POSTGRES, ddl

    return [sql.SQL(statement) for statement in ddl(POSTGRES)]  # type: ignore[arg-type]


MIGRATIONS: Final[dict[int, Callable[[], list[sql.Composable]]]] = {1: _v1, 2: _v2, 3: _v3}
"""Statements that take the layout from version ``n - 1`` to ``n`` (1: from nothing)."""


# -- connecting --------------------------------------------------------------------------------------


def location_of(con: psycopg.Connection) -> str:
    """The stable location of a connected database: ``postgresql://user@host:port/dbname``, no password."""
    info = con.info
    host = info.host or "localhost"
    host = urllib.parse.quote(host, safe="") if host.startswith("/") else host
    return f"postgresql://{urllib.parse.quote(info.user, safe='')}@{host}:{info.port}/{info.dbname}"


def connect_error(url: str, err: psycopg.Error) -> GeoError:
    """One line for a connection that failed: what happened and what to do."""
    text = str(err).strip()
    first = next((line for line in text.splitlines() if "FATAL" in line or "failed" in line), text.split("\n")[0])
    first = re.sub(r"^connection failed: |\[Errno -?\d+\] ", "", first).strip()
    where = shown(url)
    low = text.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        user = re.search(r'user "([^"]*)"', text)
        who = f" for user {user[1]!r}" if user else ""
        return GeoError(
            f"{where}: the password was refused{who}; check the user and password in the URL (or PGPASSWORD, ~/.pgpass)"
        )
    if re.search(r'database "[^"]*" does not exist', low):
        name = re.search(r'database "([^"]*)"', text)
        return GeoError(
            f"{where}: database {name[1]!r} does not exist; create it (createdb {name[1]}) or name another one"
        )
    if re.search(r'role "[^"]*" does not exist', low):
        return GeoError(f"{where}: {first.split('FATAL:')[-1].strip()}; check the user in the URL")
    if any(
        s in low
        for s in ("connection refused", "could not translate", "failed to resolve", "timeout", "no such file", "route")
    ):
        return GeoError(
            f"{where}: cannot reach the database ({first.split('failed:')[-1].strip()}); start PostgreSQL "
            "(for development: make db) or check the host and port in the URL"
        )
    return GeoError(f"{where}: cannot connect to the database ({first}); check the URL")


def connect(url: str) -> psycopg.Connection:
    """A connection to ``url`` (autocommit), or a :class:`GeoError` in one line."""
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.Error as err:
        raise connect_error(url, err) from None


# -- creating, migrating, checking -------------------------------------------------------------------


def stored_version(con: psycopg.Connection) -> int | None:
    """The highest migration applied, or None when the database holds no store."""
    row = con.execute("SELECT to_regclass(%s)", (f"{NS}.schema_version",)).fetchone()
    if row is None or row[0] is None:
        return None
    value = con.execute(sql.SQL("SELECT max(version) FROM {}").format(table("schema_version"))).fetchone()
    return int(value[0]) if value and value[0] is not None else 0


def _missing_columns(con: psycopg.Connection) -> list[tuple[str, schema.Column]]:
    """(table, column) pairs :mod:`geo.schema` has and the stored events/claims lack."""
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = %s", (NS,)
    ).fetchall()
    have = {(t, c) for t, c in rows}
    return [
        (name, col)
        for name, columns in (("events", schema.EVENT_COLUMNS), ("claims", schema.CLAIM_COLUMNS))
        for col in columns
        if (name, col.name) not in have
    ]


def _newer(location: str, version: int) -> GeoError:
    return GeoError(
        f"{location} was written by a newer version (PostGIS schema {version}, this one reads "
        f"{PG_SCHEMA_VERSION}); upgrade the software"
    )


def _extension(con: psycopg.Connection, location: str) -> None:
    """Create PostGIS in the database when missing (inside the caller's transaction), or say who can."""
    if con.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone():
        return
    try:
        with con.transaction():  # a savepoint: the error below is reported, not left to abort the transaction
            con.execute("CREATE EXTENSION postgis")
    except (errors.InsufficientPrivilege, errors.UndefinedFile, errors.FeatureNotSupported) as err:
        available = con.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'").fetchone()
        if not available:
            raise GeoError(
                f"{location}: PostGIS is not installed on the database server; install it there "
                "(Debian: apt-get install postgresql-15-postgis-3) and open the store again"
            ) from None
        raise GeoError(
            f"{location}: the database has no PostGIS and user {con.info.user!r} may not create it "
            f"({str(err).splitlines()[0]}); ask an administrator to run 'CREATE EXTENSION postgis;' in database "
            f"{con.info.dbname!r}"
        ) from None


def migrate(
    con: psycopg.Connection,
    location: str,
    *,
    create: bool,
    fill: Callable[[psycopg.Connection], Any] | None = None,
    target: int = PG_SCHEMA_VERSION,
) -> tuple[int | None, int]:
    """Bring the store in the connected database to ``target`` (creating it when allowed), in one transaction.

    Parameters
    ----------
    con : psycopg.Connection
        An autocommit connection (a transaction is opened here).
    location : str
        The store's location, for messages.
    create : bool
        Create the store when the database holds none (else :class:`NotFoundError`).
    fill : callable, optional
        Called with the connection inside the creating transaction (the bundled dataset is written by it), so a
        new store appears seeded or not at all.
    target : int
        The version to reach (tests stop at an older one).

    Returns
    -------
    tuple
        The version found (None: no store) and the version now.

    Raises
    ------
    GeoError
        A newer layout, PostGIS missing and not creatable, a statement refused (the message says which).
    NotFoundError
        No store in the database and ``create`` is false.
    """
    found = stored_version(con)
    if found is not None and found > PG_SCHEMA_VERSION:
        raise _newer(location, found)
    if found is not None and found >= target and not _missing_columns(con):
        return found, found
    if found is None and not create:
        raise NotFoundError(f"no store in {location} (the database has no {NS!r} schema)")
    try:
        with con.transaction():
            con.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_MIGRATE,))
            found = stored_version(con)  # another process may have migrated meanwhile
            if found is not None and found > PG_SCHEMA_VERSION:
                raise _newer(location, found)
            current = found or 0
            if found is None:
                _extension(con, location)
            from geo import __version__

            for version in range(current + 1, target + 1):
                for statement in MIGRATIONS[version]():
                    con.execute(statement)
                con.execute(
                    sql.SQL("INSERT INTO {} (version, applied_by) VALUES (%s, %s)").format(table("schema_version")),
                    (version, f"geo {__version__}"),
                )
            if found is None:
                con.execute(
                    sql.SQL("INSERT INTO {} (store_id) VALUES (%s)").format(table("state")), (uuid.uuid4().hex[:12],)
                )
            if found is not None and (current < target or _missing_columns(con)):
                for name, col in _missing_columns(con):
                    con.execute(
                        sql.SQL("ALTER TABLE {} ADD COLUMN {} {}").format(
                            table(name), q(col.name), sql.SQL(_SQL_TYPES[col.dtype])
                        )
                    )
                bump(con)
            if found is None and fill is not None:
                fill(con)
    except psycopg.errors.InsufficientPrivilege as err:
        raise GeoError(
            f"{location}: user {con.info.user!r} may not create or change the store's tables "
            f"({str(err).splitlines()[0]}); grant it CREATE on the database, or ask its owner to run "
            "'python -m geo store migrate'"
        ) from None
    return found, max(target, found or 0)


def bump(con: psycopg.Connection) -> None:
    """Change the store's token (inside the caller's write transaction)."""
    con.execute(sql.SQL("UPDATE {} SET token = token + 1").format(table("state")))
