"""Recording claims by hand: the checks of the *Add claim* form and the guarded writes behind it.

Every write here calls :func:`geo.auth.require` FIRST, before the store is
touched: a viewer (or an anonymous visitor) who replays an editor's request
reaches the same function and is refused, nothing written. The store then
validates again with :func:`geo.validate.validate` (the importers' rules) and
writes the claim and its audit row in one transaction (``store.record_claim``).

:class:`ClaimForm` and :class:`EventForm` check what a person typed and list
EVERY problem at once (one :class:`~geo.errors.ValidationError`, each problem
naming its field). A source address must be a web address (http or https):
``javascript:``, ``data:``, ``file:`` and anything else is refused.

A new event's place comes from the gazetteer (:func:`find_places`, any
spelling, Cyrillic too) or from a point the person clicked on the map, at the
precision they state; a place the gazetteer does not find is recorded at its
region (admin1) without a point. No coordinate is ever made up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from geo.auth import Actor, require
from geo.editing.forms import MAX_TEXT, RECORDED_DATASET, ClaimForm, EventForm, check_source_url
from geo.editing.places import PlaceChoice, claimants, find_places
from geo.errors import NotFoundError, ValidationError

__all__ = [
    "MAX_TEXT",
    "RECORDED_DATASET",
    "ClaimForm",
    "EventForm",
    "PlaceChoice",
    "add_claim",
    "add_event",
    "check_source_url",
    "claimants",
    "delete_dataset",
    "edit_claim",
    "find_places",
    "import_dataset",
    "restore_claim",
    "restore_dataset",
    "withdraw_claim",
]


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _event(store: Any, event_id: str) -> dict[str, Any]:
    found = store.read_events(event_ids=[event_id])
    if len(found) == 0:
        raise NotFoundError(f"no event {event_id!r} in the store")
    return found.iloc[0].to_dict()


def add_claim(
    store: Any,
    actor: Actor | None,
    event_id: str,
    fields: Mapping[str, object] | ClaimForm,
    *,
    today: dt.date | None = None,
) -> Any:
    """Record a new claim about an existing event (audit ``claim_add``).

    Parameters
    ----------
    store : Store
        Where it is recorded.
    actor : Actor or None
        Who records it: an editor or an admin.
    event_id : str
        The event the claim is about.
    fields : mapping or ClaimForm
        The claim's columns (see :meth:`ClaimForm.from_fields`).
    today : date, optional
        Reference date for "in the future".

    Returns
    -------
    ClaimVersion
        ``(claim_id, event_id, version)`` as the store recorded it.

    Raises
    ------
    NotAllowedError
        The actor may not record claims (nothing is read or written).
    NotFoundError
        No such event.
    ValidationError
        Every problem of the form (or of the store's validation), at once.
    """
    who = require(actor, "record")
    event = _event(store, event_id)
    claim = ClaimForm.from_fields(fields).check(event.get("layer"), today=today)
    return store.record_claim({**claim, "claim_id": None, "event_id": event_id}, actor=who.name)


def edit_claim(
    store: Any,
    actor: Actor | None,
    claim_id: str,
    fields: Mapping[str, object] | ClaimForm,
    base_version: int,
    *,
    event_id: str | None = None,
    today: dt.date | None = None,
) -> Any:
    """Record a new version of a claim; the earlier one is kept (audit ``claim_edit``).

    Parameters
    ----------
    store : Store
        Where it is recorded.
    actor : Actor or None
        An editor or an admin.
    claim_id : str
        The claim edited.
    fields : mapping or ClaimForm
        Its columns as they are to be (``event_id`` among them, or given as ``event_id``).
    base_version : int
        The version the form was opened on (:meth:`store.claim_version`).
    event_id : str, optional
        The claim's event (default: ``fields["event_id"]``, else the claim's latest version).
    today : date, optional
        Reference date for "in the future".

    Returns
    -------
    ClaimVersion
        The claim's new version.

    Raises
    ------
    NotAllowedError
        The actor may not record claims.
    StaleEditError
        The claim changed since ``base_version`` (somebody else saved first): nothing written.
    ValidationError
        Every problem at once.
    """
    who = require(actor, "record")
    target = event_id or (fields.get("event_id") if isinstance(fields, Mapping) else None)
    if _blank(target):
        history = store.claim_history(claim_id)
        if len(history) == 0:
            raise NotFoundError(f"no claim {claim_id!r} in the store")
        target = history.iloc[-1]["data"]["event_id"]
    event = _event(store, str(target))
    claim = ClaimForm.from_fields(fields).check(event.get("layer"), today=today)
    return store.record_claim(
        {**claim, "claim_id": claim_id, "event_id": str(target)}, actor=who.name, base_version=int(base_version)
    )


def withdraw_claim(store: Any, actor: Actor | None, claim_id: str, base_version: int) -> int:
    """Withdraw a claim (a soft delete an admin can undo; audit ``claim_withdraw``).

    Parameters
    ----------
    store : Store
        The store.
    actor : Actor or None
        An editor or an admin.
    claim_id : str
        The claim.
    base_version : int
        The version the editor saw (a stale one is refused with ``StaleEditError``).

    Returns
    -------
    int
        What the store returns (the claim's new version).

    Raises
    ------
    NotAllowedError
        The actor may not record claims.
    """
    who = require(actor, "record")
    return store.withdraw_claim(claim_id, actor=who.name, base_version=int(base_version))


def restore_claim(store: Any, actor: Actor | None, claim_id: str) -> int:
    """Restore a withdrawn claim (admins; audit ``claim_restore``).

    Parameters
    ----------
    store : Store
        The store.
    actor : Actor or None
        An admin.
    claim_id : str
        A withdrawn claim.

    Returns
    -------
    int
        What the store returns (the claim's new version).

    Raises
    ------
    NotAllowedError
        The actor is not an admin.
    """
    who = require(actor, "restore_claim")
    return store.restore_claim(claim_id, actor=who.name)


def add_event(
    store: Any,
    actor: Actor | None,
    event_fields: Mapping[str, object] | EventForm,
    claim_fields: Mapping[str, object] | ClaimForm,
    *,
    today: dt.date | None = None,
) -> Any:
    """Record a new event with its first claim, in one transaction (audit ``event_add`` and ``claim_add``).

    Parameters
    ----------
    store : Store
        Where it is recorded.
    actor : Actor or None
        An editor or an admin.
    event_fields : mapping or EventForm
        The event (see :class:`EventForm`; :meth:`PlaceChoice.event_fields` gives its place).
    claim_fields : mapping or ClaimForm
        Its first claim.
    today : date, optional
        Reference date for "in the future".

    Returns
    -------
    ClaimVersion
        The claim recorded, with the new event's id.

    Raises
    ------
    NotAllowedError
        The actor may not record claims.
    ValidationError
        Every problem of the event and of the claim, at once (fields of the event prefixed ``event.``).
    """
    who = require(actor, "record")
    event, problems = EventForm.from_fields(event_fields).check(today=today)
    problems = [replace(p, column=f"event.{p.column}" if p.column else None) for p in problems]
    form = ClaimForm.from_fields(claim_fields)
    problems += form.problems(event.get("layer"), today=today)
    if problems:
        raise ValidationError(problems, context="new event")
    claim = form.check(event.get("layer"), today=today)
    return store.record_claim({**claim, "claim_id": None, "event_id": None}, actor=who.name, event=event)


def import_dataset(store: Any, actor: Actor | None, result: Any, file_name: str, sha256: str) -> Any:
    """Write an import (what :func:`geo.importers.read_file` read) as its dataset; audit ``import``.

    Parameters
    ----------
    store : Store
        Where it is written.
    actor : Actor or None
        An editor or an admin.
    result : ImportResult
        The read file.
    file_name : str
        The uploaded file's name (recorded in the audit row and the dataset's source).
    sha256 : str
        Its SHA-256, hexadecimal.

    Returns
    -------
    WriteResult
        Counts of inserted, updated and unchanged rows.

    Raises
    ------
    NotAllowedError
        The actor may not import.
    DatasetConflictError
        Some ids belong to another dataset (nothing written).
    """
    from pathlib import Path

    from geo.importers.run import source_label

    who = require(actor, "import")
    name = Path(file_name).name
    return store.write(
        result.events,
        result.claims,
        dataset=result.dataset,
        kind="import",
        source=source_label(name, sha256),
        description=f"Imported from {name} ({result.format}) in the dashboard",  # stored data: English
        validated=True,
        actor=who.name,
        audit={"file": name, "sha256": sha256},
    )


def delete_dataset(store: Any, actor: Actor | None, name: str) -> int:
    """Delete a dataset (a soft delete: :func:`restore_dataset` undoes it); admins only.

    Parameters
    ----------
    store : Store
        The store.
    actor : Actor or None
        An admin.
    name : str
        The dataset.

    Returns
    -------
    int
        Events removed.

    Raises
    ------
    NotAllowedError
        The actor is not an admin.
    """
    who = require(actor, "delete_dataset")
    return store.delete_dataset(name, actor=who.name)


def restore_dataset(store: Any, actor: Actor | None, deletion: str) -> int:
    """Restore a deleted dataset (one row of ``store.deleted_datasets()``); admins only.

    Parameters
    ----------
    store : Store
        The store.
    actor : Actor or None
        An admin.
    deletion : str
        The deletion's id.

    Returns
    -------
    int
        Events restored.

    Raises
    ------
    NotAllowedError
        The actor is not an admin.
    GeoError
        A dataset of that name exists again.
    """
    who = require(actor, "restore_dataset")
    return store.restore_dataset(deletion, actor=who.name)
