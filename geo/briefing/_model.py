"""The parts of a briefing's content as plain dataclasses, text parts apart (see :mod:`geo.briefing.content`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final

from geo import totals
from geo.briefing._sources import Source

__all__ = ["Answer", "Briefing", "ClaimLine", "ClaimRow", "Figure", "TotalLine", "Verdict"]

CLAIMING: Final = ("asserts", "revises")
"""Stances that make a claimant one of an event's claimants (the others answer)."""


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
