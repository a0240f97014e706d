"""The shared filter: sidebar widgets, session state and the URL's query parameters.

The filter lives in widget keys (``f_*``) so it survives page switches, and
is mirrored into the query parameters (``from``, ``to``, ``region``…, the
names of the command line's flags) so a copied link opens the same view.
Pages ask for a change (a date span picked on the timeline, an area drawn
on the map) with :func:`request`; it is applied before the widgets are drawn
on the next run, which is the only time Streamlit allows it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from geo import schema
from geo.errors import ValidationError
from geo.filters import PRESETS, Filter, regions_by_country
from geo.reference import region_name

_PENDING = "_pending_filter"
_URL_ERRORS = "_url_errors"
_FROM_URL = "_filter_from_url"
_KEYS = ("f_dates", "f_regions", "f_layers", "f_parties", "f_statuses", "f_weapons", "f_targets", "f_datasets")
LABELS = {
    "capture": "Claimed captures",
    "strike": "Strikes",
    "impact": "Affected regions",
    "talks": "Talks",
}


def current() -> Filter:
    """The filter the sidebar made in this run (set by app.py before the page runs).

    Every page calls this first. It also repairs the first run after a server
    start: with a ``pages/`` folder beside app.py, Streamlit runs that first
    request in its legacy pages-directory mode, which executes a deep-linked
    page (``/captures?region=UA-23``) on its own, without app.py's sidebar and
    filter. ``st.navigation`` turns that mode off, but only once app.py runs;
    so a page that finds it still on turns it off and reruns through app.py.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
    return st.session_state.get("_filter") or Filter()


def request(**changes: Any) -> None:
    """Ask for a filter change (``dates=(a, b)``, ``area=wkt``) and rerun."""
    st.session_state[_PENDING] = st.session_state.get(_PENDING, {}) | changes
    st.rerun()


def _query_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def _seed_from_url(span: tuple[dt.date, dt.date]) -> None:
    """On a session's first run, put the URL's filter into the widgets."""
    if st.session_state.get(_FROM_URL):
        return
    st.session_state[_FROM_URL] = True
    try:
        flt = Filter.from_query(_query_params())
    except ValidationError as err:
        st.session_state[_URL_ERRORS] = [str(p) for p in err.problems]
        flt = Filter()
    _put(flt, span)


def _put(flt: Filter, span: tuple[dt.date, dt.date]) -> None:
    """Set every widget key from a filter."""
    st.session_state["f_dates"] = (flt.date_from or span[0], flt.date_to or span[1])
    st.session_state["f_regions"] = list(flt.regions)
    st.session_state["f_layers"] = list(flt.layers)
    st.session_state["f_parties"] = list(flt.parties)
    st.session_state["f_statuses"] = list(flt.statuses)
    st.session_state["f_weapons"] = list(flt.weapons)
    st.session_state["f_targets"] = list(flt.target_types)
    st.session_state["f_datasets"] = list(flt.datasets)
    st.session_state["f_area"] = flt.area


def _apply_pending() -> None:
    pending = st.session_state.pop(_PENDING, None)
    if not pending:
        return
    if "dates" in pending:
        st.session_state["f_dates"] = tuple(pending["dates"])
    if "area" in pending:
        st.session_state["f_area"] = pending["area"]


def _clamp_dates(span: tuple[dt.date, dt.date]) -> None:
    """Keep the picked dates inside the data's span (the picker refuses others)."""
    dates = tuple(st.session_state.get("f_dates") or span)
    clamped = tuple(min(max(d, span[0]), span[1]) for d in dates if d is not None) or span
    if clamped != dates:
        st.session_state["f_dates"] = clamped


def _add_preset() -> None:
    name = st.session_state.get("f_preset")
    if name:
        regions = set(st.session_state.get("f_regions", [])) | set(PRESETS[name])
        st.session_state["f_regions"] = sorted(regions)
        st.session_state["f_preset"] = None


def _reset(span: tuple[dt.date, dt.date]) -> None:
    _put(Filter(), span)


def _current(span: tuple[dt.date, dt.date]) -> Filter:
    dates = st.session_state.get("f_dates") or span
    start, end = (*tuple(dates), None, None)[:2]
    return Filter.create(
        date_from=None if start in (None, span[0]) else start,
        date_to=None if end in (None, span[1]) else end,
        regions=st.session_state.get("f_regions", []),
        area=st.session_state.get("f_area"),
        layers=st.session_state.get("f_layers", []),
        parties=st.session_state.get("f_parties", []),
        statuses=st.session_state.get("f_statuses", []),
        weapons=st.session_state.get("f_weapons", []),
        target_types=st.session_state.get("f_targets", []),
        datasets=st.session_state.get("f_datasets", []),
    )


def _region_options() -> tuple[list[str], dict[str, str]]:
    labels = {}
    for country, regions in regions_by_country().items():
        for code, name in regions:
            labels[code] = f"{country} · {name}"
    return list(labels), labels


def sidebar(span: tuple[dt.date, dt.date], datasets: list[str]) -> Filter:
    """Draw the shared filter widgets and return the filter they make.

    Parameters
    ----------
    span : tuple of date
        First and last date of the data (the date picker's bounds and default).
    datasets : list of str
        Dataset names in the store.

    Returns
    -------
    Filter
        The current filter, also written to the URL's query parameters.
    """
    _seed_from_url(span)
    _apply_pending()
    _clamp_dates(span)
    for problem in st.session_state.pop(_URL_ERRORS, []):
        st.sidebar.warning(f"Ignored in the link: {problem}")
    codes, labels = _region_options()
    with st.sidebar:
        st.header("Filters")
        st.date_input("Dates", min_value=span[0], max_value=span[1], key="f_dates", format="YYYY-MM-DD")
        st.selectbox(
            "Add a region preset", [None, *PRESETS], key="f_preset", on_change=_add_preset, placeholder="Presets…"
        )
        st.multiselect("Regions", codes, key="f_regions", format_func=lambda c: labels.get(c, c), placeholder="All")
        st.multiselect("Layers", list(schema.LAYERS), key="f_layers", format_func=LABELS.get, placeholder="All")
        st.multiselect("Party making a claim", list(schema.PARTIES), key="f_parties", placeholder="All")
        st.multiselect("Status", list(schema.STATUSES), key="f_statuses", placeholder="All")
        st.multiselect("Weapon (strikes)", list(schema.WEAPONS), key="f_weapons", placeholder="All")
        st.multiselect("Target type (strikes)", list(schema.TARGET_TYPES), key="f_targets", placeholder="All")
        st.multiselect(
            "Dataset",
            datasets,
            key="f_datasets",
            placeholder="All",
            format_func=lambda d: f"{d} (SYNTHETIC)" if d == schema.SYNTHETIC else d,
        )
        if st.session_state.get("f_area"):
            st.caption("Area: drawn on the map")
            if st.button("Clear the drawn area", key="f_area_clear"):
                st.session_state["f_area"] = None
        st.button("Reset filters", key="f_reset", on_click=_reset, args=(span,))
    flt = _current(span)
    query = flt.to_query()
    if {k: v if isinstance(v, list) else [v] for k, v in query.items()} != _query_params():
        st.query_params.from_dict(query)
    st.session_state["_filter"] = flt
    return flt


def region_label(code: str) -> str:
    """Human name of an ISO 3166-2 code (several codes joined by ';' are each named)."""
    return ", ".join(region_name(c) for c in schema.split_multi(code)) if code else ""
