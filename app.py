"""Dashboard frame: page config, shared sidebar, navigation over pages/.

Run with ``streamlit run app.py``. The pages are thin: they read the shared
state, call the ``geo`` library and render.
"""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="Conflict claims map", page_icon="🗺️", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", default=True),
]

with st.sidebar:
    st.caption(
        "Claims by parties to the war, with their sources — not independently verified facts. "
        "Synthetic data, where loaded, is labelled synthetic."
    )

st.navigation(PAGES).run()
