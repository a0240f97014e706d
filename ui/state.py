"""The shared filter and language: sidebar widgets, session state and the URL's query parameters.

The filter lives in widget keys (``f_*``) so it survives page switches, and
is mirrored into the query parameters (``from``, ``to``, ``region``…, the
names of the command line's flags) so a copied link opens the same view.
Pages ask for a change (a date span picked on the timeline, an area drawn
on the map) with :func:`request`; it is applied before the widgets are drawn
on the next run, which is the only time Streamlit allows it. What a link
asked for that cannot be done (``region=Narnia``, a language without a
catalog) is kept in the session and shown in the sidebar until the reader
dismisses it: the link is rewritten in the first run, and the map's reruns
follow within a second. A link is read within bounds: a value longer than
:data:`MAX_PARAM_CHARS` is ignored (and said so), messages quote at most
:data:`SHOWN_CHARS` characters of a value.

The language comes from the link too (``?lang=uk``, when there is a catalog
for it), is remembered for the session and kept in the link; otherwise it is
the setting's (``CONFLICTMAP_LANG``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from geo import i18n, layers, present, schema, settings
from geo.errors import ValidationError
from geo.filters import BY, PRESETS, Filter, regions_by_country

_PENDING = "_pending_filter"
_LINK_PROBLEMS = "_link_problems"
"""What the session's link asked for that cannot be done: shown until the reader dismisses it."""
_FROM_URL = "_filter_from_url"
_LANGUAGE = "_language"
MAX_PARAM_CHARS = 2_000
"""Longest value of a link's parameter the page reads; a longer one is ignored, and said so."""
MAX_PARAM_VALUES = 300
"""Most values of one parameter the page reads (``region=…&region=…``); the rest are ignored, and said so."""
SHOWN_CHARS = 80
"""How much of a value from the link a message quotes."""
MAX_SHOWN_PROBLEMS = 10
"""How many problems of a link the sidebar lists (then "and N more")."""
_LAYER_ONLY = {
    "weapons": ("f_weapons", "weapon", schema.WEAPONS),
    "target_types": ("f_targets", "target", schema.TARGET_TYPES),
}
"""Filter fields that apply to some layers only: widget key, event column (for labels), options."""


PAGE_PARAMS = ("event",)
"""Address parameters that belong to a page, not to the filter: the sidebar keeps them as they are."""


def current() -> Filter:
    """The filter the sidebar made in this run (set by app.py before the page runs).

    Returns
    -------
    Filter
        The filter; the empty one before the sidebar ran.
    """
    return st.session_state.get("_filter") or Filter()


def default_language() -> str:
    """The language of a session whose link names none: the setting's, if it has a catalog; else English.

    Returns
    -------
    str
        A language code.
    """
    code = settings.get().language or i18n.DEFAULT
    return code if code in i18n.available() else i18n.DEFAULT


def language() -> str:
    """The language of this run: the link's ``lang`` if there is a catalog for it, else the session's, else the default.

    A language picked by the link is remembered for the session, so a page
    switch (which clears the link's parameters) keeps it.

    Returns
    -------
    str
        A language code.
    """
    requested = _lang_param()
    if requested and requested in i18n.available():
        st.session_state[_LANGUAGE] = requested
    return st.session_state.get(_LANGUAGE) or default_language()


def _lang_param() -> str | None:
    """The link's ``lang``, unless it is longer than any parameter the page reads (that is reported once, as such)."""
    requested = st.query_params.get("lang")
    return requested if requested and len(requested) <= MAX_PARAM_CHARS else None


def request(**changes: Any) -> None:
    """Ask for a filter change (``dates=(a, b)``, ``area=wkt``) and rerun.

    Parameters
    ----------
    **changes
        ``dates`` (a pair of dates) and/or ``area`` (WKT).
    """
    st.session_state[_PENDING] = st.session_state.get(_PENDING, {}) | changes
    st.rerun()


def _query_params() -> dict[str, list[str]]:
    return {k: st.query_params.get_all(k) for k in st.query_params}


def clip(text: str, limit: int = SHOWN_CHARS) -> str:
    """A value from a link as a message quotes it: its first ``limit`` characters, then "…".

    Parameters
    ----------
    text : str
        The value.
    limit : int
        Most characters kept.

    Returns
    -------
    str
        ``text``, or its start and "…".
    """
    return text if len(text) <= limit else text[:limit] + "…"


def _bounded(params: dict[str, list[str]]) -> tuple[dict[str, list[str]], list[str]]:
    """The parameters the page reads: values and names up to :data:`MAX_PARAM_CHARS`, :data:`MAX_PARAM_VALUES` each.

    Returns the parameters kept and a sentence per thing left out (what, how long, the start of it).
    """
    kept: dict[str, list[str]] = {}
    problems: list[str] = []
    limit = present.number(MAX_PARAM_CHARS)
    for key, values in params.items():
        if len(key) > MAX_PARAM_CHARS:
            problems.append(
                i18n.t(
                    "a parameter name of {n} characters ({start}); at most {max} are read",
                    n=present.number(len(key)),
                    start=clip(key),
                    max=limit,
                )
            )
            continue
        name = clip(key)
        ok = []
        for value in values:
            if len(value) > MAX_PARAM_CHARS:
                problems.append(
                    i18n.t(
                        "{param}: a value of {n} characters ({start}); at most {max} are read",
                        param=name,
                        n=present.number(len(value)),
                        start=clip(value),
                        max=limit,
                    )
                )
            else:
                ok.append(value)
        if len(ok) > MAX_PARAM_VALUES:
            problems.append(
                i18n.t(
                    "{param}: {n} values; the first {max} are read",
                    param=name,
                    n=present.number(len(ok)),
                    max=present.number(MAX_PARAM_VALUES),
                )
            )
            ok = ok[:MAX_PARAM_VALUES]
        if ok:
            kept[key] = ok
    return kept, problems


def _seed_from_url(span: tuple[dt.date, dt.date]) -> None:
    """On a session's first run, put the URL's filter into the widgets."""
    if st.session_state.get(_FROM_URL):
        return
    st.session_state[_FROM_URL] = True
    params, too_long = _bounded(_query_params())
    _report(too_long)
    try:
        flt = Filter.from_query(params)
    except ValidationError as err:
        _report([clip(str(p), 4 * SHOWN_CHARS) for p in err.problems])
        bad = {p.column for p in err.problems}
        try:  # a bad parameter is ignored, the others are kept
            flt = Filter.from_query({k: v for k, v in params.items() if k.strip().lower() not in bad})
        except ValidationError:
            flt = Filter()
    _put(flt, span)


def _put(flt: Filter, span: tuple[dt.date, dt.date]) -> None:
    """Set every widget key from a filter."""
    st.session_state["f_dates"] = (flt.date_from or span[0], flt.date_to or span[1])
    st.session_state["f_by"] = flt.by
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


def _offered(field: str) -> bool:
    """Whether a layer-only filter field has a widget: some selected layer (all, when none is) lists it."""
    selected = st.session_state.get("f_layers") or layers.names()
    return any(name in selected for name in layers.for_filter(field))


def _current(span: tuple[dt.date, dt.date]) -> Filter:
    dates = st.session_state.get("f_dates") or span
    start, end = (*tuple(dates), None, None)[:2]
    layer_only = {
        field: st.session_state.get(key, []) if _offered(field) else [] for field, (key, _, _) in _LAYER_ONLY.items()
    }
    return Filter.create(
        date_from=None if start in (None, span[0]) else start,
        date_to=None if end in (None, span[1]) else end,
        by=st.session_state.get("f_by") or BY[0],
        regions=st.session_state.get("f_regions", []),
        area=st.session_state.get("f_area"),
        layers=st.session_state.get("f_layers", []),
        parties=st.session_state.get("f_parties", []),
        statuses=st.session_state.get("f_statuses", []),
        datasets=st.session_state.get("f_datasets", []),
        **layer_only,
    )


def _region_options() -> tuple[list[str], dict[str, str]]:
    labels = {}
    for regions in regions_by_country().values():
        for code, _ in regions:
            labels[code] = f"{present.country_name(code[:2])} · {present.region_name(code)}"
    return list(labels), labels


def _layer_only_widgets() -> None:
    """Weapon, target type…: a multiselect for each filter field a selected layer lists (the sidebar's context)."""
    labels = {"weapons": i18n.N_("Weapon ({layers})"), "target_types": i18n.N_("Target type ({layers})")}
    for field, (key, column, options) in _LAYER_ONLY.items():
        if not _offered(field):
            continue
        owners = ", ".join(present.layer_word(name) for name in layers.for_filter(field))
        st.multiselect(
            i18n.t(labels[field], layers=owners),
            list(options),
            key=key,
            format_func=lambda v, column=column: present.value_label(column, v),
            placeholder=i18n.t("All"),
        )


def _report(problems: list[str]) -> None:
    """Remember problems of the link until the reader dismisses them (a problem already shown is not added twice)."""
    known = st.session_state.get(_LINK_PROBLEMS, [])
    st.session_state[_LINK_PROBLEMS] = known + [p for p in problems if p not in known]


def _dismiss_link_problems() -> None:
    st.session_state[_LINK_PROBLEMS] = []


def _link_problems() -> None:
    """Show what the link asked for that cannot be done, with a button that dismisses it.

    The problems are kept in the session, not read again from the link: the
    link is rewritten in the first run, and the map's reruns must not clear
    the warning before anyone has read it.
    """
    requested = _lang_param()
    if requested and requested not in i18n.available():
        _report(
            [
                i18n.t(
                    "lang={code}: no such language; choose from {codes}",
                    code=clip(requested),
                    codes=", ".join(i18n.available()),
                )
            ]
        )
    problems = st.session_state.get(_LINK_PROBLEMS)
    if not problems:
        return
    for problem in problems[:MAX_SHOWN_PROBLEMS]:
        st.sidebar.warning(i18n.t("Ignored in the link: {problem}", problem=problem))
    if len(problems) > MAX_SHOWN_PROBLEMS:
        more = len(problems) - MAX_SHOWN_PROBLEMS
        st.sidebar.caption(i18n.tn("… and {n} more problem", "… and {n} more problems", more))
    st.sidebar.button(i18n.t("Dismiss"), key="f_link_dismiss", on_click=_dismiss_link_problems)


_BY_LABELS = {
    "either": i18n.N_("Events or statements"),
    "event": i18n.N_("Events"),
    "statement": i18n.N_("Statements"),
}
"""The choices of the dates' radio (``Filter.by``)."""


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
        The current filter, also written to the URL's query parameters (with
        the session's language, when the link chose one).
    """
    t = i18n.t
    _seed_from_url(span)
    _apply_pending()
    _clamp_dates(span)
    _link_problems()
    codes, labels = _region_options()
    with st.sidebar:
        st.header(t("Filters"))
        st.date_input(t("Dates"), min_value=span[0], max_value=span[1], key="f_dates", format="YYYY-MM-DD")
        st.radio(
            t("Dates apply to"),
            list(BY),
            key="f_by",
            format_func=lambda by: t(_BY_LABELS[by]),
            horizontal=True,
            help=t(
                "Events: those that happened in the dates. Statements: those a claim was made about in the "
                "dates, each shown whole, with all its claims. Talks always follow their own dates."
            ),
        )
        st.selectbox(
            t("Add a region preset"), [None, *PRESETS], key="f_preset", on_change=_add_preset, placeholder=t("Presets…")
        )
        st.multiselect(
            t("Regions"), codes, key="f_regions", format_func=lambda c: labels.get(c, c), placeholder=t("All")
        )
        st.multiselect(
            t("Layers"), list(schema.LAYERS), key="f_layers", format_func=present.layer_label, placeholder=t("All")
        )
        st.multiselect(t("Party making a claim"), list(schema.PARTIES), key="f_parties", placeholder=t("All"))
        st.multiselect(
            t("Status"), list(schema.STATUSES), key="f_statuses", format_func=present.status_label, placeholder=t("All")
        )
        _layer_only_widgets()
        st.multiselect(
            t("Dataset"),
            datasets,
            key="f_datasets",
            placeholder=t("All"),
            format_func=lambda d: t("{dataset} (SYNTHETIC)", dataset=d) if d == schema.SYNTHETIC else d,
        )
        if st.session_state.get("f_area"):
            st.caption(t("Area: drawn on the map"))
            if st.button(t("Clear the drawn area"), key="f_area_clear"):
                st.session_state["f_area"] = None
        st.button(t("Reset filters"), key="f_reset", on_click=_reset, args=(span,))
    flt = _current(span)
    query: dict[str, Any] = flt.to_query()
    if st.session_state.get(_LANGUAGE):
        query["lang"] = st.session_state[_LANGUAGE]
    for key in PAGE_PARAMS:  # a page's own parameters stay in the address (Add claim's ?event=ID)
        if key in st.query_params:
            query[key] = st.query_params.get_all(key)
    if {k: v if isinstance(v, list) else [v] for k, v in query.items()} != _query_params():
        st.query_params.from_dict(query)
    st.session_state["_filter"] = flt
    return flt
