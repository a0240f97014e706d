"""The briefing being assembled: "Add this view to the briefing" on every page, and its list and file on Export.

The views are kept in the session as dashboard links (``?from=…&region=…``),
in the order they were added, so a briefing survives moving between pages;
the file is made by :func:`geo.briefing.deck.briefing_file` — the same code as
``python -m geo export --format pdf --url LINK --url LINK``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from geo import i18n
from geo.briefing.deck import MAX_VIEWS, briefing_file
from geo.errors import GeoError
from geo.exporters import MIME_TYPES
from geo.filters import Filter
from geo.i18n import N_, t
from ui import data

__all__ = ["KEY", "add_button", "added", "panel"]

KEY = "briefing_views"
"""Session key of the briefing's views: a list of ``{"url": …, "words": …}``, in order."""
FORMATS = {
    "pdf": N_("PDF: a slide page, the claims table and the sources per view"),
    "pptx": N_("PowerPoint: a slide and the claims slides per view (editable)"),
}


def added() -> list[dict[str, str]]:
    """The views added to the briefing so far, in order (``url`` and ``words`` each)."""
    return list(st.session_state.get(KEY, []))


def _add(flt: Filter) -> None:
    views = added()
    url = flt.to_url()
    if any(v["url"] == url for v in views):
        st.session_state["briefing_note"] = t("This view is already in the briefing.")
        return
    if len(views) >= MAX_VIEWS:
        st.session_state["briefing_note"] = t("A briefing holds at most {n} views.", n=MAX_VIEWS)
        return
    st.session_state[KEY] = [*views, {"url": url, "words": flt.describe()}]
    st.session_state["briefing_note"] = t("Added: view {n} of the briefing.", n=len(views) + 1)


def add_button(flt: Filter) -> None:
    """The sidebar's "Add this view to the briefing" button, with how many views the briefing has.

    Parameters
    ----------
    flt : Filter
        The current view.
    """
    with st.sidebar:
        st.button(
            t("Add this view to the briefing"),
            key="briefing_add",
            on_click=_add,
            args=(flt,),
            help=t("Collect views here, then make one PDF or PowerPoint of them all on the Export page."),
        )
        note = st.session_state.pop("briefing_note", None)
        n = len(added())
        if note:
            st.caption(note)
        if n:
            st.caption(_count_text(n))


def _count_text(n: int) -> str:
    """``"Briefing: 2 views (Export page)"``."""
    return i18n.tn("Briefing: {n} view (Export page)", "Briefing: {n} views (Export page)", n, n=n)


def _move(i: int, step: int) -> None:
    views = added()
    j = i + step
    if 0 <= i < len(views) and 0 <= j < len(views):
        views[i], views[j] = views[j], views[i]
        st.session_state[KEY] = views


def _remove(i: int) -> None:
    views = added()
    if 0 <= i < len(views):
        del views[i]
        st.session_state[KEY] = views


@st.cache_data(show_spinner=False, max_entries=4)
def _render(key: tuple, urls: tuple[str, ...], fmt: str, lang: str) -> bytes:
    """The briefing file's bytes (``key``: the store's location and version)."""
    store = data._opened(key[0])
    filters = [Filter.from_url(u) for u in urls]
    with i18n.using(lang), tempfile.TemporaryDirectory() as tmp:
        out, _views = briefing_file(fmt, store, filters, Path(tmp) / f"briefing.{fmt}", lang=lang)
        return out.read_bytes()


def panel() -> None:
    """The Export page's briefing: the views added, in order (move, remove), and the file of them all."""
    st.subheader(t("Briefing of several views"))
    views = added()
    if not views:
        st.caption(t('No views yet: set the filters, then press "Add this view to the briefing" in the sidebar.'))
        return
    for i, view in enumerate(views):
        words, up, down, drop = st.columns([8, 1, 1, 1], vertical_alignment="center")
        words.markdown(f"{i + 1}. {view['words']}")  # Filter.describe: our own words, no data text
        up.button("↑", key=f"briefing_up_{i}", on_click=_move, args=(i, -1), disabled=i == 0, help=t("Move up"))
        down.button(
            "↓", key=f"briefing_down_{i}", on_click=_move, args=(i, 1), disabled=i == len(views) - 1,
            help=t("Move down"),
        )  # fmt: skip
        drop.button("✕", key=f"briefing_remove_{i}", on_click=_remove, args=(i,), help=t("Remove"))
    fmt = st.radio(
        t("Briefing format"), list(FORMATS), format_func=lambda f: t(FORMATS[f]), key="briefing_format"
    )  # fmt: skip
    urls = tuple(v["url"] for v in views)
    if st.button(t("Prepare the briefing"), key="briefing_prepare"):
        st.session_state["briefing_ready"] = (urls, fmt)
    if st.session_state.get("briefing_ready") != (urls, fmt):
        return
    try:
        with st.spinner(t("Rendering the briefing…")):
            content = _render(data._current(), urls, fmt, i18n.language())
    except GeoError as err:
        st.error(t("The briefing could not be made: {error}", error=str(err)))
        return
    st.download_button(
        t("Download the briefing ({n} views)", n=len(urls)),
        content,
        file_name=f"briefing.{fmt}",
        mime=MIME_TYPES[fmt],
        key="briefing_download",
    )
