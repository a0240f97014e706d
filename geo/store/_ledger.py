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
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import schema
from geo.errors import GeoError, NotFoundError, StaleEditError
from geo.store.base import DateLike, WriteResult

__all__ = ["AUDIT_ACTIONS", "Changes", "ClaimVersion", "Ledger"]

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


class Ledger:
    """The ledger's methods, shared by both stores (mixed into :class:`GeoPackageStore` and :class:`PostGISStore`).

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

    def _columns(self, con: Any, table: str) -> list[str]:
        cur = self._x(con, f"SELECT * FROM {{{table}}} WHERE 1 = 0")
        return [d[0] for d in cur.description]

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

    # -- claims recorded by hand -----------------------------------------------------------------------------------

    def _latest(self, con: Any, claim_id: str) -> tuple[int, str, str, str] | None:
        """(version, op, at, actor) of a claim's latest version, or None when it has none."""
        row = self._x(
            con,
            "SELECT version, op, at, actor FROM {claim_versions} WHERE claim_id = ? ORDER BY version DESC LIMIT 1",
            (claim_id,),
        ).fetchone()
        return None if row is None else (int(row[0]), str(row[1]), str(row[2]), str(row[3]))

    def _stored_claim(self, con: Any, claim_id: str) -> dict[str, Any] | None:
        names = ", ".join(f'"{c}"' for c in schema.CLAIM_COLUMN_NAMES)
        row = self._x(con, f"SELECT {names} FROM {{claims}} WHERE claim_id = ?", (claim_id,)).fetchone()
        return None if row is None else claim_data(dict(zip(schema.CLAIM_COLUMN_NAMES, row, strict=True)))

    def _version_row(self, con: Any, claim_id: str, version: int, op: str, actor: str, data: dict[str, Any]) -> None:
        self._x(
            con,
            "INSERT INTO {claim_versions} (claim_id, version, op, at, actor, event_id, data) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (claim_id, version, op, now(), actor, data["event_id"], json.dumps(data, ensure_ascii=False)),
        )

    def claim_version(self, claim_id: str) -> int:
        """The claim's current version: 0 for a claim as imported, never edited.

        Raises
        ------
        NotFoundError
            No claim of that id (withdrawn claims still have versions: their latest is returned).
        """
        with self._ledger_read() as con:
            latest = self._latest(con, claim_id)
            if latest is not None:
                return latest[0]
            if self._x(con, "SELECT 1 FROM {claims} WHERE claim_id = ?", (claim_id,)).fetchone() is None:
                raise NotFoundError(f"no claim {claim_id!r}")
        return 0

    def claim_history(self, claim_id: str) -> pd.DataFrame:
        """Every version of a claim, oldest first: ``version``, ``op``, ``at``, ``actor``, ``data`` (a dict)."""
        with self._ledger_read() as con:
            rows = self._x(
                con,
                "SELECT version, op, at, actor, data FROM {claim_versions} WHERE claim_id = ? ORDER BY version",
                (claim_id,),
            ).fetchall()
        out = pd.DataFrame(rows, columns=["version", "op", "at", "actor", "data"])
        out["version"] = out["version"].astype("int64")
        out["at"] = pd.to_datetime(out["at"], utc=True, format="ISO8601").astype("datetime64[ms, UTC]")
        out["data"] = [json.loads(d) for d in out["data"]]
        return out

    def withdrawn_claims(self) -> pd.DataFrame:
        """Claims withdrawn and not restored: their fields, ``version``, ``withdrawn_at``, ``withdrawn_by``."""
        with self._ledger_read() as con:
            rows = self._x(
                con,
                "SELECT v.version, v.at, v.actor, v.data FROM {claim_versions} v "
                "WHERE v.op = 'withdraw' AND v.version = "
                "(SELECT max(w.version) FROM {claim_versions} w WHERE w.claim_id = v.claim_id) ORDER BY v.at DESC",
            ).fetchall()
        records = [
            {**json.loads(d), "version": int(v), "withdrawn_at": at, "withdrawn_by": by} for v, at, by, d in rows
        ]
        columns = [*schema.CLAIM_COLUMN_NAMES, "version", "withdrawn_at", "withdrawn_by"]
        out = pd.DataFrame(records, columns=columns)
        out["withdrawn_at"] = pd.to_datetime(out["withdrawn_at"], utc=True, format="ISO8601")
        return out

    def _event_frames(
        self, claim: dict[str, Any], event: dict[str, Any] | None
    ) -> tuple[gpd.GeoDataFrame, str, str | None]:
        """The claim's event as a frame, its dataset, and the kind to write it as (None: as registered)."""
        if event is not None:
            fields = {k: event.get(k) for k in schema.EVENT_COLUMN_NAMES}
            fields["event_id"] = fields["event_id"] or f"rec-ev-{uuid.uuid4().hex[:12]}"
            fields["dataset"] = fields["dataset"] or RECORDED
            frame = gpd.GeoDataFrame([fields], geometry=[event.get("geometry")], crs=schema.CRS)
            return frame, fields["dataset"], "recorded" if fields["dataset"] == RECORDED else None
        event_id = claim.get("event_id")
        if not event_id:
            raise GeoError("a claim needs the event it is about (event_id), or a new event")
        frame = self.read_events(event_ids=[event_id])
        if frame.empty:
            raise NotFoundError(f"no event {event_id!r}")
        return frame, str(frame["dataset"].iloc[0]), None

    def _kind_of(self, con: Any, dataset: str, default: str) -> str:
        row = self._x(con, "SELECT kind FROM {datasets} WHERE name = ?", (dataset,)).fetchone()
        return default if row is None else str(row[0])

    def record_claim(
        self,
        claim: dict[str, Any],
        *,
        actor: str,
        event: dict[str, Any] | None = None,
        base_version: int | None = None,
    ) -> ClaimVersion:
        """Record a claim (a new one, or a new version of one), with its event when the event is new.

        Parameters
        ----------
        claim : dict
            Fields of :data:`geo.schema.CLAIM_COLUMNS`. Without ``claim_id``: a new claim (an id ``rec-…`` is
            made). With it: an edit of that claim, based on ``base_version``.
        actor : str
            Who records it (the audit trail's name).
        event : dict, optional
            A new event's fields (:data:`geo.schema.EVENT_COLUMNS` and ``geometry``, a shapely geometry or None),
            recorded with this claim as its first; its dataset is ``recorded`` unless named.
        base_version : int, optional
            For an edit: the version the editor started from. Another version since is refused.

        Returns
        -------
        ClaimVersion
            The claim's id, its event and its new version.

        Raises
        ------
        ValidationError
            Every problem of the claim (and new event), by the importers' rules; nothing written.
        StaleEditError
            The claim changed since ``base_version``; nothing written.
        NotFoundError
            The event, or the claim to edit, does not exist.
        """
        from geo.validate import validate

        claim = {k: claim.get(k) for k in schema.CLAIM_COLUMN_NAMES}
        events, dataset, kind = self._event_frames(claim, event)
        event_id = str(events["event_id"].iloc[0])
        editing = bool(claim.get("claim_id"))
        if editing and base_version is None:
            raise GeoError("an edit needs the version of the claim it was based on")
        claim["claim_id"] = claim["claim_id"] or f"rec-{uuid.uuid4().hex[:12]}"
        claim["event_id"] = event_id
        claim["stated_precision"] = claim["stated_precision"] or "day"
        checked_events, checked = validate(events, pd.DataFrame([claim]), context="claim")
        data = claim_data(checked.iloc[0])
        with self._transaction() as con:
            latest = self._latest(con, data["claim_id"])
            stored = self._stored_claim(con, data["claim_id"]) if editing else None
            if editing:
                self._check_base(data["claim_id"], latest, stored, base_version)
                if stored is not None and stored["event_id"] != event_id:
                    raise GeoError(
                        f"claim {data['claim_id']!r} is about event {stored['event_id']!r}, not {event_id!r}"
                    )
                if latest is None and stored is not None:
                    self._version_row(con, data["claim_id"], 0, "original", "import", stored)
            elif latest is not None:
                raise GeoError(f"claim {data['claim_id']!r} exists already")
            self._write_rows(con, checked_events, checked, dataset, kind or self._kind_of(con, dataset, "import"))
            version = (latest[0] if latest else 0) + 1
            self._version_row(con, data["claim_id"], version, "edit" if editing else "add", actor, data)
            if event is not None:
                self._audit(con, "event_add", actor, event_id, {"dataset": dataset, "place": events["place"].iloc[0]})
            detail = {"event_id": event_id, "claimant": data["claimant"], "stance": data["stance"],
                      "source_url": data["source_url"], "version": version}  # fmt: skip
            self._audit(con, "claim_edit" if editing else "claim_add", actor, data["claim_id"], detail)
            self._change(con, event_id)
            self._data_changed(con)
        return ClaimVersion(data["claim_id"], event_id, version)

    @staticmethod
    def _check_base(
        claim_id: str, latest: tuple[int, str, str, str] | None, stored: dict[str, Any] | None, base: int | None
    ) -> None:
        """Refuse an edit of a claim that is gone, withdrawn, or changed since the version it was based on."""
        if stored is None:
            if latest is not None and latest[1] == "withdraw":
                raise StaleEditError(
                    f"claim {claim_id!r} was withdrawn by {latest[3]} at {latest[2]}; an admin can restore it"
                )
            raise NotFoundError(f"no claim {claim_id!r}")
        current = latest[0] if latest else 0
        if base != current:
            who = f" by {latest[3]} at {latest[2]}" if latest else ""
            raise StaleEditError(
                f"claim {claim_id!r} was changed{who} (now version {current}) since you opened version {base}; "
                "reload it and make your change again"
            )

    def withdraw_claim(self, claim_id: str, *, actor: str, base_version: int) -> int:
        """Withdraw a claim (a soft delete an admin can undo); return the new version number.

        Raises
        ------
        StaleEditError
            The claim changed since ``base_version``, or was withdrawn already.
        NotFoundError
            No such claim.
        """
        with self._transaction() as con:
            latest = self._latest(con, claim_id)
            stored = self._stored_claim(con, claim_id)
            self._check_base(claim_id, latest, stored, base_version)
            assert stored is not None
            if latest is None:
                self._version_row(con, claim_id, 0, "original", "import", stored)
            version = (latest[0] if latest else 0) + 1
            self._version_row(con, claim_id, version, "withdraw", actor, stored)
            self._x(con, "DELETE FROM {claims} WHERE claim_id = ?", (claim_id,))
            detail = {"event_id": stored["event_id"], "claimant": stored["claimant"], "version": version}
            self._audit(con, "claim_withdraw", actor, claim_id, detail)
            self._change(con, stored["event_id"])
            self._data_changed(con)
        return version

    def restore_claim(self, claim_id: str, *, actor: str) -> int:
        """Put a withdrawn claim back as it was; return the new version number.

        Raises
        ------
        NotFoundError
            No withdrawn claim of that id, or its event has gone (its dataset was deleted).
        """
        from geo.validate import validate

        with self._ledger_read() as con:
            latest = self._latest(con, claim_id)
            row = None
            if latest is not None and latest[1] == "withdraw":
                row = self._x(
                    con, "SELECT data FROM {claim_versions} WHERE claim_id = ? AND version = ?", (claim_id, latest[0])
                ).fetchone()
        if row is None:
            raise NotFoundError(f"claim {claim_id!r} is not withdrawn")
        data = json.loads(row[0])
        events = self.read_events(event_ids=[data["event_id"]])
        if events.empty:
            raise NotFoundError(f"claim {claim_id!r} is about event {data['event_id']!r}, which is no longer stored")
        checked_events, checked = validate(events, pd.DataFrame([data]), context="claim")
        dataset = str(events["dataset"].iloc[0])
        with self._transaction() as con:
            now_latest = self._latest(con, claim_id)
            if now_latest != latest:
                raise StaleEditError(f"claim {claim_id!r} changed while it was being restored; try again")
            self._write_rows(con, checked_events, checked, dataset, self._kind_of(con, dataset, "import"))
            version = latest[0] + 1
            self._version_row(con, claim_id, version, "restore", actor, data)
            self._audit(con, "claim_restore", actor, claim_id, {"event_id": data["event_id"], "version": version})
            self._change(con, data["event_id"])
            self._data_changed(con)
        return version

    # -- imports, deleting and restoring datasets --------------------------------------------------------------------

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

    def _trash_rows(self, con: Any, deletion: str, name: str) -> tuple[int, int]:
        """Copy a dataset's events and claims into the trash; return how many of each."""
        counts = []
        for table, trash, where in (
            ("claims", "trash_claims", "event_id IN (SELECT event_id FROM {events} WHERE dataset = ?)"),
            ("events", "trash_events", "dataset = ?"),
        ):
            shared = [c for c in self._columns(con, trash) if c in set(self._columns(con, table)) and c != "fid"]
            cols = ", ".join(f'"{c}"' for c in shared)
            cur = self._x(
                con, f"INSERT INTO {{{trash}}} (deletion, {cols}) SELECT ?, {cols} FROM {{{table}}} WHERE {where}",
                (deletion, name),
            )  # fmt: skip
            counts.append(int(cur.rowcount))
        return counts[1], counts[0]

    def delete_dataset(self, name: str, *, actor: str = "cli") -> int:
        """Delete a dataset: its events, their claims and its registry entry go to the trash (an admin can restore it).

        Parameters
        ----------
        name : str
            The dataset.
        actor : str
            Who deletes it (audited as ``delete_dataset``).

        Returns
        -------
        int
            Number of events removed.

        Raises
        ------
        NotFoundError
            No dataset of that name.
        """
        from geo.store.base import check_dataset_name

        name = check_dataset_name(name)
        deletion = uuid.uuid4().hex[:12]
        with self._transaction() as con:
            entry = self._x(
                con, "SELECT kind, description, source, created_at FROM {datasets} WHERE name = ?", (name,)
            ).fetchone()
            events, claims = self._trash_rows(con, deletion, name)
            n = self._remove_rows(con, name)  # NotFoundError when there is nothing of that name: all rolled back
            kind, description, source, created = entry if entry is not None else (None, None, None, None)
            self._x(
                con,
                "INSERT INTO {trash} (deletion, dataset, kind, description, source, created_at, deleted_at, "
                "deleted_by, events, claims) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (deletion, name, kind, description, source, None if created is None else str(created), now(), actor,
                 events, claims),
            )  # fmt: skip
            self._audit(con, "delete_dataset", actor, name, {"events": events, "claims": claims, "deletion": deletion})
            self._change(con)
            self._data_changed(con)
        return n

    def deleted_datasets(self) -> pd.DataFrame:
        """Datasets in the trash, newest first: ``deletion``, ``dataset``, ``kind``, ``events``, ``claims``,
        ``deleted_at``, ``deleted_by``."""
        columns = ["deletion", "dataset", "kind", "events", "claims", "deleted_at", "deleted_by"]
        with self._ledger_read() as con:
            rows = self._x(con, f"SELECT {', '.join(columns)} FROM {{trash}} ORDER BY deleted_at DESC").fetchall()
        out = pd.DataFrame(rows, columns=columns)
        out["deleted_at"] = pd.to_datetime(out["deleted_at"], utc=True, format="ISO8601")
        return out

    def restore_dataset(self, deletion: str, *, actor: str) -> int:
        """Put a deleted dataset back from the trash; return the number of events restored.

        Raises
        ------
        NotFoundError
            Nothing in the trash under ``deletion``.
        GeoError
            A dataset of that name exists again, or some of its ids were imported into another dataset since.
        """
        with self._transaction() as con:
            row = self._x(
                con,
                "SELECT dataset, kind, description, source, created_at FROM {trash} WHERE deletion = ?",
                (deletion,),
            ).fetchone()
            if row is None:
                raise NotFoundError(f"nothing in the trash under {deletion!r}")
            name = row[0]
            if self._x(con, "SELECT 1 FROM {datasets} WHERE name = ?", (name,)).fetchone() is not None:
                raise GeoError(f"a dataset named {name!r} exists again; delete it first, then restore this one")
            for table, trash, key in (("events", "trash_events", "event_id"), ("claims", "trash_claims", "claim_id")):
                clash = self._x(
                    con,
                    f"SELECT count(*) FROM {{{trash}}} t JOIN {{{table}}} s ON s.{key} = t.{key} WHERE t.deletion = ?",
                    (deletion,),
                ).fetchone()[0]
                if clash:
                    raise GeoError(
                        f"{clash} {key}s of the deleted dataset {name!r} are stored again (imported since); "
                        "delete the dataset that holds them first"
                    )
            restored = {}
            for table, trash in (("events", "trash_events"), ("claims", "trash_claims")):
                shared = [c for c in self._columns(con, table) if c in set(self._columns(con, trash)) and c != "fid"]
                cols = ", ".join(f'"{c}"' for c in shared)
                with self._bulk(con, table):
                    cur = self._x(
                        con,
                        f"INSERT INTO {{{table}}} ({cols}) SELECT {cols} FROM {{{trash}}} WHERE deletion = ?",
                        (deletion,),
                    )
                restored[table] = int(cur.rowcount)
                self._x(con, f"DELETE FROM {{{trash}}} WHERE deletion = ?", (deletion,))
            stamp = now()
            if row[1] is not None:
                self._x(
                    con,
                    "INSERT INTO {datasets} (name, kind, description, source, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (name, row[1], row[2], row[3], self._created(row[4], stamp), self._stamp(stamp)),
                )
            self._x(con, "DELETE FROM {trash} WHERE deletion = ?", (deletion,))
            self._audit(con, "restore_dataset", actor, name, {"deletion": deletion, **restored})
            self._change(con)
            self._data_changed(con, restored=True)
        return restored["events"]

    def _created(self, stored: Any, fallback: str) -> Any:
        """A registry time read back from the trash, as the registry stores it."""
        return self._stamp(stored or fallback)

    def _stamp(self, text: str) -> Any:
        return text

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
