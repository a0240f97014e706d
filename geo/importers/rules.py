"""Column rules: the one way every reader rejects rows, naming row, column, why and how to fix.

A reader lists its :class:`Rule` objects once, as data, and calls :func:`check`
on the file's text cells. It gets back a :class:`Checked`: every problem found
(a :class:`~geo.errors.Problem` per failed cell, in row order), the rows to
reject, and the values the rules parsed (dates, numbers, codes), which the
reader goes on with instead of parsing again. Checks are vectorised: a million
rows cost one pass per rule, and only the failures are written out.

Kinds of rule:

========  ==================================================================
required  the cell is not blank
one_of    the cell is one of ``choices`` (a mapping also says what it means)
date      ``parse`` reads it as a date (``NaT``: not a date)
recent    the date (read by an earlier ``date`` rule) is from 2014 up to today
number    a finite decimal number (``inf``, ``1e309`` are not)
count     a finite number ≥ 0
lookup    ``find`` knows it (e.g. a region name → its ISO code; ``None``: not)
pair      both or neither of the two ``reads`` columns are given
point     the ``reads`` (latitude, longitude) are WGS84 degrees that
          :func:`geo.placement.place` can place (in or near a region, or at
          sea); missing coordinates fail only when the rule is not optional
test      the vectorised predicate ``ok`` holds
========  ==================================================================

A blank cell passes every rule but ``required`` unless the rule says
``optional=False``. One problem per cell: a rule skips the rows where an
earlier rule on a column it reads has failed (a latitude that is not a number
is not also "outside every region"), so one row can collect problems in
several columns, each said once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import Problem

__all__ = ["KINDS", "Checked", "Rule", "check", "coordinates"]

KINDS = ("required", "one_of", "date", "recent", "number", "count", "lookup", "pair", "point", "test")
"""The kinds of :class:`Rule`."""
_WHY = {
    "required": "required value is empty",
    "one_of": "unknown value: {value!r}",
    "date": "not a date: {value!r}",
    "number": "not a number: {value!r}",
    "count": "not a count: {value!r}",
    "lookup": "unknown value: {value!r}",
    "point": "no coordinates",
    "test": "not accepted: {value!r}",
}
_METRES = "coordinates must be WGS84 degrees (EPSG:4326); these look like metres (EPSG:3857)"


@dataclass(frozen=True)
class Rule:
    """One rule a column's cells must keep, with what to say when they do not.

    Parameters
    ----------
    column : str
        The column named in problems; also the column read, unless ``reads``
        names others.
    kind : str
        One of :data:`KINDS`.
    why : str, optional
        What is wrong; ``{value!r}`` is replaced by the cell. Default per
        kind ("not a date: '31 Feb'"). For ``point`` it is said when
        coordinates are missing.
    fix : str, optional
        How to fix it.
    optional : bool
        A blank cell passes (default). ``required`` ignores it.
    choices : collection or mapping of str
        ``one_of``: the accepted cells; a mapping gives the value each stands
        for (``{"1": "exact"}``), which :attr:`Checked.values` holds.
    parse : callable, optional
        ``date``: text Series → datetime Series, ``NaT`` where it is not a date
        (default: ``YYYY-MM-DD``).
    find : callable, optional
        ``lookup``: one cell → what it stands for, ``None`` when unknown
        (called once per distinct cell).
    ok : callable, optional
        ``test``: the column → booleans, true where a cell is acceptable.
    reads : tuple of str
        ``pair`` and ``point``: the two columns read (latitude, longitude).
        A name may be a value given to :func:`check` rather than a column.
    when : tuple of (str, collection), optional
        Check only the rows where the value (as parsed by an earlier rule,
        or given to :func:`check`) of that column is one of these.
    """

    column: str
    kind: str
    why: str | None = None
    fix: str | None = None
    optional: bool = True
    choices: Collection[str] | Mapping[str, Any] = ()
    parse: Callable[[pd.Series], pd.Series] | None = None
    find: Callable[[str], Any] | None = None
    ok: Callable[[pd.Series], Any] | None = None
    reads: tuple[str, ...] = ()
    when: tuple[str, Collection[Any]] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown rule kind {self.kind!r}; use one of: {', '.join(KINDS)}")
        if self.kind in ("pair", "point") and len(self.reads) != 2:
            raise ValueError(f"a {self.kind} rule reads two columns (latitude, longitude): {self.column}")
        needs = {"one_of": "choices", "lookup": "find", "test": "ok"}.get(self.kind)
        if needs and not getattr(self, needs):
            raise ValueError(f"a {self.kind} rule needs {needs}: {self.column}")

    @property
    def inputs(self) -> tuple[str, ...]:
        """The columns (or given values) the rule reads."""
        return self.reads or (self.column,)


def coordinates(
    latitude: str = "latitude",
    longitude: str = "longitude",
    *,
    fix: str = "write decimal degrees",
    pair: bool = False,
    point: bool = True,
    when: tuple[str, Collection[Any]] | None = None,
    missing: str | None = None,
) -> tuple[Rule, ...]:
    """The rules of a latitude and a longitude column, reported together as ``"latitude/longitude"``.

    Parameters
    ----------
    latitude, longitude : str
        The columns.
    fix : str
        How to fix a cell that is not a number.
    pair : bool
        Reject a row that gives only one of the two.
    point : bool
        Check the point: WGS84 degrees, inside a known region.
    when : tuple of (str, collection), optional
        Check the point only where this parsed column is one of these (see :class:`Rule`).
    missing : str, optional
        Coordinates are required (where ``when`` holds); say this when they are missing.

    Returns
    -------
    tuple of Rule
        Number rules for both columns, then the pair and point rules asked for.
    """
    column = f"{latitude}/{longitude}"
    out = [Rule(latitude, "number", fix=fix), Rule(longitude, "number", fix=fix)]
    if pair:
        out.append(Rule(column, "pair", reads=(latitude, longitude)))
    if point:
        out.append(Rule(column, "point", reads=(latitude, longitude), when=when, optional=missing is None, why=missing))
    return tuple(out)


@dataclass
class Checked:
    """What :func:`check` found.

    Attributes
    ----------
    problems : list of Problem
        One per failed cell, by row then in the order of the rules.
    bad : ndarray of bool
        Rows (positions) with at least one problem.
    values : dict
        Parsed values by column, for every row: datetime Series for ``date``,
        float arrays for ``number``/``count``, what the cell stands for
        (``None``/NaN when not) for ``one_of`` and ``lookup``, plus the values
        given to :func:`check`.
    """

    problems: list[Problem] = field(default_factory=list)
    bad: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Failure:
    """Rows a rule rejects and what to say: a text (``{value!r}`` filled per row) or one text per row."""

    mask: np.ndarray
    why: str | np.ndarray
    fix: str | np.ndarray | None


class _Cells:
    """The frame, the values parsed so far, and blank masks computed once per column."""

    def __init__(self, frame: pd.DataFrame, values: dict[str, Any]) -> None:
        self.frame = frame
        self.values = values
        self._blank: dict[str, np.ndarray] = {}

    def text(self, column: str) -> pd.Series:
        return self.frame[column]

    def blank(self, column: str) -> np.ndarray:
        if column not in self._blank:
            s = self.frame[column]
            self._blank[column] = (s.isna() | s.eq("")).to_numpy(dtype=bool)
        return self._blank[column]

    def numbers(self, column: str) -> np.ndarray:
        if column not in self.values:
            self.values[column] = pd.to_numeric(self.frame[column], errors="coerce").to_numpy(dtype=float)
        return np.asarray(self.values[column], dtype=float)


def _empty(rule: Rule, cells: _Cells) -> np.ndarray:
    """Blank cells that fail the rule (those of a rule that is not optional)."""
    blank = cells.blank(rule.column)
    return blank if not rule.optional else np.zeros(len(blank), dtype=bool)


def _required(rule: Rule, cells: _Cells, live: np.ndarray, today: dt.date | None) -> list[_Failure]:
    return [_Failure(live & cells.blank(rule.column), rule.why or _WHY["required"], rule.fix)]


def _one_of(rule: Rule, cells: _Cells, live: np.ndarray, today: dt.date | None) -> list[_Failure]:
    s = cells.text(rule.column)
    choices = rule.choices
    meant = s.map(dict(choices)) if isinstance(choices, Mapping) else s.where(s.isin(list(choices)))
    cells.values[rule.column] = meant.to_numpy(dtype=object)
    bad = meant.isna().to_numpy() & (~cells.blank(rule.column) | _empty(rule, cells))
    return [_Failure(live & bad, rule.why or _WHY["one_of"], rule.fix)]


def _date(rule: Rule, cells: _Cells, live: np.ndarray, today: dt.date | None) -> list[_Failure]:
    s = cells.text(rule.column)
    parsed = rule.parse(s) if rule.parse else pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    cells.values[rule.column] = parsed
    bad = parsed.isna().to_numpy() & (~cells.blank(rule.column) | _empty(rule, cells))
    return [_Failure(live & bad, rule.why or _WHY["date"], rule.fix)]


def _recent(rule: Rule, cells: _Cells, live: np.ndarray, today: dt.date | None) -> list[_Failure]:
    from geo.validate import EARLIEST

    dates = cells.values.get(rule.column)
    if dates is None:
        dates = pd.to_datetime(cells.text(rule.column), format="%Y-%m-%d", errors="coerce")
    limit = pd.Timestamp(today or dt.date.today()) + pd.Timedelta(days=1)
    values = pd.Series(dates).to_numpy(dtype="datetime64[ns]")
    early = live & (values < EARLIEST.to_datetime64())
    late = live & (values > limit.to_datetime64())
    days = np.full(len(values), None, dtype=object)
    for i in np.flatnonzero(early | late):
        days[i] = pd.Timestamp(values[i]).strftime("%Y-%m-%d")
    return [
        _Failure(early, np.array([f"date before {EARLIEST.year}: {d}" for d in days], dtype=object), "check the year"),
        _Failure(late, np.array([f"date in the future: {d}" for d in days], dtype=object), "check the date"),
    ]


def _number(rule: Rule, cells: _Cells, live: np.ndarray, today: dt.date | None) -> list[_Failure]:
    num = pd.to_numeric(cells.text(rule.column), errors="coerce").to_numpy(dtype=float, copy=True)
    infinite = np.isinf(num)  # "inf", "-Infinity", "1e309": not a number anybody measured
    num[infinite] = np.nan
    cells.values[rule.column] = num
    bad = infinite | (np.isnan(num) & (~cells.blank(rule.column) | _empty(rule, cells)))
    if rule.kind == "count":
        bad |= num < 0
    return [_Failure(live & bad, rule.why or _WHY[rule.kind], rule.fix)]


def _lookup(rule: Rule, cells: _Cells, live: np.ndarray, today: dt.date | None) -> list[_Failure]:
    assert rule.find is not None
    codes, uniques = pd.factorize(cells.text(rule.column).to_numpy(dtype=object))
    found = np.array([rule.find(u) if u else None for u in uniques] + [None], dtype=object)[codes]
    cells.values[rule.column] = found
    bad = pd.isna(found) & (~cells.blank(rule.column) | _empty(rule, cells))
    return [_Failure(live & bad, rule.why or _WHY["lookup"], rule.fix)]


def _pair(rule: Rule, cells: _Cells, live: np.ndarray, today: dt.date | None) -> list[_Failure]:
    first, second = (np.isfinite(cells.numbers(c)) for c in rule.reads)
    why = rule.why or f"only one of {rule.reads[0]} and {rule.reads[1]} given"
    return [_Failure(live & (first ^ second), why, rule.fix)]


def _point(rule: Rule, cells: _Cells, live: np.ndarray, today: dt.date | None) -> list[_Failure]:
    """WGS84 degrees, and a place :func:`geo.placement.place` can put in a region, snap to one, or keep at sea.

    The row's stated region and country are not read here: validation applies
    them. What fails here is a point on somebody else's land farther than the
    tolerance from every covered region, which nothing stated can save.
    """
    from geo import placement

    lat, lon = (cells.numbers(c) for c in rule.reads)
    has = np.isfinite(lat) & np.isfinite(lon)
    infinite = live & (np.isinf(lat) | np.isinf(lon))  # given values (a feature's point) are not cells
    missing = live & ~has & ~infinite if not rule.optional else np.zeros(len(has), dtype=bool)
    check = live & has
    out_of_range = check & ((np.abs(lon) > 180) | (np.abs(lat) > 90))
    ranged = np.full(len(has), None, dtype=object)
    for i in np.flatnonzero(out_of_range):
        ranged[i] = f"coordinates outside longitude -180..180 / latitude -90..90: {lat[i]:.10g}, {lon[i]:.10g}"
    nowhere = np.zeros(len(has), dtype=bool)
    why, fix = np.full(len(has), None, dtype=object), np.full(len(has), None, dtype=object)
    inside = np.flatnonzero(check & ~out_of_range)
    if len(inside):
        placed = placement.place(lon[inside], lat[inside])
        away = (placed.how == "outside") & ~(placed.distance_km <= placement.TOLERANCE_KM)
        at, swapped = inside[away], placed.swapped[away]
        nowhere[at] = True
        for i, swap in zip(at, swapped, strict=True):
            why[i] = f"point lies outside every known region (Ukraine, Russia, Belarus): {lat[i]:.10g}, {lon[i]:.10g}"
            fix[i] = (
                f"latitude and longitude look swapped: latitude {lon[i]:.10g}, longitude {lat[i]:.10g}?"
                if swap
                else "check the coordinates"
            )
    return [
        _Failure(missing, rule.why or _WHY["point"], rule.fix),
        _Failure(infinite, "coordinates are not finite numbers (inf)", "give decimal degrees"),
        _Failure(out_of_range, ranged, _METRES),
        _Failure(nowhere, why, fix),
    ]


def _test(rule: Rule, cells: _Cells, live: np.ndarray, today: dt.date | None) -> list[_Failure]:
    assert rule.ok is not None
    good = np.asarray(rule.ok(cells.text(rule.column)), dtype=bool)
    bad = ~good & (~cells.blank(rule.column) | _empty(rule, cells))
    return [_Failure(live & bad, rule.why or _WHY["test"], rule.fix)]


_CHECKS: dict[str, Callable[[Rule, _Cells, np.ndarray, dt.date | None], list[_Failure]]] = {
    "required": _required,
    "one_of": _one_of,
    "date": _date,
    "recent": _recent,
    "number": _number,
    "count": _number,
    "lookup": _lookup,
    "pair": _pair,
    "point": _point,
    "test": _test,
}


def _say(text: str | np.ndarray | None, i: int, cells: _Cells, column: str) -> str | None:
    """The message (or fix) for row position ``i``."""
    if isinstance(text, str):
        return text.format(value=cells.text(column).iat[i]) if "{value" in text else text
    return None if text is None else text[i]


def check(
    frame: pd.DataFrame,
    rules: Iterable[Rule],
    *,
    rows: np.ndarray | None = None,
    scope: np.ndarray | None = None,
    values: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> Checked:
    """Apply rules to a frame of text cells; collect every problem with its row and column.

    Parameters
    ----------
    frame : DataFrame
        The cells as stripped text (blank is ``""``), positional rows.
    rules : iterable of Rule
        Checked in order; see the module docstring for the kinds.
    rows : ndarray of int, optional
        The row number each position is reported as (default 1, 2, …).
    scope : ndarray of bool, optional
        Check only these rows (default: all); values are parsed for all.
    values : mapping, optional
        Values already known, by name (e.g. a feature's point as
        ``"geometry:latitude"``), for ``reads`` and ``when``.
    today : date, optional
        Reference date of ``recent`` (default: today).

    Returns
    -------
    Checked
        The problems (by row, then rule), the rows with any, the parsed values.

    Examples
    --------
    >>> frame = pd.DataFrame({"id": ["a", ""], "when": ["2026-02-15", "15/02"]})
    >>> found = check(frame, [Rule("id", "required"), Rule("when", "date", fix="use YYYY-MM-DD")])
    >>> [str(p) for p in found.problems]
    ["row 2, column 'id': required value is empty", "row 2, column 'when': not a date: '15/02' (use YYYY-MM-DD)"]
    """
    n = len(frame)
    rows = np.arange(1, n + 1) if rows is None else np.asarray(rows)
    scope = np.ones(n, dtype=bool) if scope is None else np.asarray(scope, dtype=bool)
    cells = _Cells(frame.reset_index(drop=True), dict(values or {}))
    failed: dict[str, np.ndarray] = {}
    found: list[tuple[int, int, Problem]] = []  # (row, rule's place, problem)
    bad = np.zeros(n, dtype=bool)
    for order, rule in enumerate(rules):
        live = scope.copy()
        for name in rule.inputs:
            if name in failed:
                live &= ~failed[name]
        if rule.when is not None:
            name, accepted = rule.when
            live &= pd.Series(cells.values[name]).isin(list(accepted)).to_numpy(dtype=bool)
        rejected = np.zeros(n, dtype=bool)
        for failure in _CHECKS[rule.kind](rule, cells, live, today):
            for i in np.flatnonzero(failure.mask):
                why = _say(failure.why, i, cells, rule.column) or ""
                fix = _say(failure.fix, i, cells, rule.column)
                found.append((int(rows[i]), order, Problem(why, int(rows[i]), rule.column, fix)))
            rejected |= failure.mask
        for name in {*rule.inputs, rule.column}:
            failed[name] = failed.get(name, np.zeros(n, dtype=bool)) | rejected
        bad |= rejected
    found.sort(key=lambda item: (item[0], item[1]))
    return Checked([p for _, _, p in found], bad, cells.values)
