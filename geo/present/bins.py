"""The one timeline binning: day up to 180 days, then week, month or year within a row budget."""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

from geo.i18n import t
from geo.present.dates import MONTHS, _as_date, day

__all__ = ["BIN_UNITS", "DAILY_MAX_DAYS", "bin_label", "bin_ordinals", "bin_starts", "choose_bin"]

BIN_UNITS: Final = ("day", "week", "month", "year")
DAILY_MAX_DAYS: Final = 180
"""Longest span a timeline shows day by day; longer spans are binned by week or coarser."""


def bin_ordinals(days: npt.NDArray[np.int64], unit: str) -> npt.NDArray[np.int64]:
    """Bin number of each day (days since 1970-01-01) for a unit; weeks start on Monday.

    Parameters
    ----------
    days : ndarray of int64
        Days since the epoch.
    unit : {"day", "week", "month", "year"}
        The bin.

    Returns
    -------
    ndarray of int64
        Bin numbers (consecutive bins differ by 1).
    """
    days = np.asarray(days, dtype=np.int64)
    if unit == "day":
        return days
    if unit == "week":
        return (days + 3) // 7  # 1970-01-05 (day 4) is a Monday: week 1 starts there
    as_day = days.astype("datetime64[D]")
    return as_day.astype(f"datetime64[{'M' if unit == 'month' else 'Y'}]").astype(np.int64)


def bin_starts(ordinals: npt.NDArray[np.int64], unit: str) -> npt.NDArray[np.datetime64]:
    """First day of each bin number (inverse of :func:`bin_ordinals`).

    Parameters
    ----------
    ordinals : ndarray of int64
        Bin numbers.
    unit : {"day", "week", "month", "year"}
        The bin.

    Returns
    -------
    ndarray of datetime64[D]
        First days.
    """
    ordinals = np.asarray(ordinals, dtype=np.int64)
    if unit == "day":
        return ordinals.astype("datetime64[D]")
    if unit == "week":
        return (ordinals * 7 - 3).astype("datetime64[D]")
    return ordinals.astype(f"datetime64[{'M' if unit == 'month' else 'Y'}]").astype("datetime64[D]")


def choose_bin(days: npt.NDArray[np.int64], series: int = 1, max_rows: int = 5000) -> str:
    """The finest bin that keeps a timeline readable: day up to :data:`DAILY_MAX_DAYS`, then week, month, year.

    Parameters
    ----------
    days : ndarray of int64
        Days since the epoch of what is counted (not empty).
    series : int
        Series stacked per bin (layers); bins × series stays within ``max_rows``.
    max_rows : int
        Most rows the chart may have.

    Returns
    -------
    str
        One of :data:`BIN_UNITS`.
    """
    days = np.asarray(days, dtype=np.int64)
    if days.size == 0:
        return "day"
    span = int(days.max() - days.min())
    for unit in BIN_UNITS:
        if unit == "day" and span > DAILY_MAX_DAYS:
            continue
        ordinal = bin_ordinals(days, unit)
        if (int(ordinal.max() - ordinal.min()) + 1) * max(series, 1) <= max_rows:
            return unit
    return "year"


def bin_label(start: object, unit: str) -> str:
    """A bin as a reader names it: ``15 Feb 2026``, ``week of 9 Feb 2026``, ``Feb 2026``, ``2026``.

    Parameters
    ----------
    start : object
        First day of the bin.
    unit : {"day", "week", "month", "year"}
        The bin.

    Returns
    -------
    str
        Its label.
    """
    d = _as_date(start)
    if d is None:
        return ""
    if unit == "week":
        return t("week of {day}", day=day(d))
    if unit == "month":
        return f"{t(MONTHS[d.month - 1])} {d.year}"
    if unit == "year":
        return str(d.year)
    return day(d)
