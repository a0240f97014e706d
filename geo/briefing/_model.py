"""The parts of a briefing's content as plain dataclasses, and the briefing order of claims (:class:`Walk`).

See :mod:`geo.briefing.content`, whose module docstring says the order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo import schema, totals
from geo._text import sort_ranks
from geo.briefing._sources import Source
from geo.claims import ASSERTING, derive_status, statement_order
from geo.filters import member
from geo.sources import STATUS_ORDER

__all__ = ["Answer", "Briefing", "ClaimLine", "ClaimRow", "Figure", "TotalLine", "Verdict"]

CLAIMING: Final = ("asserts", "revises")
"""Stances that make a claimant one of an event's claimants (the others answer)."""
_SIDES: Final = ("RU", "UA")


# -- the parts ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """One figure of a claimant: its latest value and how it changed.

    Attributes
    ----------
    name : str
        The figure (:data:`geo.schema.CLAIM_FIGURES`), e.g. ``"intercepted"``.
    label : str
        Its name as a reader says it ("intercepted").
    latest : str
        The latest value with its bound (``"229"``, ``"≥170"``).
    history : str
        The values in the order stated (``"120 → ≥170 → 229"``; one value alone when it never changed).
    text : str
        Name, history and unit: ``"intercepted 120 → ≥170 → 229"``, ``"area ≥200 km²"``.
    value : float
        The latest value, for sorting.
    bound : str
        The latest value's bound.
    """

    name: str
    label: str
    latest: str
    history: str
    text: str
    value: float
    bound: str


@dataclass(frozen=True)
class Answer:
    """Another claimant's current statement on the same event: a denial, a concession, a corroboration.

    Attributes
    ----------
    claimant, party : str
        Who answered, and their party (``RU``, ``UA``, ``independent``…).
    stance : str
        Its stance (:data:`geo.schema.STANCES`), and ``stance_text`` as a reader reads it ("denies").
    figures : str
        The figures it states (``"intercepted 5"``; ``""`` for none).
    stated : str
        When, as precisely as recorded (``"2026-02-11"``, ``"2026-02-15 ~12:00"``).
    day : str
        The day, as the lines write dates (``"11 Feb 2026"``).
    quote : str
        The statement's text.
    sources : tuple of int
        Its source numbers (:func:`sources`).
    """

    claimant: str
    party: str
    stance: str
    stance_text: str
    figures: str
    stated: str
    day: str
    quote: str
    sources: tuple[int, ...]

    @property
    def text(self) -> str:
        """``Spokesman … (UA): denies, 11 Feb 2026``."""
        what = self.stance_text + (f" {self.figures}" if self.figures else "")
        who = f"{self.claimant} ({self.party})" if self.party else self.claimant
        return f"{who}: {what}, {self.day}" if self.day else f"{who}: {what}"


@dataclass(frozen=True)
class Verdict:
    """One assessor's verdict on a claimant's latest checked claim (:func:`geo.control.check.check_claims`).

    Attributes
    ----------
    assessor : str
        Whose assessment.
    verdict : str
        :data:`geo.control.check.VERDICTS`; ``label`` in words ("reflected").
    as_of : str
        The day the verdict is about (``"15 Feb 2026"``; ``""`` when none).
    text : str
        The full sentence, naming the assessor and saying it is not ground truth.
    """

    assessor: str
    verdict: str
    label: str
    as_of: str
    text: str


@dataclass(frozen=True)
class ClaimLine:
    """One claimant's claim on one event, with everything a briefing's key-claims panel says of it.

    Attributes
    ----------
    event_id, title, layer : str
        The event.
    place : str
        Its place (else its regions' names).
    event_dates : str
        When the event happened (``"15–16 Feb 2026"``).
    claimant, party : str
        Who claims it.
    stance, stance_text : str
        The claimant's current stance, and in words.
    figures : tuple of Figure
        Each figure the claimant stated, latest value and history.
    dates : str
        When the claimant's statements were made (``"15–16 Feb 2026"``).
    answers : tuple of Answer
        The other claimants' current statements on the event (the other
        side's denials or concessions, independent corroborations), the same
        for every line of the event.
    status, status_text : str
        The event's status (:func:`geo.claims.derive_status`), and in words.
    verdicts : tuple of Verdict
        Per assessor, the verdict on the claimant's latest checked claim
        (empty without verdicts, or when none was checked).
    sources : tuple of int
        Source numbers of the claimant's statements (:func:`sources`).
    statements : int
        How many statements the claimant made on the event.
    """

    event_id: str
    title: str
    layer: str
    place: str
    event_dates: str
    claimant: str
    party: str
    stance: str
    stance_text: str
    figures: tuple[Figure, ...]
    dates: str
    answers: tuple[Answer, ...]
    status: str
    status_text: str
    verdicts: tuple[Verdict, ...] = ()
    sources: tuple[int, ...] = ()
    statements: int = 1

    @property
    def latest(self) -> str:
        """The latest figures, each with its name: ``"intercepted 229"`` (``""`` for none)."""
        return "; ".join(f"{f.label} {f.latest}" for f in self.figures)

    @property
    def history(self) -> str:
        """The figures with their histories: ``"intercepted 120 → ≥170 → 229"`` (``""`` for none)."""
        return "; ".join(f.text for f in self.figures)

    @property
    def refs(self) -> str:
        """``[1] [2] [3]``: the source numbers as the line cites them."""
        return " ".join(f"[{n}]" for n in self.sources)

    @property
    def text(self) -> str:
        """``Governor of Bryansk Oblast (A. Bogomaz): intercepted 120 → ≥170 → 229, 15–16 Feb 2026``.

        A claimant whose current stance no longer asserts says so
        (``…: intercepted 40 (retracts), 15 Feb 2026``); one without figures
        says its stance.
        """
        what = self.history
        if not what:
            what = self.stance_text
        elif self.stance not in CLAIMING:
            what += f" ({self.stance_text})"
        return f"{self.claimant}: {what}, {self.dates}" if self.dates else f"{self.claimant}: {what}"


@dataclass(frozen=True)
class ClaimRow:
    """One statement of the claims table (a PDF's second page, a deck's second slide).

    Attributes
    ----------
    event_id : str
        The event.
    event : str
        The event as a reader names it: its place (else its regions) and title.
    claimant, party : str
        Who made the statement.
    stated : str
        When, as precisely as recorded (``"2026-02-15 ~12:00"``).
    stance, stance_text : str
        Its stance, and in words ("revises").
    figures : str
        The figures it states (``"intercepted ≥170"``; ``""`` for none).
    status_text : str
        The event's status in words.
    sources : tuple of int
        Its source numbers (the briefing's numbered sources).
    """

    event_id: str
    event: str
    claimant: str
    party: str
    stated: str
    stance: str
    stance_text: str
    figures: str
    status_text: str
    sources: tuple[int, ...] = ()

    @property
    def refs(self) -> str:
        """``[1] [2]``: the source numbers as the table cites them."""
        return " ".join(f"[{n}]" for n in self.sources)


@dataclass(frozen=True)
class TotalLine:
    """One key figure: a label and its honest value.

    Attributes
    ----------
    label : str
        "Strikes", "intercepted", "RU claims, km²".
    value : str
        ``"8"``, ``"229–331, claims may overlap"`` (:func:`geo.totals.total_text`).
    layer : str
        The layer it counts ("" for all).
    figure : str or None
        The figure totalled (None for a count).
    overlapping : bool
        Whether it is a range because claims may overlap; ``note`` then names them.
    total : Total or None
        The :class:`geo.totals.Total` itself (None for a count).
    """

    label: str
    value: str
    layer: str = ""
    figure: str | None = None
    overlapping: bool = False
    note: str = ""
    total: totals.Total | None = None


@dataclass(frozen=True)
class Briefing:
    """Everything a briefing layout renders, built consistently by :func:`briefing`."""

    frame: tuple[float, float, float, float]
    filter_words: str
    lines: list[ClaimLine]
    totals: list[TotalLine]
    sources: list[Source]
    caveat: str
    made: dt.datetime
    assessment_caveat: str = ""
    """Whose assessments the verdicts are and that they are not ground truth ("" without verdicts)."""
    title: str = ""
    """The briefing's title ("" for the layout's default)."""
    claims: list[ClaimRow] = field(default_factory=list)
    """Every statement on the shown events, in briefing order, at most ``claims_limit`` (the claims table)."""
    claims_more: int = 0
    """How many statements the claims table leaves out beyond its limit (they are in the data exports)."""
    provenance: str = ""
    """From which data it was made (``"data/conflict.gpkg · datasets seed · 42 of 42 events"``; "" unknown)."""
    lines_total: int = 0
    """How many key-claim lines the view has in all, before the limit (``lines_total - len(lines)`` more)."""


# -- the briefing order -------------------------------------------------------------------------------------------


def _in(codes: npt.NDArray[np.intp], names: pd.Index, wanted: tuple[str, ...]) -> npt.NDArray[np.bool_]:
    """Where a factorized column (``codes`` into ``names``; -1 missing) holds one of ``wanted``."""
    return np.r_[np.asarray(names.isin(wanted), dtype=bool), False][codes]


@dataclass(frozen=True, eq=False)
class Walk:
    """Claims in briefing order (see :mod:`geo.briefing.content`), ranked on integer codes.

    Every claim is ranked at once, vectorised (a million events in a few
    seconds); rows are taken out only for the first events
    (:meth:`frame`), the ones a briefing shows.

    Attributes
    ----------
    claims : DataFrame
        The claims, as given.
    ev : ndarray of int
        Each claim's event (a code into ``ev_ids``).
    ev_ids : Index
        The events' ids, sorted.
    ev_rank : ndarray of int
        Each event's place in briefing order (0: the first).
    status : ndarray of int
        Each event's status, a code into ``names`` (:func:`geo.claims.derive_status`; -1: none).
    names : ndarray of object
        The statuses, by code.
    role : ndarray of int
        Each claim's role: 0 for a claimant of its event, 1 for an answer.
    who : ndarray of int
        Each claim's (event, claimant) code.
    lines : ndarray of int
        Each event's key-claim lines (its claimants of role 0).
    """

    claims: pd.DataFrame
    ev: npt.NDArray[np.intp]
    ev_ids: pd.Index
    ev_rank: npt.NDArray[np.int64]
    status: npt.NDArray[np.intp]
    names: npt.NDArray[np.object_]
    role: npt.NDArray[np.int64]
    who: npt.NDArray[np.intp]
    lines: npt.NDArray[np.int64]

    @classmethod
    def of(cls, claims: pd.DataFrame, folded: pd.DataFrame | None = None) -> Walk:
        """Rank claims in briefing order: events most important first, then claimants, then statements.

        ``folded``: events folded with these claims (``event_id``, ``status``), whose statuses are then
        read rather than derived again (:func:`geo.claims.derive_status` for the claims of other events).
        """
        n = len(claims)
        ev, ids = pd.factorize(claims["event_id"], sort=True)  # codes in id order: the last key of the events
        n_ev = len(ids)
        status, status_names = _statuses(claims, ev, ids, folded)
        stance, stances = pd.factorize(claims["stance"])
        party, parties = pd.factorize(claims["party"])
        stated = claims["stated_at"].to_numpy(dtype="datetime64[ms]").astype(np.int64)

        # events: status rank, largest claimed figure, statements, first statement, id
        ranks = pd.Index(STATUS_ORDER).get_indexer(pd.Index(status_names, dtype=object))
        rank = np.r_[np.where(ranks < 0, len(STATUS_ORDER), ranks), len(STATUS_ORDER)][status]
        largest = np.full(n, -np.inf)
        for fig in (f for f in schema.CLAIM_FIGURES if f in claims.columns):  # the largest stated (fmax: not NaN)
            largest = np.fmax(largest, claims[fig].to_numpy(dtype=float, na_value=np.nan))
        largest = np.where(_in(stance, stances, ASSERTING), largest, -np.inf)
        ev_largest = np.full(n_ev, -np.inf)
        np.maximum.at(ev_largest, ev, largest)
        ev_n = np.bincount(ev, minlength=n_ev)
        ev_first = np.full(n_ev, np.iinfo(np.int64).max)
        np.minimum.at(ev_first, ev, stated)
        ev_order = np.lexsort((np.arange(n_ev), ev_first, -ev_n, -ev_largest, rank))
        ev_rank = np.empty(n_ev, dtype=np.int64)
        ev_rank[ev_order] = np.arange(n_ev)

        # the claiming side: the party of the event's earliest claiming statement by RU or UA (as geo.claims.fold)
        side = np.flatnonzero(_in(stance, stances, CLAIMING) & _in(party, parties, _SIDES))
        earliest = np.full(n_ev, np.iinfo(np.int64).max)
        np.minimum.at(earliest, ev[side], stated[side])
        tied = side[stated[side] == earliest[ev[side]]]  # ties at the earliest time: by claim id
        many = np.bincount(ev[tied], minlength=n_ev)[ev[tied]] > 1
        tie = tied[many]
        tie = tie[np.lexsort((sort_ranks(claims["claim_id"].iloc[tie]), ev[tie]))]
        firsts = np.r_[tied[~many], tie[np.r_[True, ev[tie][1:] != ev[tie][:-1]]] if len(tie) else tie]
        claiming = np.full(n_ev, -1, dtype=np.intp)
        claiming[ev[firsts]] = party[firsts]

        # claimants: a claimant of the event if it claims and is not of the other side; else it answers
        claimant, names = pd.factorize(claims["claimant"], use_na_sentinel=False)
        who, pairs = pd.factorize(ev.astype(np.int64) * (len(names) + 1) + claimant)
        who_ev = (np.asarray(pairs) // (len(names) + 1)).astype(np.intp)
        claims_it = np.bincount(who, weights=_in(stance, stances, CLAIMING), minlength=len(pairs)) > 0
        cp = claiming[ev]
        other = _in(party, parties, _SIDES) & (cp >= 0) & (party != cp)
        other_side = np.bincount(who, weights=other, minlength=len(pairs)) > 0
        is_line = claims_it & ~other_side
        any_line = np.bincount(who_ev, weights=is_line, minlength=n_ev) > 0
        who_role = np.where(is_line | ~any_line[who_ev], 0, 1)
        lines = np.bincount(who_ev, weights=who_role == 0, minlength=n_ev).astype(np.int64)
        text = np.r_[np.asarray(status_names, dtype=object), None]  # the last: no status
        return cls(claims, ev, ids, ev_rank, status, text, who_role[who], who, lines)

    @cached_property
    def order(self) -> npt.NDArray[np.intp]:
        """Event codes in briefing order."""
        return np.argsort(self.ev_rank)

    def statuses(self, codes: npt.NDArray[np.intp]) -> pd.Series:
        """The status of the given events, indexed by their ids."""
        ids = self.ev_ids[codes].to_numpy(dtype=object)
        return pd.Series(self.names[self.status[codes]], index=pd.Index(ids, dtype=object), dtype=object)

    def frame(self, events: int | None = None) -> pd.DataFrame:
        """The claims of the first ``events`` events (all: None) in briefing order, with ``_role``.

        Each event's claimants (then its answering claimants) in the order
        they first spoke, each claimant's statements in reading order
        (:func:`geo.claims.statement_order`); the index is reset.
        """
        pos = np.arange(len(self.claims)) if events is None else np.flatnonzero(self.ev_rank[self.ev] < events)
        rows = self.claims.iloc[pos]
        reading = np.empty(len(pos), dtype=np.int64)
        reading[statement_order(rows)] = np.arange(len(pos))
        who, _pairs = pd.factorize(self.who[pos])
        first_said = np.full(len(_pairs), np.iinfo(np.int64).max)
        np.minimum.at(first_said, who, reading)
        role = self.role[pos]
        order = np.lexsort((reading, first_said[who], role, self.ev_rank[self.ev[pos]]))
        return rows.iloc[order].assign(_role=role[order]).reset_index(drop=True)


def _statuses(
    claims: pd.DataFrame, ev: npt.NDArray[np.intp], ids: pd.Index, folded: pd.DataFrame | None
) -> tuple[npt.NDArray[np.intp], pd.Index]:
    """Each event's status as a code into the statuses returned (-1: none), read from ``folded`` where it has it."""
    code = np.full(len(ids), -1, dtype=np.intp)
    if not len(ids):
        return code, pd.Index([], dtype=object)
    missing = np.ones(len(ids), dtype=bool)
    names: list[object] = []
    if folded is not None and len(folded) and "status" in folded.columns:
        at = pc.index_in(_text(ids), value_set=_text(folded["event_id"])).to_numpy(zero_copy_only=False)
        missing = np.isnan(at) if at.dtype.kind == "f" else np.zeros(len(ids), dtype=bool)
        codes, uniques = pd.factorize(folded["status"])
        code[~missing] = codes[at[~missing].astype(np.intp)]
        names = uniques.to_numpy(dtype=object).tolist()
    if missing.any():  # events the folded ones do not have: their status from their claims
        derived = derive_status(claims.iloc[np.flatnonzero(missing[ev])])
        values = derived.reindex(pd.Index(ids[missing].to_numpy(dtype=object), dtype=object))
        codes, uniques = pd.factorize(values)
        table = np.array([*[_code(names, v) for v in uniques.to_numpy(dtype=object).tolist()], -1], dtype=np.intp)
        code[missing] = table[codes]
    return code, pd.Index(names, dtype=object)


def _code(names: list[object], value: object) -> int:
    """The position of ``value`` in ``names``, appended when new."""
    if value not in names:
        names.append(value)
    return names.index(value)


def _text(values: pd.Index | pd.Series) -> pa.Array:
    """Ids as an Arrow text array (without a Python string each when they already are Arrow-backed)."""
    return pa.array(pd.Series(values, copy=False), from_pandas=True).cast(pa.large_string())


def _upto(walk: Walk, shown: npt.NDArray[np.bool_], counts: npt.NDArray[np.int64], limit: int | None) -> int:
    """How many events, in briefing order, hold the first ``limit`` lines (or rows) of the ``shown`` events."""
    order = walk.order
    if limit is None:
        return len(order)
    if limit <= 0:
        return 0
    ranks = np.flatnonzero(shown[order])
    if not len(ranks):
        return 0
    reached = int(np.searchsorted(np.cumsum(counts[order][ranks]), limit))
    return int(ranks[min(reached, len(ranks) - 1)]) + 1


def _shown(walk: Walk, events: pd.DataFrame | None) -> npt.NDArray[np.bool_]:
    """Which of the walk's events are among ``events`` (None: all of them)."""
    if events is None:
        return np.ones(len(walk.ev_ids), dtype=bool)
    if len(events) == 0 or not len(walk.ev_ids):
        return np.zeros(len(walk.ev_ids), dtype=bool)
    return member(pd.Series(walk.ev_ids, copy=False), events["event_id"])


def ordered(
    claims: pd.DataFrame,
    events: pd.DataFrame | None,
    lines: int | None,
    rows: int | None,
    folded: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.Series, int, int]:
    """The claims a briefing of ``events`` shows, in briefing order, and its counts (see :class:`Walk`).

    Returns the claims of the first events in briefing order — enough for
    ``lines`` key-claim lines and ``rows`` table rows of ``events`` (None:
    all; ``events`` None: every event of the claims); other events' claims
    among them stay, as they are numbered — with
    ``_role``; their events' statuses; how many lines and how many
    statements ``events`` have in all. ``folded``: events folded with the
    claims, whose ``status`` is read rather than derived again.
    """
    c = claims.reset_index(drop=True)
    if c.empty:
        return c.assign(_role=pd.Series([], dtype=int)), derive_status(c), 0, 0
    walk = Walk.of(c, folded if folded is not None and "status" in folded.columns else None)
    shown = _shown(walk, events)
    statements = np.bincount(walk.ev, minlength=len(walk.ev_ids))
    upto = max(_upto(walk, shown, walk.lines, lines), _upto(walk, shown, statements, rows))
    counts = int(walk.lines[shown].sum()), int(statements[shown].sum())
    return walk.frame(upto), walk.statuses(walk.order[:upto]), *counts
