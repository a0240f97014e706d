"""Strikes: targets and interceptions, each claimant's latest figures, revisions on demand, breakdowns."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from geo.charts import breakdown, figures_over_time
from geo.claims import statement_table
from ui import components, data, state

flt = replace(state.current(), layers=("strike",))
events = data.events(flt)
claims = data.load().claims  # all of them: the map and charts pick those of the events shown

components.header("Strikes", flt, events)
if not components.nothing_matches(events, "strikes"):
    components.event_map(events, claims, flt, layers=("strike",), key="map-strikes")
    st.subheader("Latest figures per claimant")
    history = st.toggle("Show every revision", key="strikes_history")
    listed, listed_claims, matched = data.latest(flt)
    components.table_note(len(listed), matched, "strikes")
    st.dataframe(
        statement_table(listed, listed_claims, current_only=not history),
        hide_index=True,
        width="stretch",
        column_order=["stated_at", "title", "claimant", "party", "figures", "revisions", "current", "source_url"],
        column_config={
            "stated_at": st.column_config.DatetimeColumn("Stated", format="YYYY-MM-DD HH:mm"),
            "title": "Event",
            "figures": "Figures",
            "revisions": st.column_config.NumberColumn("Earlier statements", help="by the same claimant"),
            "current": st.column_config.CheckboxColumn("Latest"),
            "source_url": st.column_config.LinkColumn("Source"),
        },
    )
    st.altair_chart(figures_over_time(events, claims, "intercepted"), width="stretch")
    left, right = st.columns(2)
    left.altair_chart(breakdown(events, "weapon"), width="stretch")
    right.altair_chart(breakdown(events, "target_type"), width="stretch")
