"""Streamlit glue for exports: the current filtered view → file bytes for a download button."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from geo.exporters import FORMATS, MIME_TYPES, export
from geo.exporters.html import DEFAULT_TITLE
from geo.exporters.snapshot import PRESETS
from geo.filters import Filter
from ui import data

LABELS = {
    "png": "PNG image",
    "pdf": "PDF briefing (A4 landscape)",
    "html": "Interactive HTML (works offline)",
    "geojson": "GeoJSON (events with claims)",
    "gpkg": "GeoPackage (events + claims)",
    "csv": "CSV (one row per claim)",
    "kml": "KML (Google Earth)",
}
SIZE_LABELS = {"slide": "16:9 slide, 1920×1080", "a4": "A4 landscape at 200 dpi", "square": "Square, 1200×1200"}


@st.cache_data(show_spinner="Rendering the export…", max_entries=8)
def _render(key: tuple, fmt: str, title: str, size: tuple[int, int] | None) -> bytes:
    flt: Filter = key[-1]
    events, claims = data.filtered(flt)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"export.{fmt}"
        export(fmt, events, claims, flt, path, title=title, size=size, talks=data.talks(flt))
        return path.read_bytes()


def controls(flt: Filter, *, key: str) -> None:
    """Format, size and title choices, a button that renders the export, and its download button."""
    fmt = st.selectbox("Format", FORMATS, format_func=LABELS.get, key=f"{key}_format")
    size = None
    if fmt == "png":
        preset = st.selectbox(
            "Size", [*PRESETS, "custom"], format_func=lambda p: SIZE_LABELS.get(p, "Custom"), key=f"{key}_size"
        )
        if preset == "custom":
            left, right = st.columns(2)
            size = (
                int(left.number_input("Width (px)", 100, 10000, 1600, key=f"{key}_w")),
                int(right.number_input("Height (px)", 100, 10000, 900, key=f"{key}_h")),
            )
        else:
            size = PRESETS[preset]
    title = st.text_input("Title", DEFAULT_TITLE, key=f"{key}_title") if fmt in ("png", "pdf", "html") else ""
    if st.button("Prepare the file", key=f"{key}_prepare"):
        st.session_state[f"{key}_ready"] = (fmt, title or DEFAULT_TITLE, size)
    ready = st.session_state.get(f"{key}_ready")
    if ready and ready == (fmt, title or DEFAULT_TITLE, size):
        content = _render(data.cache_key(flt), *ready)
        st.download_button(
            f"Download {LABELS[fmt]}",
            content,
            file_name=f"conflict-claims.{fmt}",
            mime=MIME_TYPES[fmt],
            key=f"{key}_download",
        )
