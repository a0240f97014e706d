"""Sources: every claim with claimant, party, date, stance and its source; disputed events first."""

from __future__ import annotations

import streamlit as st

from geo.sources import claims_table
from ui import components, data, state

flt = state.current()
events = data.events(flt)
listed, claims, matched = data.latest(flt)

components.header("Sources", flt, events)
components.table_note(len(listed), matched)
query = st.text_input("Search claims", key="sources_search", placeholder="claimant, place, publisher, words…")
table = claims_table(listed, claims, search=query)
if not components.nothing_matches(table, "claims"):
    st.caption(f"{len(table):,} claims, disputed events first.")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_order=[
            "status",
            "stated_at",
            "claimant",
            "party",
            "stance",
            "title",
            "text",
            "source_url",
            "publisher",
            "other_sources",
            "place",
            "admin1",
            "language",
        ],
        column_config={
            "stated_at": st.column_config.DatetimeColumn("Stated", format="YYYY-MM-DD"),
            "source_url": st.column_config.LinkColumn("Source"),
            "other_sources": "Also reported by",
        },
    )
