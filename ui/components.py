"""Pieces several pages draw: the map, the filter caption, empty and synthetic notices."""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st
from streamlit_folium import st_folium

from geo import schema
from geo.filters import Filter
from geo.mapview import build_map
from ui import data, state

MAP_HEIGHT = 560


def header(title: str, flt: Filter, events: pd.DataFrame) -> None:
    """A page's title, what it shows (filter in words, count, caveat) and the synthetic-data warning."""
    st.title(title)
    caption(flt, events)
    synthetic_notice(events)


def caption(flt: Filter, events: pd.DataFrame) -> None:
    """Say what is shown: the filter in words and how many events match."""
    st.caption(f"{flt.describe()} · {len(events):,} events · claims by parties, not independently verified")


def nothing_matches(events: pd.DataFrame, what: str = "events") -> bool:
    """Say so when a filter matches nothing; True when there is nothing to show."""
    if len(events):
        return False
    st.info(f"No {what} match these filters. Widen the dates, regions or other filters in the sidebar.")
    return True


def synthetic_notice(events: pd.DataFrame) -> None:
    """Warn whenever synthetic (made-up, test) events are among those shown."""
    n = int((events["dataset"] == schema.SYNTHETIC).sum()) if len(events) else 0
    if n:
        st.warning(f"{n:,} of these events are SYNTHETIC test data, not real claims.", icon="⚠️")


@st.cache_resource(show_spinner="Drawing the map…", max_entries=16)
def _map(_events: gpd.GeoDataFrame, _claims: pd.DataFrame, key: tuple, layers: tuple[str, ...]) -> folium.Map:
    return build_map(_events, _claims, layers=layers, draw=True)


def event_map(
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    flt: Filter,
    *,
    layers: Sequence[str] = schema.LAYERS,
    key: str,
) -> None:
    """Draw the filtered events on the map; an area drawn on it becomes the area filter.

    The folium map is built once per (filter, layers) and reused, so a rerun
    that changes nothing re-sends nothing.
    """
    m = _map(events, claims, data.cache_key(flt), tuple(layers))
    out = st_folium(
        m,
        key=key,
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
    )
    drawing = (out or {}).get("last_active_drawing")
    if drawing and drawing.get("geometry"):
        wkt = shapely.geometry.shape(drawing["geometry"]).wkt
        if wkt != flt.area:
            state.request(area=wkt)
