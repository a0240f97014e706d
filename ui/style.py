"""The dashboard's own CSS: one ``<style>`` for every page, written by :func:`apply` (``app.py`` calls it each run).

Streamlit's layout is made for a desktop window. On a phone (a window under
640 px wide, where Streamlit stacks columns) its 6rem of space above the
title, a desktop-sized title and tall key figures push the map below the
first screen. The rules here take that space back: on a layer page the
title, its caption and the whole map are on the first screen at 390×844, on
the overview at least half the map (tests/test_browser_phone.py checks it),
and tables and charts stay within the screen's width. Wider windows are
left as Streamlit draws them.

The map keeps its height (``ui.components.MAP_HEIGHT``): the frame could be
made shorter here, but the map inside it is drawn at that height and would
be cut, legend first, unless the map's own CSS follows the frame.

Only ``data-testid`` selectors are used.
"""

from __future__ import annotations

from typing import Final

import streamlit as st

__all__ = ["CSS", "PHONE_MAX_WIDTH", "apply"]

PHONE_MAX_WIDTH: Final = 640
"""Widest window, in CSS pixels, that gets the phone layout (Streamlit stacks columns below it)."""

CSS: Final = f"""
@media (max-width: {PHONE_MAX_WIDTH}px) {{
  /* The page starts right under the toolbar (3.75rem high) instead of 6rem down, with narrow margins. */
  [data-testid="stMainBlockContainer"] {{
    padding-top: 4rem;
    padding-left: 0.75rem;
    padding-right: 0.75rem;
  }}
  [data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {{ gap: 0.6rem; }}
  /* A title sized for a phone: one or two lines, not three. */
  [data-testid="stMainBlockContainer"] h1 {{
    font-size: 1.6rem;
    line-height: 1.2;
    padding: 0.1rem 0 0.45rem;
  }}
  [data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"] {{ line-height: 1.35; }}
  /* Key figures compact enough that the overview's map starts on the first screen. */
  [data-testid="stMetricValue"] {{ font-size: 1.6rem; line-height: 1.25; }}
  [data-testid="stMetricLabel"] {{ min-height: 0; }}
  /* Tables and charts never wider than the screen (a table scrolls inside itself). */
  [data-testid="stDataFrame"], [data-testid="stVegaLiteChart"] {{ max-width: 100%; }}
}}
"""
"""The rules :func:`apply` writes."""


def apply() -> None:
    """Write the dashboard's CSS into the page (once per run; it takes no space on the page).

    ``st.html`` sends HTML that holds only ``<style>`` to Streamlit's event
    container, so the rules add no gap above the title.
    """
    st.html(f"<style>{CSS}</style>")
