"""Streamlit glue for recording claims: who acts, the store, the claim form's widgets and its messages.

The pages (``views/add_claim.py``) draw with these; every write goes through
:mod:`geo.editing`, whose functions check the role on the server first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import pandas as pd
import streamlit as st

from geo import layers, present, schema
from geo.auth import ANONYMOUS, Actor
from geo.errors import ValidationError
from geo.i18n import t
from ui import data

__all__ = ["FORM_KEYS", "actor", "claim_fields", "claim_form", "fill_form", "problems_text", "store", "suggestions"]

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+!|~$])")
FORM_KEYS: Final = (
    "stance",
    "claimant",
    "party",
    "date",
    "time",
    "stated_precision",
    "text",
    "source_url",
    "publisher",
    "source_title",
    "language",
)
"""Widgets of the claim form (each keyed ``<prefix>_<name>``; figures ``<prefix>_fig_<figure>`` and ``…_bound_…``)."""


def actor() -> Actor | None:
    """Who the current run acts for (:func:`ui.auth.actor`; an anonymous viewer where it is not there)."""
    try:
        from ui import auth
    except ImportError:  # pragma: no cover - ui.auth ships with the dashboard
        return ANONYMOUS
    return auth.actor()


def store() -> Any:
    """The dashboard's store (opened once per process by :mod:`ui.data`)."""
    return data.store()


@st.cache_resource(show_spinner=False, max_entries=2)
def _claimants(location: str, version: str) -> list[str]:
    from geo.editing import claimants

    return claimants(data.load().claims)


def suggestions() -> list[str]:
    """Claimants already in the store, most frequent first (cached until the store changes)."""
    return _claimants(*data._state())


def _md(text: object) -> str:
    return _MARKDOWN.sub(r"\\\1", str(text))


def _label(column: str | None) -> str:
    if not column:
        return ""
    base = column.split(".", 1)[-1]
    labels = {
        "stance": t("Stance"),
        "claimant": t("Claimant"),
        "party": t("Party"),
        "stated_at": t("Stated"),
        "stated_precision": t("Precision of the time"),
        "source_url": t("Source address"),
        "other_sources": t("Other sources"),
        "publisher": t("Publisher"),
        "figures": t("Figures"),
        "text": t("What was said"),
        "source_title": t("Source title"),
        "language": t("Language"),
        "layer": t("Layer"),
        "place": t("Place"),
        "admin1": t("Region"),
        "geometry": t("Point"),
        "geo_precision": t("Precision of the place"),
        "time_start": t("From"),
        "time_end": t("To"),
        "time_precision": t("Precision of the date"),
    }
    if base in schema.CLAIM_FIGURES:
        return present.figure_label(base)
    return labels.get(base, base)


def problems_text(err: ValidationError) -> str:
    """Every problem of a refused form as a Markdown list, each with the field it is in (escaped).

    Parameters
    ----------
    err : ValidationError
        What :mod:`geo.editing` (or the store) raised.

    Returns
    -------
    str
        ``Nothing was recorded: 3 problems`` and one bullet per problem.
    """
    lines = [t("Nothing was recorded; fix these and submit again:")]
    for problem in err.problems:
        where = _label(problem.column)
        text = problem.message + (f" ({problem.fix})" if problem.fix else "")
        lines.append(f"- **{_md(where)}**: {_md(text)}" if where else f"- {_md(text)}")
    return "\n".join(lines)


def _stated(day: dt.date | None, time: dt.time | None) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day, time or dt.time(0, 0))


def claim_fields(prefix: str, figures: Sequence[str]) -> dict[str, Any]:
    """The claim form's values (session state) as the columns :class:`geo.editing.ClaimForm` takes.

    Parameters
    ----------
    prefix : str
        The form's key prefix.
    figures : sequence of str
        The figures the form offered.

    Returns
    -------
    dict
        Claim columns; a statement given without its time is at day precision unless another precision was chosen.
    """
    state = st.session_state
    get = lambda name: state.get(f"{prefix}_{name}")  # noqa: E731
    out: dict[str, Any] = {name: get(name) for name in FORM_KEYS if name not in ("date", "time")}
    out["stated_at"] = _stated(get("date"), get("time"))
    if get("time") is not None and out.get("stated_precision") in (None, "day"):
        out["stated_precision"] = "minute"  # a time was typed: keep it (the day alone would hide it)
    for figure in figures:
        value = get(f"fig_{figure}")
        if value is not None:
            out[figure] = value
            out[schema.bound_column(figure)] = get(f"bound_{figure}") or "exact"
    return out


def fill_form(prefix: str, claim: Mapping[str, Any] | None) -> None:
    """Put a claim's values in the form's widgets (Edit), or empty them (``None``).

    Call it from a button's callback: widgets take new values before they are drawn.

    Parameters
    ----------
    prefix : str
        The form's key prefix.
    claim : mapping or None
        A claim's columns.
    """
    claim = claim or {}
    state = st.session_state

    def value(name: str) -> Any:
        v = claim.get(name)
        return None if present.missing(v) else v

    for name in ("stance", "claimant", "party", "text", "source_url", "publisher", "source_title", "language"):
        state[f"{prefix}_{name}"] = value(name) if name in ("stance", "party", "claimant") else (value(name) or "")
    state[f"{prefix}_stated_precision"] = value("stated_precision") or "day"
    stamp = value("stated_at")
    stamp = None if stamp is None else pd.Timestamp(stamp)
    state[f"{prefix}_date"] = None if stamp is None else stamp.date()
    timed = stamp is not None and (stamp.hour or stamp.minute) and value("stated_precision") not in ("day", "week")
    state[f"{prefix}_time"] = stamp.time() if timed else None
    for figure in schema.CLAIM_FIGURES:
        state[f"{prefix}_fig_{figure}"] = value(figure)
        state[f"{prefix}_bound_{figure}"] = value(schema.bound_column(figure)) or "exact"


def _option_label(kind: str) -> Any:
    return {
        "stance": present.stance_label,
        "party": lambda v: present.value_label("party", v),
        "stated_precision": lambda v: present.value_label("stated_precision", v),
        "bound": lambda v: present.value_label("bound", v),
    }[kind]


def claim_form(prefix: str, layer: str | None, suggestions: Sequence[str]) -> tuple[bool, list[str]]:
    """Draw the claim's widgets (inside the caller's ``st.form``) and its submit button.

    Parameters
    ----------
    prefix : str
        Key prefix of the widgets.
    layer : str or None
        The event's layer: its figures are offered (all figures when unknown).
    suggestions : sequence of str
        Claimants in the store, most frequent first (a new name may be typed).

    Returns
    -------
    tuple of (bool, list of str)
        Whether it was submitted, and the figures offered.
    """
    figures = list(layers.get(layer).figures) if layer in layers.names() else list(schema.CLAIM_FIGURES)
    left, right = st.columns(2)
    left.selectbox(
        t("Stance"),
        schema.STANCES,
        index=None,
        key=f"{prefix}_stance",
        format_func=_option_label("stance"),
        placeholder=t("Choose the stance"),
    )
    claimant = st.session_state.get(f"{prefix}_claimant")
    options = list(dict.fromkeys([*([claimant] if claimant else []), *suggestions]))
    right.selectbox(
        t("Claimant"),
        options,
        index=None,
        key=f"{prefix}_claimant",
        accept_new_options=True,
        placeholder=t("Type or choose who made the statement"),
        help=t("Who spoke, as the source names them: pick one already recorded or type a new one"),
    )
    left, mid, right = st.columns(3)
    left.selectbox(
        t("Party"),
        schema.PARTIES,
        index=None,
        key=f"{prefix}_party",
        format_func=_option_label("party"),
        placeholder=t("Choose the party"),
    )
    mid.date_input(
        t("Stated on"),
        value=None,
        key=f"{prefix}_date",
        min_value=dt.date(2014, 1, 1),
        max_value=dt.date.today(),
        format="YYYY-MM-DD",
    )
    right.time_input(t("at (local time, optional)"), value=None, key=f"{prefix}_time", step=60)
    st.session_state.setdefault(f"{prefix}_stated_precision", "day")  # the default, without a widget default
    st.selectbox(
        t("Precision of the time"),
        schema.STATED_PRECISIONS,
        key=f"{prefix}_stated_precision",
        format_func=_option_label("stated_precision"),
        help=t("A time given with the day precision is kept to the minute"),
    )
    if figures:
        st.caption(t("Figures the claimant gave (leave empty what they did not state)"))
        for i in range(0, len(figures), 2):
            for column, figure in zip(st.columns(4), _pairs(figures[i : i + 2]), strict=False):
                name, part = figure
                if part == "value":
                    column.number_input(
                        present.figure_label(name),
                        min_value=0.0,
                        value=None,
                        step=1.0,
                        key=f"{prefix}_fig_{name}",
                        format="%g",
                    )
                else:
                    column.selectbox(
                        t("bound"), schema.BOUNDS, key=f"{prefix}_bound_{name}", format_func=_option_label("bound")
                    )
    st.text_area(t("What was said (in brief)"), key=f"{prefix}_text", max_chars=4000)
    left, right = st.columns(2)
    left.text_input(
        t("Source address (http or https)"), key=f"{prefix}_source_url", max_chars=2000, placeholder="https://…"
    )
    right.text_input(t("Publisher"), key=f"{prefix}_publisher", max_chars=200)
    left, right = st.columns([3, 1])
    left.text_input(t("Source title (optional)"), key=f"{prefix}_source_title", max_chars=500)
    right.text_input(t("Language (ISO 639-1, optional)"), key=f"{prefix}_language", max_chars=8)
    submitted = st.form_submit_button(t("Record the claim"), type="primary")
    return submitted, figures


def _pairs(figures: Sequence[str]) -> list[tuple[str, str]]:
    return [(f, part) for f in figures for part in ("value", "bound")]
