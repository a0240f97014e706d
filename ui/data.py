"""Cached access to the store, keyed on small hashable values (location, file time, filter)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo import claims as claims_mod
from geo import settings
from geo.filters import Filter, apply, filter_claims, talks_for
from geo.store import open_store


@dataclass(frozen=True)
class Data:
    """Everything the pages read: folded events and their claims (read-only)."""

    events: gpd.GeoDataFrame
    claims: pd.DataFrame


def _version(location: str) -> float:
    """The store file's modification time: a new import invalidates the caches."""
    try:
        return os.stat(location).st_mtime
    except OSError:
        return 0.0


@st.cache_resource(show_spinner="Loading events…", max_entries=4)
def _load(location: str, version: float) -> Data:
    store = open_store(location)
    events = store.read_events()
    claims = store.read_claims()
    return Data(claims_mod.fold(events, claims), claims)


def location() -> str:
    """The store the dashboard shows."""
    return settings.get().store


def load() -> Data:
    """All events (folded) and claims of the current store, cached until the store changes."""
    loc = location()
    if not os.path.exists(loc):
        open_store(loc)  # first use: built from the bundled dataset
    return _load(loc, _version(loc))


@st.cache_resource(show_spinner=False, max_entries=32)  # shared, not copied: callers never modify it
def _filtered(location: str, version: float, flt: Filter) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    data = _load(location, version)
    events = apply(data.events, flt)
    return events, filter_claims(data.claims, events)


def filtered(flt: Filter) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Events and claims matching a filter, cached on the filter."""
    load()
    loc = location()
    return _filtered(loc, _version(loc), flt)


def cache_key(flt: Filter) -> tuple:
    """What a derived result (a map) depends on: the store, its version, the filter."""
    loc = location()
    return (loc, _version(loc), flt)


def span(events: pd.DataFrame) -> tuple:
    """First and last date of the events (today's month when there are none)."""
    import datetime as dt

    if len(events) == 0:
        today = dt.date.today()
        return (today - dt.timedelta(days=30), today)
    return (events["time_start"].min().date(), events["time_end"].max().date())


@st.cache_data(show_spinner=False, max_entries=32)
def _talks(location: str, version: float, date_from, date_to) -> pd.DataFrame:
    return pd.DataFrame(talks_for(_load(location, version).events, Filter(date_from=date_from, date_to=date_to)))


def talks(flt: Filter) -> pd.DataFrame:
    """The rounds of talks in the filter's dates, whatever its regions: the timeline's calendar."""
    load()
    loc = location()
    return _talks(loc, _version(loc), flt.date_from, flt.date_to)
