"""Sources: every claim with claimant, party, date, stance and its source; disputed events first."""

from __future__ import annotations

import streamlit as st

from geo.i18n import t, tn
from geo.sources import claims_table, column_labels
from ui import components, data, state

flt = state.current()
events = data.events(flt)
listed, claims, matched = data.latest(flt)

components.header(t("Sources"), flt, events)
components.table_note(len(listed), matched)
query = st.text_input(t("Search claims"), key="sources_search", placeholder=t("claimant, place, publisher, words…"))
table = claims_table(listed, claims, search=query)
if not components.nothing_matches(table, t("claims")):
    st.caption(tn("{n} claim, disputed events first.", "{n} claims, disputed events first.", len(table)))
    labels = column_labels("claims")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_order=[
            "status",
            "stated",
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
            **labels,
            "stated": st.column_config.TextColumn(labels["stated"], help=t("As precisely as it was recorded")),
            "stated_at": st.column_config.DatetimeColumn(labels["stated_at"], format="YYYY-MM-DD HH:mm"),
            "claimant": st.column_config.TextColumn(labels["claimant"], width="medium"),
            "title": st.column_config.TextColumn(labels["title"], width="medium"),
            "source_url": st.column_config.LinkColumn(labels["source_url"]),
        },
    )
