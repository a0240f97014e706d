"""Overview: every layer on one map, key figures for the filtered period, a compact timeline."""

from __future__ import annotations

import streamlit as st

from geo.charts import timeline
from ui import components, data, state

flt = state.current()
events = data.events(flt)  # the map looks up the claims it shows: 1.7M need no filtering

components.header("Overview", flt, events)
if not components.nothing_matches(events):
    figs = data.key_figures(flt)
    cols = st.columns(6)
    for col, side in zip(cols[:2], ("RU", "UA"), strict=True):
        counts = figs["captures"].get(side, {})
        col.metric(
            f"{side} captures",
            sum(counts.values()),
            help=", ".join(f"{n} {status}" for status, n in counts.items()) or "none",
        )
        cols[2 + ("RU", "UA").index(side)].metric(
            f"{side} claims, km²",
            figs["area"].get(side, "—"),
            help="Sum of each event's current claimed area; '≥' where a claim is a lower bound.",
        )
    cols[4].metric(
        "Drones intercepted",
        figs["intercepted"],
        help=f"{figs['strikes']} strike events; launched (or detected) claimed: {figs['launched']}. "
        "A sum of claims: different officials' counts can overlap.",
    )
    cols[5].metric("Regions affected", figs["regions_affected"], help=f"{figs['impacts']} impact events")
    components.event_map(events, data.load().claims, flt, key="map-overview")
    st.altair_chart(timeline(events, data.talks(flt), selectable=False, height=160), width="stretch")
