"""The audit trail for people: read it (admins), one readable line per row, and ``python -m geo audit``.

The store appends a row in the same transaction as every import, dataset
deletion and restoration, claim added, edited, withdrawn or restored, and user
change (``store.audit()``: newest first, ``detail`` a JSON object). Reading it
is the ``read_audit`` action (admins): :func:`read` checks that first.

.. code-block:: text

    python -m geo audit [--json] [--action A] [--actor N] [--since DATE] [--until DATE] [--target T] [--limit N]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

import pandas as pd

from geo.auth import SYSTEM, Actor, require
from geo.i18n import N_, t
from geo.store._ledger import AUDIT_ACTIONS

__all__ = [
    "ACTIONS",
    "DEFAULT_LIMIT",
    "add_commands",
    "cmd_audit",
    "csv_bytes",
    "describe",
    "details",
    "format_rows",
    "read",
    "table",
]

ACTIONS: Final = AUDIT_ACTIONS
"""What the store's audit trail records (import, delete_dataset, …, user_remove)."""
DEFAULT_LIMIT: Final = 200
"""Rows the command line and the Audit page show unless told otherwise."""
_COUNTS: Final = (
    ("events_inserted", N_("new events")),
    ("events_updated", N_("updated events")),
    ("events_unchanged", N_("unchanged events")),
    ("claims_inserted", N_("new claims")),
    ("claims_updated", N_("updated claims")),
    ("claims_unchanged", N_("unchanged claims")),
    ("events", N_("events")),
    ("claims", N_("claims")),
)
_SHOWN_LATER: Final = {key for key, _ in _COUNTS} | {"file", "sha256"}


def read(
    store: Any,
    actor: Actor | None,
    *,
    actions: str | Iterable[str] | None = None,
    actors: str | Iterable[str] | None = None,
    since: object = None,
    until: object = None,
    target: str | None = None,
    limit: int | None = DEFAULT_LIMIT,
) -> pd.DataFrame:
    """The audit trail, newest first, for an admin.

    Parameters
    ----------
    store : Store
        The store.
    actor : Actor or None
        Who reads it: an admin (:data:`geo.auth.SYSTEM` on the command line).
    actions, actors : str, iterable of str or None
        Keep only these actions (``import``, ``claim_add``…) / people.
    since, until : date-like, optional
        Keep rows from ``since`` to the end of the day ``until``.
    target : str, optional
        Keep rows whose target (a dataset, claim id, user) contains this text.
    limit : int or None
        At most this many rows (None: all).

    Returns
    -------
    DataFrame
        ``seq, at (UTC), actor, action, target, detail`` (``detail`` the JSON text).

    Raises
    ------
    NotAllowedError
        The actor is not an admin (nothing is read).
    """
    require(actor, "read_audit")
    return store.audit(actions=actions, actors=actors, since=since, until=until, target=target or None, limit=limit)


def _detail(value: object) -> dict[str, Any]:
    """A row's detail as a dict (the store keeps JSON text; a dict passes as it is; anything else is empty)."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, str) and value.strip():
        try:
            parsed = json.loads(value)
        except ValueError:
            return {"detail": value}
        return parsed if isinstance(parsed, dict) else {"detail": parsed}
    return {}


def _value(value: object) -> str:
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,}" if float(value).is_integer() else f"{value:,.2f}"
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value)
    return " ".join(str(value).split())


def details(detail: object) -> str:
    """A row's details in words: ``file acled.csv, sha256 1a2b3c4d…, 120 new events, 3 updated events, dataset x``.

    Parameters
    ----------
    detail : str or dict
        The row's ``detail`` (JSON text, as the store keeps it, or a dict).

    Returns
    -------
    str
        The details, file and digest first, then the counts that are not zero, then the rest as ``key value``.
    """
    data = _detail(detail)
    parts = []
    if data.get("file"):
        parts.append(t("file {name}", name=_value(data["file"])))
    if data.get("sha256"):
        parts.append(f"sha256 {str(data['sha256'])[:12]}…")
    for key, words in _COUNTS:
        if isinstance(data.get(key), int | float) and data[key]:
            parts.append(f"{_value(data[key])} {t(words)}")
    for key, value in data.items():
        if key in _SHOWN_LATER or value is None or value == "":
            continue
        parts.append(f"{key.replace('_', ' ')} {_value(value)}")
    return ", ".join(parts)


def _when(at: object) -> str:
    stamp = pd.Timestamp(at)
    if pd.isna(stamp):
        return ""
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.strftime("%Y-%m-%d %H:%M:%S UTC")


def describe(row: Mapping[str, Any]) -> str:
    """One audit row as a line: ``2026-12-01 09:14:03 UTC  alice  claim_add  rec-1a2b…  event_id …, stance denies``.

    Parameters
    ----------
    row : mapping
        A row of :func:`read` (``at``, ``actor``, ``action``, ``target``, ``detail``).

    Returns
    -------
    str
        Time (UTC), who, what, to what, and the details in words, separated by two spaces.
    """
    cells = [_when(row.get("at")), str(row.get("actor") or ""), str(row.get("action") or "")]
    target = " ".join(str(row.get("target") or "").split())
    cells.append(target or "—")
    text = details(row.get("detail"))
    if text:
        cells.append(text)
    return "  ".join(cells)


def format_rows(frame: pd.DataFrame) -> list[str]:
    """Every row of an audit frame as one line (:func:`describe`), in the frame's order.

    Parameters
    ----------
    frame : DataFrame
        What :func:`read` returned.

    Returns
    -------
    list of str
        One line per row.
    """
    return [describe(row) for row in frame.to_dict("records")]


def table(frame: pd.DataFrame) -> pd.DataFrame:
    """The audit rows for a table or a CSV file: ``seq, at (UTC text), actor, action, target, details`` (in words).

    Parameters
    ----------
    frame : DataFrame
        What :func:`read` returned.

    Returns
    -------
    DataFrame
        A new frame; ``details`` replaces the JSON ``detail``.
    """
    out = pd.DataFrame(
        {
            "seq": frame["seq"].to_numpy() if "seq" in frame.columns else range(len(frame)),
            "at": [_when(v) for v in frame["at"]],
            "actor": frame["actor"].astype(object).to_numpy(),
            "action": frame["action"].astype(object).to_numpy(),
            "target": frame["target"].astype(object).to_numpy(),
            "details": [details(v) for v in frame["detail"]],
        }
    )
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The table (:func:`table`) as UTF-8 CSV, every text cell safe in a spreadsheet (no formulas, no controls).

    Parameters
    ----------
    frame : DataFrame
        What :func:`table` returned.

    Returns
    -------
    bytes
        The CSV file.
    """
    from geo.exporters._cells import clean_text, neutralise

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = [neutralise(clean_text(v)[0]) if isinstance(v, str) else v for v in out[column]]
    return out.to_csv(index=False).encode("utf-8")


def _json_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            "seq": int(row["seq"]),
            "at": _when(row["at"]).replace(" UTC", "Z").replace(" ", "T"),
            "actor": row["actor"],
            "action": row["action"],
            "target": row["target"],
            "detail": _detail(row["detail"]),
        }
        for row in frame.to_dict("records")
    ]


def cmd_audit(args: argparse.Namespace) -> int:
    """``audit``: print the audit trail, newest first (as the command line's operator, :data:`geo.auth.SYSTEM`)."""
    from geo.cli import _open

    store = _open(args.store, must_exist=True)
    frame = read(
        store,
        SYSTEM,
        actions=args.action or None,
        actors=args.actor or None,
        since=args.since,
        until=args.until,
        target=args.target,
        limit=args.limit,
    )
    if args.json:
        print(json.dumps(_json_rows(frame), indent=2, ensure_ascii=False))
    elif frame.empty:
        print("no audit rows match")  # the command line speaks English, as the rest of geo.cli
    else:
        print("\n".join(format_rows(frame)))
    return 0


def _date(text: str) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (write YYYY-MM-DD)") from err
    if pd.isna(stamp):
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (write YYYY-MM-DD)")
    return stamp


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from err
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_commands(subparsers: Any, store_help: str) -> None:
    """Add ``audit`` to ``geo.cli``'s subparsers.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers`` returned.
    store_help : str
        The help of ``--store`` shared by every command.
    """
    p = subparsers.add_parser("audit", help="the audit trail: imports, deletions, claims recorded, user changes")
    p.add_argument("--store", help=store_help)
    p.add_argument("--json", action="store_true", help="print JSON (details as objects)")
    p.add_argument("--action", action="append", default=[], help="only this action (repeatable): import, claim_add…")
    p.add_argument("--actor", action="append", default=[], help="only this person (repeatable)")
    p.add_argument("--since", type=_date, help="from this date (YYYY-MM-DD, UTC)")
    p.add_argument("--until", type=_date, help="to the end of this date")
    p.add_argument("--target", help="only rows whose target contains this text")
    p.add_argument("--limit", type=_limit, default=DEFAULT_LIMIT, help=f"at most N rows (default {DEFAULT_LIMIT})")
    p.set_defaults(func=cmd_audit)
