"""Captures: claimed captures by side and status, each side's statements, claimed figures over time."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from geo.charts import figures_over_time
from geo.claims import statement_table
from geo.filters import Filter
from ui import components, data, state

flt: Filter = replace(state.current(), layers=("capture",))
events = data.events(flt)
claims = data.load().claims  # all of them: the map and charts pick those of the events shown

components.header("Claimed captures", flt, events)
if not components.nothing_matches(events, "capture claims"):
    components.event_map(events, claims, flt, layers=("capture",), key="map-captures")
    st.subheader("Claims and answers")
    st.caption("Each claimant's latest statement; denials and counter-claims from the other side sit beside them.")
    listed, listed_claims, matched = data.latest(flt)
    components.table_note(len(listed), matched, "capture claims")
    st.dataframe(
        statement_table(listed, listed_claims),
        hide_index=True,
        width="stretch",
        column_order=["stated_at", "title", "claimant", "party", "stance", "figures", "text", "source_url"],
        column_config={
            "stated_at": st.column_config.DatetimeColumn("Stated", format="YYYY-MM-DD"),
            "title": "Event",
            "figures": "Figures",
            "text": "Statement",
            "source_url": st.column_config.LinkColumn("Source"),
        },
    )
    left, right = st.columns(2)
    left.altair_chart(figures_over_time(events, claims, "area_km2"), width="stretch")
    right.altair_chart(figures_over_time(events, claims, "settlements"), width="stretch")
