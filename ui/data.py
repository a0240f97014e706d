"""Cached access to the store, keyed on small hashable values (location, the store's version, filter, language).

Nothing here knows what a store is made of: :func:`geo.store.open_store` opens the location of the settings (a
file path or a URL; the default store is built from the bundled dataset on first use), once per process, and its
:meth:`~geo.store.base.Store.version` — a change token that costs microseconds — keys every cache, so a write (an
import on the Import page, ``python -m geo import`` in another process) is seen on the next run of a page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from geo import i18n, settings, stats
from geo.errors import GeoError, NotFoundError
from geo.filters import Filter, apply, filter_claims, talks_for
from geo.i18n import t
from geo.store import Store, open_store
from geo.store.snapshot import read_display, release_pages

# jemalloc hands freed Arrow memory (a dropped filter result) back to the OS within a second; mimalloc keeps it.
with contextlib.suppress(NotImplementedError):  # a pyarrow built without jemalloc keeps its default
    pa.set_memory_pool(pa.jemalloc_memory_pool())


@dataclass(frozen=True)
class Data:
    """Everything the pages read: folded events and their claims (read-only)."""

    events: gpd.GeoDataFrame
    claims: pd.DataFrame


__all__ = ["Data", "cache_key", "events", "filtered", "key_figures", "latest", "load", "location", "release_pages",
           "span", "store", "talks"]  # fmt: skip

_STORES: dict[str, Store] = {}  # opened stores by location: opening checks the store, so it is done once
_STORES_LOCK = threading.Lock()
_LOADED: dict[str, str] = {}  # the version of each location last loaded (a spinner only for a new one)


def location() -> str:
    """The store the dashboard shows."""
    return settings.get().store


def store() -> Store:
    """The store the dashboard shows, opened once per process (sign-in, recording claims, the audit trail)."""
    return _opened(location())


def _opened(loc: str) -> Store:
    """The store at ``loc``, opened once per process (and built from the bundled dataset on first use)."""
    with _STORES_LOCK:  # one thread opens (and on first use builds) it; the others wait for that
        store = _STORES.get(loc)
        if store is None:
            store = _STORES[loc] = open_store(loc)
        return store


@contextlib.contextmanager
def _reported() -> Iterator[None]:
    """Show a store that cannot be opened or read as an error on the page, not a traceback, and end the run."""
    try:
        yield
    except GeoError as err:
        if get_script_run_ctx(suppress_warning=True) is None:  # not a page run (ui.serve warming): the caller logs it
            raise
        st.error(t("The data cannot be loaded: {error}", error=str(err)))
        st.stop()


def _state() -> tuple[str, str]:
    """The location of the dashboard's store and its version (the store opened, and built on first use)."""
    loc = location()
    with _reported():
        try:
            return loc, _opened(loc).version()
        except NotFoundError:  # removed since it was opened: open it again (a default store is built again)
            with _STORES_LOCK:
                _STORES.pop(loc, None)
            return loc, _opened(loc).version()


@st.cache_resource(show_spinner=False, max_entries=2)
def _load(location: str, version: str) -> Data:
    # A memory-mapped snapshot of the folded store (geo.store.snapshot): a million events load in about a second.
    return Data(*read_display(_opened(location)))


def _current() -> tuple[str, str]:
    """The store's location and version, its data loaded (with a spinner when a new version is read)."""
    loc, version = _state()
    with _reported():
        if _LOADED.get(loc) == version or get_script_run_ctx(suppress_warning=True) is None:
            _load(loc, version)
        else:
            with st.spinner(t("Loading events…")):  # shows only when it takes a moment
                _load(loc, version)
    _LOADED[loc] = version
    return loc, version


def load() -> Data:
    """All events (folded) and claims of the current store, cached until the store changes."""
    return _load(*_current())


# Shared, not copied: callers never modify them. Few entries: at a million events one filtered copy is ~100s of MB.
@st.cache_resource(show_spinner=False, max_entries=3)
def _events(location: str, version: str, flt: Filter) -> gpd.GeoDataFrame:
    loaded = _load(location, version)
    return apply(loaded.events, flt, loaded.claims)  # the claims: dates matched against statements (flt.by)


@st.cache_resource(show_spinner=False, max_entries=2)
def _claims(location: str, version: str, flt: Filter) -> pd.DataFrame:
    return filter_claims(_load(location, version).claims, _events(location, version, flt))


def events(flt: Filter) -> gpd.GeoDataFrame:
    """Events matching a filter, cached on the filter."""
    return _events(*_current(), flt)


def filtered(flt: Filter) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Events and their claims matching a filter, cached on the filter."""
    loc, version = _current()
    return _events(loc, version, flt), _claims(loc, version, flt)


@st.cache_resource(show_spinner=False, max_entries=16)
def _figures(location: str, version: str, flt: Filter, lang: str) -> dict:
    with i18n.using(lang):  # any text in the figures is in the language of the cache entry
        return stats.key_figures(_events(location, version, flt))


def key_figures(flt: Filter) -> dict:
    """The overview's headline figures for a filter (:func:`geo.stats.key_figures`), cached on the filter."""
    return _figures(*_current(), flt, i18n.language())


TABLE_EVENTS = 5000
"""Most events whose statements a page lists: a table the browser can hold (the map and charts show all)."""


@st.cache_resource(show_spinner=False, max_entries=3)
def _latest(location: str, version: str, flt: Filter, limit: int) -> tuple[gpd.GeoDataFrame, pd.DataFrame, int]:
    matched = _events(location, version, flt)
    events = matched
    if len(matched) > limit:
        order = matched["time_end"].to_numpy(dtype="datetime64[ms]").argsort(kind="stable")
        events = matched.iloc[order[-limit:][::-1]]
    return events, filter_claims(_load(location, version).claims, events), len(matched)


def latest(flt: Filter, limit: int = TABLE_EVENTS) -> tuple[gpd.GeoDataFrame, pd.DataFrame, int]:
    """The latest ``limit`` events matching a filter (by end date), their claims, and how many match in all."""
    return _latest(*_current(), flt, limit)


def cache_key(flt: Filter) -> tuple:
    """What a derived result (a map) depends on: the store, its version, the filter (always last)."""
    return (*_state(), flt)


def span(events: pd.DataFrame) -> tuple:
    """First and last date of the events (today's month when there are none)."""
    if len(events) == 0:
        today = dt.date.today()
        return (today - dt.timedelta(days=30), today)
    return (events["time_start"].min().date(), events["time_end"].max().date())


@st.cache_data(show_spinner=False, max_entries=32)
def _talks(location: str, version: str, date_from, date_to) -> pd.DataFrame:
    return pd.DataFrame(talks_for(_load(location, version).events, Filter(date_from=date_from, date_to=date_to)))


def talks(flt: Filter) -> pd.DataFrame:
    """The rounds of talks in the filter's dates, whatever its regions: the timeline's calendar."""
    return _talks(*_current(), flt.date_from, flt.date_to)
