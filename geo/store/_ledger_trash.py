"""Deleted datasets kept in a trash, restored whole by an admin.

Private to :mod:`geo.store` (see :mod:`geo.store._ledger` for the tables and how the stores plug in).
"""

from __future__ import annotations

import uuid
from typing import Any

import pandas as pd

from geo.errors import GeoError, NotFoundError
from geo.store._ledger import LedgerBase, now

__all__ = ["Trash"]


class Trash(LedgerBase):
    """Deleting datasets into the trash and restoring them (each in one transaction, audited)."""

    def _trash_rows(self, con: Any, deletion: str, name: str) -> tuple[int, int]:
        """Copy a dataset's events and claims into the trash; return how many of each."""
        counts = []
        for table, trash, where in (
            ("claims", "trash_claims", "event_id IN (SELECT event_id FROM {events} WHERE dataset = ?)"),
            ("events", "trash_events", "dataset = ?"),
        ):
            cols = self._shared_columns(con, table, trash)
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
                cols = self._shared_columns(con, table, trash)
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
                    (name, row[1], row[2], row[3], row[4] or stamp, stamp),
                )
            self._x(con, "DELETE FROM {trash} WHERE deletion = ?", (deletion,))
            self._audit(con, "restore_dataset", actor, name, {"deletion": deletion, **restored})
            self._change(con)
            self._data_changed(con, restored=True)
        return restored["events"]
