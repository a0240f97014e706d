"""Streamlit glue for exports: the current filtered view → file bytes for a download button."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from geo import i18n
from geo.errors import GeoError
from geo.exporters import FORMATS, MIME_TYPES, export
from geo.exporters.html import DEFAULT_TITLE
from geo.filters import Filter
from geo.i18n import N_, t
from ui import control, data

LABELS = {
    "png": N_("Briefing slide, PNG image"),
    "pdf": N_("Briefing, PDF (A4 landscape: slide, claims table, sources)"),
    "pptx": N_("Briefing, PowerPoint (editable slides)"),
    "html": N_("Interactive HTML (works offline)"),
    "geojson": N_("GeoJSON (events with claims)"),
    "gpkg": N_("GeoPackage (events + claims)"),
    "csv": N_("CSV (one row per claim)"),
    "kml": N_("KML (Google Earth)"),
    "gif": N_("Time-lapse of assessed control, animated GIF"),
    "mp4": N_("Time-lapse of assessed control, MP4 video"),
}
"""Each export format as the format picker names it (English messages, translated where shown)."""
SIZE_LABELS = {
    "slide": N_("16:9 slide, 1920×1080"),
    "720p": N_("16:9 slide, 1280×720"),
}
"""The briefing slide's sizes (A4 is the PDF)."""


@st.cache_data(show_spinner=False, max_entries=8)
def _render(
    key: tuple, fmt: str, title: str, size: str | None, step: str | None = None, lang: str = i18n.DEFAULT
) -> tuple[bytes, str]:
    """The export's bytes and what the format leaves out, in words (empty when nothing)."""
    flt: Filter = key[-1]
    events, claims = data.filtered(flt)
    with i18n.using(lang), tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export.{fmt}"
        if fmt in ("gif", "mp4"):
            extra = {"step": step, "assessments": data._opened(data._current()[0])}
        else:  # claims set against assessed control, when the store holds any (KML has no place for them)
            extra = control.assessed(flt) if fmt != "kml" else {}
        out = export(fmt, events, claims, flt, path, title=title, size=size, talks=data.talks(flt), **extra)
        return out.read_bytes(), out.left_out_text()


def controls(flt: Filter, *, key: str) -> None:
    """Format, size and title choices, a button that renders the export, and its download button.

    Parameters
    ----------
    flt : Filter
        The view to export.
    key : str
        Prefix of the widgets' keys (one set of controls per place it is drawn).
    """
    fmt = st.selectbox(t("Format"), FORMATS, format_func=lambda f: t(LABELS[f]), key=f"{key}_format")
    size = None
    if fmt == "png":
        size = st.selectbox(
            t("Size"), list(SIZE_LABELS), format_func=lambda p: t(SIZE_LABELS[p]), key=f"{key}_size"
        )  # fmt: skip
    step = None
    if fmt in ("gif", "mp4"):  # a week by default: a long daily time-lapse takes a while and may pass 1,000 frames
        step = st.radio(
            t("One frame per"), ("week", "day"), format_func=lambda s: t("week") if s == "week" else t("day"),
            horizontal=True, key=f"{key}_step",
        )  # fmt: skip
    titled = ("png", "pdf", "pptx", "html")
    title = st.text_input(t("Title"), DEFAULT_TITLE, key=f"{key}_title") if fmt in titled else ""
    if st.button(t("Prepare the file"), key=f"{key}_prepare"):
        st.session_state[f"{key}_ready"] = (fmt, title or DEFAULT_TITLE, size, step)
    ready = st.session_state.get(f"{key}_ready")
    if ready and ready == (fmt, title or DEFAULT_TITLE, size, step):
        try:
            with st.spinner(t("Rendering the export…")):
                content, left_out = _render(data.cache_key(flt), *ready, lang=i18n.language())
        except GeoError as err:
            st.error(t("The export could not be made: {error}", error=str(err)))
            return
        if left_out:
            st.info(t("Not in this file: {what}.", what=left_out))
        st.download_button(
            t("Download {what}", what=t(LABELS[fmt])),
            content,
            file_name=f"conflict-claims.{fmt}",
            mime=MIME_TYPES[fmt],
            key=f"{key}_download",
        )
