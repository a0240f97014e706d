"""Dashboard frame: language, page config, shared sidebar filters, navigation over views/.

Run with ``streamlit run app.py`` (or ``python -m ui.serve``). The pages are
thin: they read the filter the sidebar made, call the ``geo`` library and
render. Every layer with a page in the registry (:mod:`geo.layers`) gets one,
drawn by :func:`views.layer.render`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from geo import i18n, layers
from geo.assets import ensure_static
from geo.i18n import t
from ui import auth, briefing, components, data, errors, state, style
from views import layer

i18n.set_language(state.language())  # ?lang=uk when there is a catalog for it, else CONFLICTMAP_LANG
# No page_icon: a Material icon favicon is fetched from Google's font CDN, which breaks offline use.
st.set_page_config(page_title=t("Conflict claims map"), layout="wide")
style.apply()  # the phone layout (narrow margins, smaller title) and tables no wider than the screen


@st.cache_resource
def _static() -> Path:
    """Local copies of Leaflet and Leaflet.draw, served at /app/static/vendor/ (no CDN)."""
    return ensure_static(Path(__file__).parent / "static")


def _pages() -> list[st.Page]:
    """Overview, a page per layer that has one (in the registry's order), then Timeline, Sources, Export, Import,
    Add claim and Audit (the last three say "not allowed" to a role that may not use them)."""
    layer_pages = [
        st.Page(layer.page(spec.name), title=t(spec.page.nav_title or spec.page.title), url_path=spec.page.url_path)
        for spec in layers.all_specs()
        if spec.page is not None
    ]
    return [
        st.Page("views/overview.py", title=t("Overview"), default=True),
        *layer_pages,
        st.Page("views/timeline.py", title=t("Timeline")),
        st.Page("views/sources.py", title=t("Sources")),
        st.Page("views/export.py", title=t("Export")),
        st.Page("views/import_data.py", title=t("Import"), url_path="import"),
        st.Page("views/add_claim.py", title=t("Add claim"), url_path="add_claim"),
        st.Page("views/audit.py", title=t("Audit"), url_path="audit"),
    ]


def _frame() -> StreamlitPage | None:
    """Static files, the data, the navigation and the sidebar; the page to run, or None when they failed (said so)."""
    with errors.contained(
        t("The dashboard could not start because of an error; it has been logged on the server."), where="frame"
    ):
        _static()
        auth.sidebar()  # who is signed in (Sign out), or the sign-in form
        auth.gate()  # anonymous access "none" and nobody signed in: only the sign-in form; nothing is read
        loaded = data.load()
        page = st.navigation(_pages())
        with errors.contained(
            t(
                "The filters could not be applied because of an error (logged on the server); "
                "reset them, or open the dashboard's address without its parameters."
            ),
            where="sidebar",
        ) as sidebar:
            flt = state.sidebar(data.span(loaded.events), sorted(loaded.events["dataset"].unique()))
            components.map_settings()
            briefing.add_button(flt)  # every page: collect views for one PDF/PowerPoint (Export page)
        with st.sidebar:
            st.caption(
                t(
                    "Claims by parties to the war, with their sources — not independently verified facts. "
                    "Synthetic data, where loaded, is labelled synthetic."
                )
            )
        # A failed sidebar leaves no filter to show the page with: its sentence is all that shows.
        return None if sidebar.failed else page
    return None  # the frame failed (said so)


try:
    page = _frame()
    if page is not None:
        with errors.contained(
            t(
                "This page could not be shown because of an error (logged on the server); "
                "try other filters or another page."
            ),
            where=f"page /{page.url_path}",
        ):
            page.run()
finally:
    data.release_pages()  # the snapshot pages this run read go back to the OS (they stay in its file cache)
