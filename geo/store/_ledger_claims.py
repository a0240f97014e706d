"""Claims recorded by hand: every version kept, stale edits refused, withdrawn claims restorable.

Private to :mod:`geo.store` (see :mod:`geo.store._ledger` for the tables and how the stores plug in).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import geopandas as gpd
import pandas as pd

from geo import schema
from geo.errors import GeoError, NotFoundError, StaleEditError
from geo.store._ledger import RECORDED, ClaimVersion, LedgerBase, claim_data, now

__all__ = ["Claims"]


class Claims(LedgerBase):
    """Recording, editing, withdrawing and restoring claims (each in one transaction, audited)."""

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
