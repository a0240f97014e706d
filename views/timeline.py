"""Timeline: all layers over time against the negotiation calendar; a span picked sets the date filter."""

from __future__ import annotations

import streamlit as st

from geo.charts import SELECTION, selection_dates, timeline
from geo.i18n import t
from ui import components, data, state

flt = state.current()
events = data.events(flt)

components.header(t("Timeline"), flt, events)
if not components.nothing_matches(events):
    st.caption(t("Drag across the chart to set the date filter. Bands are rounds of talks."))
    picked = st.altair_chart(
        timeline(events, data.talks(flt), selectable=True, height=320),
        width="stretch",
        on_select="rerun",
        selection_mode=SELECTION,
        key="timeline_chart",
    )
    span = selection_dates(picked)
    if span and span != (flt.date_from, flt.date_to):
        state.request(dates=span)
