"""Dashboard frame: page config, shared sidebar filters, navigation over pages/.

Run with ``streamlit run app.py``. The pages are thin: they read the filter
the sidebar made, call the ``geo`` library and render.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo.assets import ensure_static
from ui import components, data, state

# No page_icon: a Material icon favicon is fetched from Google's font CDN, which breaks offline use.
st.set_page_config(page_title="Conflict claims map", layout="wide")


@st.cache_resource
def _static() -> Path:
    """Local copies of Leaflet and Leaflet.draw, served at /app/static/vendor/ (no CDN)."""
    return ensure_static(Path(__file__).parent / "static")


_static()
loaded = data.load()
PAGES = [
    st.Page("pages/overview.py", title="Overview", default=True),
    st.Page("pages/captures.py", title="Captures"),
    st.Page("pages/strikes.py", title="Strikes"),
    st.Page("pages/regions.py", title="Affected regions"),
    st.Page("pages/timeline.py", title="Timeline"),
    st.Page("pages/sources.py", title="Sources"),
    st.Page("pages/export.py", title="Export"),
    st.Page("pages/import_data.py", title="Import", url_path="import"),
]
page = st.navigation(PAGES)
state.sidebar(data.span(loaded.events), sorted(loaded.events["dataset"].unique()))
components.map_settings()
with st.sidebar:
    st.caption(
        "Claims by parties to the war, with their sources — not independently verified facts. "
        "Synthetic data, where loaded, is labelled synthetic."
    )
try:
    page.run()
finally:
    data.release_pages()  # the snapshot pages this run read go back to the OS (they stay in its file cache)
