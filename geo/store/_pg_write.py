"""Writing inside one PostgreSQL transaction: staging by ``COPY``, the insert/update diff, the registry, deleting.

Every function takes the connection of the caller's transaction (see
:meth:`geo.store.postgis.PostGISStore._transaction`, which holds the write advisory lock) and commits nothing.
Incoming rows are copied into a temporary table and compared by PostgreSQL, as the GeoPackage store lets SQLite
compare them: the same rows and counts, the same :class:`~geo.errors.DatasetConflictError`. Private to
:mod:`geo.store.postgis`.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

from geo import schema
from geo.errors import DatasetConflictError, NotFoundError, Problem, ValidationError
from geo.store._pg_rows import GEOMETRY, copy_in, geometries
from geo.store._pg_schema import q, table
from geo.store.base import WriteResult

_MAX_LISTED = 20


def utc_now() -> dt.datetime:
    """Now in UTC, to the millisecond (as the GeoPackage store keeps registry times)."""
    now = dt.datetime.now(dt.UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class Batch(NamedTuple):
    """Incoming rows of one table: the frame, its columns, its key, the geometries (events only)."""

    name: str
    frame: pd.DataFrame
    columns: tuple[schema.Column, ...]
    key: str
    geoms: np.ndarray | None

    @property
    def stored(self) -> list[str]:
        """Stored column names, the geometry first for events."""
        return ([GEOMETRY] if self.name == "events" else []) + [c.name for c in self.columns]


def batches(events: pd.DataFrame, claims: pd.DataFrame) -> tuple[Batch, Batch]:
    """The events and claims of a write, ready to stage."""
    return (
        Batch("events", events, schema.EVENT_COLUMNS, "event_id", geometries(events)),
        Batch("claims", claims, schema.CLAIM_COLUMNS, "claim_id", None),
    )


def _stage_name(batch: Batch) -> sql.Identifier:
    return sql.Identifier(f"_stage_{batch.name}")


class Plan(NamedTuple):
    """How a write goes to one table: how many incoming ids are stored already."""

    existing: int


def plan(con: psycopg.Connection, batch: Batch, dataset: str) -> Plan:
    """Stage the rows in a temporary table and check their ids; raise when some belong to other datasets."""
    stage = _stage_name(batch)
    geometry = sql.SQL(", geometry geometry") if batch.name == "events" else sql.SQL("")
    columns = sql.SQL("").join(sql.SQL(", {} {}").format(q(c.name), sql.SQL(_type(c))) for c in batch.columns)
    con.execute(sql.SQL("CREATE TEMP TABLE {} (pos bigint{}{}) ON COMMIT DROP").format(stage, geometry, columns))
    if len(batch.frame) == 0:
        return Plan(0)
    copy_in(con, stage, batch.frame, batch.columns, batch.geoms, with_geometry=batch.name == "events")
    con.execute(sql.SQL("CREATE UNIQUE INDEX ON {} ({})").format(stage, q(batch.key)))
    con.execute(sql.SQL("ANALYZE {}").format(stage))
    key = q(batch.key)
    if batch.name == "events":
        join = sql.SQL("FROM {s} s JOIN {t} t ON t.{k} = s.{k}").format(s=stage, t=table("events"), k=key)
        owner = sql.SQL("t.dataset")
    else:
        join = sql.SQL("FROM {s} s JOIN {t} t ON t.{k} = s.{k} LEFT JOIN {e} e ON e.event_id = t.event_id").format(
            s=stage, t=table("claims"), e=table("events"), k=key
        )
        owner = sql.SQL("e.dataset")
    existing = con.execute(sql.SQL("SELECT count(*) {}").format(join)).fetchone()[0]
    if existing == 0:
        return Plan(0)
    foreign = con.execute(
        sql.SQL("SELECT s.pos, s.{k}, {o} {j} WHERE {o} IS DISTINCT FROM %s ORDER BY s.pos LIMIT {n}").format(
            k=key, o=owner, j=join, n=sql.Literal(_MAX_LISTED)
        ),
        (dataset,),
    ).fetchall()
    if foreign:
        owners = con.execute(
            sql.SQL("SELECT {o}, count(*) {j} WHERE {o} IS DISTINCT FROM %s GROUP BY 1 ORDER BY 2 DESC, 1").format(
                o=owner, j=join
            ),
            (dataset,),
        ).fetchall()
        _refuse_foreign(con, batch, dataset, foreign, dict(owners))
    return Plan(int(existing))


def _type(col: schema.Column) -> str:
    from geo.store._pg_schema import _SQL_TYPES

    return _SQL_TYPES[col.dtype]


def _refuse_foreign(
    con: psycopg.Connection, batch: Batch, dataset: str, foreign: list[tuple], owners: dict[str | None, int]
) -> None:
    """Raise :class:`DatasetConflictError`: the first conflicting rows, how many ids each dataset holds, their kinds."""
    key, name = batch.key, batch.name
    problems = [
        Problem(
            f"{key} {k!r} already belongs to dataset {other!r}",
            row=int(pos),
            column=f"{name}.{key}",
            fix=f"ids are unique across datasets: write to dataset {other!r} to update it, or delete it first",
        )
        for pos, k, other in foreign
    ]
    named = [o for o in owners if o is not None]
    kinds = dict(
        con.execute(sql.SQL("SELECT name, kind FROM {} WHERE name = ANY(%s)").format(table("datasets")), (named,))
    )
    raise DatasetConflictError(dataset, key, {str(o): int(n) for o, n in owners.items()}, problems, kinds=kinds)


def upsert(con: psycopg.Connection, batch: Batch, plan: Plan) -> tuple[int, int, int]:
    """Carry out a plan: update changed rows, insert new ones; returns (inserted, updated, unchanged)."""
    n = len(batch.frame)
    if n == 0:
        return 0, 0, 0
    stage, target, key = _stage_name(batch), table(batch.name), q(batch.key)
    names = batch.stored
    cols = sql.SQL(", ").join(q(c) for c in names)
    picked = sql.SQL(", ").join(sql.SQL("s.{}").format(q(c)) for c in names)
    if plan.existing == 0:
        inserted = con.execute(
            sql.SQL("INSERT INTO {t} ({c}) SELECT {p} FROM {s} s ORDER BY s.pos").format(
                t=target, c=cols, p=picked, s=stage
            )
        ).rowcount
        return int(inserted), 0, 0
    others = [c for c in names if c != batch.key]
    sets = sql.SQL(", ").join(sql.SQL("{c} = s.{c}").format(c=q(c)) for c in others)
    differs = sql.SQL(" OR ").join(
        sql.SQL("ST_AsEWKB(t.geometry) IS DISTINCT FROM ST_AsEWKB(s.geometry)")
        if c == GEOMETRY
        else sql.SQL("t.{c} IS DISTINCT FROM s.{c}").format(c=q(c))
        for c in others
    )
    updated = con.execute(
        sql.SQL("UPDATE {t} AS t SET {sets} FROM {s} s WHERE t.{k} = s.{k} AND ({d})").format(
            t=target, sets=sets, s=stage, k=key, d=differs
        )
    ).rowcount
    inserted = 0
    if n > plan.existing:
        inserted = con.execute(
            sql.SQL(
                "INSERT INTO {t} ({c}) SELECT {p} FROM {s} s "
                "WHERE NOT EXISTS (SELECT 1 FROM {t} t WHERE t.{k} = s.{k}) ORDER BY s.pos"
            ).format(t=target, c=cols, p=picked, s=stage, k=key)
        ).rowcount
    return int(inserted), int(updated), plan.existing - int(updated)


# -- the registry ----------------------------------------------------------------------------------


class Entry(NamedTuple):
    """A dataset's registry entry as a write gives it (an empty description or source keeps the stored one)."""

    name: str
    kind: str
    description: str = ""
    source: str = ""


def check_registry(con: psycopg.Connection, entry: Entry) -> None:
    """Refuse a write whose ``kind`` differs from the one the dataset is registered with."""
    statement = sql.SQL("SELECT kind FROM {} WHERE name = %s").format(table("datasets"))
    row = con.execute(statement, (entry.name,)).fetchone()
    if row is not None and row[0] != entry.kind:
        raise ValidationError(
            Problem(
                f"dataset {entry.name!r} is stored as {row[0]!r}, not {entry.kind!r}",
                column="kind",
                fix=f"write it as kind {row[0]!r}, choose another name, or delete the dataset first",
            )
        )


def register(con: psycopg.Connection, entry: Entry, now: dt.datetime, *, data_changed: bool) -> bool:
    """Add or update the registry row; return whether anything in it changed."""
    name, kind, description, source = entry
    datasets = table("datasets")
    statement = sql.SQL("SELECT description, source FROM {} WHERE name = %s").format(datasets)
    row = con.execute(statement, (name,)).fetchone()
    if row is None:
        con.execute(
            sql.SQL(
                "INSERT INTO {} (name, kind, description, source, created_at, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, %s)"
            ).format(datasets),
            (name, kind, description or None, source or None, now, now),
        )
        return True
    new_description = description or row[0]
    new_source = source or row[1]
    if not data_changed and (new_description, new_source) == tuple(row):
        return False
    con.execute(
        sql.SQL("UPDATE {} SET description = %s, source = %s, updated_at = %s WHERE name = %s").format(datasets),
        (new_description, new_source, now, name),
    )
    return True


def write_rows(
    con: psycopg.Connection, events: pd.DataFrame, claims: pd.DataFrame, entry: Entry
) -> tuple[WriteResult, bool]:
    """The whole of a write inside the caller's transaction; returns the counts and whether anything changed."""
    check_registry(con, entry)
    ev, cl = batches(events, claims)
    plan_e = plan(con, ev, entry.name)
    plan_c = plan(con, cl, entry.name)
    result = WriteResult(*upsert(con, ev, plan_e), *upsert(con, cl, plan_c))
    registry_changed = register(con, entry, utc_now(), data_changed=result.changed)
    return result, result.changed or registry_changed


def delete(con: psycopg.Connection, name: str, location: str) -> int:
    """Remove a dataset's claims, events and registry row; return the number of events removed.

    Raises :class:`NotFoundError` when the dataset is neither registered nor has events.
    """
    datasets, events, claims = table("datasets"), table("events"), table("claims")
    registered = con.execute(sql.SQL("SELECT 1 FROM {} WHERE name = %s").format(datasets), (name,)).fetchone()
    has_events = con.execute(sql.SQL("SELECT 1 FROM {} WHERE dataset = %s LIMIT 1").format(events), (name,)).fetchone()
    if registered is None and has_events is None:
        known = [r[0] for r in con.execute(sql.SQL("SELECT name FROM {} ORDER BY name").format(datasets))]
        raise NotFoundError(
            f"no dataset {name!r} in {location!r}"
            + (f"; datasets: {', '.join(known)}" if known else "; the store has no datasets")
        )
    con.execute(
        sql.SQL("DELETE FROM {} c USING {} e WHERE e.event_id = c.event_id AND e.dataset = %s").format(claims, events),
        (name,),
    )
    n = con.execute(sql.SQL("DELETE FROM {} WHERE dataset = %s").format(events), (name,)).rowcount
    con.execute(sql.SQL("DELETE FROM {} WHERE name = %s").format(datasets), (name,))
    return int(n)
