"""Overview: every layer on one map, key figures for the filtered period, a compact timeline."""

from __future__ import annotations

import inspect
import re
from typing import Any

import streamlit as st

from geo import present, totals
from geo.charts import timeline
from geo.i18n import t, tn
from geo.stats import assessment_figures
from ui import components, control, data, state
from views.layer import claim_aggregates

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+!|~$])")
_METRIC = inspect.signature(st.metric).parameters
_NO_ARROW: dict[str, Any] = {"delta_arrow": "off"} if "delta_arrow" in _METRIC else {}
_MIN_CELL_PX = 120  # narrowest key figure: six in a row on a desktop, two per row on a phone (390 px)


def _md(text: str) -> str:
    """Text from data, safe in a Markdown help text."""
    return _MARKDOWN.sub(r"\\\1", text)


@st.cache_resource(show_spinner=False, max_entries=32)
def _claimants(key: tuple, ids: tuple[str, ...], figure: str) -> dict[str, str]:
    """Who stated each event's current figure (``key`` is the view's cache key)."""
    return totals.figure_claimants(data.load().claims, ids, figure)


def _total(cell: Any, label: str, value: totals.Total, figure: str, help_text: str, view: tuple) -> None:
    """A key figure that is a total: one number, or a range with "claims may overlap" and which claims may."""
    note = ""
    if value.is_range:
        ids = tuple(p.event_id for g in value.groups for p in g.parts)
        note = totals.overlap_text(value, _claimants(view, ids, figure))
    cell.metric(
        label,
        totals.total_text(value, words=False),
        delta=t("claims may overlap") if value.is_range else None,
        delta_color="off",
        help=help_text + ("\n\n" + _md(note) if note else ""),
        **(_NO_ARROW if value.is_range else {}),
    )


def _assessment(flt: Any) -> None:
    """Key figures of the capture claims set against each assessor's map, and claimed figures beside the change."""
    names = control.assessors()
    if not names:
        return
    figs = assessment_figures(control.verdicts(flt), claim_aggregates(flt))
    cells = st.columns(max(len(names), 2))
    for cell, name in zip(cells, names, strict=False):
        counts = figs["counts"].get(name)
        n = sum(counts.values()) if counts else 0
        cell.metric(
            t("Captures reflected · {assessor}", assessor=name),
            f"{present.number(counts['reflected'])} / {present.number(n)}" if counts else t("none checked"),
            help=_md(figs["lines"].get(name, t("No capture claim located to a settlement.")) + ". " + figs["caveat"]),
        )
    lines = figs["aggregates"]
    st.caption(
        "  \n".join(_md(x) for x in [*lines, figs["caveat"]]),
        help=t("Claimed figures beside the change each assessor mapped over the same period."),
    )


flt = state.current()
events = data.events(flt)  # the map looks up the claims it shows: 1.7M need no filtering

components.header(t("Overview"), flt, events)
if not components.nothing_matches(events):
    figs = data.key_figures(flt)
    if hasattr(st, "grid"):  # cells wrap: six in a row when there is room, two per row on a phone
        grid = st.grid(6, min_column_width=_MIN_CELL_PX, key="key-figures")
        cells: list[Any] = [grid] * 6
    else:
        cells = list(st.columns(6))
    for i, side in enumerate(("RU", "UA")):
        counts = figs["captures"].get(side, {})
        cells[i].metric(
            t("{side} captures", side=side),
            sum(counts.values()),
            help=", ".join(f"{present.number(n)} {present.status_label(status)}" for status, n in counts.items())
            or t("none"),
        )
    for i, side in enumerate(("RU", "UA")):
        _total(
            cells[2 + i],
            t("{side} claims, km²", side=side),
            figs["area_totals"].get(side, totals.Total()),
            "area_km2",
            t(
                "Each event's current claimed area, added up where claims cannot overlap (a range where they may); "
                "'≥' where a claim is a lower bound."
            ),
            data.cache_key(flt),
        )
    _total(
        cells[4],
        t("Drones intercepted"),
        figs["intercepted_total"],
        "intercepted",
        tn(
            "{n} strike event; launched (or detected) claimed: {launched}. "
            "Claims whose regions and days overlap are not added up: they give a range.",
            "{n} strike events; launched (or detected) claimed: {launched}. "
            "Claims whose regions and days overlap are not added up: they give a range.",
            figs["strikes"],
            launched=figs["launched"],
        ),
        data.cache_key(flt),
    )
    cells[5].metric(
        t("Regions affected"),
        figs["regions_affected"],
        help=tn("{n} impact event", "{n} impact events", figs["impacts"]),
    )
    _assessment(flt)
    components.event_map(events, data.load().claims, flt, key="map-overview")
    st.altair_chart(timeline(events, data.talks(flt), selectable=False, height=160), width="stretch")
