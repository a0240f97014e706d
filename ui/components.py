"""Pieces several pages draw: the map, the filter caption, empty and synthetic notices."""

from __future__ import annotations

import copy
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
from ui import data, exporting, state

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


BASEMAP_LABELS = {
    "offline": "Offline vector (bundled boundaries)",
    "osm": "OpenStreetMap tiles (needs internet)",
    "carto": "CARTO light tiles (needs internet)",
}


def map_settings() -> None:
    """Sidebar choices for the maps: the basemap, and where Leaflet's scripts come from."""
    with st.sidebar.expander("Map settings"):
        st.selectbox("Basemap", list(BASEMAP_LABELS), format_func=BASEMAP_LABELS.get, key="m_basemap")
        st.checkbox(
            "Load map scripts from public CDNs",
            key="m_cdn",
            help="Off by default: Leaflet is served by this dashboard, so maps draw with no internet.",
        )
        st.caption("The offline basemap is always there as a base layer; tiles are offered on top when online.")


@st.cache_resource(show_spinner="Drawing the map…", max_entries=16)
def _map(
    _events: gpd.GeoDataFrame, _claims: pd.DataFrame, key: tuple, layers: tuple[str, ...], basemap: str, assets: str
) -> folium.Map:
    flt = key[-1]
    return build_map(_events, _claims, layers=layers, draw=True, basemap=basemap, assets=assets, area=flt.area)


def event_map(
    events: gpd.GeoDataFrame,
    claims: pd.DataFrame,
    flt: Filter,
    *,
    layers: Sequence[str] = schema.LAYERS,
    key: str,
) -> None:
    """Draw the filtered events on the map; an area drawn on it becomes the area filter.

    The folium map is built once per (filter, layers, basemap) and a copy of it
    is rendered each run: st_folium gives the elements stable names, so a rerun
    that changes nothing sends the same script and the map is not redrawn.
    """
    basemap = st.session_state.get("m_basemap") or "offline"
    assets = "cdn" if st.session_state.get("m_cdn") else "local"
    m = _map(events, claims, data.cache_key(flt), tuple(layers), basemap, assets)
    out = st_folium(
        copy.deepcopy(m),  # st_folium renames the elements it renders: keep the cached map pristine
        key=key,
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
    )
    with st.popover("Export this map"):
        exporting.controls(flt, key=f"{key}_export")
    drawing = (out or {}).get("last_active_drawing")
    if drawing and drawing.get("geometry"):
        wkt = shapely.geometry.shape(drawing["geometry"]).wkt
        if wkt != flt.area:
            state.request(area=wkt)
