"""Cached access to the store, keyed on small hashable values (location, file time, filter)."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import streamlit as st

from geo import settings, stats
from geo.filters import Filter, apply, filter_claims, talks_for
from geo.store import open_store
from geo.store.snapshot import read_display, release_pages

# jemalloc hands freed Arrow memory (a dropped filter result) back to the OS within a second; mimalloc keeps it.
with contextlib.suppress(NotImplementedError):  # a pyarrow built without jemalloc keeps its default
    pa.set_memory_pool(pa.jemalloc_memory_pool())


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


@st.cache_resource(show_spinner="Loading events…", max_entries=2)
def _load(location: str, version: float) -> Data:
    # A memory-mapped snapshot of the folded store (geo.store.snapshot): a million events load in about a second.
    return Data(*read_display(open_store(location)))


__all__ = ["Data", "cache_key", "events", "filtered", "key_figures", "latest", "load", "location", "release_pages",
           "span", "talks"]  # fmt: skip


def location() -> str:
    """The store the dashboard shows."""
    return settings.get().store


def load() -> Data:
    """All events (folded) and claims of the current store, cached until the store changes."""
    loc = location()
    if not os.path.exists(loc):
        open_store(loc)  # first use: built from the bundled dataset
    return _load(loc, _version(loc))


# Shared, not copied: callers never modify them. Few entries: at a million events one filtered copy is ~100s of MB.
@st.cache_resource(show_spinner=False, max_entries=3)
def _events(location: str, version: float, flt: Filter) -> gpd.GeoDataFrame:
    return apply(_load(location, version).events, flt)


@st.cache_resource(show_spinner=False, max_entries=2)
def _claims(location: str, version: float, flt: Filter) -> pd.DataFrame:
    return filter_claims(_load(location, version).claims, _events(location, version, flt))


def events(flt: Filter) -> gpd.GeoDataFrame:
    """Events matching a filter, cached on the filter."""
    load()
    loc = location()
    return _events(loc, _version(loc), flt)


def filtered(flt: Filter) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Events and their claims matching a filter, cached on the filter."""
    load()
    loc = location()
    return _events(loc, _version(loc), flt), _claims(loc, _version(loc), flt)


@st.cache_resource(show_spinner=False, max_entries=16)
def _figures(location: str, version: float, flt: Filter) -> dict:
    return stats.key_figures(_events(location, version, flt))


def key_figures(flt: Filter) -> dict:
    """The overview's headline figures for a filter (:func:`geo.stats.key_figures`), cached on the filter."""
    load()
    loc = location()
    return _figures(loc, _version(loc), flt)


TABLE_EVENTS = 5000
"""Most events whose statements a page lists: a table the browser can hold (the map and charts show all)."""


@st.cache_resource(show_spinner=False, max_entries=3)
def _latest(location: str, version: float, flt: Filter, limit: int) -> tuple[gpd.GeoDataFrame, pd.DataFrame, int]:
    matched = _events(location, version, flt)
    events = matched
    if len(matched) > limit:
        order = matched["time_end"].to_numpy(dtype="datetime64[ms]").argsort(kind="stable")
        events = matched.iloc[order[-limit:][::-1]]
    return events, filter_claims(_load(location, version).claims, events), len(matched)


def latest(flt: Filter, limit: int = TABLE_EVENTS) -> tuple[gpd.GeoDataFrame, pd.DataFrame, int]:
    """The latest ``limit`` events matching a filter (by end date), their claims, and how many match in all."""
    load()
    loc = location()
    return _latest(loc, _version(loc), flt, limit)


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
