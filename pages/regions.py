"""Affected regions: admin-1 choropleth of outages, casualties and damage, with periods and sources."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from geo.charts import breakdown
from geo.claims import statement_table
from geo.sources import impact_table
from ui import components, data, state

flt = replace(state.current(), layers=("impact",))
events = data.events(flt)
claims = data.load().claims  # all of them: the map and charts pick those of the events shown

components.header("Affected regions", flt, events)
if not components.nothing_matches(events, "impacts"):
    components.event_map(events, claims, flt, layers=("impact",), key="map-regions")
    st.subheader("Periods and sources")
    st.dataframe(
        impact_table(events),
        hide_index=True,
        width="stretch",
        column_config={
            "title": "Impact",
            "regions": "Regions",
            "impact_type": "Type",
            "time_start": st.column_config.DateColumn("From"),
            "time_end": st.column_config.DateColumn("To"),
        },
    )
    listed, listed_claims, matched = data.latest(flt)
    components.table_note(len(listed), matched, "impact events")
    st.dataframe(
        statement_table(listed, listed_claims),
        hide_index=True,
        width="stretch",
        column_order=["stated_at", "title", "claimant", "figures", "text", "source_url"],
        column_config={
            "stated_at": st.column_config.DatetimeColumn("Stated", format="YYYY-MM-DD"),
            "source_url": st.column_config.LinkColumn("Source"),
        },
    )
    st.altair_chart(breakdown(events, "impact_type"), width="stretch")
