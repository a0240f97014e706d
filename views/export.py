"""Export: the current filtered view as a briefing snapshot (PNG, PDF), an offline map (HTML) or data."""

from __future__ import annotations

import streamlit as st

from geo.i18n import t
from ui import components, data, exporting, state

flt = state.current()
events, claims = data.filtered(flt)

components.header(t("Export"), flt, events)
st.caption(
    t(
        "Snapshots show exactly the filtered map, with its legend, scale, the filters in words, key figures, "
        "a small timeline, the sources and the caveat that claims are unverified. Everything renders here, "
        "offline; the same exports run from the command line: `python -m geo export --format pdf --url '<this link>'`."
    )
)
exporting.controls(flt, key="export_page")
