"""Export: the current view as a briefing (PNG, PDF, PPTX), an offline map or data; a briefing of several views."""

from __future__ import annotations

import streamlit as st

from geo.i18n import t
from ui import briefing, components, data, exporting, state

flt = state.current()
events, claims = data.filtered(flt)

components.header(t("Export"), flt, events)
st.caption(
    t(
        "Briefings (a slide PNG, a PDF, a PowerPoint deck) frame the map on what the filter selected and set "
        "beside it the filter in words, the key claims with their histories and the other side's answers, honest "
        "totals, a timeline, numbered sources and the caveat that claims are unverified. Everything renders here, "
        "offline; the same exports run from the command line: `python -m geo export --format pdf --url '<this link>'` "
        "(repeat `--url` for several views in one file)."
    )
)
exporting.controls(flt, key="export_page")
st.divider()
briefing.panel()
