"""Cached access to the control maps (``geo.control``) for the pages: verdicts and the Control layer of a filter.

Like :mod:`ui.data`, every cache is keyed on the store's location and version (a change token), so an import of
assessments from the command line shows on the next run of a page. Nothing here draws: the pages and the map
read what these functions return.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from geo.control import change as _change
from geo.control import check as _check
from geo.control import series as _series
from geo.control.model import HELD
from geo.errors import GeoError
from geo.filters import Filter
from ui import data

__all__ = ["ControlView", "aggregates", "assessed", "assessors", "control_view", "verdicts"]


@dataclass(frozen=True)
class ControlView:
    """One assessor's Control layer for a filter's dates.

    Attributes
    ----------
    assessor : str
        Whose maps.
    held : geo.control.series.Held or None
        The area Russia holds as of the filter's end date (the latest assessed day on or before it).
    change : geo.control.change.Change or None
        Gained and lost areas between the filter's start and end dates (None without a start date, or when the
        series does not reach back that far).
    note : str
        Why something is missing, in plain words (empty when nothing is).
    """

    assessor: str
    held: Any
    change: Any
    note: str = ""


def _store(location: str) -> Any:
    return data._opened(location)  # opened once per process by ui.data


@st.cache_resource(show_spinner=False, max_entries=4)
def _series_of(location: str, version: str) -> pd.DataFrame:
    return _series.series(_store(location))


def assessors() -> list[str]:
    """Assessors with an ``occupied`` series in the store (empty when none is loaded)."""
    loc, version = data._current()
    found = _series_of(loc, version)
    if found.empty:
        return []
    return sorted(set(found.loc[found["kind"] == HELD, "assessor"]))


@st.cache_resource(show_spinner=False, max_entries=8)
def _verdicts(location: str, version: str, flt: Filter) -> pd.DataFrame:
    if _series_of(location, version).empty:
        return pd.DataFrame(columns=list(_check.VERDICT_COLUMNS))
    events = data._events(location, version, flt)
    claims = data._claims(location, version, flt)
    return _check.check_claims(_store(location), events, claims)


def verdicts(flt: Filter) -> pd.DataFrame:
    """A verdict per capture claim of the filter's events and per assessor (:func:`geo.control.check.check_claims`).

    Empty (with the columns of :data:`geo.control.check.VERDICT_COLUMNS`) when the store holds no assessments.
    """
    return _verdicts(*data._current(), flt)


def _day(value: dt.date | None, default: dt.date) -> dt.date:
    return value if value is not None else default


@st.cache_resource(show_spinner=False, max_entries=8)
def _views(location: str, version: str, flt: Filter) -> tuple[ControlView, ...]:
    found = _series_of(location, version)
    if found.empty:
        return ()
    store = _store(location)
    out = []
    for name in sorted(set(found.loc[found["kind"] == HELD, "assessor"])):
        rows = found[(found["assessor"] == name) & (found["kind"] == HELD)]
        last = max(pd.Timestamp(d).date() for d in rows["last"])
        end = min(_day(flt.date_to, last), last)
        held = change = None
        note = ""
        try:
            held = _series.held(store, end, assessor=name)
        except GeoError as err:
            note = str(err)
        if flt.date_from is not None and held is not None:
            try:
                change = _change.change(store, flt.date_from, end, assessor=name, settlements=False)
            except GeoError as err:  # e.g. the series starts after the filter's first day
                note = str(err)
        out.append(ControlView(name, held, change, note))
    return tuple(out)


def control_view(flt: Filter) -> tuple[ControlView, ...]:
    """The Control layer of a filter, one :class:`ControlView` per assessor (empty when nothing is stored)."""
    return _views(*data._current(), flt)


@st.cache_resource(show_spinner=False, max_entries=8)
def _aggregates(location: str, version: str, flt: Filter) -> pd.DataFrame:
    if _series_of(location, version).empty:
        return pd.DataFrame(columns=list(_check.AGGREGATE_COLUMNS))
    events = data._events(location, version, flt)
    return _check.aggregate_claims(_store(location), events, data._claims(location, version, flt))


def aggregates(flt: Filter) -> pd.DataFrame:
    """Claims with figures of the filter's events beside each assessor's change (``aggregate_claims``)."""
    return _aggregates(*data._current(), flt)


def assessed(flt: Filter) -> dict[str, Any]:
    """What an export of the filter needs to set claims against assessed control (empty when none is stored).

    Returns
    -------
    dict
        ``verdicts``, ``aggregates`` and ``control`` (one :class:`geo.mapview.ControlArea` per assessor) for
        :func:`geo.exporters.export`.
    """
    if not assessors():
        return {}
    from geo.mapview.control import control_area

    areas = [control_area(v.assessor, v.held, v.change, v.note) for v in control_view(flt) if v.held is not None]
    return {"verdicts": verdicts(flt), "aggregates": aggregates(flt), "control": areas}
