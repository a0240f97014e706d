"""The interface every store implements, and what its methods exchange.

A store keeps the two tables of the data model (events and claims, see
:mod:`geo.schema`) plus a registry of *datasets* (the bundled ``feb-2026``,
``synthetic``, each import). :class:`Store` is a :class:`typing.Protocol`: the
GeoPackage store (:class:`geo.store.gpkg.GeoPackageStore`) implements it today
and a PostGIS store can implement it later without the callers changing.

:class:`EventQuery` checks the simple filters :meth:`Store.read_events` takes,
once, so every implementation rejects bad arguments with the same messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Final, Protocol, runtime_checkable

import geopandas as gpd
import pandas as pd

from geo import schema
from geo.errors import Problem, ValidationError

__all__ = [
    "ASSESSMENT_COLUMNS",
    "DATASET_COLUMNS",
    "KINDS",
    "SCHEMA_VERSION",
    "AssessmentWriteResult",
    "DateLike",
    "EventQuery",
    "Store",
    "WriteResult",
    "check_dataset_name",
    "check_kind",
]

SCHEMA_VERSION: Final = 1
"""Version of the stored layout; a store written by a newer version is refused."""

KINDS: Final = ("bundled", "synthetic", "import", "recorded")
"""What a dataset is: the sourced dataset shipped with the project, labelled
synthetic data, something a user imported, or events recorded by hand in the
dashboard (the ``recorded`` dataset)."""

DATASET_COLUMNS: Final = (
    "name",
    "kind",
    "description",
    "source",
    "created_at",
    "updated_at",
    "events",
    "claims",
)
"""Columns of :meth:`Store.datasets`: the registry plus event and claim counts."""

ASSESSMENT_COLUMNS: Final = (
    "assessment_id",
    "assessor",
    "as_of",
    "side",
    "kind",
    "source",
    "area_km2",
    "vertices",
)
"""Columns of :meth:`Store.read_assessments` (then ``geometry`` when asked for): the series' key
(``assessment_id`` is ``assessor|YYYY-MM-DD|side|kind``), the day ``as_of``, the side holding the area
(``RU``/``UA``), the kind of area (``occupied``, ``assessed_advance``, ``claimed_control``,
``counteroffensive``, …), where it came from, its area in km² (equal-area projection) and its vertex count."""

DateLike = str | dt.date | dt.datetime | pd.Timestamp
"""A date given as ``"YYYY-MM-DD"``, a date, a datetime or a Timestamp."""


@dataclass(frozen=True)
class WriteResult:
    """What one :meth:`Store.write` did, row by row.

    Parameters
    ----------
    inserted_events, updated_events, unchanged_events : int
        Events that were new, that existed and changed, that existed as given.
    inserted_claims, updated_claims, unchanged_claims : int
        The same for claims.
    """

    inserted_events: int = 0
    updated_events: int = 0
    unchanged_events: int = 0
    inserted_claims: int = 0
    updated_claims: int = 0
    unchanged_claims: int = 0

    @property
    def changed(self) -> bool:
        """Whether the write inserted or updated anything."""
        return bool(self.inserted_events or self.updated_events or self.inserted_claims or self.updated_claims)

    @property
    def events(self) -> int:
        """Number of events written (inserted, updated or unchanged)."""
        return self.inserted_events + self.updated_events + self.unchanged_events

    @property
    def claims(self) -> int:
        """Number of claims written (inserted, updated or unchanged)."""
        return self.inserted_claims + self.updated_claims + self.unchanged_claims

    def __add__(self, other: WriteResult) -> WriteResult:
        if not isinstance(other, WriteResult):
            return NotImplemented
        return WriteResult(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def __str__(self) -> str:
        return (
            f"events: {self.inserted_events} inserted, {self.updated_events} updated, "
            f"{self.unchanged_events} unchanged; claims: {self.inserted_claims} inserted, "
            f"{self.updated_claims} updated, {self.unchanged_claims} unchanged"
        )


@dataclass(frozen=True)
class AssessmentWriteResult:
    """What one :meth:`Store.write_assessments` did, day by day.

    Parameters
    ----------
    inserted : int
        Days of a series that were not stored yet.
    replaced : int
        Days stored already whose geometry or source differed: replaced.
    unchanged : int
        Days stored already as given.
    """

    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        """Whether the write inserted or replaced anything."""
        return bool(self.inserted or self.replaced)

    def __str__(self) -> str:
        return f"days: {self.inserted} inserted, {self.replaced} replaced, {self.unchanged} unchanged"


def _as_list(values: str | Iterable[str] | None, what: str) -> list[str] | None:
    """``None`` stays ``None``; one string becomes a list of one; others are listed."""
    if values is None:
        return None
    if isinstance(values, str):
        return [values]
    out = list(values)
    bad = [v for v in out if not isinstance(v, str)]
    if bad:
        raise ValidationError(Problem(f"{what} must be strings, got {bad[0]!r}", column=what))
    return out


def _as_timestamp(value: DateLike | None, what: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = None
    if ts is None or pd.isna(ts):
        raise ValidationError(Problem(f"not a date: {value!r}", column=what, fix="give a date as YYYY-MM-DD"))
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.normalize()


@dataclass(frozen=True)
class EventQuery:
    """Checked filters of :meth:`Store.read_events`.

    Every filter is optional; ``None`` means "no filter" and an empty list
    means "nothing" (a multiselect with nothing selected selects no rows).

    Parameters
    ----------
    layers : tuple of str or None
        Layers to keep, each one of :data:`geo.schema.LAYERS`.
    datasets : tuple of str or None
        Dataset names to keep.
    date_from, date_to : Timestamp or None
        Keep events overlapping ``[date_from, date_to]`` (both inclusive,
        whole days): ``time_start <= date_to`` and ``time_end >= date_from``.
    event_ids : tuple of str or None
        Event ids to keep.
    """

    layers: tuple[str, ...] | None = None
    datasets: tuple[str, ...] | None = None
    date_from: pd.Timestamp | None = None
    date_to: pd.Timestamp | None = None
    event_ids: tuple[str, ...] | None = None

    @classmethod
    def build(
        cls,
        *,
        layers: str | Iterable[str] | None = None,
        datasets: str | Iterable[str] | None = None,
        date_from: DateLike | None = None,
        date_to: DateLike | None = None,
        event_ids: str | Iterable[str] | None = None,
    ) -> EventQuery:
        """Check and normalise the filters.

        Parameters
        ----------
        layers, datasets, event_ids : str, iterable of str or None
            One value or several.
        date_from, date_to : str, date, datetime, Timestamp or None
            Bounds of the date range (inclusive).

        Returns
        -------
        EventQuery
            The checked filters (duplicates removed, dates as day Timestamps).

        Raises
        ------
        ValidationError
            Unknown layer, a value that is not a date, ``date_from`` after
            ``date_to``, or non-string names.
        """
        lay = _as_list(layers, "layers")
        if lay is not None:
            unknown = [v for v in lay if v not in schema.LAYERS]
            if unknown:
                raise ValidationError(
                    Problem(
                        f"unknown layer {unknown[0]!r}"
                        + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""),
                        column="layers",
                        fix=f"use one of: {', '.join(schema.LAYERS)}",
                    ),
                    context="read_events",
                )
        start = _as_timestamp(date_from, "date_from")
        end = _as_timestamp(date_to, "date_to")
        if start is not None and end is not None and start > end:
            raise ValidationError(
                Problem(
                    f"date_from {start:%Y-%m-%d} is after date_to {end:%Y-%m-%d}",
                    column="date_from",
                    fix="swap the dates",
                ),
                context="read_events",
            )
        ds = _as_list(datasets, "datasets")
        ids = _as_list(event_ids, "event_ids")
        return cls(
            layers=None if lay is None else tuple(dict.fromkeys(lay)),
            datasets=None if ds is None else tuple(dict.fromkeys(ds)),
            date_from=start,
            date_to=end,
            event_ids=None if ids is None else tuple(dict.fromkeys(ids)),
        )

    @property
    def selects_nothing(self) -> bool:
        """Whether an empty list makes the result empty whatever is stored."""
        return any(v is not None and len(v) == 0 for v in (self.layers, self.datasets, self.event_ids))


def check_dataset_name(name: object) -> str:
    """Return a dataset name stripped, or raise if it is not a usable name.

    Parameters
    ----------
    name : object
        The name given.

    Returns
    -------
    str
        The stripped name.

    Raises
    ------
    ValidationError
        When the name is not a non-empty string, or holds a comma.
    """
    if not isinstance(name, str) or not name.strip():
        raise ValidationError(
            Problem(
                f"dataset name must be a non-empty string, got {name!r}",
                column="dataset",
                fix="name the dataset",
            )
        )
    if "," in name:
        raise ValidationError(
            Problem(
                f"dataset name must not contain a comma, got {name!r}",
                column="dataset",
                fix="commas separate values in dashboard links and command-line flags; use '-' or ' '",
            )
        )
    return name.strip()


def check_kind(kind: object) -> str:
    """Return ``kind`` if it is one of :data:`KINDS`.

    Parameters
    ----------
    kind : object
        The kind given.

    Returns
    -------
    str
        The kind.

    Raises
    ------
    ValidationError
        For any other value.
    """
    if kind not in KINDS:
        raise ValidationError(
            Problem(f"unknown dataset kind {kind!r}", column="kind", fix=f"use one of: {', '.join(KINDS)}")
        )
    return str(kind)


@runtime_checkable
class Store(Protocol):
    """Where events, claims and the dataset registry are kept.

    Implementations: :class:`geo.store.gpkg.GeoPackageStore` (one GeoPackage
    file) and :class:`geo.store.postgis.PostGISStore`; both share the ledger's
    methods (:class:`geo.store._ledger.Ledger`: users, the audit trail, claim
    versions, the trash, the change log). Every write is one transaction: it
    lands whole or not at all, with its audit row.

    Callers know a store only by :attr:`location` and :meth:`version`: caches
    derived from a store (the dashboard's snapshot, its cached filter results)
    are named after the first and keyed on the second, so they work the same
    for any implementation.
    """

    @property
    def location(self) -> str:
        """Where the store is, as a string: a file's absolute path, or a connection URL.

        Stable (the same store opened twice, however it was named, has the
        same location: caches are named after it) and safe to show or log: a
        URL never carries its password.
        """
        ...

    def version(self) -> str:
        """A change token: it differs after every write that changed the stored data.

        Cheap to call (well under a millisecond): the dashboard asks for it on
        every run of a page to key its caches. Reads, and writes that change
        nothing, leave it as it is; two writes in quick succession (even in the
        same clock tick, or from another process) give two different tokens.
        A token may also change with no change of data (a file touched, a
        crashed write rolled back): that costs a cache rebuild, never a stale
        result.

        Returns
        -------
        str
            An opaque token, to compare for equality only (it is not ordered,
            and not necessarily safe in a file name).

        Raises
        ------
        NotFoundError
            The store has gone.
        """
        ...

    def read_events(
        self,
        *,
        layers: str | Iterable[str] | None = None,
        datasets: str | Iterable[str] | None = None,
        date_from: DateLike | None = None,
        date_to: DateLike | None = None,
        event_ids: str | Iterable[str] | None = None,
    ) -> gpd.GeoDataFrame:
        """Events matching every filter given, as :func:`geo.validate.validate` returns them.

        Parameters
        ----------
        layers, datasets, event_ids : str, iterable of str or None
            Keep only these (``None``: all; an empty list: none).
        date_from, date_to : date-like or None
            Keep events overlapping the range: ``time_start <= date_to`` and
            ``time_end >= date_from``.

        Returns
        -------
        GeoDataFrame
            EPSG:4326, columns of :data:`geo.schema.EVENT_COLUMNS` then
            ``geometry``; dates ``datetime64[ms]``, text ``object`` (``None``
            when missing); a RangeIndex.
        """
        ...

    def read_claims(
        self,
        *,
        event_ids: str | Iterable[str] | None = None,
        datasets: str | Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """Claims of the given events and/or datasets.

        Parameters
        ----------
        event_ids, datasets : str, iterable of str or None
            Keep only claims about these events / events of these datasets.

        Returns
        -------
        DataFrame
            Columns of :data:`geo.schema.CLAIM_COLUMNS`; ``stated_at``
            ``datetime64[ms]``, figures ``float64``, text ``object``.
        """
        ...

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
        """Insert or update events and claims of one dataset, in one transaction.

        Parameters
        ----------
        events : GeoDataFrame or DataFrame
            The events; their ``dataset`` is set to ``dataset`` where missing.
        claims : DataFrame
            Their claims.
        dataset : str
            Name of the dataset the rows belong to.
        kind : str
            One of :data:`KINDS`.
        description, source : str
            Registry text (kept from an earlier write when left empty).
        validated : bool
            Skip :func:`geo.validate.validate` for frames it already returned.
        actor : str
            Who writes: the audit trail's ``import`` row (written in the same transaction) names them.
        audit : dict, optional
            More for that row (a file's name and SHA-256); a write that changed nothing is audited only with it.

        Returns
        -------
        WriteResult
            Counts of inserted, updated and unchanged rows.
        """
        ...

    def delete_dataset(self, name: str, *, actor: str = "cli") -> int:
        """Move a dataset, its events and their claims to the trash (audited); return the number of events removed."""
        ...

    def deleted_datasets(self) -> pd.DataFrame:
        """Datasets in the trash: ``deletion``, ``dataset``, ``kind``, counts, ``deleted_at``, ``deleted_by``."""
        ...

    def restore_dataset(self, deletion: str, *, actor: str) -> int:
        """Put a deleted dataset back whole (audited); return the number of events restored."""
        ...

    def record_claim(
        self, claim: dict, *, actor: str, event: dict | None = None, base_version: int | None = None
    ) -> object:
        """Record a new claim, or a new version of one (refused when stale); with its event when new.

        One transaction: the rows, the claim's version, the audit row and the change log. Returns a
        ``ClaimVersion`` (claim id, event id, version). See :meth:`geo.store._ledger.Ledger.record_claim`.
        """
        ...

    def withdraw_claim(self, claim_id: str, *, actor: str, base_version: int) -> int:
        """Withdraw a claim (a soft delete an admin can undo); return its new version."""
        ...

    def restore_claim(self, claim_id: str, *, actor: str) -> int:
        """Put a withdrawn claim back; return its new version."""
        ...

    def claim_version(self, claim_id: str) -> int:
        """The claim's current version (0: as imported, never edited)."""
        ...

    def claim_history(self, claim_id: str) -> pd.DataFrame:
        """Every version of a claim, oldest first (``version``, ``op``, ``at``, ``actor``, ``data``)."""
        ...

    def withdrawn_claims(self) -> pd.DataFrame:
        """Claims withdrawn and not restored."""
        ...

    def users(self) -> pd.DataFrame:
        """The accounts (never their password hashes)."""
        ...

    def user(self, name: str) -> dict | None:
        """One account with its hash (for :mod:`geo.auth` only), or None."""
        ...

    def put_user(
        self, name: str, role: str, password_hash: str | None = None, *, actor: str, keep_password: bool = True
    ) -> str:
        """Add an account or change it (audited); ``"added"``, ``"changed"`` or ``"unchanged"``."""
        ...

    def remove_user(self, name: str, *, actor: str) -> None:
        """Remove an account (audited)."""
        ...

    def audit(self, **filters: object) -> pd.DataFrame:
        """The audit trail, newest first (``seq``, ``at``, ``actor``, ``action``, ``target``, ``detail``)."""
        ...

    def append_audit(self, action: str, *, actor: str, target: str = "", detail: dict | None = None) -> int:
        """Append a row to the audit trail (the trail is append-only: nothing updates or deletes a row)."""
        ...

    def changes_since(self, seq: int) -> object:
        """What changed after a position of the change log (``Changes``: ledger, seq, bulk, event_ids)."""
        ...

    def datasets(self) -> pd.DataFrame:
        """The dataset registry with event and claim counts (:data:`DATASET_COLUMNS`)."""
        ...

    def count(self) -> int:
        """Number of events stored."""
        ...

    def is_empty(self) -> bool:
        """Whether no event is stored."""
        ...

    def write_assessments(self, frame: pd.DataFrame, *, source: str = "") -> AssessmentWriteResult:
        """Insert or replace days of assessed control, in one transaction.

        A day is keyed by assessor, ``as_of``, side and kind: writing it
        again replaces it (or leaves it when identical), never duplicates it.

        Parameters
        ----------
        frame : GeoDataFrame or DataFrame
            Columns ``assessor``, ``as_of``, ``side`` (``RU``/``UA``),
            ``kind``, ``geometry`` (valid Polygon or MultiPolygon, EPSG:4326)
            and optionally ``source`` and ``area_km2`` (computed when
            missing). Not modified.
        source : str
            Used for rows without a ``source``.

        Returns
        -------
        AssessmentWriteResult
            Days inserted, replaced and unchanged.

        Raises
        ------
        ValidationError
            Every problem of the input (a missing column, a side other than
            RU/UA, a bad date, a geometry that is not a valid polygon, the
            same day twice). Nothing is written.
        """
        ...

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
        """Days of assessed control matching every filter given, ordered by series and day.

        Parameters
        ----------
        assessors, sides, kinds : str, iterable of str or None
            Keep only these (``None``: all; an empty list: none).
        date_from, date_to : date-like or None
            Keep days with ``date_from <= as_of <= date_to``.
        geometry : bool
            Read the polygons too (a GeoDataFrame, EPSG:4326); false reads the
            catalogue only (cheap).

        Returns
        -------
        DataFrame or GeoDataFrame
            Columns :data:`ASSESSMENT_COLUMNS` (``as_of`` ``datetime64[ms]``),
            then ``geometry`` when asked for.
        """
        ...

    def delete_assessments(
        self, assessor: str, *, date_from: DateLike | None = None, date_to: DateLike | None = None
    ) -> int:
        """Remove an assessor's days (those within the dates, when given); return how many were removed."""
        ...
