"""ACLED ``event_date`` in every shape real files carry it, checked against the ``year`` column.

ACLED's codebook records ``event_date`` as day / month / year; what reaches
users depends on how the file was made:

==============================  ===============================================
``2024-02-16``                  the API and HDX files (ISO)
``16 February 2024``            the export tool (``09 May 2020`` in 2019–2020)
``16/02/2024 00:00:00``         the export opened and saved again in Excel (day
                                first, a time of day added; also ``16.02.2024``)
``2/16/2024 0:00``              the same on a US-English machine (month first)
``9-May-20``                    Excel's short date (two-digit year)
==============================  ===============================================

Numeric dates are read day-first, as ACLED writes them, unless the file
shows otherwise: a row whose second number is over 12 (``2/16/2024``) shows
a month-first file, one whose first number is over 12 shows a day-first
file. When a file shows both, each row that shows its own order is read by
it and the rows that could be either (``05/09/2020``) are rejected rather
than guessed. A two-digit year is read in 2000–2068 / 1969–1999.

The ``year`` column must agree with the date (``05/09/2020`` in a row of
``year`` 2021 is rejected). ACLED's ``timestamp`` column is the Unix time
the row was uploaded or last changed, not when the event happened: it is
never used as the date, and a Unix time in ``event_date`` is rejected.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["EventDates", "parse_event_dates"]

_MONTHS = {
    name: i
    for i, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?)?"
_ISO = re.compile(rf"(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}")
_NUMERIC = re.compile(rf"(\d{{1,2}})[/.-](\d{{1,2}})[/.-](\d{{4}}|\d{{2}}){_TIME}")
_DAY_MONTH = re.compile(rf"(\d{{1,2}})[\s/.-]+([A-Za-z]+)\.?[\s/.,-]+(\d{{4}}|\d{{2}}){_TIME}")
_MONTH_DAY = re.compile(rf"([A-Za-z]+)\.?\s+(\d{{1,2}}),?\s+(\d{{4}}){_TIME}")
_UNIX = re.compile(r"\d{9,11}(?:\.\d+)?")


@dataclass
class EventDates:
    """What :func:`parse_event_dates` read.

    Attributes
    ----------
    values : Series of datetime64
        The day of each row; ``NaT`` where it could not be read for sure.
    unix : ndarray of bool
        Rows whose ``event_date`` is a Unix time (ACLED's ``timestamp``), not a date.
    ambiguous : ndarray of bool
        Numeric dates that read both ways in a file that shows both orders.
    year_mismatch : ndarray of bool
        Dates read whose year is not the ``year`` column's.
    order : str
        ``"day-first"`` or ``"month-first"``: how numeric dates were read
        (``"mixed"`` when the file shows both).
    notes : list of str
        What the report should say about the dates.
    """

    values: pd.Series
    unix: np.ndarray
    ambiguous: np.ndarray
    year_mismatch: np.ndarray
    order: str = "day-first"
    notes: list[str] = field(default_factory=list)


def _year(text: str) -> int:
    value = int(text)
    if len(text) == 2:
        value += 2000 if value < 69 else 1900
    return value


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _text_date(cell: str) -> dt.date | tuple[int, int, int] | None:
    """A date from one cell; a numeric ``a/b/year`` comes back as its three numbers, undecided."""
    if m := _ISO.fullmatch(cell):
        return _make(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC.fullmatch(cell):
        return int(m[1]), int(m[2]), _year(m[3])
    if m := _DAY_MONTH.fullmatch(cell):
        month = _MONTHS.get(m[2].lower())
        return _make(_year(m[3]), month, int(m[1])) if month else None
    if m := _MONTH_DAY.fullmatch(cell):
        month = _MONTHS.get(m[1].lower())
        return _make(int(m[3]), month, int(m[2])) if month else None
    return None


def parse_event_dates(dates: pd.Series, years: pd.Series | None = None) -> EventDates:
    """Read ACLED ``event_date`` cells (see the module docstring for the shapes and the order rule).

    Parameters
    ----------
    dates : Series of str
        The ``event_date`` cells, stripped (blank is ``""``).
    years : Series of str, optional
        The ``year`` cells, when the file has the column.

    Returns
    -------
    EventDates
        The days, and which rows could not be read for sure and why.

    Examples
    --------
    >>> got = parse_event_dates(pd.Series(["16/02/2024 00:00:00", "05/09/2020", "9-May-20"]))
    >>> [d.strftime("%Y-%m-%d") for d in got.values], got.order
    (['2024-02-16', '2020-09-05', '2020-05-09'], 'day-first')
    """
    codes, uniques = pd.factorize(dates.to_numpy(dtype=object))
    read = [_text_date(str(u)) for u in uniques]
    numeric = [r for r in read if isinstance(r, tuple)]
    day_first = any(a > 12 >= b for a, b, _ in numeric)
    month_first = any(b > 12 >= a for a, b, _ in numeric)
    order = "mixed" if day_first and month_first else "month-first" if month_first else "day-first"

    values: list[dt.date | None] = []
    ambiguous_u: list[bool] = []
    for r in read:
        if not isinstance(r, tuple):
            values.append(r)
            ambiguous_u.append(False)
            continue
        a, b, year = r
        if order == "mixed" and a <= 12 and b <= 12 and a != b:
            values.append(None)
            ambiguous_u.append(True)
            continue
        if order == "month-first" or (order == "mixed" and b > 12):
            values.append(_make(year, a, b))
        else:
            values.append(_make(year, b, a))
        ambiguous_u.append(False)

    def spread(per_unique: list[object], dtype: type | str) -> np.ndarray:
        out = np.asarray([*per_unique, None if dtype is object else False], dtype=dtype)
        return out[codes]

    parsed = pd.Series(pd.to_datetime(spread(values, object), errors="coerce"), index=dates.index)
    unix = spread([bool(_UNIX.fullmatch(str(u))) for u in uniques], bool)
    ambiguous = spread(ambiguous_u, bool)
    mismatch = np.zeros(len(dates), dtype=bool)
    if years is not None:
        stated = pd.to_numeric(years, errors="coerce").to_numpy(dtype=float)
        got = parsed.dt.year.to_numpy(dtype=float)
        mismatch = np.isfinite(stated) & np.isfinite(got) & (stated != got)
    result = EventDates(parsed, unix, ambiguous, mismatch, order)
    if numeric and order == "month-first":
        result.notes.append("event_date read month first (the file has dates like 2/16/2024)")
    elif numeric and not day_first and order == "day-first":
        result.notes.append("event_date read day first, as ACLED writes it (no row shows the order: 05/09/2020)")
    elif numeric and order == "mixed":
        result.notes.append("event_date has day-first and month-first rows: dates that read both ways were rejected")
    return result
