"""Dates as a briefing writes them: days, ranges, event periods and when a claim was stated."""

from __future__ import annotations

import datetime as dt
from typing import Final

import pandas as pd

from geo.i18n import N_, t
from geo.present.values import missing

__all__ = ["MONTHS", "date_range", "day", "iso_date", "stated", "when"]

MONTHS: Final = (
    N_("Jan"),
    N_("Feb"),
    N_("Mar"),
    N_("Apr"),
    N_("May"),
    N_("Jun"),
    N_("Jul"),
    N_("Aug"),
    N_("Sep"),
    N_("Oct"),
    N_("Nov"),
    N_("Dec"),
)


def _as_date(value: object) -> dt.date | None:
    if missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


def iso_date(value: object) -> str:
    """``2026-02-15``; ``""`` when missing.

    Parameters
    ----------
    value : object
        A date, datetime, Timestamp or date string.

    Returns
    -------
    str
        ISO date.
    """
    day_ = _as_date(value)
    return "" if day_ is None else day_.isoformat()


def day(value: object, *, month: bool = True, year: bool = True) -> str:
    """A day as a briefing writes it: ``15 Feb 2026`` (month names translated).

    Parameters
    ----------
    value : object
        The day.
    month, year : bool
        Write the month, the year.

    Returns
    -------
    str
        The day; ``""`` when missing.
    """
    d = _as_date(value)
    if d is None:
        return ""
    text = str(d.day)
    if month:
        text += f" {t(MONTHS[d.month - 1])}"
    if year:
        text += f" {d.year}"
    return text


def date_range(start: object, end: object) -> str:
    """A range of days, briefly: ``15–16 Feb 2026``, ``28 Jan – 3 Feb 2026``, ``from 15 Feb 2026``.

    Parameters
    ----------
    start, end : object
        First and last day (inclusive); either may be missing (open).

    Returns
    -------
    str
        ``"15 Feb 2026"``, ``"15–16 Feb 2026"``, ``"28 Jan – 3 Feb 2026"``,
        ``"28 Dec 2025 – 3 Jan 2026"``, ``"from 15 Feb 2026"``,
        ``"until 16 Feb 2026"``; ``""`` when both are open.
    """
    first, last = _as_date(start), _as_date(end)
    if first is None or last is None:
        if last is not None:
            return t("until {day}", day=day(last))
        return t("from {day}", day=day(first)) if first is not None else ""
    if first == last:
        return day(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{day(last)}"
    if first.year == last.year:
        return f"{day(first, year=False)} – {day(last)}"
    return f"{day(first)} – {day(last)}"


def when(start: object, end: object, precision: object = "day") -> str:
    """When an event happened, with its precision: ``2026-02-15 – 2026-02-16 (week)``.

    Parameters
    ----------
    start, end : object
        First and last day.
    precision : str, optional
        One of :data:`geo.schema.TIME_PRECISIONS`.

    Returns
    -------
    str
        ISO days; a week or month precision is said.
    """
    first, last = iso_date(start), iso_date(end)
    text = first if not last or last == first else f"{first} – {last}"
    if precision in ("week", "month"):
        text += f" ({t(str(precision))})"
    return text


def stated(value: object, precision: object = "day") -> str:
    """When a claim was stated, as precisely as it was recorded.

    Parameters
    ----------
    value : object
        ``stated_at``.
    precision : str, optional
        One of :data:`geo.schema.STATED_PRECISIONS`.

    Returns
    -------
    str
        ``2026-02-16 09:00``, ``2026-02-16 ~12:00`` (part of day), ``by 2026-02-07``
        (week), ``2026-02-15 (event date)``, ``2026-02-15``.
    """
    if missing(value):
        return ""
    ts = pd.Timestamp(value)  # type: ignore[arg-type]
    date = ts.strftime("%Y-%m-%d")
    match precision:
        case "minute" | "hour":
            return f"{date} {ts:%H:%M}"
        case "part_of_day":
            return f"{date} ~{ts:%H:%M}"
        case "week":
            return t("by {day}", day=date)
        case "event_date":
            return t("{day} (event date)", day=date)
        case _:
            return date
