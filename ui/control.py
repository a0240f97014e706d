"""Cached access to the control maps (``geo.control``) for the pages: verdicts and the Control layer of a filter.

Like :mod:`ui.data`, every cache is keyed on the store's location and version (a change token), so an import of
assessments from the command line shows on the next run of a page. Nothing here draws: the pages and the map
read what these functions return.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from geo.control import check as _check
from geo.control import series as _series
from geo.control.model import HELD
from geo.filters import Filter
from geo.mapview.control import ControlArea, control_areas
from ui import data

__all__ = ["aggregates", "assessed", "assessors", "control_layer", "verdicts"]


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


@st.cache_resource(show_spinner=False, max_entries=8)
def _layer(location: str, version: str, flt: Filter) -> tuple[ControlArea, ...]:
    if _series_of(location, version).empty:
        return ()
    return tuple(control_areas(_store(location), flt.date_from, flt.date_to))


def control_layer(flt: Filter) -> tuple[ControlArea, ...]:
    """The Control layer of a filter (:func:`geo.mapview.control_areas`): one area per assessor, empty when none."""
    return _layer(*data._current(), flt)


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
    return {"verdicts": verdicts(flt), "aggregates": aggregates(flt), "control": list(control_layer(flt))}
