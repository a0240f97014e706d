"""Writing inside one SQLite transaction: input checks, the insert/update diff, the registry, ``gpkg_contents``.

The input checks run before the transaction; every other function takes
the open :mod:`sqlite3` connection of the caller's transaction (see
:meth:`geo.store.gpkg.GeoPackageStore._transaction`) and commits nothing.
Rows whose id is stored already are staged in a temporary table and
compared by SQLite. Private to :mod:`geo.store.gpkg`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np
import pandas as pd

from geo.errors import DatasetConflictError, NotFoundError, Problem, ValidationError
from geo.store._gpkg_blob import _extent, _gpkg_bounds
from geo.store._gpkg_rows import _Rows
from geo.store._gpkg_schema import CLAIMS, DATASETS, EVENTS, GEOMETRY
from geo.store.base import WriteResult

_MAX_LISTED = 20

# -- checking the input ----------------------------------------------------------------------------


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

    Raises :class:`~geo.errors.DatasetConflictError` (a ``ValidationError``)
    when incoming ids belong to other datasets, saying how many belong to
    which. New ids only (a first import, a new dataset): the rows go
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
        f"WHERE owner IS NOT ? ORDER BY k.pos LIMIT {_MAX_LISTED}",
        (dataset,),
    ).fetchall()
    owners: dict[str, int] = {}
    if foreign:
        owners = dict(
            con.execute(
                f"SELECT {owner} AS owner, COUNT(*) FROM temp._keys k JOIN {table} t ON t.{key} = k.k "
                "WHERE owner IS NOT ? GROUP BY owner ORDER BY COUNT(*) DESC, owner",
                (dataset,),
            ).fetchall()
        )
    existing = con.execute(f"SELECT COUNT(*) FROM temp._keys k JOIN {table} t ON t.{key} = k.k").fetchone()[0]
    con.execute("DROP TABLE temp._keys")
    if foreign:
        _refuse_foreign(con, table, key, dataset, foreign, owners)
    if existing == 0:
        return _Plan(staged=False, existing=0)
    con.execute(f"CREATE TEMP TABLE _stage_{table} (pos INTEGER PRIMARY KEY, {rows.declared})")
    con.executemany(f"INSERT INTO temp._stage_{table} ({rows.declared}) VALUES ({rows.placeholders})", rows.all_rows())
    con.execute(f"CREATE UNIQUE INDEX temp._stage_{table}_key ON _stage_{table} ({key})")
    return _Plan(staged=True, existing=int(existing))


def _refuse_foreign(
    con: sqlite3.Connection,
    table: str,
    key: str,
    dataset: str,
    foreign: list[tuple[int, str, str]],
    owners: dict[str, int],
) -> None:
    """Raise :class:`DatasetConflictError`: the first conflicting rows, how many ids each dataset holds, their kinds."""
    problems = [
        Problem(
            f"{key} {k!r} already belongs to dataset {other!r}",
            row=int(pos),
            column=f"{table}.{key}",
            fix=f"ids are unique across datasets: write to dataset {other!r} to update it, or delete it first",
        )
        for pos, k, other in foreign
    ]
    named = [o for o in owners if o is not None]
    marks = ", ".join("?" * len(named))
    kinds = dict(con.execute(f"SELECT name, kind FROM {DATASETS} WHERE name IN ({marks})", named).fetchall())
    raise DatasetConflictError(dataset, key, {str(o): int(n) for o, n in owners.items()}, problems, kinds=kinds)


def _upsert(con: sqlite3.Connection, table: str, rows: _Rows, plan: _Plan) -> tuple[int, int, int]:
    """Carry out a plan: update changed rows, insert new ones; returns (inserted, updated, unchanged)."""
    declared = rows.declared
    if not plan.staged:
        if len(rows):
            with _count_triggers_off(con, table):
                con.executemany(f"INSERT INTO {table} ({declared}) VALUES ({rows.placeholders})", rows.all_rows())
        return len(rows), 0, 0
    key = rows.key
    others = [c for c in rows.names if c != key]
    sets = ", ".join(f'"{c}" = s."{c}"' for c in others)
    differs = " OR ".join(f't."{c}" IS NOT s."{c}"' for c in others)
    updated = con.execute(
        f"UPDATE {table} AS t SET {sets} FROM temp._stage_{table} s WHERE t.{key} = s.{key} AND ({differs})"
    ).rowcount
    inserted = 0
    if len(rows) > plan.existing:
        staged = ", ".join(f's."{c}"' for c in rows.names)
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


# -- the registry and gpkg_contents ----------------------------------------------------------------


class _Entry(NamedTuple):
    """A dataset's registry entry as a write gives it (an empty description or source keeps the stored one)."""

    name: str
    kind: str
    description: str = ""
    source: str = ""


def _check_registry(con: sqlite3.Connection, entry: _Entry) -> None:
    """Refuse a write whose ``kind`` differs from the one the dataset is registered with."""
    name, kind = entry.name, entry.kind
    row = con.execute(f"SELECT kind FROM {DATASETS} WHERE name = ?", (name,)).fetchone()
    if row is not None and row[0] != kind:
        raise ValidationError(
            Problem(
                f"dataset {name!r} is stored as {row[0]!r}, not {kind!r}",
                column="kind",
                fix=f"write it as kind {row[0]!r}, choose another name, or delete the dataset first",
            )
        )


def _register(con: sqlite3.Connection, entry: _Entry, now: str, *, data_changed: bool) -> bool:
    """Add or update the registry row; return whether anything in it changed."""
    name, kind, description, source = entry
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


def _record_write(con: sqlite3.Connection, entry: _Entry, result: WriteResult, events: _Rows, now: str) -> None:
    """After the rows of a write: update the registry, ``last_change`` of what changed, the events' extent."""
    registry_changed = _register(con, entry, now, data_changed=result.changed)
    if result.inserted_events or result.updated_events:
        _touch(con, EVENTS, now)
        _widen_extent(con, events.extent)
    if result.inserted_claims or result.updated_claims:
        _touch(con, CLAIMS, now)
    if registry_changed:
        _touch(con, DATASETS, now)


def _delete(con: sqlite3.Connection, name: str, location: str, now: str) -> int:
    """Remove a dataset's claims, events and registry row; return the number of events removed.

    Raises :class:`NotFoundError` when the dataset is neither registered nor has events.
    """
    registered = con.execute(f"SELECT 1 FROM {DATASETS} WHERE name = ?", (name,)).fetchone()
    has_events = con.execute(f"SELECT 1 FROM {EVENTS} WHERE dataset = ? LIMIT 1", (name,)).fetchone()
    if registered is None and has_events is None:
        known = [r[0] for r in con.execute(f"SELECT name FROM {DATASETS} ORDER BY name")]
        raise NotFoundError(
            f"no dataset {name!r} in {location!r}"
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


def _stored_extent(con: sqlite3.Connection) -> tuple[float, ...] | None:
    """(minx, miny, maxx, maxy) of every stored event geometry, or None."""
    blobs = [r[0] for r in con.execute(f"SELECT {GEOMETRY} FROM {EVENTS} WHERE {GEOMETRY} IS NOT NULL")]
    if not blobs:
        return None
    return _extent(_gpkg_bounds(blobs))


def _touch(con: sqlite3.Connection, table: str, now: str) -> None:
    """Set ``gpkg_contents.last_change`` of a table."""
    con.execute("UPDATE gpkg_contents SET last_change = ? WHERE table_name = ?", (now, table))


def _widen_extent(con: sqlite3.Connection, extent: tuple[float, ...] | None, table: str = EVENTS) -> None:
    """Grow a table's extent in ``gpkg_contents`` (default the events') to cover ``extent`` (minx, miny, maxx, maxy)."""
    if extent is None:
        return
    con.execute(
        """UPDATE gpkg_contents SET
               min_x = min(COALESCE(min_x, :x0), :x0), min_y = min(COALESCE(min_y, :y0), :y0),
               max_x = max(COALESCE(max_x, :x1), :x1), max_y = max(COALESCE(max_y, :y1), :y1)
           WHERE table_name = :t""",
        {"x0": extent[0], "y0": extent[1], "x1": extent[2], "y1": extent[3], "t": table},
    )


def _set_extent(con: sqlite3.Connection, extent: tuple[float, ...] | None) -> None:
    """Set the events' extent in ``gpkg_contents`` (NULL when there is no geometry left)."""
    values = (None,) * 4 if extent is None else extent
    con.execute(
        "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ? WHERE table_name = ?",
        (*values, EVENTS),
    )
