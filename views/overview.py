"""Overview: every layer on one map, key figures for the filtered period, a compact timeline."""

from __future__ import annotations

import streamlit as st

from geo import present
from geo.charts import timeline
from geo.i18n import t, tn
from ui import components, data, state

flt = state.current()
events = data.events(flt)  # the map looks up the claims it shows: 1.7M need no filtering

components.header(t("Overview"), flt, events)
if not components.nothing_matches(events):
    figs = data.key_figures(flt)
    cols = st.columns(6)
    for col, side in zip(cols[:2], ("RU", "UA"), strict=True):
        counts = figs["captures"].get(side, {})
        col.metric(
            t("{side} captures", side=side),
            sum(counts.values()),
            help=", ".join(f"{present.number(n)} {present.status_label(status)}" for status, n in counts.items())
            or t("none"),
        )
        cols[2 + ("RU", "UA").index(side)].metric(
            t("{side} claims, km²", side=side),
            figs["area"].get(side, "—"),
            help=t("Sum of each event's current claimed area; '≥' where a claim is a lower bound."),
        )
    cols[4].metric(
        t("Drones intercepted"),
        figs["intercepted"],
        help=tn(
            "{n} strike event; launched (or detected) claimed: {launched}. "
            "A sum of claims: different officials' counts can overlap.",
            "{n} strike events; launched (or detected) claimed: {launched}. "
            "A sum of claims: different officials' counts can overlap.",
            figs["strikes"],
            launched=figs["launched"],
        ),
    )
    cols[5].metric(
        t("Regions affected"),
        figs["regions_affected"],
        help=tn("{n} impact event", "{n} impact events", figs["impacts"]),
    )
    components.event_map(events, data.load().claims, flt, key="map-overview")
    st.altair_chart(timeline(events, data.talks(flt), selectable=False, height=160), width="stretch")
