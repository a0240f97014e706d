"""What a team's store keeps beside the data: users, the audit trail, claim versions, the trash, the change log.

Both stores (the GeoPackage file and PostGIS) keep the same tables and run the
same statements here, through a :class:`_Dialect` that names the tables and
binds the parameters for :mod:`sqlite3` or psycopg; each store supplies its
transaction, a read connection and the few steps that differ (writing rows of
events and claims, removing a dataset's rows, telling readers the data changed).

Tables
------
``users``
    Accounts: name (a local account name or an OpenID Connect e-mail), role and, for local accounts, an Argon2
    hash (never read out by anything but :mod:`geo.auth`).
``audit``
    Append-only (a trigger refuses ``UPDATE`` and ``DELETE``): who did what, when, to what, with details as a JSON
    object (counts, a file's name and SHA-256). Written in the same transaction as the change it records.
``claim_versions``
    Every version of a claim recorded or edited by hand (``add``, ``edit``, ``withdraw``, ``restore``; an imported
    claim's first edit keeps its imported state as version 0, ``original``). A withdrawn claim leaves the claims
    table and lives here until an admin restores it.
``trash``, ``trash_events``, ``trash_claims``
    Deleted datasets (their registry entry and rows), until an admin restores them.
``changes``
    The change log readers fold incrementally (:mod:`geo.store.snapshot`): a row per event whose claims changed, or a
    ``bulk`` row for an import, a deletion or a restoration (readers rebuild).
``ledger``
    The log's identity (a random id), so a snapshot never applies the log of another store.

Times are ISO 8601 UTC text (``2026-12-01T10:00:00.123Z``) in both stores.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema
from geo.errors import GeoError, NotFoundError
from geo.store._gpkg_write import _conform, _with_dataset  # the input checks both stores share
from geo.store.base import DateLike, WriteResult, check_dataset_name, check_kind

__all__ = ["AUDIT_ACTIONS", "Changes", "ClaimVersion", "Ledger", "LedgerBase"]

AUDIT_ACTIONS = (
    "import",
    "delete_dataset",
    "restore_dataset",
    "event_add",
    "claim_add",
    "claim_edit",
    "claim_withdraw",
    "claim_restore",
    "user_add",
    "user_change",
    "user_remove",
)
"""What the audit trail records."""

RECORDED = "recorded"
"""The dataset events recorded by hand go to, unless another is named."""

_EVENT_TABLE_COLUMNS = (*schema.EVENT_COLUMN_NAMES, "geometry")


class ClaimVersion(NamedTuple):
    """A claim as a write left it: its id, its event and its version number (1 for a new claim)."""

    claim_id: str
    event_id: str
    version: int


class Changes(NamedTuple):
    """What changed since a position of the change log.

    ``ledger`` names the log (another store's log never applies), ``seq`` is the log's position now, ``bulk`` says
    an import, deletion or restoration happened (fold everything again), ``event_ids`` the events whose claims
    changed otherwise.
    """

    ledger: str
    seq: int
    bulk: bool
    event_ids: tuple[str, ...]


@dataclass(frozen=True)
class _Dialect:
    """How the statements here are spelled for one database."""

    name: str  # "sqlite" or "postgresql"
    prefix: str = ""  # schema qualification of the tables

    def sql(self, text: str) -> str:
        """``{table}`` names qualified, ``?`` parameters as the driver binds them."""
        names = {t: f"{self.prefix}{t}" for t in _TABLES}
        out = text.format(**names)
        return out.replace("?", "%s") if self.name == "postgresql" else out


_TABLES = ("users", "audit", "claim_versions", "trash", "trash_events", "trash_claims", "changes", "ledger",
           "events", "claims", "datasets")  # fmt: skip
SQLITE = _Dialect("sqlite")
POSTGRES = _Dialect("postgresql", "conflictmap.")


def ddl(dialect: _Dialect) -> list[str]:
    """The statements that create the ledger's tables (after the events and claims tables exist)."""
    pg = dialect.name == "postgresql"
    serial = "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY" if pg else "INTEGER PRIMARY KEY AUTOINCREMENT"
    statements = [
        "CREATE TABLE {ledger} (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE {users} (name TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT, "
        "created_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
        f"CREATE TABLE {{audit}} (seq {serial}, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, "
        "target TEXT, detail TEXT)",
        "CREATE INDEX audit_action ON {audit} (action)",
        "CREATE TABLE {claim_versions} (claim_id TEXT NOT NULL, version INTEGER NOT NULL, op TEXT NOT NULL, "
        "at TEXT NOT NULL, actor TEXT NOT NULL, event_id TEXT NOT NULL, data TEXT NOT NULL, "
        "PRIMARY KEY (claim_id, version))",
        f"CREATE TABLE {{changes}} (seq {serial}, at TEXT NOT NULL, bulk INTEGER NOT NULL, event_id TEXT)",
        "CREATE TABLE {trash} (deletion TEXT PRIMARY KEY, dataset TEXT NOT NULL, kind TEXT, description TEXT, "
        "source TEXT, created_at TEXT, deleted_at TEXT NOT NULL, deleted_by TEXT NOT NULL, events INTEGER NOT NULL, "
        "claims INTEGER NOT NULL)",
    ]
    if pg:
        statements += [
            "CREATE TABLE {trash_events} AS SELECT ''::text AS deletion, * FROM {events} WITH NO DATA",
            "CREATE TABLE {trash_claims} AS SELECT ''::text AS deletion, * FROM {claims} WITH NO DATA",
            "CREATE FUNCTION {audit}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$",
            "CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {audit} "
            "FOR EACH ROW EXECUTE FUNCTION {audit}_append_only()",
            "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {audit} "
            "FOR EACH STATEMENT EXECUTE FUNCTION {audit}_append_only()",
        ]
    else:
        statements += [
            "CREATE TABLE {trash_events} AS SELECT CAST(NULL AS TEXT) AS deletion, * FROM {events} WHERE 0",
            "CREATE TABLE {trash_claims} AS SELECT CAST(NULL AS TEXT) AS deletion, * FROM {claims} WHERE 0",
            "CREATE TRIGGER audit_no_update BEFORE UPDATE ON {audit} "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON {audit} "
            "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END",
        ]
    statements += [
        "CREATE INDEX trash_events_deletion ON {trash_events} (deletion)",
        "CREATE INDEX trash_claims_deletion ON {trash_claims} (deletion)",
        "INSERT INTO {ledger} (key, value) VALUES ('id', "
        + ("substr(md5(random()::text), 1, 12))" if pg else "lower(hex(randomblob(6))))"),
    ]
    return [dialect.sql(s) for s in statements]


def now() -> str:
    """The current UTC time as the ledger stores it."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _plain(value: Any) -> Any:
    """A value of a row as JSON holds it (dates as ISO text, NaN and NaT as null, numpy numbers as Python's)."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return None if pd.isna(value) else pd.Timestamp(value).isoformat()
    if isinstance(value, np.generic):
        return _plain(value.item())
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value


def claim_data(row: pd.Series | dict[str, Any]) -> dict[str, Any]:
    """A claim's fields (:data:`geo.schema.CLAIM_COLUMN_NAMES`) as a JSON-ready dict."""
    get = row.get
    return {name: _plain(get(name)) for name in schema.CLAIM_COLUMN_NAMES}


class LedgerBase:
    """The ledger's plumbing, users, audit trail, imports and change log (the claims' and the trash's methods are in
    ``_ledger_claims`` and ``_ledger_trash``; :class:`Ledger` joins them for the stores).

    A store provides ``_dialect``, ``_transaction()`` (a write transaction), ``_ledger_read()`` (a read connection),
    ``_write_rows(con, events, claims, dataset, kind)``, ``_remove_rows(con, name)``, ``_bulk(con, table)`` and
    ``_data_changed(con, restored=False)``.
    """

    _dialect: _Dialect

    # -- plumbing the stores provide ---------------------------------------------------------------------------

    def _transaction(self) -> contextlib.AbstractContextManager[Any]:  # pragma: no cover - provided by the store
        raise NotImplementedError

    def _ledger_read(self) -> contextlib.AbstractContextManager[Any]:  # pragma: no cover
        raise NotImplementedError

    def _write_rows(self, con: Any, events: pd.DataFrame, claims: pd.DataFrame, dataset: str, kind: str) -> WriteResult:
        raise NotImplementedError  # pragma: no cover

    def _remove_rows(self, con: Any, name: str) -> int:
        raise NotImplementedError  # pragma: no cover

    def _bulk(self, con: Any, table: str) -> contextlib.AbstractContextManager[Any]:
        return contextlib.nullcontext()

    def _data_changed(self, con: Any, *, restored: bool = False) -> None:
        """Tell readers the events or claims changed (PostGIS bumps its token; a file's counter changes anyway)."""

    def read_events(self, **kwargs: Any) -> gpd.GeoDataFrame:  # pragma: no cover - the store's
        raise NotImplementedError

    # -- statements ----------------------------------------------------------------------------------------------

    def _x(self, con: Any, text: str, params: Sequence[Any] = ()) -> Any:
        return con.execute(self._dialect.sql(text), tuple(params))

    def _audit(self, con: Any, action: str, actor: str, target: str = "", detail: dict[str, Any] | None = None) -> int:
        row = self._x(
            con,
            "INSERT INTO {audit} (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?) RETURNING seq",
            (now(), actor, action, target or None, json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)),
        ).fetchone()
        return int(row[0])

    def _change(self, con: Any, event_id: str | None = None) -> None:
        """A row in the change log: an event whose claims changed, or (no id) a bulk change."""
        self._x(
            con, "INSERT INTO {changes} (at, bulk, event_id) VALUES (?, ?, ?)", (now(), int(event_id is None), event_id)
        )

    def _shared_columns(self, con: Any, table: str, trash: str) -> str:
        """The quoted column list a table and its trash table both have (its id column ``fid`` left to each)."""
        names = []
        for name in (table, trash):
            cur = self._x(con, f"SELECT * FROM {{{name}}} WHERE 1 = 0")
            names.append([d[0] for d in cur.description])
        kept = set(names[1])
        return ", ".join(f'"{c}"' for c in names[0] if c in kept and c != "fid")

    # -- the audit trail -----------------------------------------------------------------------------------------

    def append_audit(self, action: str, *, actor: str, target: str = "", detail: dict[str, Any] | None = None) -> int:
        """Append a row to the audit trail in a transaction of its own; return its number.

        Parameters
        ----------
        action : str
            What was done (see :data:`AUDIT_ACTIONS`; others are kept as given).
        actor : str
            Who did it.
        target : str
            What it was done to (a dataset, a claim id, a user name).
        detail : dict, optional
            Details (JSON-ready values).

        Returns
        -------
        int
            The row's number (``seq``).
        """
        with self._transaction() as con:
            return self._audit(con, action, actor, target, detail)

    def audit(
        self,
        *,
        actions: str | Iterable[str] | None = None,
        actors: str | Iterable[str] | None = None,
        since: DateLike | None = None,
        until: DateLike | None = None,
        target: str | None = None,
        limit: int | None = None,
    ) -> pd.DataFrame:
        """The audit trail, newest first.

        Parameters
        ----------
        actions, actors : str, iterable of str or None
            Keep only these.
        since, until : date-like or None
            Keep rows from ``since`` (inclusive) to the end of the day ``until``.
        target : str or None
            Keep rows whose target contains this text (case-insensitive).
        limit : int or None
            At most this many rows.

        Returns
        -------
        DataFrame
            Columns ``seq`` (int), ``at`` (``datetime64[ms, UTC]``), ``actor``, ``action``, ``target``, ``detail``
            (a JSON object as text).
        """
        where, params = ["1 = 1"], []
        for column, values in (("action", actions), ("actor", actors)):
            if values is not None:
                values = [values] if isinstance(values, str) else list(values)
                if not values:
                    where.append("1 = 0")
                    continue
                where.append(f"{column} IN ({', '.join('?' * len(values))})")
                params += values
        if since is not None:
            where.append("at >= ?")
            params.append(pd.Timestamp(since).strftime("%Y-%m-%dT%H:%M:%S"))
        if until is not None:
            where.append("at < ?")
            params.append((pd.Timestamp(until).normalize() + pd.Timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S"))
        if target:
            where.append("lower(target) LIKE ?")
            params.append("%" + target.lower().replace("%", "").replace("_", "") + "%")
        clause = " AND ".join(where)
        text = f"SELECT seq, at, actor, action, target, detail FROM {{audit}} WHERE {clause} ORDER BY seq DESC"
        if limit is not None:
            text += f" LIMIT {int(limit)}"
        statement = self._dialect.sql(text)
        with self._ledger_read() as con:
            rows = con.execute(statement, tuple(params)).fetchall()
        out = pd.DataFrame(rows, columns=["seq", "at", "actor", "action", "target", "detail"])
        out["seq"] = out["seq"].astype("int64")
        out["at"] = pd.to_datetime(out["at"], utc=True, format="ISO8601").astype("datetime64[ms, UTC]")
        return out

    # -- users ---------------------------------------------------------------------------------------------------

    def users(self) -> pd.DataFrame:
        """The accounts by name: ``name``, ``role``, ``has_password``, ``created_at``, ``updated_at`` (never a hash)."""
        with self._ledger_read() as con:
            rows = self._x(
                con, "SELECT name, role, password_hash IS NOT NULL, created_at, updated_at FROM {users} ORDER BY name"
            ).fetchall()
        out = pd.DataFrame(rows, columns=["name", "role", "has_password", "created_at", "updated_at"])
        out["has_password"] = out["has_password"].astype(bool)
        for col in ("created_at", "updated_at"):
            out[col] = pd.to_datetime(out[col], utc=True, format="ISO8601").astype("datetime64[ms, UTC]")
        return out

    def user(self, name: str) -> dict[str, Any] | None:
        """One account with its password hash (for :mod:`geo.auth` only), or None."""
        with self._ledger_read() as con:
            row = self._x(
                con, "SELECT name, role, password_hash, created_at, updated_at FROM {users} WHERE name = ?", (name,)
            ).fetchone()
        if row is None:
            return None
        return dict(zip(("name", "role", "password_hash", "created_at", "updated_at"), row, strict=True))

    def put_user(
        self, name: str, role: str, password_hash: str | None = None, *, actor: str, keep_password: bool = True
    ) -> str:
        """Add an account or change its role or password; return ``"added"``, ``"changed"`` or ``"unchanged"``.

        ``password_hash=None`` with ``keep_password`` keeps the stored hash (a change of role); audited as
        ``user_add`` or ``user_change`` (the role, and whether the password changed: never the hash).
        """
        stamp = now()
        with self._transaction() as con:
            row = self._x(con, "SELECT role, password_hash FROM {users} WHERE name = ?", (name,)).fetchone()
            if row is None:
                self._x(
                    con,
                    "INSERT INTO {users} (name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                    (name, role, password_hash, stamp, stamp),
                )
                self._audit(con, "user_add", actor, name, {"role": role, "password": password_hash is not None})
                return "added"
            new_hash = row[1] if (password_hash is None and keep_password) else password_hash
            if (role, new_hash) == (row[0], row[1]):
                return "unchanged"
            if row[0] == "admin" and role != "admin":
                self._keep_an_admin(con, name)
            self._x(
                con,
                "UPDATE {users} SET role = ?, password_hash = ?, updated_at = ? WHERE name = ?",
                (role, new_hash, stamp, name),
            )
            detail = {"role": role, "was": row[0], "password_changed": new_hash != row[1]}
            self._audit(con, "user_change", actor, name, detail)
            return "changed"

    def _keep_an_admin(self, con: Any, name: str) -> None:
        """Refuse, inside the transaction (two admins demoting each other at once included), to lose the last admin."""
        others = self._x(con, "SELECT count(*) FROM {users} WHERE role = 'admin' AND name <> ?", (name,)).fetchone()[0]
        if not others:
            raise GeoError(f"{name!r} is the last admin; make another user admin first")

    def remove_user(self, name: str, *, actor: str) -> None:
        """Remove an account (audited as ``user_remove``); :class:`NotFoundError` when there is none."""
        with self._transaction() as con:
            row = self._x(con, "SELECT role FROM {users} WHERE name = ?", (name,)).fetchone()
            if row is None:
                raise NotFoundError(f"no user {name!r}")
            if row[0] == "admin":
                self._keep_an_admin(con, name)
            self._x(con, "DELETE FROM {users} WHERE name = ?", (name,))
            self._audit(con, "user_remove", actor, name, {"role": row[0]})

    # -- imports, deleting and restoring datasets --------------------------------------------------------------------

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
        actor: str = "cli",
        audit: dict | None = None,
    ) -> WriteResult:
        """Insert or update the events and claims of one dataset, in one transaction (both stores).

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
            One of :data:`geo.store.base.KINDS`; fixed when the dataset is
            first written.
        description, source : str
            Text for the registry; an empty string keeps what is there.
        validated : bool
            The frames come from :func:`geo.validate.validate` already: skip
            validating them again (ids are still checked for duplicates).
        actor : str
            Who writes (the audit trail's ``import`` row names them).
        audit : dict, optional
            More for that row (the file's name and SHA-256).

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
        with self._transaction() as con:
            result = self._write_rows(con, events, claims, name, kind, description, source)
            self._log_write(con, name, kind, result, actor, audit)
        return result

    def _log_write(
        self, con: Any, dataset: str, kind: str, result: WriteResult, actor: str, audit: dict[str, Any] | None
    ) -> None:
        """Inside a write's transaction: its audit row, and a bulk change for readers when it changed anything.

        A write that changed nothing is audited only when it says where it came from (``audit``: a person's import
        of a file); a program's rewrite of identical rows leaves the store as it was, byte for byte.
        """
        if not result.changed and not audit:
            return
        detail = {
            "dataset": dataset,
            "kind": kind,
            "events_inserted": result.inserted_events,
            "events_updated": result.updated_events,
            "events_unchanged": result.unchanged_events,
            "claims_inserted": result.inserted_claims,
            "claims_updated": result.updated_claims,
            "claims_unchanged": result.unchanged_claims,
            **(audit or {}),
        }
        self._audit(con, "import", actor, dataset, detail)
        if result.changed:
            self._change(con)

    # -- the change log ------------------------------------------------------------------------------------------

    def changes_since(self, seq: int) -> Changes:
        """What changed after position ``seq`` of the change log (see :class:`Changes`)."""
        with self._ledger_read() as con:
            ledger = self._x(con, "SELECT value FROM {ledger} WHERE key = 'id'").fetchone()[0]
            top = self._x(con, "SELECT max(seq) FROM {changes}").fetchone()[0] or 0
            rows = self._x(
                con, "SELECT bulk, event_id FROM {changes} WHERE seq > ? AND seq <= ?", (int(seq), int(top))
            ).fetchall()
        bulk = any(int(b) for b, _ in rows)
        ids = tuple(dict.fromkeys(e for b, e in rows if not int(b) and e is not None))
        return Changes(str(ledger), int(top), bulk, ids)


from geo.store._ledger_claims import Claims  # noqa: E402  (they build on LedgerBase, defined above)
from geo.store._ledger_trash import Trash  # noqa: E402


class Ledger(Claims, Trash):
    """Everything the ledger keeps, as the stores inherit it: :class:`LedgerBase`, claims' versions, the trash."""
